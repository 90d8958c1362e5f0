"""Fair auto-fill with OR-Tools CP-SAT, on plain data (no database here, so it is easy to test).

Two solves, lexicographic: first the most places that can be filled (coverage always wins),
then, with coverage fixed at that number, the fairest spread: minimise the sum over people of
(recent hours + hours already held in the range + proposed hours)² (as piecewise-linear hinge
terms), which evens out the load and prefers people who did less lately.

Hard constraints: roster membership, every-place qualifications valid at the shift's start,
per-place requirements ({qualification, count}), weekly availability windows and absences in
each person's own zone, no overlap and the person's minimum rest against everything they hold
and against each other, and per-ISO-week limits (shifts and hours) counted with what they hold.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import pstdev

from ortools.sat.python import cp_model

from rosters.rules import Availability, Commitment, Limits, iso_week, overlaps, too_close, zone

UNIT_MINUTES = 15  # load is counted in quarter hours: small integers keep the model small
FAIR_STEP = 8  # hinge every 2 hours of load (in UNIT_MINUTES)


@dataclass(frozen=True)
class ShiftIn:
    id: int
    roster_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    open_places: int
    time_zone: str
    required: frozenset[int] = frozenset()
    # qualification id -> holders still needed among the open places
    needs: dict[int, int] = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass
class PersonIn:
    id: int
    name: str
    time_zone: str
    roster_ids: frozenset[int]
    qualifications: dict[int, datetime | None]  # qualification id -> expires_at
    availability: Availability
    limits: Limits = field(default_factory=Limits)
    commitments: Sequence[Commitment] = ()
    base_minutes: int = 0  # recent and already-held hours: who did less lately goes first

    def holds(self, qualification_id: int, at: datetime) -> bool:
        if qualification_id not in self.qualifications:
            return False
        expires = self.qualifications[qualification_id]
        return expires is None or expires > at


@dataclass(frozen=True)
class Unfilled:
    shift_id: int
    starts_at: datetime
    places: int
    reason: str


@dataclass
class SolveResult:
    status: str
    assignments: list[tuple[int, int]]  # (shift id, person id)
    open_places: int
    filled: int
    bound: int
    unfilled: list[Unfilled]
    fairness: dict[str, float]
    seconds: float


def when(moment: datetime, tz_name: str) -> str:
    local = moment.astimezone(zone(tz_name))
    return f"{local:%a} {local.day} {local:%b %H:%M}"


# The order in which a candidate is ruled out is the order reasons are looked for.
_STATIC_CHECKS = ("member", "qualified", "available", "not_away", "no_overlap", "rested", "under_limit")


class _Context:
    def __init__(self, shifts: Sequence[ShiftIn], people: Sequence[PersonIn]) -> None:
        self.shifts = [s for s in shifts if s.open_places > 0]
        self.people = list(people)
        self.by_person_week: dict[int, dict[tuple[int, int], tuple[int, int]]] = {}
        for person in self.people:
            weeks: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
            for c in person.commitments:
                week = iso_week(c.starts_at, person.time_zone)
                count, minutes = weeks[week]
                weeks[week] = (count + 1, minutes + c.minutes)
            self.by_person_week[person.id] = dict(weeks)
        self.held_shift_ids = {p.id: {c.shift_id for c in p.commitments} for p in self.people}
        self.timed = {p.id: [c for c in p.commitments if not c.is_flexible] for p in self.people}

    def failed_check(self, person: PersonIn, shift: ShiftIn) -> str | None:
        """The first static rule that rules the person out for the shift, or None if eligible."""
        if shift.roster_id not in person.roster_ids:
            return "member"
        if shift.id in self.held_shift_ids[person.id]:
            return "already"
        if any(not person.holds(q, shift.starts_at) for q in shift.required):
            return "qualified"
        if not person.availability.covers(shift.starts_at, shift.ends_at):
            return "available"
        if person.availability.away_during(shift.starts_at, shift.ends_at):
            return "not_away"
        held = self.timed[person.id]
        if any(overlaps(shift.starts_at, shift.ends_at, c.starts_at, c.ends_at) for c in held):
            return "no_overlap"
        rest = person.limits.min_rest_minutes
        if rest and any(
            too_close(shift.starts_at, shift.ends_at, c.starts_at, c.ends_at, rest) for c in held
        ):
            return "rested"
        count, minutes = self.by_person_week[person.id].get(
            iso_week(shift.starts_at, person.time_zone), (0, 0)
        )
        limits = person.limits
        if limits.max_shifts_per_week is not None and count + 1 > limits.max_shifts_per_week:
            return "under_limit"
        if limits.max_minutes_per_week is not None and minutes + shift.minutes > limits.max_minutes_per_week:
            return "under_limit"
        return None


def solve(
    *,
    shifts: Sequence[ShiftIn],
    people: Sequence[PersonIn],
    qualification_names: dict[int, str],
    time_limit: float = 10.0,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
) -> SolveResult:
    """Propose assignments for the open places. Never raises on an impossible instance: it fills
    what it can and explains every place left open."""
    started = clock.monotonic()
    ctx = _Context(shifts, people)
    people_by_id = {p.id: p for p in ctx.people}

    candidates: dict[int, list[int]] = {}  # shift id -> person ids
    for shift in ctx.shifts:
        candidates[shift.id] = [p.id for p in ctx.people if ctx.failed_check(p, shift) is None]

    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for shift in ctx.shifts:
        for pid in candidates[shift.id]:
            x[shift.id, pid] = model.new_bool_var(f"x_{shift.id}_{pid}")

    shift_by_id = {s.id: s for s in ctx.shifts}
    shortfalls: dict[tuple[int, int], cp_model.IntVar] = {}
    for shift in ctx.shifts:
        chosen = [x[shift.id, pid] for pid in candidates[shift.id]]
        if not chosen:
            continue
        needs = {q: n for q, n in shift.needs.items() if n > 0}
        if not needs:
            model.add(sum(chosen) <= shift.open_places)
            continue
        # Per-place requirements: the places still needed for a qualification must stay
        # reachable, so after filling, sum of unmet needs <= places left open.
        unmet = []
        for qid, need in needs.items():
            holders = [
                x[shift.id, pid]
                for pid in candidates[shift.id]
                if people_by_id[pid].holds(qid, shift.starts_at)
            ]
            short = model.new_int_var(0, need, f"short_{shift.id}_{qid}")
            model.add(short >= need - sum(holders))
            unmet.append(short)
            shortfalls[shift.id, qid] = short
        model.add(sum(chosen) + sum(unmet) <= shift.open_places)

    by_person: dict[int, list[int]] = defaultdict(list)
    for sid, pid in x:
        by_person[pid].append(sid)

    for pid, sids in by_person.items():
        person = people_by_id[pid]
        rest = person.limits.min_rest_minutes
        # Conflicts (overlap or too little rest) form an interval graph on [start, end + rest):
        # its maximal cliques are the sets alive at each start, one at-most-one each (tight LP).
        ordered = sorted(sids, key=lambda s: shift_by_id[s].starts_at)
        reach = timedelta(minutes=rest)
        alive: list[ShiftIn] = []
        grew = False
        for sid in ordered:
            shift = shift_by_id[sid]
            still = [o for o in alive if o.ends_at + reach > shift.starts_at]
            if len(still) < len(alive) and grew and len(alive) > 1:
                model.add_at_most_one(x[o.id, pid] for o in alive)  # a maximal clique just closed
            grew = True
            alive = [*still, shift]
        if len(alive) > 1:
            model.add_at_most_one(x[o.id, pid] for o in alive)
        weeks: dict[tuple[int, int], list[int]] = defaultdict(list)
        for sid in sids:
            weeks[iso_week(shift_by_id[sid].starts_at, person.time_zone)].append(sid)
        for week, week_sids in weeks.items():
            count, minutes = ctx.by_person_week[pid].get(week, (0, 0))
            limits = person.limits
            if limits.max_shifts_per_week is not None and len(week_sids) + count > limits.max_shifts_per_week:
                model.add(sum(x[s, pid] for s in week_sids) <= limits.max_shifts_per_week - count)
            if limits.max_minutes_per_week is not None:
                model.add(
                    sum(x[s, pid] * shift_by_id[s].minutes for s in week_sids)
                    <= limits.max_minutes_per_week - minutes
                )

    # A quick least-loaded-first fill seeds the search, so even a huge instance that runs out of
    # time before proving anything returns at least that.
    seed = _greedy(ctx, candidates, people_by_id)
    # A simple bound: a shift takes at most its open places, at most its candidates, and leaves
    # a place empty for each needed qualification that too few candidates hold. When the seed
    # reaches it, coverage is proven optimal without searching at all.
    simple_bound = 0
    for shift in ctx.shifts:
        cands = candidates[shift.id]
        missing: int = 0
        for q, n in shift.needs.items():
            holders_count = sum(1 for pid in cands if people_by_id[pid].holds(q, shift.starts_at))
            missing += max(0, n - holders_count)
        simple_bound += max(0, min(len(cands), shift.open_places - missing))
    variables = list(x.values())
    coverage = cp_model.LinearExpr.sum(variables)
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = 1
    if len(seed) >= simple_bound:
        status_name, best, bound = "OPTIMAL", len(seed), len(seed)
        chosen_pairs = set(seed)
    else:
        model.add(coverage <= simple_bound)
        model.maximize(coverage)
        _hint(model, x, shortfalls, seed, people_by_id, shift_by_id)
        # The budget is the coordinator's wait, model building included; coverage gets most of it.
        left = time_limit - (clock.monotonic() - started)
        solver.parameters.max_time_in_seconds = max(1.0, left * 0.8)
        # Probing is the slowest part of presolve and rarely pays on an assignment model.
        solver.parameters.cp_model_probing_level = 0
        # Inclusion detection between the weekly-limit rows took 30 s of presolve on the benchmark.
        solver.parameters.presolve_inclusion_work_limit = 0
        if progress:
            progress(f"coverage: {len(x)} candidate pairs, {len(ctx.shifts)} shifts")
        status = solver.solve(model)
        status_name = solver.status_name(status)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = round(solver.objective_value)
            bound = min(simple_bound, int(solver.best_objective_bound + 1e-6))
            chosen_pairs = {key for key, var in x.items() if solver.value(var)}
        else:
            status_name, best, bound, chosen_pairs = "FEASIBLE", 0, simple_bound, set()
        if len(seed) > len(chosen_pairs):
            chosen_pairs, best = set(seed), len(seed)
        if best >= bound:
            status_name = "OPTIMAL"
    coverage_optimal = status_name == "OPTIMAL"

    # Second solve: coverage fixed, spread the load. Hinted with the first answer so it can
    # only improve fairness, never lose places, even if it runs out of time.
    remaining = time_limit - (clock.monotonic() - started)
    if x and remaining > 0.2 and by_person:
        model.clear_hints()
        model.clear_objective()
        model.add(coverage >= best)
        penalties = []
        hinted_load: dict[int, int] = defaultdict(int)
        for sid, pid in chosen_pairs:
            hinted_load[pid] += shift_by_id[sid].minutes // UNIT_MINUTES
        for pid, sids in by_person.items():
            person = people_by_id[pid]
            base = person.base_minutes // UNIT_MINUTES
            top = base + sum(shift_by_id[s].minutes // UNIT_MINUTES for s in sids)
            load = model.new_int_var(0, top, f"load_{pid}")
            model.add(
                load
                == base
                + cp_model.LinearExpr.weighted_sum(
                    [x[s, pid] for s in sids], [shift_by_id[s].minutes // UNIT_MINUTES for s in sids]
                )
            )
            # (load)² as a sum of hinge terms max(0, load − k·step): convex and piecewise linear,
            # so the LP relaxation sees it (a product constraint it would not) and the search is
            # far cheaper. Equal to load²/(2·step) up to rounding.
            value = base + hinted_load[pid]
            model.add_hint(load, value)
            for k in range(0, top, FAIR_STEP):
                excess = model.new_int_var(0, top - k, f"ex_{pid}_{k}")
                model.add(excess >= load - k)
                penalties.append(excess)
                # A complete hint is taken as the first solution at once: fairness can only improve.
                model.add_hint(excess, max(0, value - k))
        model.minimize(cp_model.LinearExpr.sum(penalties))
        # Presolving this model costs seconds on a busy machine and buys little: go straight to
        # improving the hinted solution.
        solver.parameters.cp_model_presolve = False
        _hint(model, x, shortfalls, chosen_pairs, people_by_id, shift_by_id)
        solver.parameters.max_time_in_seconds = remaining
        if progress:
            progress("fairness")
        status2 = solver.solve(model)
        if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen_pairs = {key for key, var in x.items() if solver.value(var)}
    result = _result(
        ctx, status_name, chosen_pairs, bound, started, qualification_names, optimal=coverage_optimal
    )
    return result


def _hint(
    model: cp_model.CpModel,
    x: dict[tuple[int, int], cp_model.IntVar],
    shortfalls: dict[tuple[int, int], cp_model.IntVar],
    chosen: set[tuple[int, int]],
    people_by_id: dict[int, PersonIn],
    shift_by_id: dict[int, ShiftIn],
) -> None:
    """Hint every variable, so CP-SAT takes the answer as its first solution straight away."""
    for key, var in x.items():
        model.add_hint(var, 1 if key in chosen else 0)
    for (sid, qid), var in shortfalls.items():
        shift = shift_by_id[sid]
        have = sum(1 for s, pid in chosen if s == sid and people_by_id[pid].holds(qid, shift.starts_at))
        model.add_hint(var, max(0, shift.needs[qid] - have))


def _greedy(
    ctx: _Context, candidates: dict[int, list[int]], people_by_id: dict[int, PersonIn]
) -> set[tuple[int, int]]:
    """Each open place, in time order, to the least-loaded candidate who still fits every rule."""
    taken: dict[int, list[ShiftIn]] = defaultdict(list)
    load: dict[int, int] = {p.id: p.base_minutes for p in ctx.people}
    chosen: set[tuple[int, int]] = set()
    for shift in sorted(ctx.shifts, key=lambda s: (s.starts_at, s.id)):
        needs = {q: n for q, n in shift.needs.items() if n > 0}
        placed: list[int] = []
        for pid in sorted(candidates[shift.id], key=lambda p: (load[p], p)):
            if len(placed) == shift.open_places:
                break
            person = people_by_id[pid]
            rest = person.limits.min_rest_minutes
            if any(
                too_close(s.starts_at, s.ends_at, shift.starts_at, shift.ends_at, rest) for s in taken[pid]
            ):
                continue
            week = iso_week(shift.starts_at, person.time_zone)
            mine = [s for s in taken[pid] if iso_week(s.starts_at, person.time_zone) == week]
            count, minutes = ctx.by_person_week[pid].get(week, (0, 0))
            limits = person.limits
            if limits.max_shifts_per_week is not None and count + len(mine) + 1 > limits.max_shifts_per_week:
                continue
            if limits.max_minutes_per_week is not None and (
                minutes + sum(s.minutes for s in mine) + shift.minutes > limits.max_minutes_per_week
            ):
                continue
            unmet = sum(max(0, n - (1 if person.holds(q, shift.starts_at) else 0)) for q, n in needs.items())
            if unmet > shift.open_places - len(placed) - 1:
                continue
            for q in needs:
                if person.holds(q, shift.starts_at):
                    needs[q] = max(0, needs[q] - 1)
            placed.append(pid)
            taken[pid].append(shift)
            load[pid] += shift.minutes
            chosen.add((shift.id, pid))
    return chosen


def _result(
    ctx: _Context,
    status_name: str,
    chosen: set[tuple[int, int]],
    bound: int,
    started: float,
    qualification_names: dict[int, str],
    *,
    optimal: bool,
) -> SolveResult:
    open_total = sum(s.open_places for s in ctx.shifts)
    unfilled = _explain(ctx, chosen, qualification_names, optimal=optimal)
    minutes: dict[int, int] = defaultdict(int)
    shift_by_id = {s.id: s for s in ctx.shifts}
    for sid, pid in chosen:
        minutes[pid] += shift_by_id[sid].minutes
    hours = [m / 60 for m in minutes.values()]
    fairness = {
        "people_assigned": float(len(hours)),
        "max_hours": max(hours, default=0.0),
        "min_hours": min(hours, default=0.0),
        "stddev_hours": round(pstdev(hours), 3) if len(hours) > 1 else 0.0,
    }
    return SolveResult(
        status=status_name,
        assignments=sorted(chosen),
        open_places=open_total,
        filled=len(chosen),
        bound=max(bound, len(chosen)),
        unfilled=unfilled,
        fairness=fairness,
        seconds=round(clock.monotonic() - started, 3),
    )


_MESSAGES = {
    "member": "Nobody on the roster can be asked for {when}.",
    "qualified": "Nobody on the roster holds {quals} (valid on {when}).",
    "holder": "Nobody on the roster is a {subject} (valid on {when}).",
    "available": "No {subject} is available on {when}.",
    "not_away": "Every {subject} free on {when} is away then.",
    "no_overlap": "Every {subject} free on {when} already has another commitment at that time.",
    "rested": "Every {subject} free on {when} would not get their minimum rest between shifts.",
    "under_limit": "Everyone qualified is at their weekly limit in the week of {when}.",
    "proposed_overlap": "Everyone who could take {when} is already proposed for another shift close to it.",
    "proposed_limit": "Everyone qualified for {when} reaches their weekly limit with other proposed shifts.",
    "timeout": "The search ran out of time before placing anyone on {when}; try a shorter range.",
    "balance": "Filling {when} as well would leave another shift's required place without anyone.",
}


def _explain(
    ctx: _Context, chosen: set[tuple[int, int]], qualification_names: dict[int, str], *, optimal: bool
) -> list[Unfilled]:
    """A reason for every place left open: the first rule that empties the set of candidates."""
    assigned: dict[int, list[int]] = defaultdict(list)  # shift -> people
    proposed: dict[int, list[ShiftIn]] = defaultdict(list)  # person -> shifts
    shift_by_id = {s.id: s for s in ctx.shifts}
    for sid, pid in chosen:
        assigned[sid].append(pid)
        proposed[pid].append(shift_by_id[sid])
    people_by_id = {p.id: p for p in ctx.people}
    out: list[Unfilled] = []
    for shift in ctx.shifts:
        left = shift.open_places - len(assigned[shift.id])
        if left <= 0:
            continue
        moment = when(shift.starts_at, shift.time_zone)
        # Places reserved for a qualification are explained for that qualification first.
        groups: list[tuple[int | None, int]] = []
        for qid, need in shift.needs.items():
            short = need - sum(
                1 for pid in assigned[shift.id] if people_by_id[pid].holds(qid, shift.starts_at)
            )
            if short > 0:
                groups.append((qid, min(short, left)))
        reserved = sum(n for _, n in groups)
        if left - reserved > 0:
            groups.append((None, left - reserved))
        for group_qid, places in groups:
            reason = _reason(
                ctx, shift, group_qid, assigned[shift.id], proposed, qualification_names, optimal
            )
            out.append(Unfilled(shift.id, shift.starts_at, places, reason.replace("{when}", moment)))
    return out


def _reason(
    ctx: _Context,
    shift: ShiftIn,
    qid: int | None,
    assigned: list[int],
    proposed: dict[int, list[ShiftIn]],
    qualification_names: dict[int, str],
    optimal: bool,
) -> str:
    if qid is not None:
        subject = qualification_names.get(qid, "qualified volunteer")
    elif shift.required:
        subject = "qualified volunteer"
    else:
        subject = "volunteer"
    quals = ", ".join(sorted(qualification_names.get(q, "?") for q in shift.required))
    failures: dict[str, int] = defaultdict(int)
    survivors = []
    pool = [p for p in ctx.people if p.id not in assigned]
    if qid is not None:
        members = [p for p in pool if shift.roster_id in p.roster_ids]
        pool = [p for p in members if p.holds(qid, shift.starts_at)]
        if members and not pool:
            return _MESSAGES["holder"].replace("{subject}", subject)
    for person in pool:
        failed = ctx.failed_check(person, shift)
        if failed == "already":
            continue
        if failed is None:
            survivors.append(person)
        else:
            failures[failed] += 1
    if not survivors:
        # Candidates fell at different rules: name the rule that took out the last of them.
        for check in reversed(_STATIC_CHECKS):
            if failures.get(check):
                return _MESSAGES[check].replace("{subject}", subject).replace("{quals}", quals)
        return _MESSAGES["member"]
    if not optimal:
        return _MESSAGES["timeout"]
    busy = 0
    for person in survivors:
        mine = proposed.get(person.id, [])
        rest = person.limits.min_rest_minutes
        if any(too_close(s.starts_at, s.ends_at, shift.starts_at, shift.ends_at, rest) for s in mine):
            busy += 1
    if busy == len(survivors):
        return _MESSAGES["proposed_overlap"]
    limited = 0
    for person in survivors:
        week = iso_week(shift.starts_at, person.time_zone)
        mine = [s for s in proposed.get(person.id, []) if iso_week(s.starts_at, person.time_zone) == week]
        count, minutes = ctx.by_person_week[person.id].get(week, (0, 0))
        limits = person.limits
        over_count = (
            limits.max_shifts_per_week is not None and count + len(mine) + 1 > limits.max_shifts_per_week
        )
        over_hours = limits.max_minutes_per_week is not None and (
            minutes + sum(s.minutes for s in mine) + shift.minutes > limits.max_minutes_per_week
        )
        if over_count or over_hours:
            limited += 1
    if limited + busy >= len(survivors):
        return _MESSAGES["proposed_limit"] if limited else _MESSAGES["proposed_overlap"]
    return _MESSAGES["balance"]
