"""Reminders before a commitment: planned at the holder's lead times, moved when things change."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from accounts.models import Person
from notifications.models import Notification
from notifications.models import Status as NotificationStatus
from notifications.selectors import reminder_lead_times
from notifications.services import (
    notification_cancel,
    notifications_cancel,
    reminder_send_at,
)
from scheduling.models import Shift, Signup
from scheduling.notify.common import (
    REMINDER,
    _tell,
)


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
