"""Rosters, shifts and recurring series: creating, changing and cancelling them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# No stubs for python-dateutil in the environment; the rule object is only iterated.
from dateutil import rrule as dateutil_rrule  # type: ignore[import-untyped, unused-ignore]
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import status

from accounts.models import Organisation, Person
from accounts.selectors import require_organisation_coordinator
from scheduling import notify
from scheduling.models import Qualification, Roster, Shift, ShiftSeries, Signup, SwapOffer
from scheduling.selectors import ACTIVE_STATUSES
from scheduling.services._common import require_coordinator, validate_capacity, validate_window
from scheduling.services.waitlist import offer_freed_places
from village.api import DomainError

# Changing any of these changes what a calendar shows, so SEQUENCE must grow (RFC 5545 §3.8.7.4).
_SEQUENCE_FIELDS = {"starts_at", "ends_at", "is_flexible", "location", "call_link", "status"}
_EDITABLE_FIELDS = {
    "title",
    "starts_at",
    "ends_at",
    "capacity",
    "is_flexible",
    "location",
    "call_link",
    "notes",
    "required_qualifications",
}


def roster_create(
    *,
    organisation: Organisation,
    name: str,
    created_by: Person,
    time_zone: str = "America/New_York",
    cancel_cutoff: timedelta | None = None,
    description: str = "",
) -> Roster:
    """A duty roster of an organisation; only its active coordinators may create one."""
    require_organisation_coordinator(organisation_id=organisation.pk, person=created_by)
    _validate_time_zone(time_zone)
    if cancel_cutoff is not None and cancel_cutoff < timedelta(0):
        raise DomainError("The cancel cut-off can't be negative.", fields={"cancel_cutoff": ["Negative."]})
    return Roster.objects.create(
        organisation=organisation,
        kind=Roster.Kind.DUTY,
        name=name,
        time_zone=time_zone,
        cancel_cutoff=cancel_cutoff,
        description=description,
    )


def roster_update(*, roster: Roster, actor: Person | None, **changes: Any) -> Roster:
    """Rename a roster or change its time zone, description or cancel cut-off (coordinators).

    Shifts are stored in UTC, so a new time zone changes how they are shown, not when they are.
    """
    require_coordinator(roster=roster, actor=actor)
    allowed = {"name", "description", "time_zone", "cancel_cutoff"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise DomainError(
            "Some of these details can't be changed here.",
            fields={name: ["This field can't be changed."] for name in unknown},
        )
    if "time_zone" in changes:
        _validate_time_zone(changes["time_zone"])
    cutoff = changes.get("cancel_cutoff")
    if cutoff is not None and cutoff < timedelta(0):
        raise DomainError("The cancel cut-off can't be negative.", fields={"cancel_cutoff": ["Negative."]})
    for name, value in changes.items():
        setattr(roster, name, value)
    roster.save()
    return roster


def _validate_time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(
            f"“{name}” is not a time zone we know, e.g. America/New_York.",
            fields={"time_zone": ["Unknown time zone."]},
        ) from exc


def _qualifications(roster: Roster, items: Iterable[Qualification | int]) -> list[Qualification]:
    ids = [q.pk if isinstance(q, Qualification) else int(q) for q in items]
    found = list(Qualification.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise DomainError(
            "One of the required qualifications does not exist.",
            fields={"required_qualifications": ["Unknown qualification."]},
        )
    for qualification in found:
        if qualification.organisation_id not in (None, roster.organisation_id):
            raise DomainError(
                f"“{qualification.name}” belongs to another organisation.",
                fields={"required_qualifications": ["Not from this organisation."]},
            )
    return found


def shift_create(
    *,
    roster: Roster,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int = 1,
    is_flexible: bool = False,
    location: str = "",
    call_link: str = "",
    notes: str = "",
    required_qualifications: Sequence[Qualification | int] = (),
    created_by: Person | None = None,
    series: ShiftSeries | None = None,
) -> Shift:
    """A new scheduled shift. Checks times and capacity, not who calls (the caller decides)."""
    validate_window(starts_at=starts_at, ends_at=ends_at)
    validate_capacity(capacity)
    quals = _qualifications(roster, required_qualifications)
    with transaction.atomic():
        shift = Shift.objects.create(
            roster=roster,
            series=series,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            is_flexible=is_flexible,
            location=location,
            call_link=call_link,
            notes=notes,
        )
        if quals:
            shift.required_qualifications.set(quals)
    return shift


def _apply_changes(*, shift: Shift, changes: dict[str, Any]) -> list[str]:
    """Write ``changes`` to a locked shift; returns the names that really changed."""
    unknown = sorted(set(changes) - _EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            "Some of these details can't be changed here.",
            fields={name: ["This field can't be changed."] for name in unknown},
        )
    # Lock the row: a claim landing between our read of ``filled`` and our write of ``capacity``
    # must wait, or a lowered capacity could slip under ``filled`` (the check constraint would
    # then fail with a 500 instead of this clear 409).
    locked = Shift.objects.select_for_update().select_related("roster").get(pk=shift.pk)
    changed: list[str] = []
    quals = changes.pop("required_qualifications", None)
    for name, value in changes.items():
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    validate_window(starts_at=locked.starts_at, ends_at=locked.ends_at)
    validate_capacity(locked.capacity)
    if locked.capacity < locked.filled:
        raise DomainError(
            f"{locked.filled} people already hold places; cancel some sign-ups before lowering capacity.",
            code="capacity_below_filled",
            status_code=status.HTTP_409_CONFLICT,
            fields={"capacity": [f"At least {locked.filled}."]},
        )
    if quals is not None:
        new = _qualifications(locked.roster, quals)
        if {q.pk for q in new} != set(locked.required_qualifications.values_list("pk", flat=True)):
            locked.required_qualifications.set(new)
            changed.append("required_qualifications")
    if not changed:
        return changed
    bump = bool(_SEQUENCE_FIELDS.intersection(changed))
    if bump:
        locked.sequence += 1
        Signup.objects.filter(shift=locked, status__in=ACTIVE_STATUSES).update(sequence=F("sequence") + 1)
    locked.save()
    if "capacity" in changed:
        offer_freed_places(shift=locked)
    locked.refresh_from_db()
    notify.shift_changed(shift=locked, changed=changed)
    return changed


def shift_update(*, shift: Shift, actor: Person | None, **changes: Any) -> Shift:
    """Change a shift's details (coordinators). Time, place or status changes bump ``sequence``
    (and that of its sign-ups) so calendars pick them up; raising capacity offers places to the
    waitlist; capacity can't go below the places already held (409)."""
    require_coordinator(roster=shift.roster, actor=actor)
    if shift.status == Shift.Status.CANCELLED:
        raise DomainError("This shift was cancelled; create a new one instead.", code="shift_cancelled")
    with transaction.atomic():
        _apply_changes(shift=shift, changes=dict(changes))
    shift.refresh_from_db()
    return shift


def shift_cancel(*, shift: Shift, actor: Person | None) -> Shift:
    """Cancel the shift and every sign-up on it (places, offers, waitlist). Repeating is a no-op."""
    require_coordinator(roster=shift.roster, actor=actor)
    now = timezone.now()
    with transaction.atomic():
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        if locked.status == Shift.Status.CANCELLED:
            shift.refresh_from_db()
            return shift
        signups = list(Signup.objects.filter(shift=locked, status__in=ACTIVE_STATUSES))
        Signup.objects.filter(pk__in=[s.pk for s in signups]).update(
            status=Signup.Status.CANCELLED,
            cancelled_at=now,
            offer_expires_at=None,
            cancel_reason="Shift cancelled",
            sequence=F("sequence") + 1,
        )
        SwapOffer.objects.filter(signup__shift=locked, status=SwapOffer.Status.OPEN).update(
            status=SwapOffer.Status.WITHDRAWN
        )
        Shift.objects.filter(pk=locked.pk).update(
            status=Shift.Status.CANCELLED, filled=0, sequence=F("sequence") + 1, updated_at=now
        )
        shift.refresh_from_db()
        for signup in signups:
            signup.refresh_from_db()
        notify.shift_cancelled(shift=shift, signups=signups)
    return shift


# --- Series --------------------------------------------------------------------------------------


def _normalise_rule(rule_text: str, zone: ZoneInfo) -> str:
    """The RRULE without its ``RRULE:`` prefix, with a local UNTIL rewritten to UTC.

    RFC 5545 wants UNTIL in UTC when DTSTART has a zone; people write "UNTIL=20260401" meaning
    the end of that day where the roster is, so that is how a date or a floating time is read.
    """
    text = rule_text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if "\n" in text or "DTSTART" in text.upper():
        raise DomainError(
            "Give only the repeat rule (e.g. FREQ=WEEKLY;COUNT=6); the first start is a separate field.",
            code="invalid_rrule",
            fields={"rrule": ["Only the RRULE value."]},
        )
    parts = []
    for part in text.split(";"):
        name, _, value = part.partition("=")
        if name.strip().upper() == "UNTIL" and value and not value.upper().endswith("Z"):
            try:
                if "T" in value.upper():
                    local = datetime.strptime(value.upper(), "%Y%m%dT%H%M%S")  # noqa: DTZ007 - zone added next
                else:
                    local = datetime.strptime(value, "%Y%m%d").replace(hour=23, minute=59, second=59)  # noqa: DTZ007
            except ValueError as exc:
                raise DomainError(
                    f"UNTIL={value} is not a date like 20260401.",
                    code="invalid_rrule",
                    fields={"rrule": ["UNTIL must look like 20260401 or 20260401T170000Z."]},
                ) from exc
            value = local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
            part = f"UNTIL={value}"
        parts.append(part.strip())
    return ";".join(p for p in parts if p)


def _expand(*, rule_text: str, first_local: datetime) -> list[datetime]:
    """Occurrences in the roster's zone, in local wall-clock time (aware, ZoneInfo)."""
    text = rule_text
    parts = {p.split("=", 1)[0].strip().upper() for p in text.split(";") if p.strip()}
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise DomainError(
            "A repeating series needs an end: add COUNT (how many times) or UNTIL (a last date).",
            code="unbounded_series",
            fields={"rrule": ["Add COUNT or UNTIL."]},
        )
    try:
        # dtstart is aware in the roster's zone: dateutil keeps its wall-clock time and tzinfo
        # for every occurrence, so 17:30 stays 17:30 local while the UTC offset follows DST.
        rule = dateutil_rrule.rrulestr(text, dtstart=first_local)
    except (ValueError, TypeError) as exc:
        raise DomainError(
            f"We couldn't read that repeat rule: {exc}.", code="invalid_rrule", fields={"rrule": [str(exc)]}
        ) from exc
    cap = settings.MAX_SERIES_OCCURRENCES
    occurrences = list(itertools.islice(iter(rule), cap + 1))
    if len(occurrences) > cap:
        raise DomainError(
            f"A series can have at most {cap} shifts; this rule makes more. Lower COUNT or bring UNTIL closer.",
            code="series_too_long",
            fields={"rrule": [f"At most {cap} occurrences."]},
        )
    if not occurrences:
        raise DomainError(
            "That rule makes no shifts at all.", code="empty_series", fields={"rrule": ["No occurrences."]}
        )
    return occurrences


def series_create(
    *,
    roster: Roster,
    rrule: str,
    first_starts_at: datetime,
    duration: timedelta,
    title: str,
    capacity: int,
    created_by: Person | None,
    **shift_fields: Any,
) -> list[Shift]:
    """Expand an RFC 5545 RRULE (must have COUNT or UNTIL, at most MAX_SERIES_OCCURRENCES) into
    shifts on the roster, keeping the first shift's local wall-clock time across DST. All or none."""
    require_coordinator(roster=roster, actor=created_by)
    validate_window(starts_at=first_starts_at, ends_at=first_starts_at + duration)
    validate_capacity(capacity)
    allowed = {"is_flexible", "location", "call_link", "notes", "required_qualifications"}
    unknown = sorted(set(shift_fields) - allowed)
    if unknown:
        raise DomainError(
            "Some of these details aren't known.", fields={n: ["Not recognised."] for n in unknown}
        )
    zone = _validate_time_zone(roster.time_zone)
    rule_text = _normalise_rule(rrule, zone)
    occurrences = _expand(rule_text=rule_text, first_local=first_starts_at.astimezone(zone))
    with transaction.atomic():
        series = ShiftSeries.objects.create(
            roster=roster,
            rrule=rule_text,
            first_starts_at=first_starts_at,
            duration=duration,
            created_by=created_by,
        )
        shifts = []
        for local_start in occurrences:
            starts_at = local_start.astimezone(ZoneInfo("UTC"))
            shifts.append(
                shift_create(
                    roster=roster,
                    title=title,
                    starts_at=starts_at,
                    ends_at=starts_at + duration,
                    capacity=capacity,
                    created_by=created_by,
                    series=series,
                    **shift_fields,
                )
            )
    return shifts


def series_update(
    *, shift: Shift, actor: Person | None, scope: Literal["this", "following", "all"], **changes: Any
) -> list[Shift]:
    """Change one occurrence, it and the later ones, or every not-yet-started one of its series.

    A new start/end given for ``shift`` moves the others by the same local wall-clock amount
    (a series at 17:30 moved to 18:00 is at 18:00 local on both sides of a DST change) and keeps
    each one's duration as given. Other fields are copied as they are. All or none.
    """
    require_coordinator(roster=shift.roster, actor=actor)
    if scope not in ("this", "following", "all"):
        raise DomainError("Scope must be this, following or all.", fields={"scope": ["Invalid."]})
    if scope == "this" or shift.series_id is None:
        return [shift_update(shift=shift, actor=actor, **changes)]
    zone = ZoneInfo(shift.roster.time_zone)
    targets = Shift.objects.filter(series_id=shift.series_id, status=Shift.Status.SCHEDULED)
    if scope == "following":
        targets = targets.filter(starts_at__gte=shift.starts_at)
    else:
        targets = targets.filter(starts_at__gte=min(timezone.now(), shift.starts_at))
    new_start = changes.pop("starts_at", shift.starts_at)
    new_end = changes.pop("ends_at", new_start + (shift.ends_at - shift.starts_at))
    local_delta = new_start.astimezone(zone).replace(tzinfo=None) - shift.starts_at.astimezone(zone).replace(
        tzinfo=None
    )
    duration = new_end - new_start
    updated: list[Shift] = []
    with transaction.atomic():
        for target in targets.select_related("roster").order_by("starts_at"):
            local = target.starts_at.astimezone(zone).replace(tzinfo=None) + local_delta
            starts_at = local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
            per_shift = dict(changes)
            if starts_at != target.starts_at or duration != target.ends_at - target.starts_at:
                per_shift.update(starts_at=starts_at, ends_at=starts_at + duration)
            _apply_changes(shift=target, changes=per_shift)
            target.refresh_from_db()
            updated.append(target)
    return updated
