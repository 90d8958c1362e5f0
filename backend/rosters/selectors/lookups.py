"""Reads for rosters: who may see what, and the plain data the claim rules work on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db.models import QuerySet
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
from rosters.rules import Availability, Commitment, Limits, Window
from scheduling.models import PersonQualification, Qualification, Roster, Shift, Signup
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
