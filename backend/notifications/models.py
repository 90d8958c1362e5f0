"""The outbox: one row per message per channel, written in the same transaction as the change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    IN_APP = "in_app", "In the app"
    SMS = "sms", "Text message"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    CANCELLED = "cancelled", "Cancelled"
    SUPPRESSED = "suppressed", "Not sent (turned off by the recipient)"


class Notification(models.Model):
    """One message to one person (or one address) on one channel.

    ``key`` is the caller's idempotency key: (key, channel) is unique, so writing the same
    notification twice (a retried request, a job run twice) creates nothing new. ``send_at``
    lives here, not in the broker: the sweep enqueues what is due, so a lost broker message
    only delays delivery.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # For mail to someone without an account yet (an invitation) or account mail.
    to_email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, blank=True)  # blank = the recipient's language
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    template = models.CharField(max_length=160, blank=True)  # blank = context holds subject/body
    context = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    key = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    send_at = models.DateTimeField(default=timezone.now)
    # A message that would arrive after this moment is pointless (a reminder once the shift has
    # begun, e.g. after downtime): it is cancelled unsent, with the reason in ``last_error``.
    expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # One per claiming batch: the worker reads back exactly the rows its conditional UPDATE won,
    # and the sweep can tell the row a dead worker was sending from the ones it had not reached.
    claim_token = models.UUIDField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Filled at send time in the recipient's language; the inbox shows these.
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="notification_key_channel_unique"),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(to_email=""),
                name="notification_has_an_address",
            ),
            # Every way back to pending clears the claim; the sweep's index relies on it.
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(claimed_at__isnull=True),
                name="notification_pending_is_unclaimed",
            ),
        ]
        # Each index holds only the rows its readers look for: a row changes status at every step
        # (pending → sending → sent) and such an UPDATE is never HOT (``status`` is in these
        # predicates), so each step adds an entry to every index whose predicate the new version
        # meets. The UPDATE to ``sent``, the one write per delivered e-mail, now touches three
        # indexes (id, key, recipient) instead of six, and mail already sent, which only grows,
        # stays out of the sweep's.
        #
        # ``claimed_at`` in the sweep's predicates changes no row (pending rows are never claimed,
        # sending rows always are) but keeps statements that name rows by id and status (the
        # claim, the batch's SELECT, the UPDATE to sent) on the primary key: they do not mention
        # ``claimed_at``, so PostgreSQL cannot use these indexes for them. Without it, statistics
        # taken while nothing was due made the planner read the whole partial index for each of
        # them, i.e. every row due or in flight, once per message.
        indexes = [
            # The sweep: what is due, in send_at order.
            models.Index(
                fields=["send_at"],
                condition=Q(status="pending", claimed_at__isnull=True),
                name="notification_sweep_idx",
            ),
            # The sweep: what is stuck in "sending" (rows of a worker that died).
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending", claimed_at__isnull=False),
                name="notification_stale_idx",
            ),
            # The inbox: mine, newest first (unread is a filter on these rows).
            models.Index(
                fields=["recipient", "-sent_at", "-id"],
                condition=Q(channel="in_app", status="sent"),
                name="notification_inbox_idx",
            ),
            # What coordinators are shown as not delivered, newest first (few rows: partial).
            models.Index(fields=["-failed_at"], condition=Q(status="failed"), name="notification_failed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id or self.to_email} ({self.channel}, {self.status})"


def default_lead_minutes() -> list[int]:
    return [1440, 120]


def default_channels() -> list[str]:
    return [Channel.EMAIL, Channel.IN_APP]


class NotificationPreference(models.Model):
    """What a person wants to hear about, how and when. No row = the defaults."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    disabled_kinds = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=default_channels, blank=True)
    reminder_lead_minutes = models.JSONField(default=default_lead_minutes, blank=True)
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    digest_weekly = models.BooleanField(default=True)
    sms_number = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification preferences of {self.person_id}"


class PeriodicJobRun(models.Model):
    """When a periodic job last started; the conditional UPDATE on it keeps two schedulers apart."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
