"""The HTTP benchmark's replay of recorded SQL: a bare view must run what the real one ran."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.load.bench_http import _merge, _split_in_lists
from tests.load.bench_urls import _bind


def test_split_in_lists_turns_a_prefetch_into_any_fed_by_the_earlier_result() -> None:
    earlier = [[(7, "a"), (9, "b")]]
    sql = 'SELECT 1 FROM "swap" WHERE ("swap"."status" = %s AND "swap"."signup_id" IN (%s, %s))'

    out_sql, params, slots = _split_in_lists(sql, ["open", 9, 7], earlier)

    assert out_sql == 'SELECT 1 FROM "swap" WHERE ("swap"."status" = %s AND "swap"."signup_id" = ANY(%s))'
    assert params == ["open", None]
    assert slots == [(1, ("col", (0, 0)))]


def test_split_in_lists_keeps_a_constant_in_list() -> None:
    sql = 'SELECT 1 FROM "signup" WHERE "signup"."status" IN (%s, %s)'

    out_sql, params, slots = _split_in_lists(sql, ["confirmed", "offered"], [[(7,)]])

    assert (out_sql, params, slots) == (sql, ["confirmed", "offered"], [])


def test_bind_puts_back_the_callers_values_now_and_earlier_ids() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    params = [("var", "person"), ("now", timedelta(hours=-24)), ("const", "confirmed"), ("col", (0, 1))]

    bound = _bind(params, {"person": 42}, now, [[("x", 5), ("y", 6)]])

    assert bound == [42, now - timedelta(hours=24), "confirmed", [5, 6]]


def test_bind_skips_a_prefetch_with_no_ids_as_django_does() -> None:
    assert _bind([("col", (0, 0))], {}, datetime(2026, 1, 1, tzinfo=UTC), [[]]) is None


def test_merge_adds_rounds_and_averages_percentiles() -> None:
    rounds = [
        {
            "requests": 10,
            "duration_us": 1_000_000,
            "p50": 10,
            "p95": 20,
            "p99": 30,
            "errors": 0,
            "status": {"200": 10},
        },
        {
            "requests": 30,
            "duration_us": 1_000_000,
            "p50": 20,
            "p95": 40,
            "p99": 50,
            "errors": 1,
            "status": {"200": 30},
        },
    ]

    merged = _merge(rounds)

    assert merged == {
        "p50": 15,
        "p95": 30,
        "p99": 40,
        "requests": 40,
        "duration_us": 2_000_000,
        "rate": 20.0,
        "errors": 1,
        "status": {"200": 40},
    }
