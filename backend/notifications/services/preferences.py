"""Preferences, one-click unsubscribe, the in-app inbox, account e-mail routing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Person
from notifications.models import Channel, Notification, NotificationPreference, Status
from notifications.services.outbox import notification_create_for_address
from notifications.services.reminders import REMINDER_FIELDS, reminders_replan

# --- preferences -------------------------------------------------------------------------------


def preferences_update(*, person: Person, **changes: Any) -> NotificationPreference:
    """Change some of the person's preferences; ``kinds`` ({kind: on}) merges into the opt-outs.

    A change of lead times or quiet hours moves the person's pending reminders in the same
    transaction (``reminders_replan``): none still goes out at the old time.
    """
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.select_for_update().get_or_create(person=person)
        kinds = changes.pop("kinds", None)
        if kinds is not None:
            disabled = set(preference.disabled_kinds or [])
            for kind, on in kinds.items():
                (disabled.discard if on else disabled.add)(kind)
            preference.disabled_kinds = sorted(disabled)
        timing = {name for name, value in changes.items() if name in REMINDER_FIELDS}
        moved = any(getattr(preference, name) != changes[name] for name in timing)
        for name, value in changes.items():
            setattr(preference, name, value)
        preference.save()
        if moved:
            reminders_replan(person=person)
    return preference


def kind_unsubscribe(*, person: Person, kind: str) -> NotificationPreference:
    """One-click unsubscribe: no more e-mail (or texts) of ``kind`` for ``person``; pending ones too."""
    with transaction.atomic():
        preference = preferences_update(person=person, kinds={kind: False})
        Notification.objects.filter(
            recipient=person, kind=kind, status=Status.PENDING, channel__in=[Channel.EMAIL, Channel.SMS]
        ).update(status=Status.SUPPRESSED)
    return preference


# --- the inbox ---------------------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, now: datetime | None = None) -> Notification:
    """Mark one inbox item read (reading it twice keeps the first time)."""
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, person: Person, now: datetime | None = None) -> int:
    """Mark every visible inbox item of the person read; returns how many changed."""
    return Notification.objects.filter(
        recipient=person, channel=Channel.IN_APP, status=Status.SENT, read_at__isnull=True
    ).update(read_at=now or timezone.now())


def account_email_send(
    *, to: str, kind: str, subject: str, body: str, key: str, language: str = "en"
) -> None:
    """accounts' sender (``accounts.mail.set_account_email_sender``): through the outbox."""
    notification_create_for_address(
        to_email=to, kind=kind, key=f"account:{key}", language=language, subject=subject, body=body
    )
