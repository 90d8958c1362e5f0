"""What the solver is given (shifts with open places, people with their rules) and what it returns,
plus the static eligibility check every later part asks: who could take a shift at all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rosters.rules import Availability, Commitment, Limits, iso_week, overlaps, too_close, zone


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
STATIC_CHECKS = ("member", "qualified", "available", "not_away", "no_overlap", "rested", "under_limit")


class _Context:
    def __init__(self, shifts: Sequence[ShiftIn], people: Sequence[PersonIn]) -> None:
        self.shifts = [s for s in shifts if s.open_places > 0]
        self.people = list(people)
        self.shift_by_id = {s.id: s for s in self.shifts}
        self.people_by_id = {p.id: p for p in self.people}
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

    def candidates(self) -> dict[int, list[int]]:
        """Shift id -> the people who pass every static rule for it, in the order of ``people``."""
        # Only members can pass, and most people are on one roster of several: asking only them
        # saves two thirds of the checks on the benchmark.
        members: dict[int, list[PersonIn]] = defaultdict(list)
        for person in self.people:
            for roster_id in person.roster_ids:
                members[roster_id].append(person)
        return {
            s.id: [p.id for p in members[s.roster_id] if self.failed_check(p, s) is None] for s in self.shifts
        }
