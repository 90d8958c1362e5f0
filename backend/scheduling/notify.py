"""Who is told what when the schedule changes: one function per event.

Services call these inside their transaction, so a notification is decided together with the
change it reports: the notifications outbox writes its rows in the same transaction and delivers
after commit (a rolled-back change tells nobody).

Keys make retries safe and later changes news: each names the event, the object and the
sequence (or change time) of the change, and the recipient. Reminders are keyed
``reminder:signup:<id>:<minutes>:<shift sequence>`` so a moved shift cancels and re-creates them
(with ``:2``, ``:3``… appended when the holder's new preferences need one at a time whose key a
cancelled reminder already used). A reminder expires when its shift starts: one that could only
go out later (after downtime) is cancelled unsent.

Messages carry the shift's title, roster name and time (in the roster's zone, in the reader's
language) and a link into the app; never a household's details or address. The confirmation
e-mail carries the commitment as a calendar file from whoever registered
``register_commitment_attachment`` (calendars: scheduling may not import it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import formats, timezone, translation

from accounts.models import MembershipStatus, Person, Role
from notifications.models import Notification
from notifications.models import Status as NotificationStatus
from notifications.selectors import reminder_lead_times
from notifications.services import (
    notification_cancel,
    notification_create,
    notifications_cancel,
    reminder_send_at,
)
from scheduling.models import Roster, Shift, Signup, SwapOffer

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


def roster_coordinators(roster: Roster) -> list[Person]:
    """Who coordinates the roster: for a circle the family (its roster's coordinators); for a
    duty roster also the organisation's coordinators. Active memberships only, by id."""
    active = MembershipStatus.ACTIVE
    condition = Q(
        roster_memberships__roster=roster,
        roster_memberships__role=Role.COORDINATOR,
        roster_memberships__status=active,
    )
    if roster.kind == Roster.Kind.DUTY and roster.organisation_id is not None:
        condition |= Q(
            organisation_memberships__organisation_id=roster.organisation_id,
            organisation_memberships__role=Role.COORDINATOR,
            organisation_memberships__status=active,
        )
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


# --- reminders -----------------------------------------------------------------------------------


def reminder_prefix(signup: Signup) -> str:
    return f"reminder:signup:{signup.pk}:"


# A reminder row in one of these went (or is going) out: its lead time is done for this place.
_REMINDER_DONE = {NotificationStatus.SENT, NotificationStatus.SENDING}


def _reminder_base(key: str) -> str:
    """``reminder:signup:<id>:<minutes>:<sequence>`` of a key, without any ``:<n>`` re-plan suffix."""
    parts = key.split(":")
    return ":".join(parts[:5])


def reminders_schedule(*, signup: Signup, now: datetime | None = None) -> int:
    """Make a confirmed place's pending reminders match its holder's lead times, quiet hours and
    time zone, for the shift as it is now; returns how many are pending.

    One reminder per lead time still ahead, expiring when the shift starts. A pending reminder
    already due at the right time is kept (calling twice sends nothing twice); every other
    pending one is cancelled; a lead time whose reminder already went out is not sent again. A
    new reminder never reuses the key of a cancelled one (it appends ``:2``, ``:3``…), so going
    back to an earlier setting still reminds.
    """
    now = now or timezone.now()
    shift, person = signup.shift, signup.person
    prefix = reminder_prefix(signup)
    wanted: dict[str, tuple[int, datetime]] = {}
    for lead in reminder_lead_times(person=person):
        send_at = reminder_send_at(person=person, starts_at=shift.starts_at, lead=lead)
        if send_at <= now:
            continue
        minutes = int(lead.total_seconds() // 60)
        wanted[f"{prefix}{minutes}:{shift.sequence}"] = (minutes, send_at)
    # By recipient first: the index on it keeps this cheap however large the outbox grows.
    rows = Notification.objects.filter(recipient=person, key__startswith=prefix).values_list(
        "key", "status", "send_at"
    )
    used: set[str] = set()
    pending: dict[str, datetime] = {}
    done: set[str] = set()
    for key, status, send_at in rows:
        used.add(key)
        if status in _REMINDER_DONE:
            done.add(_reminder_base(key))
        elif status == NotificationStatus.PENDING:
            pending[key] = send_at
    kept: set[str] = set()
    stale: list[str] = []
    for key, send_at in sorted(pending.items()):
        base = _reminder_base(key)
        if base in done:
            continue  # its e-mail went; the inbox copy the sweep has yet to publish stays
        if base in wanted and base not in kept and wanted[base][1] == send_at:
            kept.add(base)
        else:
            stale.append(key)
    if stale:
        notifications_cancel(keys=stale)
    for base, (minutes, send_at) in wanted.items():
        if base in kept or base in done:
            continue
        key, n = base, 1
        while key in used:
            n += 1
            key = f"{base}:{n}"
        _tell(
            person=person,
            kind=REMINDER,
            key=key,
            shift=shift,
            extra={"signup_id": signup.pk, "lead_minutes": minutes},
            send_at=send_at,
            expires_at=shift.starts_at,
        )
        kept.add(base)
    return len(kept)


def reminders_reschedule(*, person: Person, now: datetime | None = None) -> int:
    """The person's lead times, quiet hours or time zone changed: move the pending reminders of
    every place they hold on a shift still ahead (``reminders_schedule`` for each); returns how
    many reminders are pending for them now.

    The places are locked (by id) for the rest of the transaction, so a cancel at the same time
    either commits first (its place is skipped here) or waits and cancels what this writes.
    """
    now = now or timezone.now()
    signups = (
        Signup.objects.select_for_update(of=("self",))
        .filter(
            person=person,
            status=Signup.Status.CONFIRMED,
            shift__status=Shift.Status.SCHEDULED,
            shift__starts_at__gt=now,
        )
        .select_related("shift__roster")
        .order_by("pk")
    )
    pending = 0
    for signup in signups:
        signup.person = person  # the caller's copy holds the new time zone
        pending += reminders_schedule(signup=signup, now=now)
    return pending


def reminders_cancel(*, signup: Signup) -> int:
    """No reminder is ever sent for a commitment that went away."""
    return notification_cancel(key_prefix=reminder_prefix(signup))


# --- events --------------------------------------------------------------------------------------


def signup_confirmed(*, signup: Signup, actor: Person | None) -> None:
    """A place is held: tell the volunteer (and, when a coordinator assigned it, that it was them).

    The volunteer gets the commitment's calendar file attached and reminders at their lead
    times; the roster's coordinators (for a circle, the family) hear who took the place, except
    the one who assigned it.
    """
    shift, person = signup.shift, signup.person
    assigned_by = actor.name if actor is not None and actor.pk != person.pk else ""
    _tell(
        person=person,
        kind=SIGNUP_CONFIRMED,
        key=f"{SIGNUP_CONFIRMED}:{signup.pk}:{signup.sequence}:{person.pk}",
        shift=shift,
        extra={"signup_id": signup.pk, "for_coordinator": False, "assigned_by": assigned_by},
        attachments=commitment_attachments(signup),
    )
    skip = {person.pk, actor.pk if actor is not None else None}
    for coordinator in roster_coordinators(shift.roster):
        if coordinator.pk in skip:
            continue
        _tell(
            person=coordinator,
            kind=SIGNUP_CONFIRMED,
            key=f"{SIGNUP_CONFIRMED}:{signup.pk}:{signup.sequence}:{coordinator.pk}",
            shift=shift,
            extra={"signup_id": signup.pk, "for_coordinator": True, "volunteer_name": person.name},
        )
    reminders_schedule(signup=signup)


def signup_cancelled(*, signup: Signup, actor: Person | None, reason: str = "") -> None:
    """A place was given up or taken away: tell the volunteer and the roster's coordinators.

    Nobody is told what they did themselves; the place's reminders are cancelled.
    """
    reminders_cancel(signup=signup)
    shift, person = signup.shift, signup.person
    actor_id = actor.pk if actor is not None else None
    swapped = reason == "Swapped"
    recipients = [person, *[c for c in roster_coordinators(shift.roster) if c.pk != person.pk]]
    for recipient in recipients:
        if recipient.pk == actor_id or (swapped and recipient.pk != person.pk):
            # The coordinators hear about a swap once, from swap_taken.
            continue
        _tell(
            person=recipient,
            kind=SIGNUP_CANCELLED,
            key=f"{SIGNUP_CANCELLED}:{signup.pk}:{signup.sequence}:{recipient.pk}",
            shift=shift,
            extra={
                "signup_id": signup.pk,
                "for_coordinator": recipient.pk != person.pk,
                "volunteer_name": person.name,
                "by_coordinator": actor_id is not None and actor_id != person.pk,
                "reason": reason,
            },
        )


def signup_cancel_requested(*, signup: Signup, reason: str = "") -> None:
    """A volunteer asked to cancel after the cut-off: the coordinators must decide."""
    shift = signup.shift
    for coordinator in roster_coordinators(shift.roster):
        if coordinator.pk == signup.person_id:
            continue
        _tell(
            person=coordinator,
            kind=SIGNUP_CANCEL_REQUESTED,
            key=f"{SIGNUP_CANCEL_REQUESTED}:{signup.pk}:{_stamp(signup.cancel_requested_at)}:{coordinator.pk}",
            shift=shift,
            extra={"signup_id": signup.pk, "volunteer_name": signup.person.name, "reason": reason},
        )


def waitlist_offered(*, signup: Signup) -> None:
    """A freed place is held for this waitlisted volunteer until ``signup.offer_expires_at``."""
    shift, person = signup.shift, signup.person
    expires = signup.offer_expires_at
    _tell(
        person=person,
        kind=WAITLIST_OFFERED,
        key=f"{WAITLIST_OFFERED}:{signup.pk}:{signup.sequence}",
        shift=shift,
        extra={
            "signup_id": signup.pk,
            "expires_at_local": local_time(expires, roster=shift.roster, person=person) if expires else "",
        },
    )


def waitlist_offer_expired(*, signup: Signup) -> None:
    """The volunteer did not answer in time; the place moved on to the next in line."""
    _tell(
        person=signup.person,
        kind=WAITLIST_OFFER_EXPIRED,
        key=f"{WAITLIST_OFFER_EXPIRED}:{signup.pk}:{signup.sequence}",
        shift=signup.shift,
        extra={"signup_id": signup.pk},
    )


def swap_offer_candidates(swap: SwapOffer, *, limit: int | None = None) -> list[Person]:
    """Members of the roster (not its coordinators) who could take the place, fewest places held first."""
    from scheduling.eligibility import claim_refusal  # eligibility imports selectors; keep notify light

    shift = swap.signup.shift
    holders = Signup.objects.filter(shift=shift, status__in=("confirmed", "waitlisted", "offered"))
    members = (
        Person.objects.filter(
            is_active=True,
            roster_memberships__roster=shift.roster,
            roster_memberships__role=Role.VOLUNTEER,
            roster_memberships__status=MembershipStatus.ACTIVE,
        )
        .exclude(pk__in=holders.values("person_id"))
        .distinct()
        .order_by("pk")
    )
    limit = SWAP_OFFER_MAX_MEMBERS if limit is None else limit
    chosen: list[Person] = []
    for member in members:
        if claim_refusal(shift=shift, person=member) is None:
            chosen.append(member)
        if len(chosen) >= limit:
            break
    return chosen


def swap_offered(*, swap: SwapOffer) -> None:
    """A volunteer offers their place: tell eligible members of the roster.

    The coordinators, and at most ``SWAP_OFFER_MAX_MEMBERS`` eligible volunteers of the roster
    who hold no place on the shift (so a big organisation is not flooded).
    """
    signup = swap.signup
    shift, offerer = signup.shift, signup.person
    coordinators = [c for c in roster_coordinators(shift.roster) if c.pk != offerer.pk]
    coordinator_ids = {c.pk for c in coordinators}
    members = [m for m in swap_offer_candidates(swap) if m.pk not in coordinator_ids]
    for recipient in [*coordinators, *members]:
        _tell(
            person=recipient,
            kind=SWAP_OFFERED,
            key=f"{SWAP_OFFERED}:{swap.pk}:{recipient.pk}",
            shift=shift,
            extra={
                "swap_id": swap.pk,
                "offered_by": offerer.name,
                "for_coordinator": recipient.pk in coordinator_ids,
            },
        )


def swap_taken(*, swap: SwapOffer) -> None:
    """Someone took the offered place: tell the one who offered it and the coordinators.

    The taker hears it from ``signup_confirmed`` (with the calendar file), so this tells the
    one who offered it (their place is released) and the coordinators (who holds it now).
    """
    signup = swap.signup
    shift, offerer, taker = signup.shift, signup.person, swap.taken_by
    taker_name = taker.name if taker is not None else ""
    recipients = [offerer, *[c for c in roster_coordinators(shift.roster) if c.pk != offerer.pk]]
    for recipient in recipients:
        if taker is not None and recipient.pk == taker.pk:
            continue
        _tell(
            person=recipient,
            kind=SWAP_TAKEN,
            key=f"{SWAP_TAKEN}:{swap.pk}:{recipient.pk}",
            shift=shift,
            extra={
                "signup_id": signup.pk,
                "for_coordinator": recipient.pk != offerer.pk,
                "offered_by": offerer.name,
                "taken_by": taker_name,
            },
        )


def shift_changed(*, shift: Shift, changed: list[str]) -> None:
    """Time, place or details of a shift changed: tell everyone holding or waiting for a place.

    Only a change of time or place is news (a new title or note is not worth a message): the
    holders, the waitlist and the coordinators hear it, keyed by the shift's sequence. A new
    time cancels the holders' reminders and schedules them for the new time.
    """
    time_changed = bool(_TIME_FIELDS.intersection(changed))
    if not time_changed and not _PLACE_FIELDS.intersection(changed):
        return
    signups = list(
        Signup.objects.filter(shift=shift, status__in=("confirmed", "waitlisted", "offered"))
        .select_related("person")
        .order_by("pk")
    )
    by_person = {s.person_id: s for s in signups}
    if time_changed:
        for signup in signups:
            signup.shift = shift
            reminders_cancel(signup=signup)
            if signup.status == Signup.Status.CONFIRMED:
                reminders_schedule(signup=signup)
    recipients = [*_people(signups)]
    recipients += [c for c in roster_coordinators(shift.roster) if c.pk not in by_person]
    for recipient in recipients:
        held = by_person.get(recipient.pk)
        _tell(
            person=recipient,
            kind=SHIFT_CHANGED,
            key=f"{SHIFT_CHANGED}:{shift.pk}:{shift.sequence}:{recipient.pk}",
            shift=shift,
            extra={
                "signup_id": held.pk if held is not None else None,
                "for_coordinator": held is None,
                "time_changed": time_changed,
                "place_changed": bool(_PLACE_FIELDS.intersection(changed)),
                "location": shift.location,
                "call_link": shift.call_link,
            },
        )


def shift_cancelled(*, shift: Shift, signups: list[Signup]) -> None:
    """The shift will not happen: tell everyone who held or waited for a place on it."""
    for signup in signups:
        reminders_cancel(signup=signup)
    notification_cancel(key_prefix=f"gap:{shift.pk}:")
    for signup in signups:
        _tell(
            person=signup.person,
            kind=SHIFT_CANCELLED,
            key=f"{SHIFT_CANCELLED}:{shift.pk}:{signup.person_id}",
            shift=shift,
            extra={"signup_id": signup.pk},
        )
