"""Kinds of schedule notifications, the attachment registry and the helpers every event uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import formats, translation

from accounts.models import MembershipStatus, Person, Role
from notifications.services import (
    notification_create,
)
from scheduling.models import Roster, Shift, Signup

SIGNUP_CONFIRMED = "signup_confirmed"
SIGNUP_CANCELLED = "signup_cancelled"
SIGNUP_CANCEL_REQUESTED = "signup_cancel_requested"
WAITLIST_OFFERED = "waitlist_offered"
WAITLIST_OFFER_EXPIRED = "waitlist_offer_expired"
SWAP_OFFERED = "swap_offered"
SWAP_TAKEN = "swap_taken"
SHIFT_CHANGED = "shift_changed"
SHIFT_CANCELLED = "shift_cancelled"
REMINDER = "reminder"
GAP_ALERT = "gap_alert"
WEEKLY_DIGEST = "weekly_digest"

# (label, Spanish label) per kind, for the preferences screen (registered in SchedulingConfig.ready).
KINDS: dict[str, tuple[str, str]] = {
    SIGNUP_CONFIRMED: ("When a place is confirmed", "Cuando se confirma un lugar"),
    SIGNUP_CANCELLED: ("When a place is cancelled", "Cuando se cancela un lugar"),
    SIGNUP_CANCEL_REQUESTED: ("When someone asks to cancel late", "Cuando alguien pide cancelar tarde"),
    WAITLIST_OFFERED: ("When a place frees up for me", "Cuando se libera un lugar para mí"),
    WAITLIST_OFFER_EXPIRED: ("When a held place moves on", "Cuando un lugar reservado pasa al siguiente"),
    SWAP_OFFERED: ("When someone offers a swap", "Cuando alguien ofrece un cambio"),
    SWAP_TAKEN: ("When a swap is taken", "Cuando se acepta un cambio"),
    SHIFT_CHANGED: ("When a shift's time or place changes", "Cuando cambia la hora o el lugar de un turno"),
    SHIFT_CANCELLED: ("When a shift is cancelled", "Cuando se cancela un turno"),
    REMINDER: ("Reminders before my commitments", "Recordatorios antes de mis compromisos"),
    GAP_ALERT: ("Places still open close to their start", "Lugares aún libres poco antes de empezar"),
    WEEKLY_DIGEST: ("Weekly summary for coordinators", "Resumen semanal para coordinadores"),
}

# A swap offer goes to the coordinators and at most this many members: enough to find a taker,
# not a broadcast to a whole organisation.
SWAP_OFFER_MAX_MEMBERS = 10
# Fields whose change makes a commitment different for the people holding it.
_TIME_FIELDS = {"starts_at", "ends_at", "is_flexible"}
_PLACE_FIELDS = {"location", "call_link"}

CommitmentAttachment = Callable[[Signup], "dict[str, str] | None"]
_commitment_attachments: list[CommitmentAttachment] = []


def register_commitment_attachment(fn: CommitmentAttachment) -> None:
    """Add a function giving a confirmation e-mail an attachment ({"filename", "content_type",
    "content"}, text) for a sign-up, or None. Registering the same function twice is a no-op."""
    if fn not in _commitment_attachments:
        _commitment_attachments.append(fn)


def commitment_attachments(signup: Signup) -> list[dict[str, str]]:
    return [a for fn in _commitment_attachments if (a := fn(signup)) is not None]


# --- helpers -------------------------------------------------------------------------------------


def local_time(moment: datetime, *, roster: Roster, person: Person, fmt: str = "l j F, H:i") -> str:
    """``moment`` in the roster's zone (where the help happens), in the reader's language."""
    with translation.override(person.language or "en"):
        return formats.date_format(moment.astimezone(ZoneInfo(roster.time_zone)), fmt)


def roster_people(roster: Roster, role: str) -> Q:
    """People holding ``role`` on the roster: through an active roster membership, or for a duty
    roster also through an active membership of its organisation (a Person filter)."""
    active = MembershipStatus.ACTIVE
    condition = Q(
        roster_memberships__roster=roster,
        roster_memberships__role=role,
        roster_memberships__status=active,
    )
    if roster.kind == Roster.Kind.DUTY and roster.organisation_id is not None:
        condition |= Q(
            organisation_memberships__organisation_id=roster.organisation_id,
            organisation_memberships__role=role,
            organisation_memberships__status=active,
        )
    return condition


def roster_coordinators(roster: Roster) -> list[Person]:
    """Who coordinates the roster: for a circle the family (its roster's coordinators); for a
    duty roster also the organisation's coordinators. Active memberships only, by id."""
    condition = roster_people(roster, Role.COORDINATOR)
    return list(Person.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def _shift_context(shift: Shift, person: Person) -> dict[str, Any]:
    roster = shift.roster
    return {
        "shift_id": shift.pk,
        "roster_id": roster.pk,
        "title": shift.title,
        "roster_name": roster.name,
        "is_circle": roster.kind == Roster.Kind.CIRCLE,
        "starts_at_local": local_time(shift.starts_at, roster=roster, person=person),
        "ends_at_local": local_time(shift.ends_at, roster=roster, person=person, fmt="H:i"),
        "is_flexible": shift.is_flexible,
        "time_zone": roster.time_zone,
    }


def _tell(
    *,
    person: Person,
    kind: str,
    key: str,
    shift: Shift,
    extra: dict[str, Any] | None = None,
    send_at: datetime | None = None,
    expires_at: datetime | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> None:
    notification_create(
        recipient=person,
        kind=kind,
        template=f"scheduling/{kind}",
        context={**_shift_context(shift, person), **(extra or {})},
        key=key,
        send_at=send_at,
        expires_at=expires_at,
        attachments=attachments,
    )


def _people(shift_signups: Iterable[Signup]) -> list[Person]:
    seen: dict[int, Person] = {}
    for signup in shift_signups:
        seen.setdefault(signup.person_id, signup.person)
    return list(seen.values())


def _stamp(moment: datetime | None) -> str:
    return str(int(moment.timestamp())) if moment is not None else "0"
