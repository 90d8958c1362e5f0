"""Under CI=true any skipped test fails the run (issue 2, item 9), proven on a tiny suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

TINY_SUITE = """
import pytest

def test_runs():
    assert True

def test_not_today():
    pytest.skip("flaky on Tuesdays")

@pytest.mark.xfail(reason="known bug")
def test_known_bug():
    assert False
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None) -> pytest.RunResult:
    pytester.makepyfile(test_tiny=TINY_SUITE)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    # A subprocess, so the tiny suite gets a pytest of its own: the guard under test, not Django.
    return pytester.runpytest_subprocess("-p", "tests.ci_guard", "-p", "no:django", "-p", "no:cacheprovider")


def test_ci_guard_fails_a_ci_run_that_skipped(pytester, monkeypatch):
    result = _run(pytester, monkeypatch, ci="true")

    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "CI=true: 2 test(s) skipped or xfailed, which fails the run: "
            "test_tiny.py::test_not_today, test_tiny.py::test_known_bug"
        ]
    )


def test_ci_guard_lets_a_local_run_with_skips_pass(pytester, monkeypatch):
    result = _run(pytester, monkeypatch, ci=None)

    result.assert_outcomes(passed=1, skipped=1, xfailed=1)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.no_fnmatch_line("CI=true*")


def test_ci_guard_lets_a_clean_ci_run_pass(pytester, monkeypatch):
    pytester.makepyfile(test_clean="def test_runs():\n    assert True\n")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("CI", "true")

    result = pytester.runpytest_subprocess(
        "-p", "tests.ci_guard", "-p", "no:django", "-p", "no:cacheprovider"
    )

    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK


def test_ci_run_sets_ci_before_running_the_suite():
    """A local .ci/run must fail on a skip just as CI does, so it sets CI=true itself."""
    lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]

    assert "export CI=true" in lines
    assert lines.index("export CI=true") < next(
        i for i, line in enumerate(lines) if line.startswith("make test")
    )
