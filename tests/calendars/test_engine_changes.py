"""Feeds follow what the scheduling engine really does (its UPDATEs, sequences, series)."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from calendars.models import FeedToken
from notifications.models import NotificationPreference
from practical.models import Circle
from scheduling.models import Roster, Shift, Signup
from scheduling.services import (
    series_create,
    shift_cancel,
    shift_create,
    shift_update,
    signup_accept_offer,
    signup_cancel,
    signup_claim,
    signup_mark,
)
from scheduling.services.swaps import swap_accept, swap_offer
from tests.calendars.factories import local
from tests.calendars.support import events_by_uid, feed_path, issue_feed, parse_icaljs, parse_strict
from tests.factories import PersonFactory, RosterFactory, RosterMembershipFactory, ShiftFactory, SignupFactory

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


# --- Engine UPDATEs re-date the events they change --------------------------------------------

# Before any test's rows were written: a moment every row is set back to, so that a change made
# now shows as a later DTSTAMP even within the same second.
_LONG_AGO = timezone.now().replace(microsecond=0) - timedelta(days=3)


def _set_back_every_row() -> None:
    for model in (Signup, Shift, Roster, Circle):
        model.objects.update(updated_at=_LONG_AGO)
    Signup.objects.exclude(cancelled_at=None).update(cancelled_at=_LONG_AGO)


def _stamps(body: bytes, uid: str) -> tuple[object, object]:
    event = events_by_uid(parse_strict(body))[uid]
    return event["DTSTAMP"].dt, event["LAST-MODIFIED"].dt


def _unchanged(api, path: str, response) -> bool:
    """Polling again answers 304 to the ETag, and a full fetch gives the very same bytes."""
    return (
        api.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
        and api.get(path).content == response.content
    )


def test_engine_waitlist_offer_and_accept_move_dtstamp_last_modified_and_etag(api, roster_team):
    roster, _coordinator, holder = roster_team
    waiting = PersonFactory()
    RosterMembershipFactory(roster=roster, person=waiting, role=Role.VOLUNTEER)
    start = timezone.now() + timedelta(days=4)
    shift = shift_create(roster=roster, title="Helpline", starts_at=start, ends_at=start + timedelta(hours=2))
    held = signup_claim(shift=shift, person=holder).signup
    queued = signup_claim(shift=shift, person=waiting, join_waitlist=True).signup
    uid = f"signup-{queued.pk}@village"
    path = feed_path(issue_feed(waiting))
    _set_back_every_row()
    waitlisted = api.get(path)
    assert _unchanged(api, path, waitlisted)

    signup_cancel(signup=held, actor=holder)  # the freed place is offered to the waitlist
    offered = api.get(path)
    assert _unchanged(api, path, offered)
    _set_back_every_row()
    offered_again = api.get(path)

    signup_accept_offer(signup=Signup.objects.get(pk=queued.pk), actor=waiting)
    confirmed = api.get(path)
    assert _unchanged(api, path, confirmed)

    assert [parse_icaljs(r.content)["events"][0]["status"] for r in (waitlisted, offered, confirmed)] == [
        "TENTATIVE",
        "CONFIRMED",
        "CONFIRMED",
    ]
    assert _stamps(waitlisted.content, uid) == (_LONG_AGO, _LONG_AGO)
    assert _stamps(offered_again.content, uid) == (_LONG_AGO, _LONG_AGO)
    for moved in (offered, confirmed):
        dtstamp, last_modified = _stamps(moved.content, uid)
        assert (dtstamp == last_modified, dtstamp > _LONG_AGO) == (True, True)
    etags = [r["ETag"] for r in (waitlisted, offered, offered_again, confirmed)]
    assert len(set(etags)) == 4


def test_engine_no_show_redates_the_roster_feed_event(api, roster_team):
    roster, coordinator, volunteer = roster_team
    started = timezone.now() - timedelta(hours=1)
    shift = ShiftFactory(roster=roster, title="Helpline", starts_at=started, capacity=1, filled=1)
    signup = SignupFactory(shift=shift, person=volunteer, status=Signup.Status.CONFIRMED)
    path = feed_path(issue_feed(coordinator, FeedToken.Scope.ROSTER, roster.pk))
    _set_back_every_row()
    before = api.get(path)

    signup_mark(signup=signup, actor=coordinator, status=Signup.Status.NO_SHOW)
    after = api.get(path)

    assert [e["description"].splitlines()[1] for e in parse_icaljs(after.content)["events"]] == [
        "Nobody has signed up yet."
    ]
    assert _stamps(before.content, f"shift-{shift.pk}@village") == (_LONG_AGO, _LONG_AGO)
    assert _stamps(after.content, f"shift-{shift.pk}@village")[0] > _LONG_AGO
    assert _unchanged(api, path, after)


def test_engine_swap_redates_the_given_up_commitment(api, roster_team):
    roster, _coordinator, volunteer = roster_team
    taker = PersonFactory()
    RosterMembershipFactory(roster=roster, person=taker, role=Role.VOLUNTEER)
    start = timezone.now() + timedelta(days=4)
    shift = shift_create(roster=roster, title="Helpline", starts_at=start, ends_at=start + timedelta(hours=2))
    signup = signup_claim(shift=shift, person=volunteer).signup
    swap = swap_offer(signup=signup, actor=volunteer)
    path = feed_path(issue_feed(volunteer))
    _set_back_every_row()
    before = api.get(path)

    swap_accept(swap=swap, person=taker)
    after = api.get(path)

    assert [e["status"] for e in parse_icaljs(after.content)["events"]] == ["CANCELLED"]
    assert Signup.objects.get(pk=signup.pk).updated_at > _LONG_AGO
    assert _stamps(before.content, f"signup-{signup.pk}@village") == (_LONG_AGO, _LONG_AGO)
    assert _stamps(after.content, f"signup-{signup.pk}@village")[0] > _LONG_AGO
