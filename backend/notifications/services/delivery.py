"""Delivery: claim due rows, send them, record the outcome; the sweep that loses nothing.

Delivery is at-least-once with a very small duplicate window, see ``notifications_deliver``.
Batch sizes and the enqueueing come from ``outbox`` (read through the module, so one setting
governs both sides).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.template import TemplateDoesNotExist
from django.utils import timezone

from notifications.channels import (
    ChannelUnavailableError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
    get_channel,
    unsubscribe_url,
)
from notifications.models import Channel, Notification, Status
from notifications.rendering import Rendered, render_notification
from notifications.services import outbox
from notifications.services.sent import SentMarks

logger = logging.getLogger(__name__)

# A batch stops claiming time after this and hands the rest back to the broker: the whole batch
# stays well inside the actor's time limit (120 s) and the sweep's lease (≥ 130 s), so the sweep
# never takes a row back from a worker that is alive.
BATCH_TIME_BUDGET = 60.0


def _retry_delay(attempts: int) -> timedelta | None:
    delays = settings.NOTIFICATION_RETRY_DELAYS
    if attempts > len(delays):
        return None
    return timedelta(seconds=delays[attempts - 1])


# What rendering, the channels and recording the outcome read of a claimed row: loading the rest
# (timestamps, the person's password and dates, the preference's lists) was a third of the
# batch's SELECT. A field not listed here costs a query per row when read (a test counts them).
_DELIVERY_FIELDS = (
    "recipient",
    "to_email",
    "language",
    "kind",
    "channel",
    "template",
    "context",
    "attachments",
    "key",
    "attempts",
    "recipient__email",
    "recipient__name",
    "recipient__language",
    "recipient__notification_preference__sms_number",
)


def notification_deliver(*, notification_id: int) -> str:
    """Deliver one row if it is due and nobody else has it; see ``notifications_deliver``."""
    return notifications_deliver(notification_ids=[notification_id]).get(notification_id, "skipped")


def notifications_deliver(*, notification_ids: Sequence[int]) -> dict[int, str]:
    """Deliver the rows among ``notification_ids`` that are due and nobody else has.

    Returns what happened to each row this call claimed: "sent", "failed" or "retry"
    ("released" for rows handed back unsent when the batch ran out of time); rows it did not
    claim (sent already, not due, another worker's) are absent.

    Safe to run twice or concurrently: one conditional UPDATE pending → sending, tagged with a
    fresh claim token, lets one caller win each row; the rows are read back by that token. Each
    row is committed as ``sent`` after the server accepted it and before the next message is
    handed to the server (the UPDATE travels while the next one renders, see ``sent``), so the
    only window for a duplicate is a crash between the mail server accepting one message and
    that commit (about a millisecond); the sweep then sends it again with the same Message-ID,
    which receivers can use to drop it. Rows claimed but not reached when a worker dies stay
    ``sending`` until the sweep's lease, then go back to pending without counting an attempt
    (the sweep tells them from the one in flight: rows are sent in id order). Losing a message
    is never the trade: we prefer at-least-once.
    """
    ids = list(dict.fromkeys(notification_ids))
    if not ids:
        return {}
    now = timezone.now()
    token = uuid.uuid4()
    # Without this conditional UPDATE, two workers holding the same row (a re-enqueue by the
    # sweep while the first copy is still queued) would both send it.
    claimed = (
        Notification.objects.filter(pk__in=ids, status=Status.PENDING, send_at__lte=now)
        .filter(_not_expired(now))
        .update(status=Status.SENDING, claimed_at=now, claim_token=token)
    )
    if claimed < len(ids):
        _expire(Q(pk__in=ids), now=now)
    if not claimed:
        return {}
    rows = list(
        Notification.objects.filter(pk__in=ids, claim_token=token, status=Status.SENDING)
        .select_related("recipient", "recipient__notification_preference")
        .only(*_DELIVERY_FIELDS)
        .order_by("pk")  # the sweep relies on this order, see notifications_sweep
    )
    outcomes: dict[int, str] = {}
    deadline = time.monotonic() + BATCH_TIME_BUDGET
    marks = SentMarks()
    try:
        for index, row in enumerate(rows):
            if time.monotonic() > deadline:
                marks.settle()
                rest = [r.pk for r in rows[index:]]
                _release(rest, token=token)
                outcomes.update(dict.fromkeys(rest, "released"))
                outbox.notifications_enqueue(notification_ids=rest)
                break
            try:
                outcomes[row.pk] = _deliver_claimed(row, token=token, now=now, marks=marks)
            except ChannelUnavailableError as exc:
                # The server is down for all of them: each remaining row counts this attempt and
                # waits its own backoff, as it would have after trying on its own.
                for other in rows[index:]:
                    outcomes[other.pk] = _fail_for_now(other, token=token, now=now, exc=exc)
                break
    finally:
        marks.settle()
    return outcomes


def _due(now: datetime) -> Q:
    """Pending and due, spelled as the sweep index's predicate so that PostgreSQL can use it.

    ``claimed_at`` is null on every pending row (a check constraint says so): naming it selects
    nothing less, and the claim, which names rows by id, leaves it out to stay on the primary
    key (see ``Notification.Meta.indexes``).
    """
    return Q(status=Status.PENDING, claimed_at__isnull=True, send_at__lte=now)


def _not_expired(now: datetime) -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now)


def _expire(where: Q, *, now: datetime) -> int:
    """Cancel the pending rows of ``where`` whose moment has passed (never sent late)."""
    return Notification.objects.filter(where, status=Status.PENDING, expires_at__lte=now).update(
        status=Status.CANCELLED, enqueued_at=None, last_error=outbox.EXPIRED
    )


def _subject_of(row: Notification) -> str:
    """The subject a failed row would have had, for the coordinators' list of failures."""
    try:
        return render_notification(row).subject
    except Exception:  # the failure may be the template itself; an empty subject says as much
        return ""


def _release(ids: list[int], *, token: uuid.UUID) -> None:
    Notification.objects.filter(pk__in=ids, claim_token=token, status=Status.SENDING).update(
        status=Status.PENDING, claimed_at=None, claim_token=None, enqueued_at=None
    )


def _deliver_claimed(row: Notification, *, token: uuid.UUID, now: datetime, marks: SentMarks) -> str:
    """Send one claimed row; raises ChannelUnavailableError untouched for the batch to handle."""
    try:
        extra = {}
        if row.recipient_id is not None:
            extra["unsubscribe_url"] = unsubscribe_url(person_id=row.recipient_id, kind=row.kind)
        rendered = render_notification(row, extra=extra)
    except Exception as exc:
        marks.settle()
        return _not_delivered(row, exc, rendered=None, token=token, now=now)
    # The previous message's UPDATE to sent travelled while this one rendered; it is committed
    # before this one can be accepted (a failure to commit it stops the batch here).
    marks.settle()
    try:
        get_channel(row.channel).deliver(row, rendered)
    except ChannelUnavailableError:
        raise
    except Exception as exc:
        return _not_delivered(row, exc, rendered=rendered, token=token, now=now)
    marks.mark(row, token=token, subject=rendered.subject, body=rendered.text)
    return "sent"


def _not_delivered(
    row: Notification, exc: Exception, *, rendered: Rendered | None, token: uuid.UUID, now: datetime
) -> str:
    """Record why ``row`` did not go: failed for good, or a retry (a bounded number of times)."""
    if isinstance(exc, (PermanentDeliveryError, TemplateDoesNotExist)):
        logger.warning("Notification %s failed for good: %s", row.pk, exc)
        _mine(row, token=token).update(
            status=Status.FAILED,
            attempts=F("attempts") + 1,
            last_error=str(exc)[:2000],
            failed_at=timezone.now(),
            subject=rendered.subject if rendered is not None else "",
        )
        return "failed"
    if not isinstance(exc, TemporaryDeliveryError):  # a bug: retried too, and logged loudly
        logger.error("Unexpected error delivering notification %s", row.pk, exc_info=exc)
    subject = rendered.subject if rendered is not None else None
    return _fail_for_now(row, token=token, now=now, exc=exc, subject=subject)


def _mine(row: Notification, *, token: uuid.UUID) -> QuerySet[Notification]:
    """The row while this claim still holds it: only the claim that sent it may settle it."""
    # Built only when a row fails: compiling it for every message was a tenth of the CPU a
    # delivered message costs.
    return Notification.objects.filter(pk=row.pk, status=Status.SENDING, claim_token=token)


def _fail_for_now(
    row: Notification, *, token: uuid.UUID, now: datetime, exc: Exception, subject: str | None = None
) -> str:
    mine = _mine(row, token=token)
    attempts = row.attempts + 1
    delay = _retry_delay(attempts)
    if delay is None:
        mine.update(
            status=Status.FAILED,
            attempts=attempts,
            last_error=f"Gave up after {attempts} attempts: {exc}"[:2000],
            failed_at=timezone.now(),
            subject=subject if subject is not None else _subject_of(row),
        )
        return "failed"
    mine.update(
        status=Status.PENDING,
        attempts=attempts,
        send_at=now + delay,
        last_error=str(exc)[:2000],
        claimed_at=None,
        claim_token=None,
        enqueued_at=None,
    )
    return "retry"


def notifications_sweep(*, now: datetime, limit: int = 5000) -> int:
    """Re-enqueue what is due and was never (or long ago) enqueued; recover rows of dead workers;
    cancel, unsent, the due rows whose ``expires_at`` has passed.

    A row stuck in ``sending`` longer than the lease belonged to a worker that died. The one it
    was sending (the lowest id still ``sending`` of its batch: a batch goes in id order and settles
    each row before the next) goes back to pending counting an attempt, so a message that kills
    workers ends as failed; the batch's rows it never reached go back without one, so they do not
    share that fate. Returns how many rows were handed to the broker. Run every minute.
    """
    lease = timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
    max_attempts = len(settings.NOTIFICATION_RETRY_DELAYS) + 1
    stale = Q(status=Status.SENDING, claimed_at__lt=now - lease)
    in_flight: dict[object, int] = {}
    for pk, token in Notification.objects.filter(stale).order_by("pk").values_list("pk", "claim_token"):
        in_flight.setdefault(token if token is not None else ("row", pk), pk)
    crashed = Q(pk__in=list(in_flight.values()))
    # No subject rendered here: rendering a message that keeps killing workers could stop the
    # scheduler too.
    Notification.objects.filter(stale, crashed, attempts__gte=max_attempts - 1).update(
        status=Status.FAILED,
        attempts=F("attempts") + 1,
        last_error="The worker stopped while sending, too often.",
        failed_at=now,
    )
    Notification.objects.filter(stale, crashed).update(
        status=Status.PENDING,
        attempts=F("attempts") + 1,
        claimed_at=None,
        claim_token=None,
        enqueued_at=None,
        last_error="The worker stopped while sending; trying again.",
    )
    # Claimed in the same batch, never tried: back in line, attempts untouched.
    Notification.objects.filter(stale).update(
        status=Status.PENDING, claimed_at=None, claim_token=None, enqueued_at=None
    )
    # What only mattered before a moment now past is not sent late (after downtime, say).
    _expire(_due(now), now=now)
    # In-app rows due now need no worker (scheduled inbox items).
    in_app_due = list(
        Notification.objects.filter(_due(now), channel=Channel.IN_APP).select_related("recipient")[:limit]
    )
    for row in in_app_due:
        outbox._in_app_publish(row, now=now)
    requeue_before = now - timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER)
    ids = list(
        Notification.objects.filter(_due(now))
        .exclude(channel=Channel.IN_APP)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=requeue_before))
        .order_by("send_at")
        .values_list("pk", flat=True)[:limit]
    )
    enqueued = 0
    for start in range(0, len(ids), outbox.BATCH_SIZE):
        batch = ids[start : start + outbox.BATCH_SIZE]
        if not outbox.notifications_enqueue(notification_ids=batch):
            break  # the broker is down: stop hammering it, the next sweep tries again
        enqueued += len(batch)
    if enqueued:
        logger.info("Sweep enqueued %s due notification(s)", enqueued)
    return enqueued
