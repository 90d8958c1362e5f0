"""A reason for every place left open, in the coordinator's words."""

from __future__ import annotations

from collections import defaultdict

from rosters.rules import iso_week, too_close
from rosters.solver.inputs import STATIC_CHECKS, ShiftIn, Unfilled, _Context, when

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


def explain(
    ctx: _Context, chosen: set[tuple[int, int]], qualification_names: dict[int, str], *, optimal: bool
) -> list[Unfilled]:
    """A reason for every place left open: the first rule that empties the set of candidates."""
    assigned: dict[int, list[int]] = defaultdict(list)  # shift -> people
    proposed: dict[int, list[ShiftIn]] = defaultdict(list)  # person -> shifts
    shift_by_id = {s.id: s for s in ctx.shifts}
    for sid, pid in chosen:
        assigned[sid].append(pid)
        proposed[pid].append(shift_by_id[sid])
    people_by_id = ctx.people_by_id
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
        for check in reversed(STATIC_CHECKS):
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
