"""The second stage: coverage fixed, the fairest spread of load.

The objective is the sum over people of (recent hours + hours already held in the range +
proposed hours)², as piecewise-linear hinge terms, which evens out the load and prefers people
who did less lately. CP-SAT on the whole benchmark model (37,000 variables) managed two
neighbourhoods in six seconds on a loaded 2-core machine and improved nothing, so the search is
ours: small groups of people who could swap shifts, each group re-solved exactly by CP-SAT with
everyone else held where they are. Every accepted step keeps every row and the number of places
filled, and lowers the objective.
"""

from __future__ import annotations

import random
import time as clock
from collections import defaultdict
from datetime import timedelta

from ortools.sat.python import cp_model

from rosters.rules import iso_week
from rosters.solver.inputs import PersonIn, _Context
from rosters.solver.model import Model, Pair

UNIT_MINUTES = 15  # load is counted in quarter hours: small integers keep the model small
FAIR_STEP = 8  # hinge every 2 hours of load (in UNIT_MINUTES)
GROUP_PEOPLE = 20  # people re-solved together: CP-SAT proves such a group in tens of milliseconds
GROUP_SECONDS = 1.0
WINDOW = timedelta(days=5)  # the neighbourhood's span: swaps are between shifts close in time


def penalty(load: int) -> int:
    """The hinge objective of one person's load (in units): about load² / (2·FAIR_STEP)."""
    return sum(load - k for k in range(0, load, FAIR_STEP))


def balance(ctx: _Context, model: Model, chosen: set[Pair], *, deadline: float, seed: int = 1) -> set[Pair]:
    """Coverage fixed at ``len(chosen)``, the fairest spread found before ``deadline``."""
    rng = random.Random(seed)
    values = model.values(chosen)
    rows_of: dict[int, list[int]] = defaultdict(list)
    for r, row in enumerate(model.rows):
        for v, _ in row.terms:
            rows_of[v].append(r)
    shortfalls_of: dict[int, list[int]] = defaultdict(list)
    for j, s in enumerate(model.shortfalls):
        shortfalls_of[s.shift_id].append(len(model.pairs) + j)
    people_of: dict[int, list[int]] = defaultdict(list)  # shift id -> candidate person ids
    for sid, pid in model.pairs:
        people_of[sid].append(pid)
    units = [ctx.shift_by_id[sid].minutes // UNIT_MINUTES for sid, _ in model.pairs]
    base = {pid: ctx.people_by_id[pid].base_minutes // UNIT_MINUTES for pid in model.by_person}
    tops = {
        pid: _most_units(ctx, model, ctx.people_by_id[pid], owned) for pid, owned in model.by_person.items()
    }
    everyone = list(model.by_person)
    load = {
        pid: base[pid] + sum(units[v] for v in owned if values[v]) for pid, owned in model.by_person.items()
    }
    stale = 0
    while deadline - clock.monotonic() > 0.3 and stale < 3 * len(everyone) // GROUP_PEOPLE + 3:
        free = _group(rng, ctx, everyone, model, load, people_of)
        improved = _resolve(
            model,
            values,
            load,
            free,
            rows_of=rows_of,
            shortfalls_of=shortfalls_of,
            units=units,
            base=base,
            tops=tops,
            seconds=min(GROUP_SECONDS, deadline - clock.monotonic() - 0.2),
        )
        stale = 0 if improved else stale + 1
    return {pair for pair, value in zip(model.pairs, values, strict=False) if value}


def _group(
    rng: random.Random,
    ctx: _Context,
    everyone: list[int],
    model: Model,
    load: dict[int, int],
    people_of: dict[int, list[int]],
) -> list[int]:
    """The pair variables of a few people linked by shifts they could swap, within a few days:
    one of the most or least loaded first (where the objective gains most), then those who could
    take that person's shifts there, or whose shifts they could take."""
    ranked = sorted(everyone, key=lambda p: load[p])
    edge = max(1, len(ranked) // 10)
    first = rng.choice(ranked[-edge:] if rng.random() < 0.5 else ranked[:edge])
    centre = ctx.shift_by_id[model.pairs[rng.choice(model.by_person[first])][0]].starts_at
    lo, hi = centre - WINDOW / 2, centre + WINDOW / 2

    def near(v: int) -> bool:
        return lo <= ctx.shift_by_id[model.pairs[v][0]].starts_at < hi

    group, seen, frontier = [first], {first}, [first]
    while frontier and len(group) < GROUP_PEOPLE:
        pid = frontier.pop(0)
        shifts = [model.pairs[v][0] for v in model.by_person[pid] if near(v)]
        rng.shuffle(shifts)
        for sid in shifts:
            for other in people_of[sid]:
                if other not in seen and len(group) < GROUP_PEOPLE:
                    seen.add(other)
                    group.append(other)
                    frontier.append(other)
    return [v for pid in group for v in model.by_person[pid] if near(v)]


def _resolve(
    model: Model,
    values: list[int],
    load: dict[int, int],
    free_pairs: list[int],
    *,
    rows_of: dict[int, list[int]],
    shortfalls_of: dict[int, list[int]],
    units: list[int],
    base: dict[int, int],
    tops: dict[int, int],
    seconds: float,
) -> bool:
    """Re-solve the group's pairs exactly, the rest held; write the answer into ``values`` when
    it is strictly fairer. Rows that touch a freed variable keep the held part as a constant."""
    group = sorted({model.pairs[v][1] for v in free_pairs})
    free = list(free_pairs)
    free += sorted({s for v in free for s in shortfalls_of.get(model.pairs[v][0], ())})
    cp = cp_model.CpModel()
    var: dict[int, cp_model.IntVar] = {}
    for v in free:
        upper = 1 if v < len(model.pairs) else model.shortfalls[v - len(model.pairs)].need
        var[v] = cp.new_int_var(0, upper, "")
        cp.add_hint(var[v], values[v])
    for r in sorted({r for v in free for r in rows_of[v]}):
        row = model.rows[r]
        held = sum(c * values[v] for v, c in row.terms if v not in var)
        mine = [(var[v], c) for v, c in row.terms if v in var]
        cp.add(
            cp_model.LinearExpr.weighted_sum([x for x, _ in mine], [c for _, c in mine]) <= row.upper - held
        )
    pair_vars = [var[v] for v in free if v < len(model.pairs)]
    filled = sum(values[v] for v in free if v < len(model.pairs))
    cp.add(cp_model.LinearExpr.sum(pair_vars) >= filled)
    terms: list[cp_model.LinearExprT] = []
    before = 0
    for pid in group:
        owned = model.by_person[pid]
        now = load[pid]
        before += penalty(now)
        kept = sum(units[v] for v in owned if values[v] and v not in var)
        freed = [v for v in owned if v in var]
        # Held shifts fix a floor and the freed ones a ceiling: only the hinges between them
        # can change, the ones under the floor are always load − k (one linear term together)
        # and the ones over the ceiling always zero.
        floor = base[pid] + kept
        ceiling = max(floor, min(base[pid] + tops[pid], floor + sum(units[v] for v in freed)))
        total = cp.new_int_var(floor, ceiling, "")
        cp.add(
            total
            == floor + cp_model.LinearExpr.weighted_sum([var[v] for v in freed], [units[v] for v in freed])
        )
        cp.add_hint(total, now)
        below = -(-floor // FAIR_STEP)  # hinges at k = 0, step, … under the floor
        if below:
            terms.append(below * total)
        for k in range(below * FAIR_STEP, ceiling, FAIR_STEP):
            excess = cp.new_int_var(0, ceiling - k, "")
            cp.add(excess >= total - k)
            cp.add_hint(excess, max(0, now - k))
            terms.append(excess)
    objective = cp_model.LinearExpr.sum(terms)
    cp.minimize(objective)
    solver = cp_model.CpSolver()
    # One worker: a group solves in tens of milliseconds, and on a shared 2-core machine a second
    # worker's start-up cost more than it brought (about half as many groups in the same time).
    solver.parameters.num_search_workers = 1
    solver.parameters.random_seed = 1
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    # A group's rows come clean from the model, so presolve found little and cost more than the
    # search; the full LP relaxation (hinges and all) is what proves a group fast. Together about
    # twice as many groups in the same seconds on the benchmark, and a fairer end.
    solver.parameters.cp_model_presolve = False
    solver.parameters.linearization_level = 2
    status = solver.solve(cp)

    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    after = {v: int(solver.value(x)) for v, x in var.items()}
    loads = dict.fromkeys(group, 0)
    for v, value in after.items():
        if v < len(model.pairs):
            loads[model.pairs[v][1]] += units[v] * (value - values[v])
    loads = {pid: load[pid] + change for pid, change in loads.items()}
    if sum(penalty(total) for total in loads.values()) >= before:
        return False
    for v, value in after.items():
        values[v] = value
    load.update(loads)
    return True


def _most_units(ctx: _Context, model: Model, person: PersonIn, owned: list[int]) -> int:
    """The most load (in units) the weekly limits let the person reach: hinge terms above it are
    zero in every answer, so they are never built."""
    weeks: dict[tuple[int, int], list[int]] = defaultdict(list)
    for v in owned:
        shift = ctx.shift_by_id[model.pairs[v][0]]
        weeks[iso_week(shift.starts_at, person.time_zone)].append(shift.minutes)
    limits = person.limits
    total = 0
    for week, minutes in weeks.items():
        count, held = ctx.by_person_week[person.id].get(week, (0, 0))
        cap = len(minutes)
        if limits.max_shifts_per_week is not None:
            cap = min(cap, limits.max_shifts_per_week - count)
        most = sum(sorted(minutes, reverse=True)[:cap])
        if limits.max_minutes_per_week is not None:
            most = min(most, limits.max_minutes_per_week - held)
        total += most // UNIT_MINUTES
    return total
