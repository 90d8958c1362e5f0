"""Reads for rosters: coverage, gaps, and the plain data the rules and the solver work on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404

from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from rosters.models import (
    AutofillProposal,
    AvailabilityException,
    AvailabilityWindow,
    ShiftRequirement,
    ShiftTemplate,
    VolunteerLimits,
)
from rosters.rules import Availability, Commitment, Limits, Window, zone
from rosters.solver import PersonIn, ShiftIn
from scheduling.models import PersonQualification, Qualification, Roster, RosterMembership, Shift, Signup
from scheduling.selectors import HELD_STATUSES, roster_role

# Weekly limits and rest reach this far either side of a range.
_LIMIT_REACH = timedelta(days=8)
# "Prefer those with fewer recent shifts": how far back counts as recent.
RECENT = timedelta(days=28)


def roster_for_coordinator(*, roster_id: int, person: Person) -> Roster:
    """The roster when the person coordinates it; 404 for strangers, 403 for its volunteers."""
    from village.api import DomainError

    roster = Roster.objects.select_related("organisation").filter(pk=roster_id).first()
    role = roster_role(roster=roster, person=person) if roster is not None else None
    if roster is None or role is None:
        raise Http404
    if role != "coordinator":
        raise DomainError(
            "Only a coordinator of this roster can do that.", code="permission_denied", status_code=403
        )
    return roster


def templates_for_roster(*, roster: Roster) -> QuerySet[ShiftTemplate]:
    return (
        ShiftTemplate.objects.filter(roster=roster)
        .select_related("roster")
        .prefetch_related("required_qualifications", "requirements__qualification")
        .order_by("pk")
    )


def qualifications_visible_to(*, person: Person) -> QuerySet[Qualification]:
    """Qualifications of every organisation the person is an active member of."""
    orgs = OrganisationMembership.objects.filter(person=person, status=MembershipStatus.ACTIVE).values(
        "organisation_id"
    )
    return Qualification.objects.filter(organisation_id__in=orgs).order_by("name", "pk")


def is_org_coordinator(*, organisation_id: int | None, person: Person) -> bool:
    if organisation_id is None:
        return False
    return OrganisationMembership.objects.filter(
        organisation_id=organisation_id,
        person=person,
        status=MembershipStatus.ACTIVE,
        role=Role.COORDINATOR,
    ).exists()


def proposal_visible_to(*, proposal_id: int, person: Person) -> AutofillProposal:
    from village.api import DomainError

    proposal = AutofillProposal.objects.select_related("roster").filter(pk=proposal_id).first()
    role = roster_role(roster=proposal.roster, person=person) if proposal is not None else None
    if proposal is None or role is None:
        raise Http404
    if role != "coordinator":
        raise DomainError(
            "Only a coordinator of this roster can do that.", code="permission_denied", status_code=403
        )
    return proposal


def proposal_with_assignments(*, proposal: AutofillProposal) -> AutofillProposal:
    return (
        AutofillProposal.objects.select_related("roster")
        .prefetch_related("assignments__shift", "assignments__person")
        .get(pk=proposal.pk)
    )


# --- Plain data for the rules --------------------------------------------------------------


def person_limits(*, person_id: int) -> Limits | None:
    row = VolunteerLimits.objects.filter(person_id=person_id).first()
    return _limits(row) if row is not None else None


def _limits(row: VolunteerLimits | None) -> Limits:
    if row is None:
        return Limits()
    return Limits(
        max_shifts_per_week=row.max_shifts_per_week,
        max_minutes_per_week=int(row.max_hours_per_week * 60) if row.max_hours_per_week is not None else None,
        min_rest_minutes=int(row.min_rest_hours * 60) if row.min_rest_hours is not None else 0,
    )


def person_availability(*, person: Person, start: datetime, end: datetime) -> Availability:
    windows = [
        Window(w.weekday, w.start, w.end) for w in AvailabilityWindow.objects.filter(person_id=person.pk)
    ]
    away = list(
        AvailabilityException.objects.filter(
            person_id=person.pk, starts_at__lt=end, ends_at__gt=start
        ).values_list("starts_at", "ends_at")
    )
    return Availability(time_zone=person.time_zone, windows=windows, away=away)


def commitments_of(
    *, person_ids: Iterable[int], start: datetime, end: datetime, exclude_shift_id: int | None = None
) -> dict[int, list[Commitment]]:
    """Every place each person holds on any roster (practical help included) touching [start, end)."""
    rows = Signup.objects.filter(
        person_id__in=list(person_ids),
        status__in=HELD_STATUSES,
        shift__status=Shift.Status.SCHEDULED,
        shift__starts_at__lt=end,
        shift__ends_at__gt=start,
    ).values_list("person_id", "shift_id", "shift__starts_at", "shift__ends_at", "shift__is_flexible")
    if exclude_shift_id is not None:
        rows = rows.exclude(shift_id=exclude_shift_id)
    out: dict[int, list[Commitment]] = defaultdict(list)
    for person_id, shift_id, starts_at, ends_at, flexible in rows:
        out[person_id].append(Commitment(shift_id, starts_at, ends_at, flexible))
    return out


def still_needed(*, shifts: Sequence[Shift]) -> dict[int, dict[int, int]]:
    """Per shift, per qualification: how many more holders its per-place requirements want."""
    requirements = list(
        ShiftRequirement.objects.filter(shift__in=shifts).values_list("shift_id", "qualification_id", "count")
    )
    if not requirements:
        return {}
    shift_ids = {sid for sid, _, _ in requirements}
    starts = {s.pk: s.starts_at for s in shifts}
    holders = list(
        Signup.objects.filter(shift_id__in=shift_ids, status__in=HELD_STATUSES).values_list(
            "shift_id", "person_id"
        )
    )
    grants = _grants(
        person_ids={pid for _, pid in holders}, qualification_ids={q for _, q, _ in requirements}
    )
    out: dict[int, dict[int, int]] = defaultdict(dict)
    held_by_shift: dict[int, list[int]] = defaultdict(list)
    for sid, pid in holders:
        held_by_shift[sid].append(pid)
    for sid, qid, count in requirements:
        have = sum(1 for pid in held_by_shift[sid] if _valid(grants, pid, qid, starts[sid]))
        out[sid][qid] = max(0, count - have)
    return out


def _grants(
    *, person_ids: set[int], qualification_ids: set[int] | None = None
) -> dict[tuple[int, int], datetime | None]:
    rows = PersonQualification.objects.filter(person_id__in=person_ids)
    if qualification_ids is not None:
        rows = rows.filter(qualification_id__in=qualification_ids)
    return {
        (pid, qid): exp for pid, qid, exp in rows.values_list("person_id", "qualification_id", "expires_at")
    }


def _valid(grants: dict[tuple[int, int], datetime | None], pid: int, qid: int, at: datetime) -> bool:
    if (pid, qid) not in grants:
        return False
    expires = grants[pid, qid]
    return expires is None or expires > at


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


# --- Coverage and gaps ------------------------------------------------------------------------


def local_range(*, roster: Roster, start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the roster's zone: a range of whole local days."""
    tz = zone(roster.time_zone)
    lo = datetime(start.year, start.month, start.day, tzinfo=tz)
    after = end + timedelta(days=1)
    hi = datetime(after.year, after.month, after.day, tzinfo=tz)
    return lo, hi


def coverage(*, roster: Roster, start: date, end: date, now: datetime) -> dict[str, Any]:
    """Filled against needed, per shift and per requirement; gaps; fill rate by local day; each
    volunteer's load; sign-ups whose holder's qualification will have expired by the shift
    (one every place needs, or a per-place one the holder had and let lapse).

    A fixed number of queries whatever the number of shifts or people.
    """
    lo, hi = local_range(roster=roster, start=start, end=end)
    tz = zone(roster.time_zone)
    shifts = list(
        Shift.objects.filter(
            roster=roster, status=Shift.Status.SCHEDULED, starts_at__gte=lo, starts_at__lt=hi
        )
        .prefetch_related("required_qualifications", "place_requirements__qualification")
        .order_by("starts_at", "pk")
    )
    held = list(
        Signup.objects.filter(shift__in=shifts, status__in=HELD_STATUSES)
        .select_related("person")
        .order_by("pk")
    )
    by_shift: dict[int, list[Signup]] = defaultdict(list)
    for signup in held:
        by_shift[signup.shift_id].append(signup)
    qual_ids = {q.pk for s in shifts for q in s.required_qualifications.all()} | {
        r.qualification_id for s in shifts for r in s.place_requirements.all()
    }
    grants = _grants(person_ids={s.person_id for s in held}, qualification_ids=qual_ids)
    out_shifts: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    days: dict[date, list[int]] = {}
    day = start
    while day <= end:
        days[day] = [0, 0]
        day += timedelta(days=1)
    load: dict[int, dict[str, Any]] = {}
    for shift in shifts:
        signups = by_shift[shift.pk]
        requirements = []
        needs = []
        for req in shift.place_requirements.all():
            have = sum(
                1 for s in signups if _valid(grants, s.person_id, req.qualification_id, shift.starts_at)
            )
            requirements.append(
                {
                    "qualification": req.qualification_id,
                    "name": req.qualification.name,
                    "needed": req.count,
                    "filled": min(have, req.count),
                }
            )
            if have < req.count:
                needs.append(
                    {
                        "qualification": req.qualification_id,
                        "name": req.qualification.name,
                        "places": req.count - have,
                    }
                )
        open_places = shift.capacity - shift.filled
        out_shifts.append(
            {
                "id": shift.pk,
                "title": shift.title,
                "starts_at": shift.starts_at,
                "ends_at": shift.ends_at,
                "capacity": shift.capacity,
                "filled": shift.filled,
                "open": open_places,
                "required_qualifications": [q.name for q in shift.required_qualifications.all()],
                "requirements": requirements,
            }
        )
        if open_places > 0:
            gaps.append(
                {
                    "shift": shift.pk,
                    "title": shift.title,
                    "starts_at": shift.starts_at,
                    "places": open_places,
                    "needs": needs,
                }
            )
        local_day = shift.starts_at.astimezone(tz).date()
        if local_day in days:
            days[local_day][0] += shift.capacity
            days[local_day][1] += shift.filled
        hours = (shift.ends_at - shift.starts_at).total_seconds() / 3600
        for signup in signups:
            entry = load.setdefault(
                signup.person_id,
                {"person": signup.person_id, "name": signup.person.name, "shifts": 0, "hours": 0.0},
            )
            entry["shifts"] += 1
            entry["hours"] += hours
            if shift.starts_at <= now:
                continue
            flagged: set[int] = set()
            for q in shift.required_qualifications.all():
                if not _valid(grants, signup.person_id, q.pk, shift.starts_at):
                    flagged.add(q.pk)
                    flags.append(_flag(signup, shift, q, grants))
            # A per-place requirement is flagged only on a holder whose grant lapses by the shift:
            # someone who never held it took one of the open places, not the reserved one.
            for req in shift.place_requirements.all():
                q = req.qualification
                lapsed = (signup.person_id, q.pk) in grants and not _valid(
                    grants, signup.person_id, q.pk, shift.starts_at
                )
                if lapsed and q.pk not in flagged:
                    flags.append(_flag(signup, shift, q, grants))
    places = sum(s["capacity"] for s in out_shifts)
    filled = sum(s["filled"] for s in out_shifts)
    return {
        "roster": roster.pk,
        "time_zone": roster.time_zone,
        "start": start,
        "end": end,
        "totals": {
            "shifts": len(out_shifts),
            "places": places,
            "filled": filled,
            "open": places - filled,
            "fill_rate": round(filled / places, 4) if places else None,
        },
        "shifts": out_shifts,
        "gaps": gaps,
        "by_day": [
            {"date": d, "places": p, "filled": f, "fill_rate": round(f / p, 4) if p else None}
            for d, (p, f) in days.items()
        ],
        "load": sorted(
            ({**v, "hours": round(v["hours"], 2)} for v in load.values()),
            key=lambda v: (-v["hours"], v["person"]),
        ),
        "flags": flags,
    }


def _flag(
    signup: Signup, shift: Shift, q: Qualification, grants: dict[tuple[int, int], datetime | None]
) -> dict[str, Any]:
    return {
        "signup": signup.pk,
        "shift": shift.pk,
        "starts_at": shift.starts_at,
        "person": signup.person_id,
        "name": signup.person.name,
        "qualification": q.pk,
        "qualification_name": q.name,
        "expires_at": grants.get((signup.person_id, q.pk)),
    }


@dataclass(frozen=True)
class Gap:
    shift_id: int
    roster_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    places: int
    needs: tuple[str, ...]  # qualifications still needed among the open places


def gaps(*, roster: Roster | None = None, within: timedelta, now: datetime) -> list[Gap]:
    """Places still open on shifts starting within ``within`` from ``now`` (for gap alerts)."""
    shifts = Shift.objects.filter(
        status=Shift.Status.SCHEDULED,
        is_flexible=False,
        starts_at__gt=now,
        starts_at__lte=now + within,
        filled__lt=F("capacity"),
    )
    if roster is not None:
        shifts = shifts.filter(roster=roster)
    rows = list(shifts.select_related("roster").order_by("starts_at", "pk"))
    needs = still_needed(shifts=rows)
    names = dict(
        Qualification.objects.filter(pk__in={q for n in needs.values() for q in n}).values_list("pk", "name")
    )
    return [
        Gap(
            shift_id=s.pk,
            roster_id=s.roster_id,
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            time_zone=s.roster.time_zone,
            places=s.capacity - s.filled,
            needs=tuple(sorted(names[q] for q, n in needs.get(s.pk, {}).items() if n > 0)),
        )
        for s in rows
    ]
