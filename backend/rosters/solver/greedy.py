"""A quick least-loaded-first fill: the first answer CP-SAT improves on, and the whole answer when
it already reaches the bound."""

from __future__ import annotations

from collections import defaultdict

from rosters.rules import iso_week, too_close
from rosters.solver.inputs import ShiftIn, _Context


def greedy(ctx: _Context, candidates: dict[int, list[int]]) -> set[tuple[int, int]]:
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
            person = ctx.people_by_id[pid]
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
