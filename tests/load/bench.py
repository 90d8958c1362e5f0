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
    return [importlib.import_module(f"tests.load.{name}") for name in names]


def _ratio(row: dict[str, Any]) -> float:
    ours, baseline = float(row["ours"]), float(row["baseline"])
    if row.get("higher_is_better", True):
        return ours / baseline if baseline else float("nan")
    return baseline / ours if ours else float("nan")


def main() -> int:
    from tqdm import tqdm

    _prepare_database()
    modules = _entries()
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tqdm(total=len(modules), unit="entry", desc="benchmarks", file=sys.stderr) as bar:
        for module in modules:
            short = module.__name__.rsplit(".", 1)[-1].removeprefix("bench_")

            def progress(message: str, short: str = short) -> None:
                bar.set_postfix_str(f"{short}: {message}"[:70])

            for row in module.run(progress):
                rows.append({"entry": short, **row})
            bar.update(1)
    elapsed = time.perf_counter() - started

    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC in {elapsed:.0f} s.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL on loopback.",
        "",
        "Each figure is a ratio against a baseline measured in the same run, so it holds across machines:",
        "ratio = ours / baseline where higher is better (throughput), baseline / ours where lower is better (time).",
        "",
        "| entry | measure | ours | baseline | unit | ratio | goal | note |",
        "|---|---|---:|---:|---|---:|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['entry']} | {row['name']} | {float(row['ours']):.4g} | {float(row['baseline']):.4g} | "
            f"{row.get('unit', '')} | {_ratio(row):.2f} | {row.get('goal', '')} | {row.get('note', '')} |"
        )
    text = "\n".join(lines) + "\n"
    (REPO / "docs").mkdir(exist_ok=True)
    (REPO / "docs" / "benchmarks.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
