"""`make bench`: every benchmark entry, each a ratio against a baseline run in the same process.

Runs against a fresh PostgreSQL database on loopback (scripts/services.sh), writes the table to
docs/benchmarks.md with the machine, the command and the date, and prints it. Benchmarks are not
tests: nothing here asserts a time; the goals are reported next to the figures.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import platform
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "backend"), str(REPO)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "village.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")


def _prepare_database() -> None:
    import django

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("make bench needs PostgreSQL: run it through `make bench` (scripts/services.sh up).")
    # A database of its own, created fresh, so figures never depend on leftovers.
    import psycopg

    base, _, _name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS village_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE village_bench")
    os.environ["DATABASE_URL"] = f"{base}/village_bench"
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _entries() -> list[Any]:
    import tests.load as package

    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_"))
    only = os.environ.get("BENCH_ONLY")
    if only:
        names = [n for n in names if n.removeprefix("bench_") in only.split(",")]
    modules = [importlib.import_module(f"tests.load.{name}") for name in names]
    # bench_settings and bench_urls serve the HTTP entry's gunicorn; only modules with run() are entries.
    return [module for module in modules if callable(getattr(module, "run", None))]


def _ratio(row: dict[str, Any]) -> float:
    ours, baseline = float(row["ours"]), float(row["baseline"])
    if row.get("higher_is_better", True):
        return ours / baseline if baseline else float("nan")
    return baseline / ours if ours else float("nan")


def main() -> int:
    from tqdm import tqdm

    _prepare_database()
    modules = _entries()
    path = REPO / "docs" / "benchmarks.md"
    path.parent.mkdir(exist_ok=True)
    sections = _sections(path.read_text() if path.exists() else "")
    ran: list[str] = []
    text = ""
    started = time.perf_counter()
    with tqdm(total=len(modules), unit="entry", desc="benchmarks", file=sys.stderr) as bar:
        for module in modules:
            short = module.__name__.rsplit(".", 1)[-1].removeprefix("bench_")

            def progress(message: str, short: str = short) -> None:
                bar.set_postfix_str(f"{short}: {message}"[:70])

            rows = list(module.run(progress))
            # Written as soon as each entry ends: a later entry failing must not lose these figures.
            sections[short] = _section(short, rows, load=os.getloadavg()[0])
            ran.append(short)
            text = _document(sections, ran=ran, elapsed=time.perf_counter() - started)
            path.write_text(text)
            bar.update(1)
    print(text)
    # A benchmark is not a test: a missed goal is reported (here, last, and in the file), never a failure.
    print(goals_summary(sections))
    return 0


_TABLE_HEAD = [
    "| measure | ours | baseline | unit | ratio | met | goal | note |",
    "|---|---:|---:|---|---:|---|---|---|",
]
# What the "met" column says: each entry judges its own goal (a ratio, or a figure of its own,
# e.g. the auto-fill's seconds), and a measure reported without a goal says neither.
_MET = {True: "yes", False: "**no**", None: "—"}


def _command() -> str:
    only = os.environ.get("BENCH_ONLY")
    return f"BENCH_ONLY={only} make bench" if only else "make bench"


def _commit() -> str:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def _section(entry: str, rows: list[dict[str, Any]], *, load: float) -> str:
    """One entry's table, stamped with when, where and from which commit it was measured.

    Each entry carries its own stamp so that a partial run (BENCH_ONLY=...) replaces only what it
    measured and the file never mixes figures of different runs under one date.
    """
    lines = [
        f"## {entry}",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `{_command()}` at commit {_commit()}; "
        f"load average {load:.1f} when the entry ended.",
        "",
        *_TABLE_HEAD,
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {float(row['ours']):.4g} | {float(row['baseline']):.4g} | "
            f"{row.get('unit', '')} | {_ratio(row):.2f} | {_MET[row.get('met')]} | {row.get('goal', '')} | "
            f"{row.get('note', '')} |"
        )
    return "\n".join(lines) + "\n"


def _sections(text: str) -> dict[str, str]:
    """The entry sections of an existing results file, by entry name (older layouts are dropped)."""
    found: dict[str, str] = {}
    for chunk in text.split("\n## ")[1:]:
        name = chunk.split("\n", 1)[0].strip()
        if name.isidentifier():
            found[name] = "## " + chunk.rstrip("\n") + "\n"
    return found


def _document(sections: dict[str, str], *, ran: list[str], elapsed: float) -> str:
    head = [
        "# Benchmarks",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL on loopback.",
        f"Last run: `{_command()}` ({', '.join(ran)}) in {elapsed:.0f} s.",
        "",
        "Each figure is a ratio against a baseline measured in the same run, so it holds across machines:",
        "ratio = ours / baseline where higher is better (throughput), baseline / ours where lower is better (time).",
        "",
        goals_summary(sections),
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(sections[name] for name in sorted(sections))


def goals_summary(sections: dict[str, str]) -> str:
    """How many goals the tables below meet, and which they miss, read back from the tables so
    that entries kept from an earlier partial run count too."""
    met: list[str] = []
    missed: list[str] = []
    for name in sorted(sections):
        for line in sections[name].splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            if len(cells) == len(_TABLE_HEAD[0].strip("|").split(" | ")) and cells[5] in ("yes", "**no**"):
                (met if cells[5] == "yes" else missed).append(f"{name}: {cells[0]}")
    text = f"Goals: {len(met)} of {len(met) + len(missed)} met."
    if missed:
        text += " Missed: " + "; ".join(missed) + "."
    return text


if __name__ == "__main__":
    raise SystemExit(main())
