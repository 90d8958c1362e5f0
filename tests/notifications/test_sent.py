"""Marking rows sent: committed before the next message is handed over, whatever the database."""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.core import mail
from django.db import DatabaseError, transaction

from notifications import services, tasks
from notifications.channels import EmailChannel
from notifications.models import Status
from notifications.services import sent
from tests.factories import PersonFactory
from tests.notifications import reliability
from tests.notifications.factories import email_greeting

pytestmark = pytest.mark.django_db


def test_notifications_deliver_stops_when_a_row_cannot_be_marked_sent(monkeypatch):
    person = PersonFactory()
    ids = [email_greeting(person, f"k:{i}").pk for i in range(3)]
    real_sql = sent.mark_sent_sql
    monkeypatch.setattr(
        sent, "mark_sent_sql", lambda *args: real_sql(*args).replace("claim_token =", "no_such_column =")
    )

    with pytest.raises(DatabaseError), transaction.atomic():
        services.notifications_deliver(notification_ids=ids)

    # The first was accepted, then its UPDATE failed: nothing more went to the server.
    assert [m.subject for m in mail.outbox] == ["About k:0"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_notifications_deliver_hands_a_message_over_only_once_the_one_before_is_committed_sent(
    settings, monkeypatch
):
    settings.NOTIFICATION_INLINE_DELIVERY = False  # written here, delivered by the call below
    monkeypatch.setattr(tasks, "deliver_notifications", type("Queued", (), {"send": staticmethod(list)}))
    person = PersonFactory()
    first, second = email_greeting(person, "k:1"), email_greeting(person, "k:2")
    other = psycopg.connect(reliability.test_database_url())  # another session: sees only what is committed
    released = threading.Event()
    seen: list[tuple[bool, str]] = []
    real_deliver = EmailChannel.deliver

    def release() -> None:
        other.commit()
        released.set()

    def deliver(self, notification, rendered):
        if notification.pk == first.pk:
            # Hold the first row: its UPDATE to sent, once the message went, waits for this lock.
            other.execute("SELECT 1 FROM notifications_notification WHERE id = %s FOR UPDATE", [first.pk])
            threading.Timer(0.5, release).start()
        else:
            (status,) = other.execute(
                "SELECT status FROM notifications_notification WHERE id = %s", [first.pk]
            ).fetchone()
            seen.append((released.is_set(), status))
        real_deliver(self, notification, rendered)

    monkeypatch.setattr(EmailChannel, "deliver", deliver)
    try:
        outcomes = services.notifications_deliver(notification_ids=[first.pk, second.pk])
    finally:
        released.wait(10)
        other.close()

    assert outcomes == {first.pk: "sent", second.pk: "sent"}
    assert seen == [(True, Status.SENT)]
    assert len(mail.outbox) == 2
