"""scripts/security.sh can fail: its bandit step flags a high-severity issue and passes clean code."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "security.sh"
BIN = Path(sys.executable).parent

HIGH = "import subprocess\n\n\ndef run(command):\n    return subprocess.call(command, shell=True)\n"
CLEAN = "def add(a, b):\n    return a + b\n"


def _bandit_step(target: Path) -> list[str]:
    """The script's own bandit command line, pointed at target instead of backend/."""
    lines = [line for line in SCRIPT.read_text().splitlines() if line.startswith('"$VENV/bin/bandit"')]
    assert len(lines) == 1
    argv = shlex.split(lines[0])
    assert argv[1:3] == ["-r", "backend"]
    return [str(BIN / "bandit"), "-r", str(target), *argv[3:]]


def _run(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_bandit_step(target), capture_output=True, text=True, check=False, timeout=60)


def test_security_bandit_step_flags_high_severity_code(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(HIGH)

    result = _run(tmp_path)

    assert result.returncode == 1
    assert "B602" in result.stdout
    assert "Severity: High" in result.stdout


def test_security_bandit_step_passes_clean_code_and_skips_migrations(tmp_path):
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "views.py").write_text(CLEAN)
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text(HIGH)

    result = _run(tmp_path)

    assert (result.returncode, result.stdout) == (0, "")


def test_security_pip_audit_step_refuses_to_pass_unaudited():
    # Without --strict, pip-audit exits 0 when its service cannot answer for a package.
    audit = [line for line in SCRIPT.read_text().splitlines() if line.startswith('"$VENV/bin/pip-audit"')]

    assert len(audit) == 1
    assert "--strict" in shlex.split(audit[0])
