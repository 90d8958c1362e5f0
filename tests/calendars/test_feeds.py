"""What calendar feeds contain, read through /calendars/<token>.ics by icalendar and ical.js."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from calendars.models import FeedToken
from practical.models import AddressRead, Contribution
from scheduling.models import Shift, Signup
from tests.calendars.factories import NEW_YORK, circle_with_members, claim, help_shift, local
from tests.calendars.support import events_by_uid, feed_path, issue_feed, parse_icaljs, parse_strict
from tests.factories import PersonFactory, RosterFactory, ShiftFactory, SignupFactory

pytestmark = pytest.mark.django_db


def _get(api, secret: str) -> bytes:
    response = api.get(feed_path(secret))
    assert response.status_code == 200
    return response.content


def test_person_feed_maps_every_status(api):
    volunteer = PersonFactory()
    roster = RosterFactory()
    base = timezone.now() + timedelta(days=5)
    shifts = [ShiftFactory(roster=roster, starts_at=base + timedelta(days=i)) for i in range(8)]
    held = {
        status: SignupFactory(shift=shifts[i], person=volunteer, status=status)
        for i, status in enumerate(["confirmed", "offered", "completed", "waitlisted"])
    }
    recent_cancel = SignupFactory(
        shift=shifts[4],
        person=volunteer,
        status="cancelled",
        cancelled_at=timezone.now() - timedelta(days=29),
    )
    old_cancel = SignupFactory(
        shift=shifts[5],
        person=volunteer,
        status="cancelled",
        cancelled_at=timezone.now() - timedelta(days=31),
    )
    recent_shift_cancel = SignupFactory(shift=shifts[6], person=volunteer)
    Shift.objects.filter(pk=shifts[6].pk).update(
        status="cancelled", updated_at=timezone.now() - timedelta(days=2)
    )
    old_shift_cancel = SignupFactory(shift=shifts[7], person=volunteer)
    Shift.objects.filter(pk=shifts[7].pk).update(
        status="cancelled", updated_at=timezone.now() - timedelta(days=40)
    )
    SignupFactory(shift=shifts[0])  # someone else's commitment never shows

    body = _get(api, issue_feed(volunteer))

    parse_strict(body)
    read = parse_icaljs(body)
    assert [(e["uid"], e["status"]) for e in read["events"]] == [
        (f"signup-{held['confirmed'].pk}@village", "CONFIRMED"),
        (f"signup-{held['offered'].pk}@village", "CONFIRMED"),
        (f"signup-{held['completed'].pk}@village", "CONFIRMED"),
        (f"signup-{held['waitlisted'].pk}@village", "TENTATIVE"),
        (f"signup-{recent_cancel.pk}@village", "CANCELLED"),
        (f"signup-{recent_shift_cancel.pk}@village", "CANCELLED"),
    ]
    assert f"signup-{old_cancel.pk}@" not in body.decode()
    assert f"signup-{old_shift_cancel.pk}@" not in body.decode()


def test_person_feed_calendar_properties(api):
    volunteer = PersonFactory()
    SignupFactory(person=volunteer)

    body = _get(api, issue_feed(volunteer)).decode()

    assert "\r\nNAME:My Village commitments\r\n" in body
    assert "\r\nX-WR-CALNAME:My Village commitments\r\n" in body
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    assert "\r\nBEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n" in body


def test_vtimezone_states_each_2026_change_at_its_wall_clock_onset(api):
    volunteer = PersonFactory()
    SignupFactory(person=volunteer, shift=ShiftFactory(starts_at=local(2026, 6, 1, 12)))

    body = _get(api, issue_feed(volunteer)).decode()

    assert (
        "BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZNAME:EDT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\n"
        in body
    )
    assert (
        "BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZNAME:EST\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\n"
        in body
    )
    # One value per RDATE line at most: ical.js reads only the first of a comma-separated list.
    assert "RDATE" not in body


def test_person_feed_times_right_around_the_spring_forward_hour(api):
    volunteer = PersonFactory()
    # An overnight helpline shift: 01:30 EST to 03:30 EDT on the night the clocks go forward.
    SignupFactory(
        person=volunteer,
        shift=ShiftFactory(starts_at=local(2026, 3, 8, 1, 30), ends_at=local(2026, 3, 8, 3, 30)),
    )

    read = parse_icaljs(_get(api, issue_feed(volunteer)))

    assert [(e["start_utc"], e["end_utc"]) for e in read["events"]] == [
        ("2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z")
    ]


def test_person_feed_keeps_local_time_across_dst_in_a_weekly_series(api):
    volunteer = PersonFactory()
    roster = RosterFactory(time_zone="America/New_York")
    # Every Sunday 18:00 in New York, across both 2026 changes (Mar 8 and Nov 1 are Sundays).
    days = [(3, 1), (3, 8), (3, 15), (10, 25), (11, 1), (11, 8)]
    for month, day in days:
        start = local(2026, month, day, 18, 0)
        SignupFactory(person=volunteer, shift=ShiftFactory(roster=roster, starts_at=start))

    body = _get(api, issue_feed(volunteer))

    calendar = parse_strict(body)
    read = parse_icaljs(body)
    assert read["timezones"] == ["America/New_York"]
    assert [(e["start_local"], e["tzid"], e["start_utc"]) for e in read["events"]] == [
        ("2026-03-01T18:00:00", "America/New_York", "2026-03-01T23:00:00Z"),
        ("2026-03-08T18:00:00", "America/New_York", "2026-03-08T22:00:00Z"),
        ("2026-03-15T18:00:00", "America/New_York", "2026-03-15T22:00:00Z"),
        ("2026-10-25T18:00:00", "America/New_York", "2026-10-25T22:00:00Z"),
        ("2026-11-01T18:00:00", "America/New_York", "2026-11-01T23:00:00Z"),
        ("2026-11-08T18:00:00", "America/New_York", "2026-11-08T23:00:00Z"),
    ]
    starts = [event.start for event in calendar.walk("VEVENT")]
    assert [s.astimezone(NEW_YORK).hour for s in starts] == [18] * 6
    assert [str(s.tzinfo) for s in starts] == ["America/New_York"] * 6


def test_person_feed_shows_flexible_window_as_all_day_dates(api):
    volunteer = PersonFactory()
    shift = ShiftFactory(
        starts_at=local(2026, 12, 7, 9, 0), ends_at=local(2026, 12, 12, 0, 0), is_flexible=True
    )
    SignupFactory(person=volunteer, shift=shift)

    body = _get(api, issue_feed(volunteer))

    parse_strict(body)
    assert b"DTSTART;VALUE=DATE:20261207\r\n" in body
    # Monday to Friday: DTEND is exclusive, so Saturday.
    assert b"DTEND;VALUE=DATE:20261212\r\n" in body
    read = parse_icaljs(body)
    assert [(e["is_date"], e["start_utc"], e["end_utc"]) for e in read["events"]] == [
        (True, "2026-12-07", "2026-12-12")
    ]


def test_person_feed_edit_bumps_sequence_and_nothing_else(api):
    volunteer = PersonFactory()
    roster = RosterFactory()
    edited = SignupFactory(
        person=volunteer, shift=ShiftFactory(roster=roster, starts_at=local(2026, 12, 1, 18))
    )
    other = SignupFactory(
        person=volunteer, shift=ShiftFactory(roster=roster, starts_at=local(2026, 12, 2, 18))
    )
    secret = issue_feed(volunteer)
    before = parse_strict(_get(api, secret))

    # What the engine does on a time change: move it, bump the shift's sequence.
    shift = edited.shift
    shift.starts_at += timedelta(hours=1)
    shift.ends_at += timedelta(hours=1)
    shift.sequence += 1
    shift.updated_at = timezone.now() + timedelta(seconds=5)
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=shift.starts_at, ends_at=shift.ends_at, sequence=shift.sequence, updated_at=shift.updated_at
    )
    after_body = _get(api, secret)
    after = parse_strict(after_body)

    old, new = events_by_uid(before), events_by_uid(after)
    uid = f"signup-{edited.pk}@village"
    assert (old[uid]["SEQUENCE"], new[uid]["SEQUENCE"]) == (0, 1)
    assert new[uid].start == local(2026, 12, 1, 19)
    changed = {
        name
        for name in set(old[uid].keys()) | set(new[uid].keys())
        if old[uid].get(name) is None
        or new[uid].get(name) is None
        or old[uid][name].to_ical() != new[uid][name].to_ical()
    }
    assert changed == {"SEQUENCE", "DTSTART", "DTEND", "DTSTAMP", "LAST-MODIFIED"}
    other_uid = f"signup-{other.pk}@village"
    assert new[other_uid].to_ical() == old[other_uid].to_ical()
    assert [e["sequence"] for e in parse_icaljs(after_body)["events"]] == [1, 0]


def test_person_feed_sequence_adds_shift_and_signup_sequences(api):
    volunteer = PersonFactory()
    signup = SignupFactory(person=volunteer, shift=ShiftFactory(sequence=2), sequence=3)

    read = parse_icaljs(_get(api, issue_feed(volunteer)))

    assert [(e["uid"], e["sequence"]) for e in read["events"]] == [(f"signup-{signup.pk}@village", 5)]


def test_person_feed_cancelled_commitment_is_cancelled_then_gone_after_30_days(api):
    volunteer = PersonFactory()
    signup = SignupFactory(person=volunteer)
    secret = issue_feed(volunteer)
    assert [e["status"] for e in parse_icaljs(_get(api, secret))["events"]] == ["CONFIRMED"]

    cancelled_at = timezone.now()
    Signup.objects.filter(pk=signup.pk).update(status="cancelled", cancelled_at=cancelled_at, sequence=1)
    read = parse_icaljs(_get(api, secret))
    assert [(e["uid"], e["status"], e["sequence"], e["alarms"]) for e in read["events"]] == [
        (f"signup-{signup.pk}@village", "CANCELLED", 1, [])
    ]

    Signup.objects.filter(pk=signup.pk).update(
        cancelled_at=cancelled_at - timedelta(days=31), updated_at=cancelled_at - timedelta(days=31)
    )
    body = _get(api, secret)
    parse_strict(body)
    assert parse_icaljs(body)["events"] == []


def test_feed_unchanged_is_byte_identical(api):
    circle, family, volunteer = circle_with_members()
    shift = help_shift(circle, starts_at=timezone.now() + timedelta(days=10))
    claim(shift, volunteer, dish="Lentil soup")
    person_secret = issue_feed(volunteer)
    circle_secret = issue_feed(family, FeedToken.Scope.CIRCLE, circle.pk)

    first = (_get(api, person_secret), _get(api, circle_secret))
    second = (_get(api, person_secret), _get(api, circle_secret))

    assert first == second


def test_feed_text_cannot_inject_a_component(api):
    circle, family, volunteer = circle_with_members()
    shift = help_shift(circle, starts_at=timezone.now() + timedelta(days=10))
    evil = "Lasagna\r\nBEGIN:VEVENT\r\nUID:evil@x\r\nEND:VEVENT"
    claim(shift, volunteer, dish=evil)

    for body in (_get(api, issue_feed(volunteer)), _get(api, issue_feed(family, "circle", circle.pk))):
        calendar = parse_strict(body)
        assert len(calendar.walk("VEVENT")) == 1
        assert body.count(b"\r\nBEGIN:VEVENT\r\n") == 1
        read = parse_icaljs(body)
        assert [e["uid"] for e in read["events"]] == [str(calendar.walk("VEVENT")[0]["UID"])]
        assert "Lasagna\nBEGIN:VEVENT\nUID:evil@x\nEND:VEVENT" in read["events"][0]["description"]


def test_person_feed_shows_address_only_to_a_volunteer_near_their_commitment(api):
    circle, family, near = circle_with_members(address="12 Elm Street, Springfield")
    far = PersonFactory(name="Ben Jones")
    from tests.factories import RosterMembershipFactory

    RosterMembershipFactory(roster=circle.roster, person=far)
    soon = help_shift(circle, starts_at=timezone.now() + timedelta(hours=20), location="Front porch")
    later = help_shift(circle, starts_at=timezone.now() + timedelta(days=9), location="Front porch")
    claim(soon, near)
    claim(later, far)

    near_read = parse_icaljs(_get(api, issue_feed(near)))
    far_body = _get(api, issue_feed(far))

    assert [e["location"] for e in near_read["events"]] == ["12 Elm Street, Springfield"]
    assert [e["location"] for e in parse_icaljs(far_body)["events"]] == ["Front porch"]
    assert b"Elm Street" not in far_body
    circle_read = parse_icaljs(_get(api, issue_feed(family, "circle", circle.pk)))
    assert [e["location"] for e in circle_read["events"]] == ["12 Elm Street, Springfield"] * 2
    # The family sees who was shown their address: the volunteer's feed, not their own.
    assert list(AddressRead.objects.values_list("person_id", "via")) == [(near.pk, "calendar:feed")]


def test_address_edit_raises_sequence_of_the_circles_shifts_not_yet_over(api, login):
    circle, family, volunteer = circle_with_members(address="12 Elm Street, Springfield")
    now = timezone.now()
    soon = help_shift(circle, starts_at=now + timedelta(hours=20))
    later = help_shift(circle, starts_at=now + timedelta(days=9))
    past = help_shift(circle, starts_at=now - timedelta(days=2))
    for shift in (soon, later, past):
        claim(shift, volunteer)
    person_path = feed_path(issue_feed(volunteer))
    circle_path = feed_path(issue_feed(family, FeedToken.Scope.CIRCLE, circle.pk))
    before = [api.get(path) for path in (person_path, circle_path)]

    edited = login(family).patch(f"/api/v1/circles/{circle.pk}/", {"address": "4 Oak Lane"}, format="json")
    after = [api.get(path) for path in (person_path, circle_path)]

    assert edited.status_code == 200, edited.json()
    for old, new in zip(before, after, strict=True):
        assert api.get(old.wsgi_request.path, HTTP_IF_NONE_MATCH=old["ETag"]).status_code == 200
        parse_strict(new.content)
        was, now_reads = parse_icaljs(old.content)["events"], parse_icaljs(new.content)["events"]
        # In time order: the past visit keeps its SEQUENCE, the two to come rise by one.
        assert [(e["location"], e["sequence"]) for e in was] == [("12 Elm Street, Springfield", 0)] * 3
        assert [(e["location"], e["sequence"]) for e in now_reads] == [
            ("4 Oak Lane", 0),
            ("4 Oak Lane", 1),
            ("4 Oak Lane", 1),
        ]
    assert list(Shift.objects.order_by("starts_at").values_list("sequence", flat=True)) == [0, 1, 1]


def test_profile_edit_without_address_change_keeps_sequence(login):
    circle, family, volunteer = circle_with_members(address="12 Elm Street, Springfield")
    claim(help_shift(circle, starts_at=timezone.now() + timedelta(days=3)), volunteer)

    client = login(family)
    same = client.patch(
        f"/api/v1/circles/{circle.pk}/", {"address": "12 Elm Street, Springfield"}, format="json"
    )
    other = client.patch(f"/api/v1/circles/{circle.pk}/", {"likes": "Soup"}, format="json")

    assert (same.status_code, other.status_code) == (200, 200)
    assert list(Shift.objects.values_list("sequence", flat=True)) == [0]


def test_address_window_opening_moves_the_etag_not_the_sequence(api, settings):
    # Decided in backend/calendars/README.md ("SEQUENCE and the address").
    circle, _family, volunteer = circle_with_members(address="12 Elm Street, Springfield")
    claim(
        help_shift(circle, starts_at=timezone.now() + timedelta(hours=60), location="Front porch"), volunteer
    )
    path = feed_path(issue_feed(volunteer))
    settings.ADDRESS_VISIBLE_BEFORE = timedelta(hours=48)
    closed = api.get(path)

    settings.ADDRESS_VISIBLE_BEFORE = timedelta(hours=72)  # as if 12 hours had passed
    opened = api.get(path, HTTP_IF_NONE_MATCH=closed["ETag"])

    assert opened.status_code == 200
    assert [(e["location"], e["sequence"]) for e in parse_icaljs(closed.content)["events"]] == [
        ("Front porch", 0)
    ]
    assert [(e["location"], e["sequence"]) for e in parse_icaljs(opened.content)["events"]] == [
        ("12 Elm Street, Springfield", 0)
    ]


def test_address_read_is_recorded_per_render_not_per_304(api):
    circle, _family, near = circle_with_members(address="12 Elm Street")
    claim(help_shift(circle, starts_at=timezone.now() + timedelta(hours=5)), near)
    path = feed_path(issue_feed(near))

    etag = api.get(path)["ETag"]
    assert api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304

    assert AddressRead.objects.filter(person=near, circle=circle, via="calendar:feed").count() == 1


def test_feeds_never_carry_household_details(api):
    circle, family, volunteer = circle_with_members(
        allergies=["peanuts"],
        allergies_other="Severe sesame allergy",
        dietary_preferences=["vegan"],
        dropoff_instructions="Knock twice",
        phone="+1 555 0199",
        likes="Spicy food",
        children=[{"name": "Mia", "birth_date": "2026-10-02"}],
    )
    shift = help_shift(circle, starts_at=timezone.now() + timedelta(hours=3), notes="Bring it warm")
    claim(shift, volunteer, dish="Curry")

    for body in (_get(api, issue_feed(volunteer)), _get(api, issue_feed(family, "circle", circle.pk))):
        text = body.decode().lower()
        for secret in ("peanut", "sesame", "vegan", "knock", "555 0199", "spicy", "mia"):
            assert secret not in text


def test_person_feed_describes_the_task_and_links_back(api):
    circle, _family, volunteer = circle_with_members()
    shift = help_shift(circle, starts_at=timezone.now() + timedelta(days=4), notes="Ring the bell")
    signup = claim(shift, volunteer, dish="Lentil soup")

    read = parse_icaljs(_get(api, issue_feed(volunteer)))

    assert [(e["summary"], e["description"]) for e in read["events"]] == [
        (
            f"Dinner · {circle.name}",
            "Help needed: Meal\nYou are bringing: Lentil soup\nNotes: Ring the bell\n"
            f"Open in Village: {settings.SITE_URL}/#/commitments/{signup.pk}",
        )
    ]


def test_person_feed_has_default_reminders(api):
    volunteer = PersonFactory()
    SignupFactory(person=volunteer, status="confirmed")

    read = parse_icaljs(_get(api, issue_feed(volunteer)))

    assert [e["alarms"] for e in read["events"]] == [["-P1D", "-PT2H"]]


def test_circle_feed_lists_every_shift_with_first_names_and_dishes(api):
    circle, family, volunteer = circle_with_members()
    start = timezone.now() + timedelta(days=3)
    filled = help_shift(circle, starts_at=start, capacity=2)
    open_shift = help_shift(circle, starts_at=start + timedelta(days=1), kind="laundry", title="Laundry")
    claim(filled, volunteer, dish="Lasagna")
    claim(filled, PersonFactory(name="Ben Jones"))
    claim(open_shift, PersonFactory(name="Cleo"), status="waitlisted")

    body = _get(api, issue_feed(family, "circle", circle.pk))

    parse_strict(body)
    read = parse_icaljs(body)
    assert read["name"] == f"{circle.name} · Village"
    assert [(e["uid"], e["status"], e["summary"], e["description"]) for e in read["events"]] == [
        (
            f"shift-{filled.pk}@village",
            "CONFIRMED",
            "Dinner (2/2)",
            "Help needed: Meal\nFilled: 2 of 2\nComing: Ana (bringing Lasagna), Ben\n"
            f"Open in Village: {settings.SITE_URL}/#/shifts/{filled.pk}",
        ),
        (
            f"shift-{open_shift.pk}@village",
            "CONFIRMED",
            "Laundry (0/2)",
            "Help needed: Laundry\nFilled: 0 of 2\nNobody has signed up yet.\nOpen places: 2\n"
            f"Open in Village: {settings.SITE_URL}/#/shifts/{open_shift.pk}",
        ),
    ]


def test_roster_feed_shows_fill_and_full_names(api):
    coordinator = PersonFactory()
    roster = RosterFactory(time_zone="Europe/Madrid", name="Helpline")
    from accounts.models import Role
    from tests.factories import RosterMembershipFactory

    RosterMembershipFactory(roster=roster, person=coordinator, role=Role.COORDINATOR)
    shift = ShiftFactory(
        roster=roster,
        starts_at=local(2026, 12, 3, 10, zone=NEW_YORK),
        capacity=3,
        call_link="https://meet.example/x",
    )
    claim(shift, PersonFactory(name="Ana Smith"))
    cancelled = ShiftFactory(
        roster=roster, status="cancelled", starts_at=local(2026, 12, 4, 10, zone=NEW_YORK)
    )

    body = _get(api, issue_feed(coordinator, "roster", roster.pk))

    parse_strict(body)
    read = parse_icaljs(body)
    assert read["timezones"] == ["Europe/Madrid"]
    assert [
        (e["uid"], e["status"], e["summary"], e["tzid"], e["start_local"], e["location"])
        for e in read["events"]
    ] == [
        (
            f"shift-{shift.pk}@village",
            "CONFIRMED",
            f"{shift.title} (1/3)",
            "Europe/Madrid",
            "2026-12-03T16:00:00",
            "https://meet.example/x",
        ),
        (
            f"shift-{cancelled.pk}@village",
            "CANCELLED",
            f"{cancelled.title} (0/2)",
            "Europe/Madrid",
            "2026-12-04T16:00:00",
            None,
        ),
    ]
    assert "Coming: Ana Smith" in read["events"][0]["description"]


def test_person_feed_query_count_is_constant(api):
    def feed_queries(count: int) -> int:
        circle, _family, volunteer = circle_with_members()
        start = timezone.now() + timedelta(days=5)
        for i in range(count):
            signup = claim(help_shift(circle, starts_at=start + timedelta(days=i)), volunteer)
            Contribution.objects.create(signup=signup, dish=f"Dish {i}")
        roster = RosterFactory()
        for i in range(count):
            SignupFactory(
                person=volunteer, shift=ShiftFactory(roster=roster, starts_at=start + timedelta(hours=i))
            )
        secret = issue_feed(volunteer)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert api.get(feed_path(secret)).status_code == 200
        return len(queries)

    assert feed_queries(1) == feed_queries(50)


def test_circle_feed_query_count_is_constant(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def feed_queries(count: int) -> int:
        circle, family, _volunteer = circle_with_members()
        start = timezone.now() + timedelta(days=5)
        for i in range(count):
            claim(help_shift(circle, starts_at=start + timedelta(days=i)), PersonFactory(), dish="Soup")
        secret = issue_feed(family, "circle", circle.pk)
        with CaptureQueriesContext(connection) as queries:
            assert api.get(feed_path(secret)).status_code == 200
        return len(queries)

    assert feed_queries(1) == feed_queries(50)
