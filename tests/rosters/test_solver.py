"""The auto-fill solver on small instances whose right answer is known by hand (no database)."""

from __future__ import annotations

import time as clock
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rosters.rules import Availability, Commitment, Limits, Window
from rosters.solver import PersonIn, ShiftIn, _Context, solve
from rosters.solver.fairness import balance
from rosters.solver.model import build, relax
from rosters.solver.stages import _coverage as coverage

NY = "America/New_York"
SPANISH, TRAINED = 1, 2
NAMES = {SPANISH: "Spanish speaker", TRAINED: "Trained peer supporter"}


def at(day: int, hour: int, month: int = 3, tz: str = NY) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=ZoneInfo(tz))


def shift(sid: int, start: datetime, hours: int = 3, places: int = 1, **kw: object) -> ShiftIn:
    return ShiftIn(
        id=sid,
        roster_id=1,
        title=f"Helpline {sid}",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        open_places=places,
        time_zone=NY,
        **kw,  # type: ignore[arg-type]
    )


def person(
    pid: int,
    *,
    quals: dict[int, datetime | None] | None = None,
    tz: str = NY,
    windows=(),
    away=(),
    limits=None,
    commitments=(),
    base=0,
) -> PersonIn:
    return PersonIn(
        id=pid,
        name=f"P{pid}",
        time_zone=tz,
        roster_ids=frozenset({1}),
        qualifications=quals or {},
        availability=Availability(time_zone=tz, windows=list(windows), away=list(away)),
        limits=limits or Limits(),
        commitments=list(commitments),
        base_minutes=base,
    )


def run(shifts, people):
    return solve(shifts=shifts, people=people, qualification_names=NAMES, time_limit=5)


def test_solver_respects_required_qualification():
    result = run(
        [shift(10, at(2, 18), required=frozenset({TRAINED}))], [person(1), person(2, quals={TRAINED: None})]
    )
    assert result.assignments == [(10, 2)]
    assert result.status == "OPTIMAL"


def test_solver_skips_qualification_expiring_before_the_shift():
    people = [person(1, quals={TRAINED: at(1, 0)})]
    result = run([shift(10, at(2, 18), required=frozenset({TRAINED}))], people)
    assert result.assignments == []
    assert [u.reason for u in result.unfilled] == [
        "Nobody on the roster holds Trained peer supporter (valid on Mon 2 Mar 18:00)."
    ]


def test_solver_keeps_a_place_for_a_still_needed_qualification():
    needs_spanish = shift(10, at(10, 18), places=2, needs={SPANISH: 1})
    result = run([needs_spanish], [person(1), person(2)])
    assert len(result.assignments) == 1
    assert [(u.places, u.reason) for u in result.unfilled] == [
        (1, "Nobody on the roster is a Spanish speaker (valid on Tue 10 Mar 18:00).")
    ]
    result = run([needs_spanish], [person(1), person(2), person(3, quals={SPANISH: None})])
    assert len(result.assignments) == 2
    assert (10, 3) in result.assignments


def test_solver_explains_spanish_speaker_not_available():
    needs_spanish = shift(10, at(10, 18), places=2, needs={SPANISH: 1})
    morning = [Window(1, time(9), time(12))]
    result = run([needs_spanish], [person(1), person(2, quals={SPANISH: None}, windows=morning)])
    assert result.assignments == [(10, 1)]
    assert [u.reason for u in result.unfilled] == ["No Spanish speaker is available on Tue 10 Mar 18:00."]


def test_solver_respects_availability_in_the_volunteers_own_zone():
    # 17:00–19:00 in New York is 22:00–midnight in London on 2 March (no DST yet on either side).
    evening_london = [Window(0, time(21), time(23, 59))]
    morning_ny = [Window(0, time(8), time(12))]
    result = run(
        [shift(10, at(2, 17), hours=2)],
        [person(1, windows=morning_ny), person(2, tz="Europe/London", windows=evening_london)],
    )
    assert result.assignments == [(10, 2)]
    result = run([shift(10, at(2, 17))], [person(1, windows=morning_ny)])
    assert [u.reason for u in result.unfilled] == ["No volunteer is available on Mon 2 Mar 17:00."]


def test_solver_respects_an_absence():
    away = [(at(1, 0), at(5, 0))]
    result = run([shift(10, at(2, 18))], [person(1, away=away)])
    assert result.assignments == []
    assert [u.reason for u in result.unfilled] == ["Every volunteer free on Mon 2 Mar 18:00 is away then."]
    result = run([shift(10, at(2, 18))], [person(1, away=away), person(2)])
    assert result.assignments == [(10, 2)]


def test_solver_respects_max_shifts_per_week():
    shifts = [shift(10, at(2, 18)), shift(11, at(4, 18))]
    result = run(shifts, [person(1, limits=Limits(max_shifts_per_week=1))])
    assert len(result.assignments) == 1
    assert next(u.reason for u in result.unfilled).startswith("Everyone qualified for")
    assert result.bound == 1


def test_solver_counts_existing_commitments_towards_the_weekly_limit():
    held = [Commitment(99, at(3, 9), at(3, 11))]
    result = run([shift(10, at(2, 18))], [person(1, limits=Limits(max_shifts_per_week=1), commitments=held)])
    assert result.assignments == []
    assert [u.reason for u in result.unfilled] == [
        "Everyone qualified is at their weekly limit in the week of Mon 2 Mar 18:00."
    ]


def test_solver_respects_max_hours_per_week():
    shifts = [shift(10, at(2, 9), hours=3), shift(11, at(3, 9), hours=3)]
    result = run(shifts, [person(1, limits=Limits(max_minutes_per_week=5 * 60))])
    assert len(result.assignments) == 1


def test_solver_respects_min_rest():
    shifts = [shift(10, at(2, 9)), shift(11, at(2, 18))]  # 6 hours apart
    result = run(shifts, [person(1, limits=Limits(min_rest_minutes=8 * 60))])
    assert len(result.assignments) == 1
    result = run(shifts, [person(1, limits=Limits(min_rest_minutes=6 * 60))])
    assert len(result.assignments) == 2


def test_solver_avoids_overlap_with_a_practical_commitment():
    meal = [Commitment(99, at(2, 17), at(2, 19))]  # a meal drop-off in a care circle
    result = run([shift(10, at(2, 18))], [person(1, commitments=meal), person(2, base=600)])
    assert result.assignments == [(10, 2)]


def test_solver_never_gives_one_person_two_overlapping_shifts():
    shifts = [shift(10, at(2, 18)), shift(11, at(2, 19))]
    result = run(shifts, [person(1)])
    assert len(result.assignments) == 1
    open_hour = {10: "18:00", 11: "19:00"}[result.unfilled[0].shift_id]
    assert [u.reason for u in result.unfilled] == [
        f"Everyone who could take Mon 2 Mar {open_hour} is already proposed for another shift close to it."
    ]


def test_solver_spreads_four_shifts_two_and_two():
    shifts = [shift(10 + i, at(2 + i, 18)) for i in range(4)]
    result = run(shifts, [person(1), person(2)])
    per_person = {1: 0, 2: 0}
    for _, pid in result.assignments:
        per_person[pid] += 1
    assert per_person == {1: 2, 2: 2}
    assert result.fairness["max_hours"] == 6.0
    assert result.fairness["min_hours"] == 6.0


def test_solver_prefers_people_with_fewer_recent_shifts():
    result = run([shift(10, at(2, 18))], [person(1, base=12 * 60), person(2)])
    assert result.assignments == [(10, 2)]


def test_solver_puts_coverage_before_fairness():
    # Fairness alone would give shift 11 to the rested person 2, but only person 1 can take
    # shift 10's evening, and only person 2 shift 11's morning when 1 needs rest... coverage wins.
    shifts = [shift(10, at(2, 18)), shift(11, at(3, 9))]
    busy = person(1, base=40 * 60)
    only_mornings = person(2, windows=[Window(1, time(8), time(13))])
    result = run(shifts, [busy, only_mornings])
    assert sorted(result.assignments) == [(10, 1), (11, 2)]
    # Even a heavily loaded person is asked when nobody else can go: an open helpline hour is worse.
    result = run([shift(10, at(2, 18))], [busy])
    assert result.assignments == [(10, 1)]
    assert (result.filled, result.bound) == (1, 1)


def test_solver_coverage_first_beats_least_loaded_first():
    # Least-loaded-first would give the 18:00 shift to person 1 (no recent hours) and leave
    # 18:30 empty; maximising coverage first puts the busier person 2 on 18:00 instead.
    early, late = shift(10, at(2, 18)), shift(11, at(2, 18) + timedelta(minutes=30))
    only_early = person(2, windows=[Window(0, time(17), time(21))], base=20 * 60)
    result = run([early, late], [person(1), only_early])
    assert sorted(result.assignments) == [(10, 2), (11, 1)]
    assert (result.status, result.filled, result.bound) == ("OPTIMAL", 2, 2)


def test_solver_proves_an_optimum_below_the_number_of_places():
    # Three places, but person 1 takes one shift a week and person 2 only Monday evening, where
    # the two shifts overlap: two is the most, and the LP relaxation proves it.
    shifts = [shift(10, at(2, 18)), shift(11, at(2, 18) + timedelta(minutes=30)), shift(12, at(4, 18))]
    once_a_week = person(1, limits=Limits(max_shifts_per_week=1))
    monday_evening = person(2, windows=[Window(0, time(17), time(22))], base=20 * 60)
    result = run(shifts, [once_a_week, monday_evening])
    assert (result.status, result.filled, result.bound, result.open_places) == ("OPTIMAL", 2, 2, 3)


def test_model_relaxation_bounds_coverage_below_the_simple_bound():
    shifts = [shift(10, at(2, 18)), shift(11, at(2, 18) + timedelta(minutes=30)), shift(12, at(4, 18))]
    ctx = _Context(shifts, [person(1, limits=Limits(max_shifts_per_week=1))])
    model = build(ctx, ctx.candidates())
    relaxation = relax(model, seconds=5)
    assert relaxation is not None
    assert relaxation.bound == 1
    assert len(relaxation.chosen) == 1
    assert model.satisfied(relaxation.chosen)


def test_model_satisfied_refuses_an_overlap_and_a_weekly_limit():
    shifts = [shift(10, at(2, 18)), shift(11, at(2, 19)), shift(12, at(4, 18))]
    ctx = _Context(shifts, [person(1, limits=Limits(max_shifts_per_week=2))])
    model = build(ctx, ctx.candidates())
    assert model.satisfied({(10, 1), (12, 1)})
    assert not model.satisfied({(10, 1), (11, 1)})  # overlap
    assert not model.satisfied({(10, 1), (11, 1), (12, 1)})  # overlap and three in a week


def test_model_keeps_rest_across_a_week_boundary_when_one_shift_a_week():
    # Sunday 20:00–23:00 and Monday 05:00 are in two ISO weeks, 6 hours apart: the one-a-week
    # rows do not cover that pair, so its rest clique must stay.
    sunday, monday = shift(10, at(1, 20)), shift(11, at(2, 5))
    rested = person(1, limits=Limits(max_shifts_per_week=1, min_rest_minutes=8 * 60))
    result = run([sunday, monday], [rested])
    assert (result.filled, result.bound) == (1, 1)
    ctx = _Context([sunday, monday], [rested])
    model = build(ctx, ctx.candidates())
    assert [row.terms for row in model.rows if row.at_most_one and len(row.terms) == 2] == [((0, 1), (1, 1))]


def test_model_leaves_out_conflicts_implied_by_one_shift_a_week():
    tuesday = [shift(10, at(3, 9)), shift(11, at(3, 10)), shift(12, at(5, 9))]
    ctx = _Context(tuesday, [person(1, limits=Limits(max_shifts_per_week=1))])
    model = build(ctx, ctx.candidates())
    people_rows = [row for row in model.rows if len(row.terms) > 1]
    assert [(row.terms, row.upper) for row in people_rows] == [(((0, 1), (1, 1), (2, 1)), 1)]


def test_balance_evens_out_a_lopsided_filling():
    shifts = [shift(10 + i, at(2 + i, 18)) for i in range(4)]
    ctx = _Context(shifts, [person(1), person(2)])
    model = build(ctx, ctx.candidates())
    lopsided = {(10, 1), (11, 1), (12, 1), (13, 1)}
    fair = balance(ctx, model, lopsided, deadline=clock.monotonic() + 5)
    assert sorted(pid for _, pid in fair) == [1, 1, 2, 2]
    assert model.satisfied(fair)


def test_balance_never_gives_up_a_place():
    # Only person 1 can take the evening: the fairer spread would drop it, so it stays.
    evening, morning = shift(10, at(2, 18)), shift(11, at(3, 9))
    only_evenings = person(1, windows=[Window(0, time(17), time(22))], base=40 * 60)
    only_mornings = person(2, windows=[Window(1, time(8), time(13))])
    ctx = _Context([evening, morning], [only_evenings, only_mornings])
    model = build(ctx, ctx.candidates())
    fair = balance(ctx, model, {(10, 1), (11, 2)}, deadline=clock.monotonic() + 5)
    assert sorted(fair) == [(10, 1), (11, 2)]


def test_solver_searches_when_the_lp_vertex_breaks_an_hours_limit():
    # Least-loaded-first gives Monday to person 1, whose 5 hours then leave Wednesday open. The
    # LP, told to keep that, takes 2/3 of Wednesday too: a vertex over the limit in whole
    # numbers, so it is refused and CP-SAT finds the two places within the LP's bound.
    monday, wednesday = shift(10, at(2, 9)), shift(11, at(4, 9))
    five_hours = person(1, limits=Limits(max_minutes_per_week=5 * 60))
    only_mondays = person(2, windows=[Window(0, time(8), time(13))])
    ctx = _Context([monday, wednesday], [five_hours, only_mondays])
    model = build(ctx, ctx.candidates())
    relaxation = relax(model, seconds=5, prefer={(10, 1)})
    assert relaxation is not None
    assert (relaxation.bound, sorted(relaxation.chosen)) == (2, [(10, 1), (11, 1)])
    assert not model.satisfied(relaxation.chosen)
    status, chosen, bound = coverage(ctx, model, ctx.candidates(), deadline=clock.monotonic() + 5, workers=1)
    assert (status, sorted(chosen), bound) == ("OPTIMAL", [(10, 2), (11, 1)], 2)
