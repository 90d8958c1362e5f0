"""Batch delivery: one broker message and one claim for the rows of one commit, sent one by one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import services
from notifications.channels import EmailChannel, message_id
from notifications.models import Notification, NotificationPreference, Status
from notifications.services import delivery, outbox
from tests.factories import PersonFactory
from tests.notifications.factories import email_greeting

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it in the worker runs, not even `except Exception`."""


class DownBackend:
    """A mail server that refuses connections; counts how often it was tried."""

    tries = 0

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        DownBackend.tries += 1
        raise ConnectionRefusedError(111, "Connection refused")


def test_notification_create_rows_of_one_commit_go_as_one_broker_message(
    person, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        rows = [email_greeting(person, f"k:{i}") for i in range(3)]
        try:
            with transaction.atomic():  # a savepoint rolled back: its row is not enqueued
                email_greeting(person, "k:rolled-back")
                raise RuntimeError
        except RuntimeError:
            pass
        rows.append(email_greeting(person, "k:3"))

    assert len(enqueued) == 1
    # The rolled-back row's id may ride along (PostgreSQL does not reuse it); it matches no row.
    assert [pk for pk in enqueued[0] if Notification.objects.filter(pk=pk).exists()] == [r.pk for r in rows]
    assert Notification.objects.filter(enqueued_at__isnull=False).count() == 4


def test_notification_create_splits_a_large_commit_into_batches(
    person, enqueued, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(outbox, "BATCH_SIZE", 2)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = [email_greeting(person, f"k:{i}").pk for i in range(5)]

    assert enqueued == [ids[0:2], ids[2:4], ids[4:5]]


def test_notifications_sweep_enqueues_due_rows_in_batches(person, enqueued, monkeypatch):
    monkeypatch.setattr(outbox, "BATCH_SIZE", 2)
    later = timezone.now() + timedelta(hours=1)
    ids = [email_greeting(person, f"k:{i}", send_at=later).pk for i in range(3)]
    assert enqueued == []

    assert services.notifications_sweep(now=later) == 3
    assert sorted(pk for batch in enqueued for pk in batch) == ids
    assert [len(batch) for batch in enqueued] == [2, 1]


def test_notifications_deliver_sends_a_batch_once_each(person):
    other = PersonFactory()
    rows = [email_greeting(person, "k:1"), email_greeting(other, "k:2"), email_greeting(person, "k:3")]
    ids = [r.pk for r in rows]

    assert services.notifications_deliver(notification_ids=ids) == dict.fromkeys(ids, "sent")
    assert services.notifications_deliver(notification_ids=ids) == {}
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("About k:1", [person.email]),
        ("About k:2", [other.email]),
        ("About k:3", [person.email]),
    ]
    assert list(Notification.objects.order_by("pk").values_list("status", "attempts")) == [("sent", 1)] * 3


def test_notifications_deliver_skips_rows_not_due_or_taken(person):
    due, taken = email_greeting(person, "k:due"), email_greeting(person, "k:taken")
    later = email_greeting(person, "k:later", send_at=timezone.now() + timedelta(hours=1))
    Notification.objects.filter(pk=taken.pk).update(status=Status.SENDING, claimed_at=timezone.now())

    assert services.notifications_deliver(notification_ids=[due.pk, taken.pk, later.pk]) == {due.pk: "sent"}
    assert len(mail.outbox) == 1


def test_notifications_deliver_with_the_server_down_tries_once_and_retries_every_row(person, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_batches.DownBackend"
    settings.NOTIFICATION_RETRY_DELAYS = [60]
    DownBackend.tries = 0
    ids = [email_greeting(person, f"k:{i}").pk for i in range(3)]

    assert services.notifications_deliver(notification_ids=ids) == dict.fromkeys(ids, "retry")
    assert DownBackend.tries == 1  # not one connection timeout per message
    for row in Notification.objects.all():
        assert (row.status, row.attempts, row.claim_token) == ("pending", 1, None)
        assert timedelta(seconds=59) < row.send_at - timezone.now() <= timedelta(seconds=60)


def test_notifications_deliver_a_refused_address_does_not_stop_the_batch(person):
    nobody = PersonFactory(email="")
    rows = [email_greeting(person, "k:1"), email_greeting(nobody, "k:2"), email_greeting(person, "k:3")]

    outcome = services.notifications_deliver(notification_ids=[r.pk for r in rows])
    assert outcome == {rows[0].pk: "sent", rows[1].pk: "failed", rows[2].pk: "sent"}
    assert len(mail.outbox) == 2


def test_notifications_deliver_out_of_time_hands_the_rest_back(person, monkeypatch, enqueued):
    ids = [email_greeting(person, f"k:{i}").pk for i in range(3)]
    monkeypatch.setattr(delivery, "BATCH_TIME_BUDGET", -1.0)  # over budget before the first

    assert services.notifications_deliver(notification_ids=ids) == dict.fromkeys(ids, "released")
    assert enqueued == [ids]
    assert list(Notification.objects.values_list("status", "attempts", "claim_token").distinct()) == [
        ("pending", 0, None)
    ]


def test_worker_killed_mid_batch_sends_the_rest_once_and_counts_only_the_one_in_flight(
    person, settings, monkeypatch
):
    ids = [email_greeting(person, f"k:{i}").pk for i in range(4)]
    real_deliver = EmailChannel.deliver
    calls = []

    def die_on_the_second(self, notification, rendered):
        calls.append(notification.pk)
        if len(calls) == 2:
            raise WorkerKilled  # dies before the server accepted the second
        real_deliver(self, notification, rendered)

    monkeypatch.setattr(EmailChannel, "deliver", die_on_the_second)
    with pytest.raises(WorkerKilled):
        services.notifications_deliver(notification_ids=ids)
    monkeypatch.setattr(EmailChannel, "deliver", real_deliver)
    assert list(Notification.objects.order_by("pk").values_list("status", flat=True)) == [
        "sent",
        "sending",
        "sending",
        "sending",
    ]

    # Within the lease the worker might be alive: nothing is taken back.
    services.notifications_sweep(now=timezone.now())
    assert Notification.objects.filter(status=Status.SENDING).count() == 3

    later = timezone.now() + timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE + 1)
    services.notifications_sweep(now=later)  # inline delivery: re-sent right away

    rows = list(Notification.objects.order_by("pk"))
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1), ("sent", 2), ("sent", 1), ("sent", 1)]
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message_id(r) for r in rows]


def test_a_message_that_kills_workers_fails_alone(person, settings, monkeypatch, enqueued):
    settings.NOTIFICATION_RETRY_DELAYS = [60]
    poison, fine = email_greeting(person, "k:poison"), email_greeting(person, "k:fine")
    real_deliver = EmailChannel.deliver

    def poison_kills(self, notification, rendered):
        if notification.pk == poison.pk:
            raise WorkerKilled
        real_deliver(self, notification, rendered)

    monkeypatch.setattr(EmailChannel, "deliver", poison_kills)
    now = timezone.now()
    for _ in range(2):
        with pytest.raises(WorkerKilled):
            services.notifications_deliver(notification_ids=[poison.pk, fine.pk])
        now += timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE + 1)
        services.notifications_sweep(now=now)

    poison.refresh_from_db()
    fine.refresh_from_db()
    assert (poison.status, poison.attempts) == ("failed", 2)
    assert (fine.status, fine.attempts) == ("pending", 0)
    assert services.notifications_deliver(notification_ids=[fine.pk]) == {fine.pk: "sent"}


@pytest.mark.django_db(transaction=True)
def test_notification_create_a_real_commit_sends_its_rows_as_one_broker_message(enqueued):
    # Django hands the hooks over only at a real commit (not the test's capturing of them).
    person = PersonFactory()
    with transaction.atomic():
        first = email_greeting(person, "k:1")
        try:
            with transaction.atomic():
                email_greeting(person, "k:rolled-back")
                raise RuntimeError
        except RuntimeError:
            pass
        rest = [email_greeting(person, f"k:{i}") for i in range(2, 4)]
    email_greeting(person, "k:alone")  # no transaction around it: on its own

    ids = [first.pk, *(r.pk for r in rest)]
    assert enqueued[0][:1] + enqueued[0][-2:] == ids  # the rolled-back id, if kept, matches no row
    assert len(enqueued) == 2
    assert len(enqueued[1]) == 1
    assert set(Notification.objects.filter(enqueued_at__isnull=False).values_list("pk", flat=True)) == {
        *ids,
        enqueued[1][0],
    }


def test_notifications_deliver_records_when_each_row_was_sent(person):
    before = timezone.now()
    row = email_greeting(person, "k:1")
    services.notifications_deliver(notification_ids=[row.pk])
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error, row.subject, row.body) == (
        "sent",
        1,
        "",
        "About k:1",
        "",
    )
    assert before <= row.sent_at <= timezone.now()


def test_notifications_deliver_leaves_a_row_whose_claim_was_taken_back_as_the_sweep_left_it(
    person, monkeypatch
):
    first, second = (email_greeting(person, f"k:{i}") for i in range(2))
    real_deliver = EmailChannel.deliver

    def taken_back_while_sending(self, notification, rendered):
        real_deliver(self, notification, rendered)
        if notification.pk == first.pk:  # the sweep gave it back (a lease too short), another claim took it
            Notification.objects.filter(pk=first.pk).update(status=Status.SENDING, claim_token=uuid.uuid4())

    monkeypatch.setattr(EmailChannel, "deliver", taken_back_while_sending)
    services.notifications_deliver(notification_ids=[first.pk, second.pk])

    assert list(Notification.objects.order_by("pk").values_list("status", "attempts")) == [
        ("sending", 0),
        ("sent", 1),
    ]


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_notifications_deliver_reads_a_batch_in_one_select_however_large(person, channel):
    # Rows are loaded with only the fields delivery reads: one it reads but did not load would
    # show here as a query per row. (No gateway for texts: they fail, which reads the row too.)
    NotificationPreference.objects.create(person=person, channels=["email", "sms"], sms_number="+15555550100")

    def selects(n: int) -> int:
        ids = [
            services.notification_create(
                recipient=person,
                kind="greeting",
                template="tests/greeting",
                context={"name": "Ana"},
                key=f"{n}:{i}",
                channels=[channel],
            )[0].pk
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as captured:
            outcomes = services.notifications_deliver(notification_ids=ids)
        assert set(outcomes.values()) == {"sent" if channel == "email" else "failed"}
        return sum(q["sql"].startswith("SELECT") for q in captured.captured_queries)

    assert [selects(1), selects(5)] == [1, 1]
