"""Reliability with real parts: PostgreSQL, Redis, a Dramatiq worker process, an SMTP server.

Run only in the PostgreSQL pass. Each test is bounded: every wait has a timeout and pytest-timeout
stops a stuck one (each takes 10–60 s on the shared 2-core machine).
"""

from __future__ import annotations

import logging
import os
import time
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
import redis
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from dramatiq.brokers.redis import RedisBroker
from icalendar import Calendar
from rest_framework.test import APIClient

from accounts.models import Role
from notifications import services, tasks
from notifications.channels import message_id
from notifications.models import Channel, Notification, PeriodicJobRun, Status
from notifications.scheduler import run_due_jobs
from scheduling import notify
from scheduling.models import Shift
from scheduling.services import signup_cancel, signup_claim
from tests.factories import PersonFactory, RosterFactory, RosterMembershipFactory, ShiftFactory
from tests.notifications.reliability import RedisServer, SmtpServer, WorkerProcess, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]


@pytest.fixture
def redis_url() -> str:
    url = os.environ["VILLAGE_TEST_REDIS_URL"]  # set by `make test-postgres`; missing = a failure
    redis.Redis.from_url(url).flushdb()  # our own db number only
    return url


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.handler.release.set()
    server.stop()


@pytest.fixture
def use_broker(settings, monkeypatch):
    """Point the producer (this test process) at a Redis broker, as production does."""
    settings.NOTIFICATION_INLINE_DELIVERY = False
    brokers: list[RedisBroker] = []

    def _use(url: str) -> RedisBroker:
        broker = RedisBroker(url=url)
        broker.declare_queue(tasks.deliver_notification.queue_name)
        monkeypatch.setattr(tasks.deliver_notification, "broker", broker)
        monkeypatch.setattr(tasks.deliver_notifications, "broker", broker)
        brokers.append(broker)
        return broker

    yield _use
    for broker in brokers:
        broker.close()


@pytest.fixture
def workers(tmp_path):
    started: list[WorkerProcess] = []

    def _start(**kwargs) -> WorkerProcess:
        worker = WorkerProcess(log=tmp_path / f"worker{len(started)}.log", **kwargs)
        worker.start()
        started.append(worker)
        return worker

    yield _start
    for worker in started:
        worker.kill()


def make(person, n: int, *, prefix: str = "rel") -> list[Notification]:
    rows = []
    for i in range(n):
        rows += services.notification_create(
            recipient=person,
            kind="test",
            template="",  # subject/body in the context: the worker has no test templates
            context={"subject": f"Message {i}", "body": "Hello"},
            key=f"{prefix}:{i}",
            channels=["email"],
        )
    return rows


def expected_ids(rows: list[Notification]) -> set[str]:
    return {message_id(row) for row in rows}


def all_sent(n: int) -> bool:
    return Notification.objects.filter(status=Status.SENT).count() == n


def test_redis_down_while_creating_only_delays_delivery(
    tmp_path, smtp, use_broker, workers, caplog, django_db_blocker
):
    own_redis = RedisServer(tmp_path)
    own_redis.start()
    try:
        use_broker(own_redis.url)
        workers(redis_url=own_redis.url, smtp_port=smtp.port)
        person = PersonFactory()
        own_redis.stop()

        with caplog.at_level(logging.WARNING, logger="notifications.services"):
            rows = make(person, 5)

        # The change and its outbox rows are safe in the database; enqueueing failed and was logged.
        assert Notification.objects.filter(status=Status.PENDING, enqueued_at__isnull=True).count() == 5
        assert sum("the sweep will retry" in r.getMessage() for r in caplog.records) == 5
        # With Redis still down the sweep enqueues nothing and says so without raising.
        assert services.notifications_sweep(now=timezone.now()) == 0

        own_redis.start()  # same port: Redis is back (empty: the lost messages are gone)
        assert services.notifications_sweep(now=timezone.now()) == 5
        wait_for(lambda: all_sent(5), timeout=40, what="5 mails after Redis returned")
        wait_for(lambda: len(smtp.handler.message_ids) >= 5, timeout=5)
        assert smtp.handler.counts() == dict.fromkeys(expected_ids(rows), 1)
    finally:
        own_redis.stop()


def test_smtp_down_retries_with_backoff_and_delivers_once(redis_url, use_broker, workers):
    smtp = SmtpServer()  # port chosen, server not started: connection refused
    use_broker(redis_url)
    workers(
        redis_url=redis_url,
        smtp_port=smtp.port,
        extra_env={"NOTIFICATION_RETRY_DELAYS": "1,1,1,1,1,1,1,1,1,1"},
    )
    person = PersonFactory()
    rows = make(person, 3)
    try:

        def retried_twice() -> bool:
            services.notifications_sweep(now=timezone.now())
            return Notification.objects.filter(status=Status.PENDING, attempts__gte=2).count() == 3

        wait_for(retried_twice, timeout=40, interval=0.3, what="two failed attempts each")
        row = Notification.objects.get(pk=rows[0].pk)
        assert "Connection refused" in row.last_error or "Errno 111" in row.last_error
        assert row.send_at > row.created_at  # backed off, not retried in a tight loop

        smtp.start()

        def delivered() -> bool:
            services.notifications_sweep(now=timezone.now())
            return all_sent(3)

        wait_for(delivered, timeout=30, interval=0.3, what="delivery once SMTP is back")
        assert smtp.handler.counts() == dict.fromkeys(expected_ids(rows), 1)
        assert all(r.attempts >= 3 and r.last_error == "" for r in Notification.objects.all())
    finally:
        smtp.handler.release.set()
        smtp.stop()


def test_worker_killed_mid_batch_every_message_delivered_exactly_once(redis_url, smtp, use_broker, workers):
    use_broker(redis_url)
    person = PersonFactory()
    with transaction.atomic():  # one commit: the batch is enqueued as it commits
        rows = make(person, 1000)
    first = workers(redis_url=redis_url, smtp_port=smtp.port)
    wait_for(lambda: len(smtp.handler.message_ids) >= 200, timeout=60, interval=0.05, what="200 delivered")

    # Kill while every worker thread is inside an SMTP transaction whose message the server has
    # not yet accepted (the documented duplicate window — accepted but not yet marked sent —
    # is a few milliseconds and would make this test a coin toss; see notification_deliver).
    smtp.handler.hold.set()
    wait_for(lambda: smtp.handler.held >= 4, timeout=10, interval=0.01, what="4 threads mid-send")
    first.kill()
    smtp.handler.release.set()
    smtp.handler.hold.clear()

    sent_before = Notification.objects.filter(status=Status.SENT).count()
    stuck = Notification.objects.filter(status=Status.SENDING)
    assert 200 <= sent_before < 1000
    # The rows were enqueued in batches: each of the 4 threads died inside a batch, holding the
    # message in flight and the batch's rows it had not reached yet.
    assert stuck.values("claim_token").distinct().count() == 4
    assert stuck.count() > 4

    # No worker is alive: a sweep dated past the lease recovers the dead worker's claims and
    # re-enqueues everything due (also what is still queued; the claim drops the extra copies).
    later = timezone.now() + timedelta(hours=1)
    assert services.notifications_sweep(now=later) == 1000 - sent_before
    # Only the 4 messages in flight count an attempt; the rows never reached do not.
    recovered = Notification.objects.filter(status=Status.PENDING, attempts__gt=0)
    assert list(recovered.values_list("attempts", "last_error").distinct()) == [
        (1, "The worker stopped while sending; trying again.")
    ]
    assert recovered.count() == 4
    workers(redis_url=redis_url, smtp_port=smtp.port)

    wait_for(lambda: all_sent(1000), timeout=90, interval=0.2, what="all 1000 sent")
    wait_for(lambda: len(smtp.handler.message_ids) >= 1000, timeout=5)
    counts = smtp.handler.counts()
    assert len(counts) == 1000
    assert [mid for mid, n in counts.items() if n > 1] == []
    assert set(counts) == expected_ids(rows)


def test_notification_created_twice_with_same_key_is_mailed_once(redis_url, smtp, use_broker, workers):
    use_broker(redis_url)
    workers(redis_url=redis_url, smtp_port=smtp.port)
    person = PersonFactory()
    first = make(person, 1, prefix="same")
    second = make(person, 1, prefix="same")
    assert [r.pk for r in first] == [r.pk for r in second]

    wait_for(lambda: all_sent(1), timeout=40, what="the mail")
    # A sweep and a duplicate broker message later, still one mail.
    tasks.deliver_notification.send(first[0].pk)
    services.notifications_sweep(now=timezone.now() + timedelta(hours=1))
    wait_for(lambda: len(smtp.handler.message_ids) >= 1, timeout=5)
    time.sleep(1.5)  # give a duplicate the chance to arrive
    assert smtp.handler.counts() == {message_id(first[0]): 1}


# --- whole paths: the API, the scheduler and the schedule's own messages -------------------------


def email_row(**filters) -> Notification:
    return Notification.objects.get(channel=Channel.EMAIL, **filters)


def delivered(smtp: SmtpServer, *rows: Notification) -> bool:
    counts = smtp.handler.counts()
    return all(counts[message_id(row)] >= 1 for row in rows)


def test_redis_down_while_a_volunteer_claims_through_the_api_confirmation_arrives_once(
    tmp_path, smtp, use_broker, workers, caplog
):
    own_redis = RedisServer(tmp_path)
    own_redis.start()
    try:
        use_broker(own_redis.url)
        workers(redis_url=own_redis.url, smtp_port=smtp.port)
        roster = RosterFactory(name="Helpline")
        volunteer = RosterMembershipFactory(roster=roster, role=Role.VOLUNTEER, person__name="Vera").person
        starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)  # .ics has whole seconds
        shift = ShiftFactory(roster=roster, title="Evening line", starts_at=starts)
        client = APIClient()
        client.force_authenticate(volunteer)
        own_redis.stop()

        with caplog.at_level(logging.WARNING, logger="notifications.services"):
            response = client.post(f"/api/v1/shifts/{shift.pk}/signups/", {}, format="json")

        assert response.status_code == 201
        confirmation = email_row(kind="signup_confirmed", recipient=volunteer)
        assert (confirmation.status, confirmation.enqueued_at) == (Status.PENDING, None)
        assert any("the sweep will retry" in r.getMessage() for r in caplog.records)

        own_redis.start()  # back, and empty: the message the claim tried to send is gone
        assert services.notifications_sweep(now=timezone.now()) == 1
        wait_for(lambda: delivered(smtp, confirmation), timeout=30, what="the confirmation")
        # Later sweeps and a second copy of the message change nothing.
        services.notifications_sweep(now=timezone.now() + timedelta(hours=1))
        tasks.deliver_notifications.send([confirmation.pk])
        time.sleep(1.0)

        [message] = smtp.handler.received(message_id(confirmation))
        assert message["To"] == volunteer.email
        parts = {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}
        assert sorted(parts) == ["text/calendar", "text/html", "text/plain"]
        assert parts["text/calendar"].get_filename().endswith(".ics")
        calendar = Calendar.from_ical(parts["text/calendar"].get_payload(decode=True))
        [event] = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]).startswith("Evening line")
        assert event.decoded("DTSTART") == starts
        assert email_row(kind="signup_confirmed", recipient=volunteer).status == Status.SENT
    finally:
        own_redis.stop()


def next_dst_change(zone: ZoneInfo, *, after: date) -> date:
    """The first day from ``after`` on whose noon the zone's UTC offset differs from the day before."""
    day = after
    for _ in range(400):
        noon = datetime.combine(day, dt_time(12), tzinfo=zone)
        if noon.utcoffset() != (noon - timedelta(days=1)).utcoffset():
            return day
        day += timedelta(days=1)
    raise AssertionError(f"No DST change in {zone} within 400 days")


def test_reminders_across_a_dst_change_arrive_at_the_local_time_and_never_for_a_cancelled_place(
    redis_url, smtp, use_broker, workers
):
    use_broker(redis_url)
    workers(redis_url=redis_url, smtp_port=smtp.port)
    new_york = ZoneInfo("America/New_York")
    day = next_dst_change(new_york, after=timezone.now().astimezone(new_york).date() + timedelta(days=2))
    starts = datetime.combine(day, dt_time(9), tzinfo=new_york)  # 09:00 on the day the clocks change
    roster = RosterFactory(time_zone="America/New_York", name="Helpline")
    kay = RosterMembershipFactory(roster=roster, role=Role.VOLUNTEER, person__name="Kay").person
    cam = RosterMembershipFactory(roster=roster, role=Role.VOLUNTEER, person__name="Cam").person
    shift = ShiftFactory(
        roster=roster, title="Morning line", starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    kept = signup_claim(shift=shift, person=kay).signup
    given_up = signup_claim(shift=shift, person=cam).signup
    signup_cancel(signup=given_up, actor=cam)

    day_ahead = email_row(key=f"{notify.reminder_prefix(kept)}1440:0")
    two_hours = email_row(key=f"{notify.reminder_prefix(kept)}120:0")
    # 09:00 the day before, by the wall clock: 23 or 25 hours earlier, not 24.
    assert day_ahead.send_at == datetime.combine(day - timedelta(days=1), dt_time(9), tzinfo=new_york)
    assert starts - day_ahead.send_at in (timedelta(hours=23), timedelta(hours=25))
    assert two_hours.send_at == starts - timedelta(hours=2)
    cancelled = Notification.objects.filter(key__startswith=notify.reminder_prefix(given_up))
    assert set(cancelled.values_list("status", flat=True)) == {Status.CANCELLED}
    reminders = Notification.objects.filter(kind="reminder")

    # The clock reaches the day-ahead reminder's time (every reminder's time moves alike).
    reminders.update(send_at=F("send_at") - (day_ahead.send_at - timezone.now()))
    services.notifications_sweep(now=timezone.now())
    wait_for(lambda: delivered(smtp, day_ahead), timeout=30, what="the day-ahead reminder")
    assert email_row(pk=two_hours.pk).status == Status.PENDING  # still 21 or 23 hours away

    # ... and then the two-hour one's.
    two_hours.refresh_from_db()
    reminders.update(send_at=F("send_at") - (two_hours.send_at - timezone.now()))
    services.notifications_sweep(now=timezone.now())
    wait_for(lambda: delivered(smtp, two_hours), timeout=30, what="the two-hour reminder")
    # Later sweeps and second copies of the messages change nothing.
    services.notifications_sweep(now=timezone.now())
    tasks.deliver_notifications.send([day_ahead.pk, two_hours.pk])
    time.sleep(1.0)

    [message] = smtp.handler.received(message_id(day_ahead))
    assert message["To"] == kay.email
    assert message["Subject"].endswith(", 09:00")
    assert len(smtp.handler.received(message_id(two_hours))) == 1
    never = [message_id(row) for row in cancelled.filter(channel=Channel.EMAIL)]
    assert len(never) == 2
    assert [mid for mid in never if mid in smtp.handler.counts()] == []
    assert set(cancelled.values_list("status", flat=True)) == {Status.CANCELLED}


def tick(minutes: int = 6) -> list[str]:
    """One scheduler tick, ``minutes`` after the last: the jobs' last runs move back instead.

    Time moves by moving stored times, never by a ``now`` in the future: a sweep dated ahead
    would take the live worker's rows in flight for a dead worker's and send them again.
    """
    PeriodicJobRun.objects.update(last_run_at=F("last_run_at") - timedelta(minutes=minutes))
    return run_due_jobs()


def test_gap_alert_through_the_scheduler_arrives_once_per_shift_per_threshold(
    redis_url, smtp, use_broker, workers
):
    use_broker(redis_url)
    workers(redis_url=redis_url, smtp_port=smtp.port)
    roster = RosterFactory(name="Helpline")
    coordinator = RosterMembershipFactory(roster=roster, role=Role.COORDINATOR).person
    free = RosterMembershipFactory(roster=roster, role=Role.VOLUNTEER).person
    shift = ShiftFactory(roster=roster, starts_at=timezone.now() + timedelta(hours=30), capacity=2)
    shifts = Shift.objects.filter(pk=shift.pk)

    def alerts() -> list[Notification]:
        return list(Notification.objects.filter(kind="gap_alert", channel=Channel.EMAIL).order_by("key"))

    # Ticks every 6 minutes while the shift is 30 hours off (the 48-hour alert), then, 7 hours
    # on, 23 hours off (the 24-hour one); each tick also runs the sweep.
    assert "scheduling.gap_alerts" in run_due_jobs()
    for _ in range(2):
        assert "scheduling.gap_alerts" in tick()
    first = alerts()
    assert [row.key for row in first] == sorted(f"gap:{shift.pk}:48:{p.pk}" for p in (coordinator, free))
    wait_for(lambda: delivered(smtp, *first), timeout=30, what="the 48-hour alerts")
    shifts.update(starts_at=F("starts_at") - timedelta(hours=7), ends_at=F("ends_at") - timedelta(hours=7))
    for _ in range(3):
        assert "scheduling.gap_alerts" in tick()
    every = alerts()
    assert len(every) == 4
    wait_for(lambda: delivered(smtp, *every), timeout=30, what="the 24-hour alerts")
    for _ in range(2):
        tick()
    time.sleep(1.0)

    counts = smtp.handler.counts()
    assert {row.key: counts[message_id(row)] for row in every} == {
        f"gap:{shift.pk}:{hours}:{p.pk}": 1 for hours in (48, 24) for p in (coordinator, free)
    }
    assert len(alerts()) == 4
