from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.channels import NoSmsGateway, message_id, set_sms_gateway, unsubscribe_url
from notifications.models import Channel, Notification, NotificationPreference, Status
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CONTEXT = {"name": "Ana", "when": "9:00"}


def create(person, key="k:1", **kwargs):
    return services.notification_create(
        recipient=person, kind="greeting", template="tests/greeting", context=CONTEXT, key=key, **kwargs
    )


def test_notification_create_sends_email_and_shows_in_app(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = create(person)

    assert [(r.channel, r.status) for r in Notification.objects.order_by("channel")] == [
        ("email", "sent"),
        ("in_app", "sent"),
    ]
    assert [r.channel for r in rows] == ["email", "in_app"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [person.email]
    assert message.subject == "Hello Ana & welcome"
    assert message.body == "Hi Ana & friends,\nyour shift starts at 9:00.\n"
    assert message.alternatives[0][1] == "text/html"
    # The template's own body.html, inside the shared layout (tests/notifications/test_rendering.py).
    assert "<p>Hi Ana &amp; friends</p>" in message.alternatives[0][0]
    email_row = Notification.objects.get(channel=Channel.EMAIL)
    assert message.extra_headers["Message-ID"] == message_id(email_row)
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<{unsubscribe_url(person_id=person.pk, kind='greeting')}>"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    inbox = Notification.objects.get(channel=Channel.IN_APP)
    assert (inbox.subject, inbox.attempts) == ("Hello Ana & welcome", 0)


def test_notification_create_twice_with_same_key_sends_once(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = create(person)
    with django_capture_on_commit_callbacks(execute=True):
        second = create(person)

    assert [r.pk for r in first] == [r.pk for r in second]
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1


def test_notification_create_enqueues_only_after_commit(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create(person)
    assert len(callbacks) == 1
    assert len(mail.outbox) == 0
    assert Notification.objects.get(channel=Channel.EMAIL).status == Status.PENDING


def test_notification_create_renders_in_recipients_language(django_capture_on_commit_callbacks):
    person = PersonFactory(language="es")
    with django_capture_on_commit_callbacks(execute=True):
        create(person)
    assert mail.outbox[0].subject == "Hola Ana y bienvenida"
    assert mail.outbox[0].body == "Hola Ana,\ntu turno empieza a las 9:00.\n"
    # No Spanish body.html: the HTML part is the Spanish text in the layout, never the English HTML.
    assert "Hola Ana," in mail.outbox[0].alternatives[0][0]
    assert "Hi Ana" not in mail.outbox[0].alternatives[0][0]
    assert Notification.objects.get(channel=Channel.IN_APP).subject == "Hola Ana y bienvenida"


def test_notification_create_carries_attachments(person, django_capture_on_commit_callbacks):
    ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        create(
            person,
            channels=["email"],
            attachments=[{"filename": "shift.ics", "content_type": "text/calendar", "content": ics}],
        )
    assert mail.outbox[0].attachments == [("shift.ics", ics, "text/calendar")]


def test_notification_create_suppresses_channels_and_kinds_turned_off(
    person, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(person=person, channels=["in_app"], disabled_kinds=[])
    other = PersonFactory()
    NotificationPreference.objects.create(person=other, disabled_kinds=["greeting"])
    with django_capture_on_commit_callbacks(execute=True):
        create(person, key="a")
        create(other, key="b")

    assert len(mail.outbox) == 0
    assert sorted(Notification.objects.values_list("key", "channel", "status")) == [
        ("a", "email", "suppressed"),
        ("a", "in_app", "sent"),
        ("b", "email", "suppressed"),
        ("b", "in_app", "sent"),
    ]


def test_notification_create_later_waits_for_the_sweep(person, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        create(person, send_at=now + timedelta(hours=2))
    assert (len(callbacks), len(mail.outbox)) == (0, 0)

    assert services.notifications_sweep(now=now + timedelta(hours=1)) == 0
    assert Notification.objects.filter(status=Status.SENT).count() == 0

    # Deliberately past the real clock's "now": the actor checks send_at against real time.
    Notification.objects.update(send_at=now - timedelta(seconds=1))
    assert services.notifications_sweep(now=now) == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(status=Status.SENT).count() == 2


def test_notification_cancel_stops_pending_reminders(person, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(days=1)
    create(person, key="reminder:signup:7:1440", send_at=later)
    create(person, key="reminder:signup:7:120", send_at=later)
    create(person, key="reminder:signup:8:120", send_at=later)

    assert services.notification_cancel(key_prefix="reminder:signup:7:") == 4
    Notification.objects.update(send_at=timezone.now() - timedelta(seconds=1))
    services.notifications_sweep(now=timezone.now())

    assert len(mail.outbox) == 1
    assert sorted(Notification.objects.values_list("key", "channel", "status")) == [
        ("reminder:signup:7:120", "email", "cancelled"),
        ("reminder:signup:7:120", "in_app", "cancelled"),
        ("reminder:signup:7:1440", "email", "cancelled"),
        ("reminder:signup:7:1440", "in_app", "cancelled"),
        ("reminder:signup:8:120", "email", "sent"),
        ("reminder:signup:8:120", "in_app", "sent"),
    ]


class RefusingBackend:
    """A mail server that is down (connection refused) until told otherwise."""

    down = True
    sent: list = []

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        if RefusingBackend.down:
            raise ConnectionRefusedError(111, "Connection refused")
        RefusingBackend.sent.extend(messages)
        return len(messages)


def test_notification_deliver_retries_temporary_failures_with_backoff(person, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.RefusingBackend"
    settings.NOTIFICATION_RETRY_DELAYS = [60, 300]
    RefusingBackend.down, RefusingBackend.sent = True, []
    (row,) = create(person, channels=["email"])
    Notification.objects.filter(pk=row.pk).update(send_at=timezone.now() - timedelta(seconds=1))

    assert services.notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection refused" in row.last_error
    assert timedelta(seconds=59) < row.send_at - timezone.now() <= timedelta(seconds=60)
    # Not due yet: a second run does nothing.
    assert services.notification_deliver(notification_id=row.pk) == "skipped"

    Notification.objects.filter(pk=row.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    assert services.notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 2)
    assert timedelta(seconds=299) < row.send_at - timezone.now() <= timedelta(seconds=300)

    RefusingBackend.down = False
    Notification.objects.filter(pk=row.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    assert services.notification_deliver(notification_id=row.pk) == "sent"
    assert services.notification_deliver(notification_id=row.pk) == "skipped"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error, len(RefusingBackend.sent)) == ("sent", 3, "", 1)


def test_notification_deliver_gives_up_after_bounded_attempts(person, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.RefusingBackend"
    settings.NOTIFICATION_RETRY_DELAYS = [60]
    RefusingBackend.down = True
    (row,) = create(person, channels=["email"])
    for expected in ["retry", "failed"]:
        Notification.objects.filter(pk=row.pk).update(send_at=timezone.now() - timedelta(seconds=1))
        assert services.notification_deliver(notification_id=row.pk) == expected
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)
    assert row.last_error.startswith("Gave up after 2 attempts:")
    # What the coordinators' list of failures shows: when, and what the message was.
    assert row.failed_at is not None and row.failed_at >= row.created_at
    assert row.subject == "Hello Ana & welcome"


class RefusingRecipientBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})


def test_notification_deliver_marks_refused_address_failed_at_once(person, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.RefusingRecipientBackend"
    (row,) = create(person, channels=["email"])
    Notification.objects.filter(pk=row.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    assert services.notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "No such user" in row.last_error
    assert row.failed_at is not None
    assert row.subject == "Hello Ana & welcome"


def test_notifications_sweep_recovers_rows_of_a_dead_worker(person, settings):
    (row,) = create(person, channels=["email"])
    claimed_at = timezone.now() - timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE + 1)
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENDING, claimed_at=claimed_at, send_at=claimed_at, attempts=0
    )
    fresh = create(person, key="fresh", channels=["email"])[0]
    Notification.objects.filter(pk=fresh.pk).update(status=Status.SENDING, claimed_at=timezone.now())

    assert services.notifications_sweep(now=timezone.now()) == 1

    row.refresh_from_db()
    fresh.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert fresh.status == "sending"  # its worker may still be sending it
    assert len(mail.outbox) == 1


def test_notifications_sweep_re_enqueues_only_long_lost_messages(person, settings):
    settings.NOTIFICATION_INLINE_DELIVERY = False
    enqueued = []
    from notifications import tasks

    class FakeActor:
        @staticmethod
        def send(ids):
            enqueued.extend(ids)

    original = tasks.deliver_notifications
    tasks.deliver_notifications = FakeActor  # type: ignore[assignment]
    try:
        (row,) = create(person, channels=["email"], send_at=timezone.now() - timedelta(minutes=1))
        now = timezone.now()
        assert services.notifications_sweep(now=now) == 1
        assert services.notifications_sweep(now=now + timedelta(seconds=30)) == 0
        later = now + timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER + 1)
        assert services.notifications_sweep(now=later) == 1
    finally:
        tasks.deliver_notifications = original
    assert enqueued == [row.pk, row.pk]


def test_notification_deliver_twice_sends_once(person):
    (row,) = create(person, channels=["email"])  # commit hooks do not run: pending and due
    assert services.notification_deliver(notification_id=row.pk) == "sent"
    assert services.notification_deliver(notification_id=row.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_sms_channel_uses_the_gateway(person, request, django_capture_on_commit_callbacks):
    sent = []

    class FakeGateway:
        def send(self, *, to, body, key):
            sent.append((to, body, key))

    set_sms_gateway(FakeGateway())
    request.addfinalizer(lambda: set_sms_gateway(NoSmsGateway()))
    NotificationPreference.objects.create(person=person, channels=["sms"], sms_number="+1 555 0100")
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = create(person, channels=["sms"])
    row.refresh_from_db()
    assert row.status == "sent"
    assert sent == [("+1 555 0100", "Hello Ana & welcome", message_id(row))]


def test_sms_channel_without_a_number_fails(person, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(person=person, channels=["sms"])
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = create(person, channels=["sms"])
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("failed", "The recipient has no number for text messages.")


def test_account_email_goes_through_the_outbox(django_capture_on_commit_callbacks):
    from accounts.mail import account_email_send

    with django_capture_on_commit_callbacks(execute=True):
        account_email_send(
            to="new@example.org",
            kind="invitation",
            subject="Join us",
            body="Click",
            key="inv:1",
            language="es",
        )
        account_email_send(
            to="new@example.org",
            kind="invitation",
            subject="Join us",
            body="Click",
            key="inv:1",
            language="es",
        )
    row = Notification.objects.get()
    assert (row.to_email, row.recipient, row.status, row.key) == (
        "new@example.org",
        None,
        "sent",
        "account:inv:1",
    )
    assert len(mail.outbox) == 1
    assert (mail.outbox[0].subject, mail.outbox[0].body, mail.outbox[0].to) == (
        "Join us",
        "Click",
        ["new@example.org"],
    )
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it in the worker runs, not even `except Exception`."""


def test_crash_after_the_server_accepted_resends_with_the_same_message_id(person, settings, monkeypatch):
    # The one duplicate window left (documented in notification_deliver): the mail server
    # accepted the message and the worker died before the UPDATE to "sent".
    from notifications.channels import EmailChannel

    real_deliver = EmailChannel.deliver

    def deliver_then_die(self, notification, rendered):
        real_deliver(self, notification, rendered)
        raise WorkerKilled

    (row,) = create(person, channels=["email"])
    monkeypatch.setattr(EmailChannel, "deliver", deliver_then_die)
    with pytest.raises(WorkerKilled):
        services.notification_deliver(notification_id=row.pk)
    monkeypatch.setattr(EmailChannel, "deliver", real_deliver)
    row.refresh_from_db()
    assert row.status == "sending"

    later = timezone.now() + timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE + 1)
    Notification.objects.filter(pk=row.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    services.notifications_sweep(now=later)

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    # Sent twice, but as the same message: a receiver that dedupes by Message-ID shows it once.
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message_id(row), message_id(row)]


def test_notifications_sweep_fails_a_row_that_keeps_killing_workers_with_its_time(person, settings):
    settings.NOTIFICATION_RETRY_DELAYS = [60]
    (row,) = create(person, channels=["email"])
    now = timezone.now()
    claimed_at = now - timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE + 1)
    Notification.objects.filter(pk=row.pk).update(status=Status.SENDING, claimed_at=claimed_at, attempts=1)

    services.notifications_sweep(now=now)

    row.refresh_from_db()
    assert (row.status, row.attempts, row.failed_at) == ("failed", 2, now)
    assert row.last_error == "The worker stopped while sending, too often."


def test_notification_create_already_expired_is_cancelled_unsent(person, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        rows = create(person, send_at=now, expires_at=now - timedelta(minutes=1))

    assert len(mail.outbox) == 0
    assert sorted((r.channel, r.status, r.last_error) for r in Notification.objects.all()) == [
        ("email", "cancelled", services.EXPIRED),
        ("in_app", "cancelled", services.EXPIRED),
    ]
    assert [r.status for r in rows] == ["cancelled", "cancelled"]


def test_notification_deliver_never_sends_a_row_past_its_expiry(person):
    now = timezone.now()
    (row,) = create(
        person, channels=["email"], send_at=now + timedelta(hours=1), expires_at=now + timedelta(hours=2)
    )
    # Downtime: by the time anyone looks at it, the moment it was for has passed.
    Notification.objects.filter(pk=row.pk).update(
        send_at=now - timedelta(hours=3), expires_at=now - timedelta(minutes=1)
    )

    assert services.notification_deliver(notification_id=row.pk) == "skipped"

    row.refresh_from_db()
    assert (row.status, row.last_error, row.attempts) == ("cancelled", services.EXPIRED, 0)
    assert len(mail.outbox) == 0


def test_notifications_sweep_cancels_expired_rows_on_every_channel_and_sends_the_rest(person):
    now = timezone.now()
    late = create(person, key="late", send_at=now + timedelta(minutes=5), expires_at=now + timedelta(hours=1))
    on_time = create(
        person, key="on-time", send_at=now + timedelta(minutes=5), expires_at=now + timedelta(hours=1)
    )
    # After an outage both are long due, and the moment the first was for has passed.
    Notification.objects.update(send_at=now - timedelta(minutes=20))
    Notification.objects.filter(key="late").update(expires_at=now - timedelta(minutes=1))

    assert services.notifications_sweep(now=timezone.now()) == 1

    status = dict(Notification.objects.values_list("pk", "status"))
    assert [status[r.pk] for r in late] == ["cancelled", "cancelled"]
    assert [status[r.pk] for r in on_time] == ["sent", "sent"]
    assert len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_notification_create_racing_the_same_key_keeps_the_first_rows():
    import threading
    import time

    from django.db import connection, transaction

    person = PersonFactory()
    both_read = threading.Barrier(2)
    found: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                found["first"] = [r.pk for r in create(person, key="race:1")]
                both_read.wait()
                time.sleep(0.3)  # the second has read nothing yet and now waits on our unique key
        except BaseException as exc:  # the test checks what happened
            errors.append(exc)
        finally:
            connection.close()

    def second() -> None:
        try:
            both_read.wait()
            found["second"] = [r.pk for r in create(person, key="race:1")]
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert found["second"] == found["first"]
    assert Notification.objects.filter(key="race:1").count() == 2
