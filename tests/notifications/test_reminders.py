"""Reminder times across the America/New_York DST changes (2026: Mar 8 and Nov 1)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications import selectors, services
from notifications.models import NotificationPreference

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def test_reminder_lead_times_default_to_a_day_and_two_hours(person):
    assert selectors.reminder_lead_times(person=person) == [timedelta(days=1), timedelta(hours=2)]


def test_reminder_lead_times_follow_preferences_longest_first(person):
    NotificationPreference.objects.create(person=person, reminder_lead_minutes=[30, 2880, 30])
    assert selectors.reminder_lead_times(person=person) == [timedelta(days=2), timedelta(minutes=30)]


def test_reminder_day_before_keeps_wall_clock_across_spring_forward(person):
    # Sunday 9:00 EDT, hours after the change; the day-before reminder is Saturday 9:00 EST,
    # 23 elapsed hours earlier.
    starts = at(2026, 3, 8, 9, 0)
    send = services.reminder_send_at(person=person, starts_at=starts, lead=timedelta(days=1))
    assert send == datetime(2026, 3, 7, 14, 0, tzinfo=UTC)
    assert send.astimezone(NY) == at(2026, 3, 7, 9, 0)
    assert starts - send == timedelta(hours=23)


def test_reminder_day_before_keeps_wall_clock_across_fall_back(person):
    starts = at(2026, 11, 1, 18, 0)  # Sunday 18:00 EST, the day the clocks go back
    send = services.reminder_send_at(person=person, starts_at=starts, lead=timedelta(days=1))
    assert send == datetime(2026, 10, 31, 22, 0, tzinfo=UTC)  # Saturday 18:00 EDT
    assert starts - send == timedelta(hours=25)


def test_reminder_hours_before_is_elapsed_time_across_the_gap(person):
    starts = at(2026, 3, 8, 4, 0)  # 04:00 EDT; 02:00–03:00 does not exist that night
    send = services.reminder_send_at(person=person, starts_at=starts, lead=timedelta(hours=2))
    assert send == datetime(2026, 3, 8, 6, 0, tzinfo=UTC)
    assert send.astimezone(NY) == at(2026, 3, 8, 1, 0)


def test_reminder_day_before_into_the_gap_moves_after_it(person):
    starts = at(2026, 3, 9, 2, 30)  # the day-before time 02:30 on Mar 8 does not exist
    send = services.reminder_send_at(person=person, starts_at=starts, lead=timedelta(days=1))
    assert send == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT: read as 02:30 EST


def test_reminder_in_quiet_hours_moves_to_before_they_start(person):
    NotificationPreference.objects.create(person=person, quiet_hours_start=time(22), quiet_hours_end=time(7))
    # 7:00 shift, two hours ahead is 5:00 — quiet; sent 21:45 the evening before.
    send = services.reminder_send_at(person=person, starts_at=at(2026, 6, 10, 7, 0), lead=timedelta(hours=2))
    assert send.astimezone(NY) == at(2026, 6, 9, 21, 45)
    # 23:30 the same evening is quiet too, before midnight.
    send = services.reminder_send_at(person=person, starts_at=at(2026, 6, 10, 1, 30), lead=timedelta(hours=2))
    assert send.astimezone(NY) == at(2026, 6, 9, 21, 45)
    # 7:00 is the end of quiet hours: not quiet.
    send = services.reminder_send_at(person=person, starts_at=at(2026, 6, 10, 9, 0), lead=timedelta(hours=2))
    assert send.astimezone(NY) == at(2026, 6, 10, 7, 0)


def test_reminder_quiet_hours_across_spring_forward(person):
    NotificationPreference.objects.create(person=person, quiet_hours_start=time(22), quiet_hours_end=time(7))
    # 8:00 EDT on Mar 8, two hours ahead = 05:00 EDT (quiet); quiet hours began 22:00 EST Mar 7.
    send = services.reminder_send_at(person=person, starts_at=at(2026, 3, 8, 8, 0), lead=timedelta(hours=2))
    assert send == datetime(2026, 3, 8, 2, 45, tzinfo=UTC)
    assert send.astimezone(NY) == at(2026, 3, 7, 21, 45)


def test_reminder_quiet_hours_within_one_day(person):
    NotificationPreference.objects.create(person=person, quiet_hours_start=time(13), quiet_hours_end=time(15))
    send = services.reminder_send_at(person=person, starts_at=at(2026, 11, 2, 16, 0), lead=timedelta(hours=2))
    assert send.astimezone(NY) == at(2026, 11, 2, 12, 45)
    send = services.reminder_send_at(person=person, starts_at=at(2026, 11, 2, 17, 0), lead=timedelta(hours=2))
    assert send.astimezone(NY) == at(2026, 11, 2, 15, 0)


def test_reminder_in_the_persons_own_zone():
    from tests.factories import PersonFactory

    person = PersonFactory(time_zone="Europe/Madrid")
    NotificationPreference.objects.create(person=person, quiet_hours_start=time(22), quiet_hours_end=time(7))
    # 12:00 UTC shift = 13:00 Madrid; 6 h before = 07:00 Madrid = not quiet.
    starts = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)
    send = services.reminder_send_at(person=person, starts_at=starts, lead=timedelta(hours=6))
    assert send == datetime(2026, 6, 10, 5, 0, tzinfo=UTC)
    send = services.reminder_send_at(person=person, starts_at=starts, lead=timedelta(hours=7))
    assert send == datetime(2026, 6, 9, 19, 45, tzinfo=UTC)  # 21:45 Madrid (CEST)


def test_reminder_send_at_refuses_naive_times(person):
    with pytest.raises(ValueError):
        services.reminder_send_at(person=person, starts_at=datetime(2026, 6, 10, 9), lead=timedelta(hours=2))  # noqa: DTZ001


# --- re-planning -------------------------------------------------------------------------------


@pytest.fixture
def planned(monkeypatch):
    from notifications.services import reminders

    calls: list[int] = []
    monkeypatch.setattr(reminders, "_planners", [lambda person: calls.append(person.pk)])
    return calls


def test_preferences_update_replans_reminders_only_when_their_time_may_move(person, planned):
    services.preferences_update(person=person, kinds={"greeting": False}, digest_weekly=False)
    services.preferences_update(person=person, reminder_lead_minutes=[1440, 120])  # the default
    assert planned == []

    services.preferences_update(person=person, reminder_lead_minutes=[60])
    services.preferences_update(person=person, quiet_hours_start=time(22), quiet_hours_end=time(7))
    services.preferences_update(person=person, quiet_hours_start=time(22), quiet_hours_end=time(7))

    assert planned == [person.pk, person.pk]


def test_a_new_time_zone_replans_reminders(person, planned):
    from accounts.services import person_update

    person_update(person=person, name="Someone else")
    person_update(person=person, time_zone="Europe/Madrid")

    assert planned == [person.pk]
