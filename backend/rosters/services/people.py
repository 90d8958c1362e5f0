"""Qualifications and their grants; a volunteer's own availability, absences and limits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import MembershipStatus, Organisation, OrganisationMembership, Person
from accounts.selectors import require_organisation_coordinator
from rosters.models import AvailabilityException, AvailabilityWindow, VolunteerLimits
from scheduling.models import PersonQualification, Qualification
from village.api import Conflict, DomainError, not_found


def _require_org_coordinator(*, organisation_id: int | None, actor: Person) -> None:
    require_organisation_coordinator(organisation_id=organisation_id, person=actor)


def qualification_create(*, organisation: Organisation, actor: Person, code: str, name: str) -> Qualification:
    """A qualification the organisation's places can require (organisation coordinators only)."""
    _require_org_coordinator(organisation_id=organisation.pk, actor=actor)
    try:
        with transaction.atomic():
            return Qualification.objects.create(organisation=organisation, code=code, name=name)
    except IntegrityError as exc:
        raise Conflict(
            f"This organisation already has a qualification with the code “{code}”.", code="duplicate"
        ) from exc


def qualification_grant(
    *, qualification: Qualification, person: Person, actor: Person, expires_at: datetime | None = None
) -> PersonQualification:
    """Record that the person holds the qualification (until ``expires_at`` if given).

    Granting again renews it. The person must be a member of the qualification's organisation.
    """
    organisation_id = qualification.organisation_id
    if organisation_id is None:
        raise not_found()
    _require_org_coordinator(organisation_id=organisation_id, actor=actor)
    if not OrganisationMembership.objects.filter(
        organisation_id=organisation_id, person=person, status=MembershipStatus.ACTIVE
    ).exists():
        raise DomainError(
            f"{person} is not a member of this organisation; invite them first.",
            fields={"person": ["Not a member of this organisation."]},
        )
    with transaction.atomic():
        grant, _ = PersonQualification.objects.update_or_create(
            person=person,
            qualification=qualification,
            defaults={"expires_at": expires_at, "granted_by": actor},
        )
    return grant


def qualification_revoke(*, grant: PersonQualification, actor: Person) -> None:
    """Take the qualification away. Existing sign-ups stay; coverage flags them."""
    _require_org_coordinator(organisation_id=grant.qualification.organisation_id, actor=actor)
    grant.delete()


def availability_replace(*, person: Person, windows: Sequence[dict[str, Any]]) -> list[AvailabilityWindow]:
    """Replace the person's weekly windows (times in their own zone). All or nothing."""
    for index, window in enumerate(windows):
        if window["end"] <= window["start"]:
            raise DomainError(
                "Each window must end after it starts (for a night, add two windows either side of midnight).",
                fields={f"windows[{index}].end": ["Must be after start."]},
            )
    with transaction.atomic():
        AvailabilityWindow.objects.filter(person=person).delete()
        return AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(person=person, weekday=w["weekday"], start=w["start"], end=w["end"])
            for w in windows
        )


def _check_span(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise DomainError(
            "The end must be after the start.", fields={"ends_at": ["Must be after starts_at."]}
        )


def availability_exception_create(
    *, person: Person, starts_at: datetime, ends_at: datetime, note: str = ""
) -> AvailabilityException:
    """A time the person is away: no auto-fill then, and a warning if they claim a shift in it."""
    _check_span(starts_at, ends_at)
    return AvailabilityException.objects.create(
        person=person, starts_at=starts_at, ends_at=ends_at, note=note
    )


def availability_exception_update(
    *, exception: AvailabilityException, **changes: Any
) -> AvailabilityException:
    for name in ("starts_at", "ends_at", "note"):
        if name in changes:
            setattr(exception, name, changes[name])
    _check_span(exception.starts_at, exception.ends_at)
    exception.save()
    return exception


def availability_exception_delete(*, exception: AvailabilityException) -> None:
    exception.delete()


def limits_set(
    *,
    person: Person,
    max_shifts_per_week: int | None = None,
    max_hours_per_week: Decimal | None = None,
    min_rest_hours: Decimal | None = None,
) -> VolunteerLimits:
    """Set the person's limits (None = no limit). A limit of 0 is refused: that is an absence."""
    for name, value in (
        ("max_shifts_per_week", max_shifts_per_week),
        ("max_hours_per_week", max_hours_per_week),
    ):
        if value is not None and value <= 0:
            raise DomainError(
                "A limit of 0 would mean no shifts at all; use 'away' instead to take a break.",
                code="use_away",
                fields={name: ["Must be more than 0, or empty for no limit."]},
            )
    if min_rest_hours is not None and min_rest_hours < 0:
        raise DomainError("Rest cannot be negative.", fields={"min_rest_hours": ["Must be 0 or more."]})
    limits, _ = VolunteerLimits.objects.update_or_create(
        person=person,
        defaults={
            "max_shifts_per_week": max_shifts_per_week,
            "max_hours_per_week": max_hours_per_week,
            "min_rest_hours": min_rest_hours,
        },
    )
    return limits
