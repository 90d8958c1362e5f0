"""The family's own data: take all of it with you (export), or have it removed (delete).

Deleting keeps a tombstone rather than removing rows outright, because the volunteers' calendars
must learn that their commitments are off: a calendar only drops an event it sees cancelled.
So the circle's shifts are cancelled through the engine and kept — stripped of anything the
family wrote — for ``DELETED_KEPT_FOR``, then ``circle_tombstones_purge`` removes them, the
roster and the circle row for good.

What is not removed: the people's accounts and everything else they do, other circles, and
notifications already delivered to volunteers (their inbox copy of a message, e.g. "The Garcías
paused their circle", belongs to the recipient's inbox and is not searched here).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Invitation, Person
from practical import notify
from practical.help.services import THANKS_KEY
from practical.models import (
    AddressRead,
    ChildcareApproval,
    Circle,
    CircleAuditEntry,
    CircleStatusChange,
    Contribution,
    HelpRequest,
)
from practical.services import PROFILE_FIELDS
from scheduling import services as engine
from scheduling.models import ACTIVE_SIGNUP_STATUSES, Roster, RosterMembership, Shift, Signup
from village.api import DomainError

DELETED_NAME = "Deleted circle"
CANCELLED_TITLE = "Cancelled help request"
PAST_TITLE = "Past help request"
# As long as calendars keep a cancelled commitment in a feed (calendars.events.CANCELLED_KEPT_FOR,
# which practical may not import): after that the rows have told every calendar and can go.
DELETED_KEPT_FOR = timedelta(days=30)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _profile(circle: Circle) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        value = getattr(circle, name)
        profile[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return profile


def circle_export(*, circle: Circle) -> dict[str, Any]:
    """Everything Village holds about the circle, as JSON-ready data (for its coordinators).

    Includes the address and phone: it is the family's own data. A fixed number of queries,
    whatever the circle's size.
    """
    roster = circle.roster
    memberships = RosterMembership.objects.filter(roster=roster).select_related("person").order_by("pk")
    shifts = list(
        Shift.objects.filter(roster=roster).select_related("help_request").order_by("starts_at", "pk")
    )
    signups = (
        Signup.objects.filter(shift__roster=roster)
        .select_related("person", "contribution", "shift")
        .order_by("shift__starts_at", "pk")
    )
    requests: list[dict[str, Any]] = []
    thanks: list[dict[str, Any]] = []
    for shift in shifts:
        help_request: HelpRequest | None = getattr(shift, "help_request", None)
        details = dict(help_request.details) if help_request is not None else {}
        for signup_id, note in details.pop(THANKS_KEY, {}).items():
            thanks.append(
                {"request_id": help_request.pk if help_request else None, "signup_id": int(signup_id), **note}
            )
        requests.append(
            {
                "id": help_request.pk if help_request is not None else None,
                "shift_id": shift.pk,
                "kind": help_request.kind if help_request is not None else None,
                "details": details,
                "title": shift.title,
                "starts_at": _iso(shift.starts_at),
                "ends_at": _iso(shift.ends_at),
                "is_flexible": shift.is_flexible,
                "capacity": shift.capacity,
                "filled": shift.filled,
                "status": shift.status,
                "location": shift.location,
                "notes": shift.notes,
                "received_at": _iso(help_request.received_at) if help_request is not None else None,
                "created_at": _iso(help_request.created_at if help_request is not None else shift.created_at),
            }
        )
    signup_rows: list[dict[str, Any]] = []
    contributions: list[dict[str, Any]] = []
    for signup in signups:
        signup_rows.append(
            {
                "id": signup.pk,
                "shift_id": signup.shift_id,
                "person_id": signup.person_id,
                "name": signup.person.name,
                "status": signup.status,
                "note": signup.note,
                "created_at": _iso(signup.created_at),
                "cancelled_at": _iso(signup.cancelled_at),
            }
        )
        contribution: Contribution | None = getattr(signup, "contribution", None)
        if contribution is not None:
            contributions.append(
                {
                    "signup_id": signup.pk,
                    "name": signup.person.name,
                    "dish": contribution.dish,
                    "contains_allergens": contribution.contains_allergens,
                    "notes": contribution.notes,
                }
            )
    return {
        "exported_at": timezone.now().isoformat(),
        "circle": {
            "id": circle.pk,
            "name": circle.name,
            "status": circle.status,
            "time_zone": roster.time_zone,
            "organisation_id": circle.organisation_id,
            "created_at": _iso(circle.created_at),
            **_profile(circle),
        },
        "members": [
            {
                "person_id": m.person_id,
                "name": m.person.name,
                "email": m.person.email,
                "role": m.role,
                "status": m.status,
                "joined_at": _iso(m.created_at),
            }
            for m in memberships
        ],
        "requests": requests,
        "signups": signup_rows,
        "contributions": contributions,
        "thanks": thanks,
        "childcare_approvals": [
            {"person_id": a.person_id, "name": a.person.name, "approved_at": _iso(a.approved_at)}
            for a in ChildcareApproval.objects.filter(circle=circle).select_related("person").order_by("pk")
        ],
        "address_reads": [
            {"person_id": r.person_id, "name": r.person.name, "read_at": _iso(r.read_at), "via": r.via}
            for r in AddressRead.objects.filter(circle=circle)
            .select_related("person")
            .order_by("read_at", "pk")
        ],
        "audit": [
            {
                "action": e.action,
                "actor_id": e.actor_id,
                "actor_name": e.actor.name if e.actor is not None else None,
                "target_person_id": e.target_person_id,
                "target_name": e.target_person.name if e.target_person is not None else None,
                "detail": e.detail,
                "at": _iso(e.created_at),
            }
            for e in CircleAuditEntry.objects.filter(circle=circle)
            .select_related("actor", "target_person")
            .order_by("created_at", "pk")
        ],
        "status_history": [
            {
                "from": c.from_status,
                "to": c.to_status,
                "changed_by": c.changed_by.name if c.changed_by is not None else None,
                "changed_at": _iso(c.changed_at),
            }
            for c in CircleStatusChange.objects.filter(circle=circle)
            .select_related("changed_by")
            .order_by("changed_at", "pk")
        ],
    }


def circle_delete(*, circle: Circle, actor: Person, confirm: str) -> Circle:
    """Delete the family's circle: tell volunteers, cancel their commitments, remove the family's data.

    ``confirm`` must be the circle's name (400 otherwise, nothing changed). In one transaction:
    volunteers holding a commitment still to come are notified; every shift still to come is
    cancelled through the engine (their sign-ups become cancelled, so calendar feeds show
    STATUS:CANCELLED); then the profile, address, phone, requests and their details, dishes,
    thanks, address reads, audit log, status history, childcare approvals, invitations and
    memberships are removed. The circle and roster rows stay as a nameless tombstone
    (``deleted_at`` set, closed, no members, no organisation) with the stripped shifts and
    sign-ups, until ``circle_tombstones_purge``. Returns the tombstone.
    """
    if confirm.strip() != circle.name.strip():
        raise DomainError(
            "To delete this circle, type its name exactly as it is shown.",
            code="confirm_mismatch",
            fields={"confirm": [f"Type “{circle.name}” to confirm."]},
        )
    now = timezone.now()
    roster = circle.roster
    with transaction.atomic():
        locked = Circle.objects.select_for_update().get(pk=circle.pk)
        if locked.deleted_at is not None:
            return locked
        coming = Shift.objects.filter(roster=roster, status=Shift.Status.SCHEDULED, ends_at__gt=now)
        held = list(
            Signup.objects.filter(shift__in=coming, status__in=ACTIVE_SIGNUP_STATUSES)
            .select_related("shift", "person")
            .order_by("shift__starts_at", "pk")
        )
        notify.circle_deleted(circle=circle, circle_name=circle.name, signups=held)
        # Titles first, so anything the engine says about the cancellation carries no family words.
        shifts = Shift.objects.filter(roster=roster)
        shifts.filter(pk__in=coming.values("pk")).update(
            title=CANCELLED_TITLE, location="", call_link="", notes=""
        )
        shifts.exclude(pk__in=coming.values("pk")).update(
            title=PAST_TITLE, location="", call_link="", notes="", sequence=F("sequence") + 1, updated_at=now
        )
        for shift in list(coming):
            engine.shift_cancel(shift=shift, actor=actor)
        Signup.objects.filter(shift__roster=roster).update(note="", cancel_reason="")
        Contribution.objects.filter(signup__shift__roster=roster).delete()
        HelpRequest.objects.filter(circle=circle).delete()
        for model in (AddressRead, CircleAuditEntry, CircleStatusChange, ChildcareApproval):
            model.objects.filter(circle=circle).delete()
        Invitation.objects.filter(target_kind=Invitation.TargetKind.CIRCLE, target_id=circle.pk).delete()
        RosterMembership.objects.filter(roster=roster).delete()
        Roster.objects.filter(pk=roster.pk).update(
            name=DELETED_NAME, description="", organisation=None, updated_at=now
        )
        blank = Circle(roster=roster)  # the model's defaults: an empty household profile
        Circle.objects.filter(pk=circle.pk).update(
            name=DELETED_NAME,
            status=Circle.Status.CLOSED,
            organisation=None,
            created_by=None,
            deleted_at=now,
            updated_at=now,
            **{name: getattr(blank, name) for name in PROFILE_FIELDS},
        )
    circle.refresh_from_db()
    return circle


def circle_tombstones_purge(now: datetime) -> int:
    """Remove deleted circles whose cancellations every calendar has had time to see.

    Deletes the roster (and with it the stripped shifts and sign-ups) and the circle row.
    Returns how many circles went. Periodic job, registered in ``PracticalConfig.ready()``.
    """
    gone = list(
        Circle.objects.filter(deleted_at__lte=now - DELETED_KEPT_FOR).values_list("roster_id", flat=True)
    )
    with transaction.atomic():
        Roster.objects.filter(pk__in=gone).delete()
    return len(gone)
