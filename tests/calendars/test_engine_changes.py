"""Feeds follow what the scheduling engine really does (its UPDATEs, sequences, series)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from calendars.models import FeedToken
from notifications.models import NotificationPreference
from scheduling.services import (
    series_create,
    shift_cancel,
    shift_create,
    shift_update,
    signup_cancel,
    signup_claim,
)
from tests.calendars.factories import local
from tests.calendars.support import feed_path, issue_feed, parse_icaljs, parse_strict
from tests.factories import PersonFactory, RosterFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster_team():
    roster = RosterFactory(time_zone="America/New_York")
    coordinator = PersonFactory()
    RosterMembershipFactory(roster=roster, person=coordinator, role=Role.COORDINATOR)
    volunteer = PersonFactory()
    RosterMembershipFactory(roster=roster, person=volunteer, role=Role.VOLUNTEER)
    return roster, coordinator, volunteer


def test_series_across_dst_keeps_local_time_in_feeds(api, roster_team):
    roster, coordinator, volunteer = roster_team
    # Tuesdays 18:30 New York from late February, across 2026-03-08, for four weeks.
    shifts = series_create(
        roster=roster,
        rrule="FREQ=WEEKLY;COUNT=4",
        first_starts_at=local(2026, 2, 24, 18, 30),
        duration=timedelta(hours=2),
        title="Support group",
        capacity=3,
        created_by=coordinator,
    )
    # A signup straight in the rows: claims refuse past shifts, and these dates may be past.
    from scheduling.models import Signup

    for shift in shifts:
        Signup.objects.create(shift=shift, person=volunteer)

    for body in (
        api.get(feed_path(issue_feed(volunteer))).content,
        api.get(feed_path(issue_feed(coordinator, FeedToken.Scope.ROSTER, roster.pk))).content,
    ):
        parse_strict(body)
        read = parse_icaljs(body)
        assert [(e["start_local"], e["start_utc"], e["end_utc"]) for e in read["events"]] == [
            ("2026-02-24T18:30:00", "2026-02-24T23:30:00Z", "2026-02-25T01:30:00Z"),
            ("2026-03-03T18:30:00", "2026-03-03T23:30:00Z", "2026-03-04T01:30:00Z"),
            ("2026-03-10T18:30:00", "2026-03-10T22:30:00Z", "2026-03-11T00:30:00Z"),
            ("2026-03-17T18:30:00", "2026-03-17T22:30:00Z", "2026-03-18T00:30:00Z"),
        ]
        assert {e["tzid"] for e in read["events"]} == {"America/New_York"}


def test_engine_cancel_reaches_feed_through_etag_and_if_modified_since(api, roster_team):
    roster, _coordinator, volunteer = roster_team
    start = timezone.now() + timedelta(days=4)
    shift = shift_create(roster=roster, title="Helpline", starts_at=start, ends_at=start + timedelta(hours=2))
    signup = signup_claim(shift=shift, person=volunteer).signup
    path = feed_path(issue_feed(volunteer))
    first = api.get(path)

    signup_cancel(signup=signup, actor=volunteer)
    by_etag = api.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = api.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert (by_etag.status_code, by_date.status_code) == (200, 200)
    assert by_etag.content == by_date.content
    read = parse_icaljs(by_etag.content)
    assert [(e["uid"], e["status"], e["sequence"]) for e in read["events"]] == [
        (f"signup-{signup.pk}@village", "CANCELLED", 1)
    ]


def test_engine_time_change_raises_sequence_in_both_feeds(api, roster_team):
    roster, coordinator, volunteer = roster_team
    start = timezone.now() + timedelta(days=4)
    shift = shift_create(roster=roster, title="Helpline", starts_at=start, ends_at=start + timedelta(hours=2))
    signup_claim(shift=shift, person=volunteer)
    person_path = feed_path(issue_feed(volunteer))
    roster_path = feed_path(issue_feed(coordinator, FeedToken.Scope.ROSTER, roster.pk))
    before = [parse_icaljs(api.get(p).content)["events"][0]["sequence"] for p in (person_path, roster_path)]

    shift_update(
        shift=shift,
        actor=coordinator,
        starts_at=start + timedelta(hours=1),
        ends_at=start + timedelta(hours=3),
    )
    after = [parse_icaljs(api.get(p).content)["events"][0] for p in (person_path, roster_path)]

    assert before == [0, 0]
    # The engine bumps both the shift's and the sign-up's sequence; the person's event adds them.
    assert [e["sequence"] for e in after] == [2, 1]
    expected = (start + timedelta(hours=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [e["start_utc"] for e in after] == [expected, expected]


def test_engine_shift_cancel_shows_cancelled_in_roster_feed(api, roster_team):
    roster, coordinator, volunteer = roster_team
    start = timezone.now() + timedelta(days=4)
    shift = shift_create(roster=roster, title="Helpline", starts_at=start, ends_at=start + timedelta(hours=2))
    signup_claim(shift=shift, person=volunteer)
    path = feed_path(issue_feed(coordinator, FeedToken.Scope.ROSTER, roster.pk))
    first = api.get(path)

    shift_cancel(shift=shift, actor=coordinator)
    again = api.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert [(e["status"], e["summary"]) for e in parse_icaljs(again.content)["events"]] == [
        ("CANCELLED", "Helpline (0/1)")
    ]


def test_reminder_preferences_shape_alarms_and_move_etag(api, roster_team):
    roster, _coordinator, volunteer = roster_team
    start = timezone.now() + timedelta(days=4)
    shift = shift_create(roster=roster, title="Helpline", starts_at=start, ends_at=start + timedelta(hours=2))
    signup_claim(shift=shift, person=volunteer)
    path = feed_path(issue_feed(volunteer))
    first = api.get(path)

    NotificationPreference.objects.create(person=volunteer, reminder_lead_minutes=[30])
    again = api.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert [e["alarms"] for e in parse_icaljs(first.content)["events"]] == [["-P1D", "-PT2H"]]
    assert again.status_code == 200
    assert [e["alarms"] for e in parse_icaljs(again.content)["events"]] == [["-PT30M"]]
