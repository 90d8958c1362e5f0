"""The solver's input: open places, candidates and their limits, read in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q

from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from rosters.models import (
    AvailabilityException,
    AvailabilityWindow,
    VolunteerLimits,
)
from rosters.rules import Availability, Window
from rosters.selectors.lookups import (
    _LIMIT_REACH,
    RECENT,
    _grants,
    _limits,
    commitments_of,
    still_needed,
)
from rosters.solver import PersonIn, ShiftIn
from scheduling.models import Qualification, Roster, RosterMembership, Shift, Signup
from scheduling.selectors import HELD_STATUSES

# --- The solver's input ------------------------------------------------------------------------


def roster_volunteers(*, rosters: Sequence[Roster]) -> dict[int, set[int]]:
    """person id -> ids of the given rosters they volunteer on (the auto-fill's candidates).

    Coordinators are not auto-assigned: they can always put themselves on a shift.
    """
    active = MembershipStatus.ACTIVE
    volunteers: set[tuple[int, int]] = set()
    coordinators: set[tuple[int, int]] = set()
    for pid, rid, role in RosterMembership.objects.filter(roster__in=rosters, status=active).values_list(
        "person_id", "roster_id", "role"
    ):
        (coordinators if role == Role.COORDINATOR else volunteers).add((pid, rid))
    duty_orgs: dict[int, list[int]] = defaultdict(list)
    for roster in rosters:
        if roster.organisation_id is not None:
            duty_orgs[roster.organisation_id].append(roster.pk)
    kinds = {r.pk: r.kind for r in rosters}
    for pid, org_id, role in OrganisationMembership.objects.filter(
        organisation_id__in=list(duty_orgs), status=active
    ).values_list("person_id", "organisation_id", "role"):
        for rid in duty_orgs[org_id]:
            if role == Role.COORDINATOR:
                coordinators.add((pid, rid))
            elif kinds[rid] == Roster.Kind.DUTY:
                volunteers.add((pid, rid))
    out: dict[int, set[int]] = defaultdict(set)
    for pid, rid in volunteers - coordinators:
        out[pid].add(rid)
    return dict(out)


@dataclass
class SolverInput:
    shifts: list[ShiftIn]
    people: list[PersonIn]
    qualification_names: dict[int, str]
    shift_rows: dict[int, Shift]


def solver_input(*, rosters: Sequence[Roster], start: datetime, end: datetime, now: datetime) -> SolverInput:
    """Everything the solver needs, in a fixed number of queries whatever the size."""
    begin = max(start, now)
    shift_rows = list(
        Shift.objects.filter(
            roster__in=rosters,
            status=Shift.Status.SCHEDULED,
            is_flexible=False,
            starts_at__gte=begin,
            starts_at__lt=end,
            filled__lt=F("capacity"),
        )
        .select_related("roster")
        .prefetch_related("required_qualifications")
        .order_by("starts_at", "pk")
    )
    needs = still_needed(shifts=shift_rows)
    shifts = [
        ShiftIn(
            id=s.pk,
            roster_id=s.roster_id,
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            open_places=s.capacity - s.filled,
            time_zone=s.roster.time_zone,
            required=frozenset(q.pk for q in s.required_qualifications.all()),
            needs=needs.get(s.pk, {}),
        )
        for s in shift_rows
    ]
    members = roster_volunteers(rosters=rosters)
    person_ids = set(members)
    persons = {p.pk: p for p in Person.objects.filter(pk__in=person_ids, is_active=True)}
    grants = _grants(person_ids=set(persons))
    windows: dict[int, list[Window]] = defaultdict(list)
    for w in AvailabilityWindow.objects.filter(person_id__in=persons):
        windows[w.person_id].append(Window(w.weekday, w.start, w.end))
    away: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for pid, lo, hi in AvailabilityException.objects.filter(
        person_id__in=persons, starts_at__lt=end, ends_at__gt=start
    ).values_list("person_id", "starts_at", "ends_at"):
        away[pid].append((lo, hi))
    limits = {row.person_id: row for row in VolunteerLimits.objects.filter(person_id__in=persons)}
    commitments = commitments_of(person_ids=persons, start=begin - _LIMIT_REACH, end=end + _LIMIT_REACH)
    recent: dict[int, int] = defaultdict(int)
    for pid, lo, hi in Signup.objects.filter(
        person_id__in=persons,
        status__in=(*HELD_STATUSES, Signup.Status.COMPLETED),
        shift__is_flexible=False,
        shift__starts_at__gte=begin - RECENT,
        shift__starts_at__lt=end,
    ).values_list("person_id", "shift__starts_at", "shift__ends_at"):
        recent[pid] += int((hi - lo).total_seconds() // 60)
    quals = {
        q.pk: q.name
        for q in Qualification.objects.filter(
            Q(pk__in={qid for _, qid in grants})
            | Q(pk__in={q for s in shifts for q in (*s.required, *s.needs)})
        )
    }
    people = [
        PersonIn(
            id=pid,
            name=person.name,
            time_zone=person.time_zone,
            roster_ids=frozenset(members[pid]),
            qualifications={qid: exp for (gp, qid), exp in grants.items() if gp == pid},
            availability=Availability(time_zone=person.time_zone, windows=windows[pid], away=away[pid]),
            limits=_limits(limits.get(pid)),
            commitments=commitments.get(pid, []),
            base_minutes=recent[pid],
        )
        for pid, person in sorted(persons.items())
    ]
    return SolverInput(shifts, people, quals, {s.pk: s for s in shift_rows})
