"""The outbox: create, cancel, deliver and sweep notifications.

Delivery is at-least-once with a very small duplicate window, see ``notification_deliver``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.utils import timezone

from accounts.models import Person
from notifications.channels import (
    PermanentDeliveryError,
    TemporaryDeliveryError,
    get_channel,
    unsubscribe_url,
)
from notifications.models import Channel, Notification, NotificationPreference, Status
from notifications.rendering import render_notification
from notifications.selectors import preferences_get

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS: tuple[str, ...] = (Channel.EMAIL, Channel.IN_APP)


# --- the outbox --------------------------------------------------------------------------------


def _status_for(*, person: Person, preference: NotificationPreference, kind: str, channel: str) -> str:
    if not person.is_active:
        return Status.SUPPRESSED
    if channel not in (preference.channels or []):
        return Status.SUPPRESSED
    # Turning a kind off silences the noisy channels; the inbox keeps the quiet record of it.
    if kind in (preference.disabled_kinds or []) and channel != Channel.IN_APP:
        return Status.SUPPRESSED
    return Status.PENDING


def notification_create(
    *,
    recipient: Person,
    kind: str,
    template: str,
    context: dict[str, Any],
    key: str,
    send_at: datetime | None = None,
    channels: Iterable[str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> list[Notification]:
    """Write one outbox row per channel for ``recipient`` and have it delivered at ``send_at``.

    Promises: idempotent on (``key``, channel) — calling again returns the existing rows and
    creates and sends nothing new; channels the person turned off (or kinds they unsubscribed
    from, for e-mail and SMS) are written as ``suppressed``; rows due now are handed to the
    worker only after the surrounding transaction commits (a rolled-back change tells nobody);
    rows due later are picked up by the sweep. ``context`` and ``attachments`` must be JSON
    ({"filename", "content_type", "content"} with text content, e.g. an .ics).
    """
    now = timezone.now()
    due = send_at or now
    if timezone.is_naive(due):
        raise ValueError("send_at must be an aware datetime")
    preference = preferences_get(person=recipient)
    rows: list[Notification] = []
    to_enqueue: list[int] = []
    with transaction.atomic():
        for channel in dict.fromkeys(channels or DEFAULT_CHANNELS):
            if channel not in Channel.values:
                raise ValueError(f"Unknown notification channel {channel!r}")
            status = _status_for(person=recipient, preference=preference, kind=kind, channel=channel)
            row, created = Notification.objects.get_or_create(
                key=key,
                channel=channel,
                defaults={
                    "recipient": recipient,
                    "kind": kind,
                    "template": template,
                    "context": context,
                    "attachments": attachments or [],
                    "send_at": due,
                    "status": status,
                },
            )
            rows.append(row)
            if not created or row.status != Status.PENDING or due > now:
                continue
            if channel == Channel.IN_APP:
                _in_app_publish(row, now=now)
            else:
                to_enqueue.append(row.pk)
    for pk in to_enqueue:
        transaction.on_commit(lambda pk=pk: notification_enqueue(notification_id=pk))  # type: ignore[misc]
    return rows


def _in_app_publish(row: Notification, *, now: datetime) -> None:
    # An inbox item needs no worker: render it now and it is delivered.
    try:
        rendered = render_notification(row)
    except TemplateDoesNotExist as exc:
        Notification.objects.filter(pk=row.pk, status=Status.PENDING).update(
            status=Status.FAILED, last_error=f"Template missing: {exc}"
        )
        row.status = Status.FAILED
        return
    Notification.objects.filter(pk=row.pk, status=Status.PENDING).update(
        status=Status.SENT, sent_at=now, subject=rendered.subject, body=rendered.text
    )
    row.status, row.sent_at, row.subject, row.body = Status.SENT, now, rendered.subject, rendered.text


def notification_create_for_address(
    *,
    to_email: str,
    kind: str,
    key: str,
    language: str,
    subject: str = "",
    body: str = "",
    template: str = "",
    context: dict[str, Any] | None = None,
) -> Notification:
    """An e-mail to an address that may have no account (invitations, password resets).

    Preferences do not apply: these are messages the person asked for. Idempotent on ``key``.
    """
    content = dict(context or {})
    if not template:
        content.update(subject=subject, body=body)
    with transaction.atomic():
        row, created = Notification.objects.get_or_create(
            key=key,
            channel=Channel.EMAIL,
            defaults={
                "to_email": to_email,
                "kind": kind,
                "template": template,
                "context": content,
                "language": language,
            },
        )
    if created:
        transaction.on_commit(lambda: notification_enqueue(notification_id=row.pk))
    return row


def notification_enqueue(*, notification_id: int) -> bool:
    """Hand a due row to the worker. Never raises: with the broker down the sweep retries later."""
    from notifications.tasks import deliver_notification  # tasks imports services

    if settings.NOTIFICATION_INLINE_DELIVERY:
        try:
            notification_deliver(notification_id=notification_id)
        except Exception:  # a database hiccup: the row stays due and the sweep retries it
            logger.exception("Inline delivery of notification %s failed", notification_id)
            return False
        return True
    # Marked before sending: marking after would race a fast worker that already failed the
    # attempt and cleared the mark for its retry, delaying the retry by NOTIFICATION_REQUEUE_AFTER.
    Notification.objects.filter(pk=notification_id).update(enqueued_at=timezone.now())
    try:
        deliver_notification.send(notification_id)
    except Exception:  # redis raises many error types; the row is safe in the database
        Notification.objects.filter(pk=notification_id).update(enqueued_at=None)
        logger.warning(
            "Could not enqueue notification %s; the sweep will retry", notification_id, exc_info=True
        )
        return False
    return True


def notification_cancel(*, key_prefix: str) -> int:
    """Cancel every not-yet-sent notification whose key starts with ``key_prefix``; returns how many.

    A row already being sent (claimed a moment ago by a worker) is not stopped.
    """
    if not key_prefix:
        raise ValueError("key_prefix must not be empty")
    return Notification.objects.filter(key__startswith=key_prefix, status=Status.PENDING).update(
        status=Status.CANCELLED, enqueued_at=None
    )


def _retry_delay(attempts: int) -> timedelta | None:
    delays = settings.NOTIFICATION_RETRY_DELAYS
    if attempts > len(delays):
        return None
    return timedelta(seconds=delays[attempts - 1])


def notification_deliver(*, notification_id: int) -> str:
    """Deliver one row if it is due and nobody else has it; returns what happened.

    Safe to run twice or concurrently: the conditional UPDATE pending → sending lets one
    caller win; everyone else sees row count 0 and returns. The row is committed as
    ``sending`` before the channel is called and as ``sent`` right after, so the only window
    for a duplicate is a crash between the mail server accepting the message and that second
    UPDATE (a few milliseconds); the sweep then sends it again with the same Message-ID, which
    receivers can use to drop it. Losing a message is never the trade: we prefer at-least-once.
    """
    now = timezone.now()
    # Without this conditional UPDATE, two workers holding the same message (a re-enqueue by
    # the sweep while the first copy is still queued) would both send it.
    claimed = Notification.objects.filter(pk=notification_id, status=Status.PENDING, send_at__lte=now).update(
        status=Status.SENDING, claimed_at=now
    )
    if not claimed:
        return "skipped"
    row = Notification.objects.select_related("recipient", "recipient__notification_preference").get(
        pk=notification_id
    )
    mine = Notification.objects.filter(pk=notification_id, status=Status.SENDING, claimed_at=now)
    try:
        extra = {}
        if row.recipient_id is not None:
            extra["unsubscribe_url"] = unsubscribe_url(person_id=row.recipient_id, kind=row.kind)
        rendered = render_notification(row, extra=extra)
        get_channel(row.channel).deliver(row, rendered)
    except (PermanentDeliveryError, TemplateDoesNotExist) as exc:
        logger.warning("Notification %s failed for good: %s", notification_id, exc)
        mine.update(status=Status.FAILED, attempts=F("attempts") + 1, last_error=str(exc)[:2000])
        return "failed"
    except Exception as exc:  # TemporaryDeliveryError, and bugs: retry a bounded number of times
        if not isinstance(exc, TemporaryDeliveryError):
            logger.exception("Unexpected error delivering notification %s", notification_id)
        attempts = row.attempts + 1
        delay = _retry_delay(attempts)
        if delay is None:
            mine.update(
                status=Status.FAILED,
                attempts=attempts,
                last_error=f"Gave up after {attempts} attempts: {exc}"[:2000],
            )
            return "failed"
        mine.update(
            status=Status.PENDING,
            attempts=attempts,
            send_at=now + delay,
            last_error=str(exc)[:2000],
            claimed_at=None,
            enqueued_at=None,
        )
        return "retry"
    mine.update(
        status=Status.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
        subject=rendered.subject,
        body=rendered.text if row.channel == Channel.IN_APP else "",
    )
    return "sent"


def notifications_sweep(*, now: datetime, limit: int = 5000) -> int:
    """Re-enqueue what is due and was never (or long ago) enqueued; recover rows of dead workers.

    A row stuck in ``sending`` longer than the lease belonged to a worker that died: it goes
    back to pending (counting an attempt, so a message that kills workers ends as failed).
    Returns how many rows were handed to the broker. Run every minute by the scheduler.
    """
    lease = timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
    max_attempts = len(settings.NOTIFICATION_RETRY_DELAYS) + 1
    stale = Q(status=Status.SENDING, claimed_at__lt=now - lease)
    Notification.objects.filter(stale, attempts__gte=max_attempts - 1).update(
        status=Status.FAILED,
        attempts=F("attempts") + 1,
        last_error="The worker stopped while sending, too often.",
    )
    Notification.objects.filter(stale).update(
        status=Status.PENDING,
        attempts=F("attempts") + 1,
        claimed_at=None,
        enqueued_at=None,
        last_error="The worker stopped while sending; trying again.",
    )
    # In-app rows due now need no worker (scheduled inbox items).
    in_app_due = list(
        Notification.objects.filter(
            status=Status.PENDING, channel=Channel.IN_APP, send_at__lte=now
        ).select_related("recipient")[:limit]
    )
    for row in in_app_due:
        _in_app_publish(row, now=now)
    requeue_before = now - timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER)
    ids = list(
        Notification.objects.filter(status=Status.PENDING, send_at__lte=now)
        .exclude(channel=Channel.IN_APP)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue_before))
        .order_by("send_at")
        .values_list("pk", flat=True)[:limit]
    )
    enqueued = 0
    for pk in ids:
        if not notification_enqueue(notification_id=pk):
            break  # the broker is down: stop hammering it, the next sweep tries again
        enqueued += 1
    if enqueued:
        logger.info("Sweep enqueued %s due notification(s)", enqueued)
    return enqueued
