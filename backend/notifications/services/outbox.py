"""The outbox: create, enqueue and cancel notifications (delivery and the sweep: ``delivery``).

A row is written in the transaction of the change it reports and handed to the broker after
commit; ``notifications.services.delivery`` claims, sends and sweeps.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.utils import timezone

from accounts.models import Person
from notifications.models import Channel, Notification, NotificationPreference, Status
from notifications.rendering import render_notification
from notifications.selectors import preferences_get

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS: tuple[str, ...] = (Channel.EMAIL, Channel.IN_APP)
# Rows per broker message. Big enough that the broker, the claim and the SELECT cost little per
# message; small enough that a burst still spreads over every worker thread.
BATCH_SIZE = 50
EXPIRED = "Not sent: it expired before it could go out."


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
    expires_at: datetime | None = None,
    channels: Iterable[str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> list[Notification]:
    """Write one outbox row per channel for ``recipient`` and have it delivered at ``send_at``.

    Promises: idempotent on (``key``, channel) — calling again returns the existing rows and
    creates and sends nothing new; channels the person turned off (or kinds they unsubscribed
    from, for e-mail and SMS) are written as ``suppressed``; rows due now are handed to the
    worker only after the surrounding transaction commits (a rolled-back change tells nobody);
    rows due later are picked up by the sweep. A row still unsent at ``expires_at`` is never
    sent: it is cancelled with the reason (one already expired when written is cancelled at
    once). ``context`` and ``attachments`` must be JSON ({"filename", "content_type", "content"}
    with text content, e.g. an .ics).
    """
    now = timezone.now()
    due = send_at or now
    if timezone.is_naive(due) or (expires_at is not None and timezone.is_naive(expires_at)):
        raise ValueError("send_at and expires_at must be aware datetimes")
    expired = expires_at is not None and expires_at <= max(due, now)
    preference = preferences_get(person=recipient)
    wanted = list(dict.fromkeys(channels or DEFAULT_CHANNELS))
    unknown = [channel for channel in wanted if channel not in Channel.values]
    if unknown:
        raise ValueError(f"Unknown notification channel {unknown[0]!r}")
    to_enqueue: list[int] = []
    with transaction.atomic():
        # One read and one INSERT for every channel (get_or_create per channel took four round
        # trips each, and a claim writes six rows).
        rows = {row.channel: row for row in Notification.objects.filter(key=key, channel__in=wanted)}
        new = []
        for channel in wanted:
            if channel in rows:
                continue
            status = _status_for(person=recipient, preference=preference, kind=kind, channel=channel)
            if expired and status == Status.PENDING:
                status = Status.CANCELLED
            new.append(
                Notification(
                    key=key,
                    channel=channel,
                    recipient=recipient,
                    kind=kind,
                    template=template,
                    context=context,
                    attachments=attachments or [],
                    send_at=due,
                    expires_at=expires_at,
                    status=status,
                    last_error=EXPIRED if expired else "",
                )
            )
        try:
            if new:
                with transaction.atomic():
                    Notification.objects.bulk_create(new)
        except IntegrityError:
            # The same key written by a concurrent transaction since our read: its rows stand,
            # and this call creates and sends nothing (as get_or_create would).
            rows = {row.channel: row for row in Notification.objects.filter(key=key, channel__in=wanted)}
            new = []
        for row in new:
            rows[row.channel] = row
            if row.status != Status.PENDING or due > now:
                continue
            if row.channel == Channel.IN_APP:
                _in_app_publish(row, now=now)
            else:
                to_enqueue.append(row.pk)
    for pk in to_enqueue:
        _enqueue_on_commit(pk)
    return [rows[channel] for channel in wanted if channel in rows]


def _in_app_publish(row: Notification, *, now: datetime) -> None:
    # An inbox item needs no worker: render it now and it is delivered.
    try:
        rendered = render_notification(row)
    except TemplateDoesNotExist as exc:
        Notification.objects.filter(pk=row.pk, status=Status.PENDING).update(
            status=Status.FAILED, last_error=f"Template missing: {exc}", failed_at=now
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
        _enqueue_on_commit(row.pk)
    return row


def _enqueue_on_commit(pk: int) -> None:
    """Enqueue the row once the surrounding transaction commits, together with its other rows.

    A service that notifies a whole circle writes many rows in one transaction; one hook (and
    one broker message per ``BATCH_SIZE`` rows) for all of them lets a worker claim, load and
    send them as one batch over one SMTP connection. A row joins the transaction's open batch
    only while that batch's hook is still registered: a savepoint rolled back may have dropped
    it, and then the row starts a new one. (The id of a row whose savepoint rolled back may stay
    in a batch: it matches no row, or one that is due anyway; the claim takes only due rows.)
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        notifications_enqueue(notification_ids=[pk])
        return
    batch = getattr(connection, _BATCH_ATTRIBUTE, None)
    hooks = getattr(connection, "run_on_commit", None)
    if (
        isinstance(batch, _EnqueueOnCommit)
        and not batch.done
        and isinstance(hooks, list)
        and any(entry[1] is batch for entry in reversed(hooks))
    ):
        batch.ids.append(pk)
        return
    batch = _EnqueueOnCommit(pk)
    setattr(connection, _BATCH_ATTRIBUTE, batch)
    transaction.on_commit(batch)


_BATCH_ATTRIBUTE = "_notifications_open_batch"


class _EnqueueOnCommit:
    __slots__ = ("done", "ids")

    def __init__(self, pk: int) -> None:
        self.ids = [pk]
        self.done = False

    def __call__(self) -> None:
        if not self.done:
            self.done = True
            notifications_enqueue(notification_ids=self.ids)


def notification_enqueue(*, notification_id: int) -> bool:
    """Hand one due row to the worker; see ``notifications_enqueue``."""
    return notifications_enqueue(notification_ids=[notification_id])


def notifications_enqueue(*, notification_ids: Sequence[int]) -> bool:
    """Hand due rows to the worker, ``BATCH_SIZE`` per broker message.

    Never raises: with the broker down the rows stay due in the database, the sweep retries
    later, and False says so (rows of earlier batches may have gone out).
    """
    from notifications.tasks import deliver_notifications  # tasks imports services

    ids = list(dict.fromkeys(notification_ids))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        if settings.NOTIFICATION_INLINE_DELIVERY:
            # Imported here: delivery reads this module's batch settings at import.
            from notifications.services.delivery import notifications_deliver

            try:
                notifications_deliver(notification_ids=batch)
            except Exception:  # a database hiccup: the rows stay due and the sweep retries them
                logger.exception("Inline delivery of notifications %s failed", batch)
                return False
            continue
        # Marked before sending: marking after would race a fast worker that already failed the
        # attempt and cleared the mark for its retry, delaying the retry by NOTIFICATION_REQUEUE_AFTER.
        Notification.objects.filter(pk__in=batch).update(enqueued_at=timezone.now())
        try:
            deliver_notifications.send(batch)
        except Exception:  # redis raises many error types; the rows are safe in the database
            Notification.objects.filter(pk__in=batch).update(enqueued_at=None)
            logger.warning("Could not enqueue notifications %s; the sweep will retry", batch, exc_info=True)
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


def notifications_cancel(*, keys: Iterable[str]) -> int:
    """Cancel the not-yet-sent notifications with exactly these keys (every channel); returns how many."""
    return Notification.objects.filter(key__in=list(keys), status=Status.PENDING).update(
        status=Status.CANCELLED, enqueued_at=None
    )
