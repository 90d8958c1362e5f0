"""Writes for help requests: a request is one shift of the circle's roster plus its kind and details.

Everything about places — capacity, waitlist, overlaps, qualifications, cancelling — is the
scheduling engine's (``scheduling.services``); these functions add what a family needs on top
and keep both rows in one transaction, so a request never exists without its shift or the
reverse. The allergen rule is in ``practical.help.allergens``; the childcare trust gate and the
paused/closed rule are engine claim rules in ``practical.help.rules``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from rest_framework import status

from accounts.models import Person
from practical import audit, notify
from practical.help import allergens
from practical.help.rules import CLOSED_REFUSAL, PAUSED_REFUSAL
from practical.models import Circle, Contribution, HelpRequest
from practical.selectors import circle_role
from scheduling import services as engine
from scheduling.models import Shift, Signup
from village.api import Conflict, DomainError

# Kept in ``HelpRequest.details`` next to the kind's own keys (which never start with "_"):
# the family's thank-you notes, by sign-up id. A JSON key rather than a model so the schema
# stays the circles engineer's until the notifications app takes the notes over.
THANKS_KEY = "_thanks"


@dataclass(frozen=True)
class HelpClaimResult:
    signup: Signup
    contribution: Contribution
    warnings: list[str] = field(default_factory=list)


def _require_coordinator(*, circle: Circle, actor: Person) -> None:
    role = circle_role(circle=circle, person=actor)
    if role is None:
        raise DomainError(
            "We couldn't find that. It may have been removed, or you may not have access.",
            code="not_found",
            status_code=status.HTTP_404_NOT_FOUND,
        )
    if role != "coordinator":
        raise DomainError(
            "Only the circle's coordinators can do that.",
            code="permission_denied",
            status_code=status.HTTP_403_FORBIDDEN,
        )


def _require_not_closed(circle: Circle) -> None:
    if circle.status == Circle.Status.CLOSED:
        raise Conflict(
            "This circle is closed, so it takes no new requests. Reopen it or start a new circle.",
            code="circle_closed",
        )


def _default_title(kind: str) -> str:
    return str(HelpRequest.Kind(kind).label)


def flexible_day_end(*, starts_at: datetime, time_zone: str) -> datetime:
    """The next local midnight after ``starts_at``: a flexible request without an end is that day."""
    zone = ZoneInfo(time_zone)
    local_day = starts_at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(local_day, time(0, 0), tzinfo=zone)


def help_request_create(
    *,
    circle: Circle,
    actor: Person,
    kind: str,
    details: dict[str, Any],
    starts_at: datetime,
    ends_at: datetime | None = None,
    is_flexible: bool = False,
    capacity: int = 1,
    title: str = "",
) -> HelpRequest:
    """Create one request (its shift on the circle's roster and its details) or nothing.

    Only the circle's coordinators may; a closed circle takes no new requests. ``details`` must
    already be validated for ``kind`` (``practical.help.details.validate_details``).
    """
    _require_coordinator(circle=circle, actor=actor)
    _require_not_closed(circle)
    if ends_at is None:
        ends_at = flexible_day_end(starts_at=starts_at, time_zone=circle.roster.time_zone)
    with transaction.atomic():
        shift = engine.shift_create(
            roster=circle.roster,
            title=title or _default_title(kind),
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            is_flexible=is_flexible,
            created_by=actor,
        )
        help_request = HelpRequest.objects.create(
            shift=shift, circle=circle, kind=kind, details=details, created_by=actor
        )
        audit.audit_record(
            circle=circle,
            actor=actor,
            action=audit.REQUEST_CREATED,
            detail={"request_id": help_request.pk, "kind": kind, "starts_at": starts_at.isoformat()},
        )
        return help_request


def help_request_series_create(
    *,
    circle: Circle,
    actor: Person,
    kind: str,
    details: dict[str, Any],
    rrule: str,
    first_starts_at: datetime,
    duration: timedelta,
    capacity: int = 1,
    title: str = "",
) -> list[HelpRequest]:
    """Create every occurrence of a recurring request ("dinners Mon/Wed/Fri for three weeks").

    The engine expands the rule in the circle's time zone, so 17:30 stays 17:30 across a DST
    change. All or nothing: one bad occurrence creates none.
    """
    _require_coordinator(circle=circle, actor=actor)
    _require_not_closed(circle)
    with transaction.atomic():
        shifts = engine.series_create(
            roster=circle.roster,
            rrule=rrule,
            first_starts_at=first_starts_at,
            duration=duration,
            title=title or _default_title(kind),
            capacity=capacity,
            created_by=actor,
        )
        requests = HelpRequest.objects.bulk_create(
            [
                HelpRequest(shift=shift, circle=circle, kind=kind, details=dict(details), created_by=actor)
                for shift in shifts
            ]
        )
        audit.audit_record(
            circle=circle,
            actor=actor,
            action=audit.REQUEST_SERIES_CREATED,
            detail={"request_ids": [r.pk for r in requests], "kind": kind, "rrule": rrule},
        )
    for help_request in requests:
        help_request.circle = circle
    return requests


def help_request_update(
    *,
    help_request: HelpRequest,
    actor: Person,
    details: dict[str, Any] | None = None,
    **shift_changes: Any,
) -> HelpRequest:
    """Change a request's details and/or its shift (title, times, capacity) in one transaction.

    ``details`` replaces the kind's details as a whole (validated by the caller); the family's
    thank-you notes are kept. Shift changes go through the engine, which keeps capacity above
    the places already taken and tells the volunteers about a new time.
    """
    circle = help_request.circle
    _require_coordinator(circle=circle, actor=actor)
    with transaction.atomic():
        if shift_changes:
            help_request.shift = engine.shift_update(shift=help_request.shift, actor=actor, **shift_changes)
        if details is not None:
            kept = {k: v for k, v in help_request.details.items() if k.startswith("_")}
            help_request.details = {**details, **kept}
            help_request.save(update_fields=["details"])
        edited = sorted([*shift_changes, *(["details"] if details is not None else [])])
        if edited:
            audit.audit_record(
                circle=circle,
                actor=actor,
                action=audit.REQUEST_EDITED,
                detail={"request_id": help_request.pk, "fields": edited},
            )
    return help_request


def help_request_cancel(*, help_request: HelpRequest, actor: Person) -> HelpRequest:
    """Cancel the request: the engine cancels its shift and every place on it, and tells whoever
    held one. The request stays (cancelled) so links to it explain what happened."""
    _require_coordinator(circle=help_request.circle, actor=actor)
    with transaction.atomic():
        already = help_request.shift.status == Shift.Status.CANCELLED
        help_request.shift = engine.shift_cancel(shift=help_request.shift, actor=actor)
        if not already:
            audit.audit_record(
                circle=help_request.circle,
                actor=actor,
                action=audit.REQUEST_CANCELLED,
                detail={"request_id": help_request.pk},
            )
    return help_request


def help_request_claim(
    *,
    help_request: HelpRequest,
    person: Person,
    dish: str = "",
    contains_allergens: Sequence[str] = (),
    notes: str = "",
    confirm_overlap: bool = False,
    join_waitlist: bool = False,
) -> HelpClaimResult:
    """Take a place on the request through the engine and record what the volunteer brings.

    Refuses (400) a dish that declares one of the household's allergens, before any place is
    taken; warns when the dish name merely sounds like one. A paused or closed circle answers
    409. Capacity, waitlist, overlaps and the childcare gate are the engine's (its claim rules),
    and the sign-up and the contribution are written in one transaction, so a refused
    contribution never leaves a place held.
    """
    circle = help_request.circle
    if circle.status == Circle.Status.PAUSED:
        raise Conflict(PAUSED_REFUSAL, code="circle_paused")
    if circle.status == Circle.Status.CLOSED:
        raise Conflict(CLOSED_REFUSAL, code="circle_closed")
    conflicts = allergens.declared_conflicts(
        household_allergies=circle.allergies, declared=contains_allergens
    )
    if conflicts:
        raise DomainError(
            allergens.refusal_message(conflicts),
            code="allergen",
            fields={"contains_allergens": [allergens.refusal_message(conflicts)]},
            extra={"allergens": conflicts},
        )
    warnings = [
        *allergens.dish_name_warnings(household_allergies=circle.allergies, dish=dish),
        *allergens.other_allergy_warnings(allergies_other=circle.allergies_other, dish=dish),
    ]
    with transaction.atomic():
        result = engine.signup_claim(
            shift=help_request.shift,
            person=person,
            confirm_overlap=confirm_overlap,
            join_waitlist=join_waitlist,
            note=notes,
        )
        contribution = Contribution.objects.create(
            signup=result.signup, dish=dish, contains_allergens=list(contains_allergens), notes=notes
        )
    return HelpClaimResult(
        signup=result.signup, contribution=contribution, warnings=[*result.warnings, *warnings]
    )


def help_request_mark_received(*, help_request: HelpRequest, actor: Person) -> HelpRequest:
    """The family says the help arrived. Marking twice keeps the first time."""
    _require_coordinator(circle=help_request.circle, actor=actor)
    if help_request.received_at is None:
        # Conditional so a double tap on two phones records one time, the first.
        with transaction.atomic():
            marked = HelpRequest.objects.filter(pk=help_request.pk, received_at__isnull=True).update(
                received_at=timezone.now()
            )
            if marked:
                audit.audit_record(
                    circle=help_request.circle,
                    actor=actor,
                    action=audit.REQUEST_RECEIVED,
                    detail={"request_id": help_request.pk},
                )
        help_request.refresh_from_db(fields=["received_at"])
    return help_request


def signup_thank(*, signup: Signup, help_request: HelpRequest, actor: Person, message: str) -> dict[str, Any]:
    """The family thanks the volunteer who held this place; the volunteer is told once.

    Thanking again replaces the words but does not notify again (a double tap must not send two
    notes). Returns the stored note: ``{"message", "by", "at"}``.
    """
    _require_coordinator(circle=help_request.circle, actor=actor)
    if signup.status not in (Signup.Status.CONFIRMED, Signup.Status.COMPLETED):
        raise Conflict(
            "You can thank someone for a place they held; this sign-up was cancelled or is still waiting.",
            code="not_thankable",
        )
    with transaction.atomic():
        locked = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
        thanks = dict(locked.details.get(THANKS_KEY, {}))
        first_time = str(signup.pk) not in thanks
        note = {"message": message, "by": actor.pk, "at": timezone.now().isoformat()}
        thanks[str(signup.pk)] = note
        locked.details = {**locked.details, THANKS_KEY: thanks}
        locked.save(update_fields=["details"])
        help_request.details = locked.details
        if first_time:
            notify.volunteer_thanked(signup=signup, help_request=help_request, by=actor, message=message)
            # Not the words: they are the family's, and live (and are deleted) with the request.
            audit.audit_record(
                circle=help_request.circle,
                actor=actor,
                action=audit.SIGNUP_THANKED,
                target_person_id=signup.person_id,
                detail={"request_id": help_request.pk, "signup_id": signup.pk},
            )
    return note
