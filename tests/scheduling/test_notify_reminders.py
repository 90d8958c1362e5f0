"""Reminders follow the holder: new lead times, quiet hours or time zone move the pending ones;
one that could only go out after its shift started is never sent."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification, Status
from notifications.services import EXPIRED, notifications_sweep, preferences_update
from scheduling import notify
from scheduling.models import Signup
from scheduling.services import shift_update, signup_cancel, signup_claim
from tests.factories import PersonFactory, ShiftFactory

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _delivery(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_INLINE_DELIVERY = True


def reminders(signup: Signup, *, status: str | None = None) -> list[tuple[str, str, datetime]]:
    """(key, status, send_at) of the place's e-mail reminders, by key (the in-app row mirrors each)."""
    rows = Notification.objects.filter(key__startswith=notify.reminder_prefix(signup), channel="email")
    if status is not None:
        rows = rows.filter(status=status)
    return sorted(rows.values_list("key", "status", "send_at"))


def pending(signup: Signup) -> list[tuple[str, datetime]]:
    return [(key, send_at) for key, _, send_at in reminders(signup, status=Status.PENDING)]


@pytest.fixture
def held(shift, volunteer) -> Signup:
    return signup_claim(shift=shift, person=volunteer).signup


def test_new_lead_times_cancel_the_old_reminders_and_schedule_new_ones(login, held, volunteer):
    starts = held.shift.starts_at
    base = notify.reminder_prefix(held)
    assert pending(held) == [
        (f"{base}120:0", starts - timedelta(hours=2)),
        (f"{base}1440:0", starts - timedelta(days=1)),
    ]

    response = login(volunteer).patch(
        "/api/v1/me/notification-preferences/", {"reminder_lead_minutes": [60]}, format="json"
    )

    assert response.status_code == 200
    assert reminders(held) == [
        (f"{base}120:0", "cancelled", starts - timedelta(hours=2)),
        (f"{base}1440:0", "cancelled", starts - timedelta(days=1)),
        (f"{base}60:0", "pending", starts - timedelta(hours=1)),
    ]
    # Both channels move together, and the new one expires when the shift starts.
    new = Notification.objects.filter(key=f"{base}60:0")
    assert sorted(new.values_list("channel", "status", "expires_at")) == [
        ("email", "pending", starts),
        ("in_app", "pending", starts),
    ]


def test_going_back_to_an_earlier_setting_reminds_again_under_fresh_keys(held, volunteer):
    starts = held.shift.starts_at
    base = notify.reminder_prefix(held)

    preferences_update(person=volunteer, reminder_lead_minutes=[60])
    preferences_update(person=volunteer, reminder_lead_minutes=[1440, 120])

    assert pending(held) == [
        (f"{base}120:0:2", starts - timedelta(hours=2)),
        (f"{base}1440:0:2", starts - timedelta(days=1)),
    ]
    preferences_update(person=volunteer, reminder_lead_minutes=[60])
    preferences_update(person=volunteer, reminder_lead_minutes=[120])
    assert pending(held) == [(f"{base}120:0:3", starts - timedelta(hours=2))]
    assert Notification.objects.filter(kind="reminder", status="pending").count() == 2  # e-mail + in-app


def test_a_change_that_leaves_a_reminder_where_it_was_keeps_that_row(held, volunteer):
    base = notify.reminder_prefix(held)
    before = Notification.objects.get(key=f"{base}1440:0", channel="email")

    preferences_update(person=volunteer, reminder_lead_minutes=[1440, 30])

    assert [key for key, _ in pending(held)] == [f"{base}1440:0", f"{base}30:0"]
    assert Notification.objects.get(key=f"{base}1440:0", channel="email").pk == before.pk


def test_quiet_hours_move_a_pending_reminder_out_of_them(login, roster, volunteer):
    # 07:00 in New York: the day-ahead reminder (07:00 the day before) falls in 22:00–08:00.
    day = (timezone.now() + timedelta(days=4)).astimezone(NEW_YORK).date()
    starts = datetime.combine(day, time(7), tzinfo=NEW_YORK)
    shift = ShiftFactory(roster=roster, starts_at=starts, ends_at=starts + timedelta(hours=2))
    signup = signup_claim(shift=shift, person=volunteer).signup
    preferences_update(person=volunteer, reminder_lead_minutes=[1440])
    base = notify.reminder_prefix(signup)
    assert pending(signup) == [(f"{base}1440:0", starts - timedelta(days=1))]

    response = login(volunteer).patch(
        "/api/v1/me/notification-preferences/",
        {"quiet_hours_start": "22:00", "quiet_hours_end": "08:00"},
        format="json",
    )

    assert response.status_code == 200
    evening_before = datetime.combine(day - timedelta(days=2), time(21, 45), tzinfo=NEW_YORK)
    assert pending(signup) == [(f"{base}1440:0:2", evening_before)]


def test_a_new_time_zone_moves_reminders_kept_out_of_quiet_hours(login, roster):
    person = PersonFactory(time_zone="America/New_York")
    roster.memberships.create(person=person, role="volunteer", status="active")
    preferences_update(
        person=person, reminder_lead_minutes=[120], quiet_hours_start=time(22), quiet_hours_end=time(7)
    )
    # 12:00 UTC: the 2-hour reminder (10:00 UTC) is 05:00 in New York and 02:00 in Los Angeles,
    # quiet in both: it moves to 21:45 the evening before, in whichever zone the person lives.
    day = (timezone.now() + timedelta(days=4)).date()
    starts = datetime.combine(day, time(12), tzinfo=UTC)
    shift = ShiftFactory(roster=roster, starts_at=starts, ends_at=starts + timedelta(hours=1))
    signup = signup_claim(shift=shift, person=person).signup
    base = notify.reminder_prefix(signup)
    in_new_york = datetime.combine(
        starts.astimezone(NEW_YORK).date() - timedelta(days=1), time(21, 45), tzinfo=NEW_YORK
    )
    assert pending(signup) == [(f"{base}120:0", in_new_york)]

    response = login(person).patch("/api/v1/me/", {"time_zone": "America/Los_Angeles"}, format="json")

    assert response.status_code == 200
    los_angeles = ZoneInfo("America/Los_Angeles")
    in_los_angeles = datetime.combine(
        starts.astimezone(los_angeles).date() - timedelta(days=1), time(21, 45), tzinfo=los_angeles
    )
    assert pending(signup) == [(f"{base}120:0:2", in_los_angeles)]
    assert in_los_angeles - in_new_york == timedelta(hours=3)


def test_changes_that_do_not_touch_the_time_leave_reminders_alone(login, held, volunteer):
    before = reminders(held)

    login(volunteer).patch(
        "/api/v1/me/", {"name": "Vera B.", "time_zone": volunteer.time_zone}, format="json"
    )
    login(volunteer).patch(
        "/api/v1/me/notification-preferences/", {"kinds": {"swap_offered": False}}, format="json"
    )
    preferences_update(person=volunteer, reminder_lead_minutes=[1440, 120])

    assert reminders(held) == before


def test_rescheduling_leaves_cancelled_places_and_started_shifts_alone(roster, volunteer):
    now = timezone.now()
    given_up = signup_claim(shift=ShiftFactory(roster=roster), person=volunteer).signup
    signup_cancel(signup=given_up, actor=volunteer)
    started = ShiftFactory(
        roster=roster, starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1)
    )
    under_way = Signup.objects.create(shift=started, person=volunteer)

    preferences_update(person=volunteer, reminder_lead_minutes=[60])

    assert pending(given_up) == []
    assert pending(under_way) == []


def test_a_reminder_due_only_after_its_shift_started_is_not_sent(held):
    shift = held.shift
    mail.outbox.clear()

    # The scheduler was down: the first sweep after the 2-hour reminder's time comes after the start.
    notifications_sweep(now=shift.starts_at + timedelta(minutes=1))

    # The confirmation still due goes out late (it is still news); no reminder does.
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["You're confirmed"]
    statuses = set(
        Notification.objects.filter(key__startswith=notify.reminder_prefix(held)).values_list(
            "status", "last_error"
        )
    )
    assert statuses == {("cancelled", EXPIRED)}


def test_a_moved_shift_moves_the_expiry_of_its_reminders(held, volunteer):
    later = held.shift.starts_at + timedelta(days=1)

    shift_update(shift=held.shift, actor=None, starts_at=later, ends_at=later + timedelta(hours=2))

    live = Notification.objects.filter(kind="reminder", status="pending")
    assert set(live.values_list("expires_at", flat=True)) == {later}


def test_a_reminder_already_sent_is_not_sent_again_and_its_inbox_copy_stays(held, volunteer):
    base = notify.reminder_prefix(held)
    day_ahead = f"{base}1440:0"
    # The e-mail went out a moment ago; the sweep has not published the inbox copy yet.
    Notification.objects.filter(key=day_ahead, channel="email").update(status=Status.SENT)

    preferences_update(person=volunteer, reminder_lead_minutes=[1440, 60])

    assert sorted(
        Notification.objects.filter(key__startswith=base).values_list("key", "channel", "status")
    ) == [
        (f"{base}120:0", "email", "cancelled"),
        (f"{base}120:0", "in_app", "cancelled"),
        (day_ahead, "email", "sent"),
        (day_ahead, "in_app", "pending"),
        (f"{base}60:0", "email", "pending"),
        (f"{base}60:0", "in_app", "pending"),
    ]
