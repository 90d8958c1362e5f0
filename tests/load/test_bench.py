"""The results file of `make bench`: a partial run replaces only the entries it measured."""

from __future__ import annotations

from tests.load.bench import _document, _section, _sections, goals_summary

ROW = {"name": "feed 304", "ours": 90.0, "baseline": 100.0, "unit": "req/s", "goal": "≥ 0.90×"}


def test_bench_sections_partial_run_keeps_the_other_entries() -> None:
    before = _document(
        {
            "calendars": _section("calendars", [ROW], load=1.0),
            "rosters": _section(
                "rosters", [{**ROW, "name": "coverage", "ours": 3.0, "baseline": 4.0}], load=1.0
            ),
        },
        ran=["calendars", "rosters"],
        elapsed=10.0,
    )

    sections = _sections(before)
    sections["calendars"] = _section("calendars", [{**ROW, "ours": 45.0}], load=2.0)
    after = _document(sections, ran=["calendars"], elapsed=5.0)

    assert list(_sections(after)) == ["calendars", "rosters"]
    assert "| feed 304 | 45 | 100 | req/s | 0.45 |" in after
    assert "| feed 304 | 90 |" not in after
    assert _sections(after)["rosters"] == _sections(before)["rosters"]


def test_bench_sections_stamp_each_entry_with_its_run() -> None:
    text = _section("http", [ROW], load=3.3)

    assert text.splitlines()[0] == "## http"
    assert "by `make bench` at commit " in text
    assert "load average 3.3 when the entry ended" in text


def test_bench_sections_drop_the_old_single_table_layout() -> None:
    old = "# Benchmarks\n\nWritten by `make bench`.\n\n| entry | measure |\n|---|---|\n| http | x |\n"

    assert _sections(old) == {}


def test_bench_entries_are_the_modules_with_a_run_function() -> None:
    from tests.load.bench import _entries

    names = [module.__name__.removeprefix("tests.load.") for module in _entries()]

    assert names == [
        "bench_calendars",
        "bench_http",
        "bench_notifications",
        "bench_rosters",
        "bench_scheduling",
    ]


def test_bench_goals_are_marked_met_or_missed_and_summed_up_across_entries() -> None:
    sections = {
        "calendars": _section(
            "calendars",
            [
                {**ROW, "met": False},
                {**ROW, "name": "feed 304, shared counter", "goal": "(no goal)"},
            ],
            load=1.0,
        ),
        "rosters": _section("rosters", [{**ROW, "name": "coverage", "met": True}], load=1.0),
    }

    text = _document(sections, ran=["calendars", "rosters"], elapsed=1.0)

    assert "| feed 304 | 90 | 100 | req/s | 0.90 | **no** | ≥ 0.90× |" in text
    assert "| feed 304, shared counter | 90 | 100 | req/s | 0.90 | — | (no goal) |" in text
    assert "| coverage | 90 | 100 | req/s | 0.90 | yes | ≥ 0.90× |" in text
    assert goals_summary(sections) == "Goals: 1 of 2 met. Missed: calendars: feed 304."
    assert goals_summary(sections) in text.splitlines()
    # Read back from the file, as a partial run does: the same count.
    assert goals_summary(_sections(text)) == goals_summary(sections)
