"""Creating, changing and cancelling shifts, and recurring series across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import Role
from scheduling.models import Shift, ShiftSeries, Signup
from scheduling.services import series_create, shift_cancel, shift_update, signup_claim
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, RosterFactory

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def future(hours: int = 72) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


def shift_body(**overrides):
    starts = future()
    body = {
        "title": "Helpline",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": 2,
    }
    body.update(overrides)
    return body


def series_body(**overrides):
    body = {
        "rrule": "FREQ=DAILY;COUNT=2",
        "first_starts_at": future().isoformat(),
        "duration": "01:00:00",
        "title": "x",
    }
    body.update(overrides)
    return body


def test_shift_create_by_coordinator(login, coordinator, roster):
    body = shift_body(location="Room 4")

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/shifts/", body, format="json")

    assert response.status_code == 201
    shift = Shift.objects.get()
    data = response.json()
    assert data["id"] == shift.pk
    assert (data["title"], data["capacity"], data["filled"], data["places_left"]) == ("Helpline", 2, 0, 2)
    assert (data["location"], data["time_zone"], data["status"], data["sequence"]) == (
        "Room 4",
        "America/New_York",
        "scheduled",
        0,
    )
    assert datetime.fromisoformat(data["starts_at"]) == shift.starts_at


def test_shift_create_by_volunteer_is_403(login, volunteer, roster):
    response = login(volunteer).post(f"/api/v1/rosters/{roster.pk}/shifts/", shift_body(), format="json")

    assert response.status_code == 403
    assert Shift.objects.count() == 0


@pytest.mark.parametrize("capacity", [0, -1])
def test_shift_create_refuses_bad_capacity(login, coordinator, roster, capacity):
    response = login(coordinator).post(
        f"/api/v1/rosters/{roster.pk}/shifts/", shift_body(capacity=capacity), format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid_capacity",
        "message": "A shift needs room for at least one person.",
        "fields": {"capacity": ["Must be at least 1."]},
    }
    assert Shift.objects.count() == 0


def test_shift_create_refuses_end_before_start(login, coordinator, roster):
    starts = future()
    body = shift_body(ends_at=(starts - timedelta(hours=1)).isoformat(), starts_at=starts.isoformat())

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/shifts/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_window"
    assert response.json()["error"]["message"] == "The end time must be after the start time."
    assert Shift.objects.count() == 0


def test_shift_create_refuses_naive_time(login, coordinator, roster):
    body = shift_body(starts_at="2030-01-01T10:00:00", ends_at="2030-01-01T12:00:00")

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/shifts/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"starts_at", "ends_at"}
    assert Shift.objects.count() == 0


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "refused"),
    [
        ("1999-12-31T23:59:59Z", "2030-01-01T12:00:00Z", {"starts_at"}),
        ("2099-12-31T22:00:00Z", "2100-01-01T00:00:00Z", {"ends_at"}),
        ("0173-08-26T07:01:53Z", "3163-02-08T12:59:16Z", {"starts_at", "ends_at"}),
    ],
)
def test_shift_create_refuses_a_time_outside_this_century(
    login, coordinator, roster, starts_at, ends_at, refused
):
    body = shift_body(starts_at=starts_at, ends_at=ends_at)

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/shifts/", body, format="json")

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields == {name: ["Give a time from the year 2000 to 2099."] for name in refused}
    assert Shift.objects.count() == 0


def test_shift_create_takes_the_last_moment_of_the_century(login, coordinator, roster):
    body = shift_body(starts_at="2099-12-31T22:00:00Z", ends_at="2099-12-31T23:59:59Z")

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/shifts/", body, format="json")

    assert response.status_code == 201, response.json()
    assert Shift.objects.get().ends_at.year == 2099


def test_shift_update_bumps_sequence_on_time_change(login, coordinator, volunteer, shift):
    signup = signup_claim(shift=shift, person=volunteer).signup
    new_start = shift.starts_at + timedelta(hours=1)

    response = login(coordinator).patch(
        f"/api/v1/shifts/{shift.pk}/",
        {"starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=2)).isoformat()},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["sequence"] == 1
    signup.refresh_from_db()
    assert signup.sequence == 1


def test_shift_update_title_keeps_sequence(coordinator, shift):
    updated = shift_update(shift=shift, actor=coordinator, title="Late line")

    assert (updated.title, updated.sequence) == ("Late line", 0)


def test_shift_update_refuses_capacity_below_filled(volunteer_on, coordinator, shift):
    for _ in range(2):
        signup_claim(shift=shift, person=volunteer_on())
    from village.api import DomainError

    with pytest.raises(DomainError) as caught:
        shift_update(shift=shift, actor=coordinator, capacity=1)

    assert (caught.value.status_code, caught.value.code) == (409, "capacity_below_filled")
    shift.refresh_from_db()
    assert (shift.capacity, shift.filled) == (2, 2)


def test_shift_update_raising_capacity_offers_waitlist(volunteer_on, coordinator, shift):
    for _ in range(2):
        signup_claim(shift=shift, person=volunteer_on())
    waiting = signup_claim(shift=shift, person=volunteer_on(), join_waitlist=True).signup

    shift_update(shift=shift, actor=coordinator, capacity=3)

    waiting.refresh_from_db()
    shift.refresh_from_db()
    assert (waiting.status, shift.filled) == ("offered", 3)


def test_shift_update_unknown_field_is_400(login, coordinator, shift):
    response = login(coordinator).patch(f"/api/v1/shifts/{shift.pk}/", {"filled": 0}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"filled": ["This field is not recognised."]}


def test_shift_cancel_cancels_its_signups(login, coordinator, volunteer_on, shift):
    confirmed = signup_claim(shift=shift, person=volunteer_on()).signup
    signup_claim(shift=shift, person=volunteer_on())
    waiting = signup_claim(shift=shift, person=volunteer_on(), join_waitlist=True).signup

    response = login(coordinator).delete(f"/api/v1/shifts/{shift.pk}/")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["sequence"], response.json()["filled"]) == (
        "cancelled",
        1,
        0,
    )
    assert list(Signup.objects.order_by("pk").values_list("status", flat=True)) == ["cancelled"] * 3
    confirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert (confirmed.sequence, waiting.sequence) == (1, 1)


def test_shift_cancel_twice_is_harmless(coordinator, shift):
    shift_cancel(shift=shift, actor=coordinator)
    again = shift_cancel(shift=shift, actor=coordinator)

    assert (again.status, again.sequence) == ("cancelled", 1)


def test_shift_cancel_by_volunteer_is_403(login, volunteer, shift):
    response = login(volunteer).delete(f"/api/v1/shifts/{shift.pk}/")

    assert response.status_code == 403
    shift.refresh_from_db()
    assert shift.status == "scheduled"


def test_shift_get_of_foreign_roster_is_404(login, shift):
    stranger_roster = RosterFactory()
    from tests.factories import RosterMembershipFactory

    stranger = RosterMembershipFactory(roster=stranger_roster).person

    assert login(stranger).get(f"/api/v1/shifts/{shift.pk}/").status_code == 404
    assert login(stranger).get(f"/api/v1/rosters/{shift.roster_id}/shifts/").status_code == 404


# --- Series ----------------------------------------------------------------------------------


def test_series_weekly_keeps_local_time_across_both_dst_changes(login, coordinator, roster):
    # Thursdays 17:30 New York from 26 Feb 2026: EST (-05:00) before 8 March, EDT (-04:00) until
    # 1 November, EST again after.
    first = datetime(2026, 2, 26, 17, 30, tzinfo=NEW_YORK)
    body = {
        "rrule": "FREQ=WEEKLY;UNTIL=20261112T235959Z",
        "first_starts_at": first.isoformat(),
        "duration": "01:30:00",
        "title": "Support group",
        "capacity": 2,
    }

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/series/", body, format="json")

    assert response.status_code == 201
    shifts = list(Shift.objects.order_by("starts_at"))
    assert response.json()["count"] == len(shifts) == 38
    local_times = {s.starts_at.astimezone(NEW_YORK).strftime("%H:%M") for s in shifts}
    assert local_times == {"17:30"}
    by_date = {s.starts_at.astimezone(NEW_YORK).date().isoformat(): s for s in shifts}
    assert by_date["2026-03-05"].starts_at == datetime(2026, 3, 5, 22, 30, tzinfo=UTC)
    assert by_date["2026-03-12"].starts_at == datetime(2026, 3, 12, 21, 30, tzinfo=UTC)
    assert by_date["2026-10-29"].starts_at == datetime(2026, 10, 29, 21, 30, tzinfo=UTC)
    assert by_date["2026-11-05"].starts_at == datetime(2026, 11, 5, 22, 30, tzinfo=UTC)
    assert {s.ends_at - s.starts_at for s in shifts} == {timedelta(minutes=90)}
    assert ShiftSeries.objects.get().shifts.count() == 38


@override_settings(MAX_SERIES_OCCURRENCES=5)
def test_series_refuses_more_than_the_cap(login, coordinator, roster):
    body = series_body(rrule="FREQ=DAILY;COUNT=6", title="Too many")

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/series/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "series_too_long"
    assert response.json()["error"]["message"] == (
        "A series can have at most 5 shifts; this rule makes more. Lower COUNT or bring UNTIL closer."
    )
    assert (Shift.objects.count(), ShiftSeries.objects.count()) == (0, 0)


@override_settings(MAX_SERIES_OCCURRENCES=5)
def test_series_at_the_cap_is_fine(coordinator, roster):
    shifts = series_create(
        roster=roster,
        rrule="RRULE:FREQ=DAILY;COUNT=5",
        first_starts_at=future(),
        duration=timedelta(hours=1),
        title="Exactly five",
        capacity=1,
        created_by=coordinator,
    )

    assert len(shifts) == Shift.objects.count() == 5


def test_series_refuses_rule_without_end(login, coordinator, roster):
    body = series_body(rrule="FREQ=WEEKLY")

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/series/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unbounded_series"
    assert Shift.objects.count() == 0


def test_series_refuses_garbage_rule(login, coordinator, roster):
    body = series_body(rrule="FREQ=SOMETIMES;COUNT=3")

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/series/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_rrule"
    assert Shift.objects.count() == 0


def test_series_by_volunteer_is_403(login, volunteer, roster):
    body = series_body(rrule="FREQ=DAILY;COUNT=2")

    response = login(volunteer).post(f"/api/v1/rosters/{roster.pk}/series/", body, format="json")

    assert response.status_code == 403
    assert Shift.objects.count() == 0


def _weekly_series(coordinator, roster, count=4):
    return series_create(
        roster=roster,
        rrule=f"FREQ=WEEKLY;COUNT={count}",
        first_starts_at=datetime(2026, 2, 26, 17, 30, tzinfo=NEW_YORK),
        duration=timedelta(hours=1),
        title="Group",
        capacity=2,
        created_by=coordinator,
    )


@pytest.fixture
def frozen_before_series(monkeypatch):
    # The DST series starts in February 2026; pretend it is January so every shift is ahead.
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def test_series_update_following_moves_later_ones_in_local_time(
    login, coordinator, roster, frozen_before_series
):
    shifts = _weekly_series(coordinator, roster)  # 26 Feb, 5, 12, 19 March (DST on 8 March)
    second = shifts[1]
    new_start = datetime(2026, 3, 5, 18, 0, tzinfo=NEW_YORK)

    response = login(coordinator).patch(
        f"/api/v1/shifts/{second.pk}/?scope=following",
        {"starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=1)).isoformat()},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["count"] == 3
    local = [
        s.starts_at.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for s in Shift.objects.order_by("starts_at")
    ]
    assert local == ["02-26 17:30", "03-05 18:00", "03-12 18:00", "03-19 18:00"]
    assert list(Shift.objects.order_by("starts_at").values_list("sequence", flat=True)) == [0, 1, 1, 1]


def test_series_update_all_changes_title_only(coordinator, roster, frozen_before_series):
    from scheduling.services import series_update

    shifts = _weekly_series(coordinator, roster)

    updated = series_update(shift=shifts[2], actor=coordinator, scope="all", title="Peer group")

    assert len(updated) == 4
    assert list(Shift.objects.values_list("title", "sequence").distinct()) == [("Peer group", 0)]


def test_series_update_this_changes_one(coordinator, roster, frozen_before_series):
    from scheduling.services import series_update

    shifts = _weekly_series(coordinator, roster)

    series_update(shift=shifts[0], actor=coordinator, scope="this", capacity=5)

    assert list(Shift.objects.order_by("starts_at").values_list("capacity", flat=True)) == [5, 2, 2, 2]


def test_series_update_bad_scope_is_400(login, coordinator, roster, frozen_before_series):
    shifts = _weekly_series(coordinator, roster)

    response = login(coordinator).patch(
        f"/api/v1/shifts/{shifts[0].pk}/?scope=some", {"title": "x"}, format="json"
    )

    assert response.status_code == 400
    assert Shift.objects.filter(title="x").count() == 0


def test_roster_create_by_org_coordinator(login):
    organisation = OrganisationFactory()
    boss = OrganisationMembershipFactory(organisation=organisation, role=Role.COORDINATOR).person

    response = login(boss).post(
        "/api/v1/rosters/",
        {
            "organisation": organisation.pk,
            "name": "Hospital visits",
            "time_zone": "America/Chicago",
            "cancel_cutoff": "1 00:00:00",
        },
        format="json",
    )

    assert response.status_code == 201
    data = response.json()
    assert (data["name"], data["kind"], data["time_zone"], data["cancel_cutoff"], data["organisation"]) == (
        "Hospital visits",
        "duty",
        "America/Chicago",
        "1 00:00:00",
        organisation.pk,
    )
    listed = login(boss).get("/api/v1/rosters/").json()
    assert [r["name"] for r in listed["results"]] == ["Hospital visits"]


def test_roster_create_by_org_volunteer_is_403_and_stranger_404(login):
    organisation = OrganisationFactory()
    helper = OrganisationMembershipFactory(organisation=organisation, role=Role.VOLUNTEER).person
    from tests.factories import PersonFactory

    body = {"organisation": organisation.pk, "name": "x"}
    assert login(helper).post("/api/v1/rosters/", body, format="json").status_code == 403
    assert login(PersonFactory()).post("/api/v1/rosters/", body, format="json").status_code == 404
    body_bad_zone = {"organisation": organisation.pk, "name": "x", "time_zone": "Mars/Base"}
    boss = OrganisationMembershipFactory(organisation=organisation, role=Role.COORDINATOR).person
    assert login(boss).post("/api/v1/rosters/", body_bad_zone, format="json").status_code == 400
    from scheduling.models import Roster

    assert Roster.objects.count() == 0


def test_roster_update_by_coordinator(login, coordinator, volunteer, roster):
    response = login(coordinator).patch(
        f"/api/v1/rosters/{roster.pk}/", {"cancel_cutoff": "12:00:00", "name": "Night line"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["cancel_cutoff"]) == ("Night line", "12:00:00")
    roster.refresh_from_db()
    assert roster.cancel_cutoff == timedelta(hours=12)
    refused = login(volunteer).patch(f"/api/v1/rosters/{roster.pk}/", {"name": "Mine"}, format="json")
    assert refused.status_code == 403
    bad = login(coordinator).patch(
        f"/api/v1/rosters/{roster.pk}/", {"time_zone": "Nowhere/Land"}, format="json"
    )
    assert bad.status_code == 400
    roster.refresh_from_db()
    assert (roster.name, roster.time_zone) == ("Night line", "America/New_York")


def test_series_until_as_local_date_includes_that_day(coordinator, roster, frozen_before_series):
    shifts = series_create(
        roster=roster,
        rrule="FREQ=DAILY;UNTIL=20260303",
        first_starts_at=datetime(2026, 3, 1, 20, 0, tzinfo=NEW_YORK),  # 01:00 UTC the next day
        duration=timedelta(hours=1),
        title="Evenings",
        capacity=1,
        created_by=coordinator,
    )

    assert [s.starts_at.astimezone(NEW_YORK).date().isoformat() for s in shifts] == [
        "2026-03-01",
        "2026-03-02",
        "2026-03-03",
    ]
    assert ShiftSeries.objects.get().rrule == "FREQ=DAILY;UNTIL=20260304T045959Z"


def test_series_weekly_byday_keeps_local_weekdays(coordinator, roster, frozen_before_series):
    shifts = series_create(
        roster=roster,
        rrule="RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=6",
        first_starts_at=datetime(2026, 3, 2, 19, 30, tzinfo=NEW_YORK),  # Monday 19:30, 00:30 UTC Tuesday
        duration=timedelta(hours=1),
        title="Dinner",
        capacity=1,
        created_by=coordinator,
    )

    local = [s.starts_at.astimezone(NEW_YORK).strftime("%a %d %H:%M") for s in shifts]
    assert local == [
        "Mon 02 19:30",
        "Wed 04 19:30",
        "Fri 06 19:30",
        "Mon 09 19:30",
        "Wed 11 19:30",
        "Fri 13 19:30",
    ]


def test_series_refuses_dtstart_in_rule(login, coordinator, roster):
    body = series_body(rrule="DTSTART:20300101T100000Z\nRRULE:FREQ=DAILY;COUNT=2")

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/series/", body, format="json")

    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_rrule")
    assert Shift.objects.count() == 0


def test_shift_required_qualifications_set_and_checked(login, coordinator, roster):
    from tests.scheduling.factories import QualificationFactory

    ours = QualificationFactory(name="Spanish speaker")
    theirs = QualificationFactory(name="Other org", organisation=OrganisationFactory())

    created = login(coordinator).post(
        f"/api/v1/rosters/{roster.pk}/shifts/", shift_body(required_qualifications=[ours.pk]), format="json"
    )
    foreign = login(coordinator).post(
        f"/api/v1/rosters/{roster.pk}/shifts/", shift_body(required_qualifications=[theirs.pk]), format="json"
    )
    unknown = login(coordinator).post(
        f"/api/v1/rosters/{roster.pk}/shifts/", shift_body(required_qualifications=[999999]), format="json"
    )

    assert created.status_code == 201
    assert created.json()["required_qualifications"] == [
        {"id": ours.pk, "code": ours.code, "name": "Spanish speaker"}
    ]
    assert (foreign.status_code, unknown.status_code) == (400, 400)
    assert Shift.objects.count() == 1
    cleared = login(coordinator).patch(
        f"/api/v1/shifts/{created.json()['id']}/", {"required_qualifications": []}, format="json"
    )
    assert (cleared.status_code, cleared.json()["required_qualifications"]) == (200, [])


# --- Series through the API: edit all, cancel one, the real cap ---------------------------------


def test_series_update_all_through_the_api_moves_every_occurrence_in_local_time(
    login, coordinator, volunteer, roster, frozen_before_series
):
    shifts = _weekly_series(coordinator, roster)  # 26 Feb, 5, 12, 19 March (DST on 8 March)
    held = signup_claim(shift=shifts[0], person=volunteer).signup
    third = shifts[2]  # after the change to daylight time
    new_start = datetime(2026, 3, 12, 18, 15, tzinfo=NEW_YORK)

    response = login(coordinator).patch(
        f"/api/v1/shifts/{third.pk}/?scope=all",
        {
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + timedelta(minutes=90)).isoformat(),
            "title": "Evening group",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["count"] == 4
    after = list(Shift.objects.order_by("starts_at"))
    assert [s.starts_at.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for s in after] == [
        "02-26 18:15",
        "03-05 18:15",
        "03-12 18:15",
        "03-19 18:15",
    ]
    # The same local time is a different UTC time on each side of the change.
    assert [s.starts_at for s in after] == [
        datetime(2026, 2, 26, 23, 15, tzinfo=UTC),
        datetime(2026, 3, 5, 23, 15, tzinfo=UTC),
        datetime(2026, 3, 12, 22, 15, tzinfo=UTC),
        datetime(2026, 3, 19, 22, 15, tzinfo=UTC),
    ]
    assert [(s.ends_at - s.starts_at, s.title, s.sequence) for s in after] == [
        (timedelta(minutes=90), "Evening group", 1)
    ] * 4
    held.refresh_from_db()
    assert (held.status, held.sequence) == ("confirmed", 1)  # calendars see the move


def test_series_cancel_one_occurrence_through_the_api_keeps_the_others(
    login, coordinator, volunteer_on, roster, frozen_before_series
):
    from notifications.models import Notification

    shifts = _weekly_series(coordinator, roster)
    cancelled_holder, waiting, other_holder = volunteer_on(), volunteer_on(), volunteer_on()
    second = shifts[1]
    signup_claim(shift=second, person=cancelled_holder)
    signup_claim(shift=second, person=volunteer_on())
    signup_claim(shift=second, person=waiting, join_waitlist=True)
    signup_claim(shift=shifts[2], person=other_holder)

    response = login(coordinator).delete(f"/api/v1/shifts/{second.pk}/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert list(Shift.objects.order_by("starts_at").values_list("status", flat=True)) == [
        "scheduled",
        "cancelled",
        "scheduled",
        "scheduled",
    ]
    assert Shift.objects.get(pk=second.pk).series_id == shifts[0].series_id
    assert set(Signup.objects.filter(shift=second).values_list("status", flat=True)) == {"cancelled"}
    assert Signup.objects.get(shift=shifts[2]).status == "confirmed"
    told = Notification.objects.filter(kind="shift_cancelled", channel="in_app")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        Signup.objects.filter(shift=second).values_list("person_id", flat=True)
    )
    assert not told.filter(recipient=other_holder).exists()
    assert told.filter(recipient=waiting).exists()


@pytest.mark.parametrize("rrule", ["FREQ=HOURLY;COUNT=10000", "FREQ=DAILY;UNTIL=20530715"])
def test_series_of_ten_thousand_is_refused_at_the_real_cap(login, coordinator, roster, settings, rrule):
    assert settings.MAX_SERIES_OCCURRENCES == 200  # the shipped default, not a test override
    body = {
        "rrule": rrule,
        "first_starts_at": future().isoformat(),
        "duration": "01:00:00",
        "title": "Forever",
    }

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/series/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "series_too_long",
        "message": "A series can have at most 200 shifts; this rule makes more. "
        "Lower COUNT or bring UNTIL closer.",
        "fields": {"rrule": ["At most 200 occurrences."]},
    }
    assert (Shift.objects.count(), ShiftSeries.objects.count()) == (0, 0)


# Found by `make fuzz-deep`: a number past the 32-bit columns, or a length or cut-off of
# centuries, reached the database or the date arithmetic and answered 500.
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"capacity": 36893488147419103233}, "capacity", "A shift has room for at most 1000 people."),
        ({"capacity": 1001}, "capacity", "A shift has room for at most 1000 people."),
    ],
)
def test_shift_update_refuses_numbers_past_their_bound_and_changes_nothing(
    login, coordinator, shift, body, field, message
):
    response = login(coordinator).patch(f"/api/v1/shifts/{shift.pk}/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}
    assert Shift.objects.get(pk=shift.pk).capacity == shift.capacity


def test_series_refuses_a_shift_length_of_centuries(login, coordinator, roster):
    body = series_body(rrule="FREQ=DAILY;COUNT=2", duration="999999999 00:00:00", title="Forever")

    response = login(coordinator).post(f"/api/v1/rosters/{roster.pk}/series/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"duration": ["A shift lasts at most 31 days."]}
    assert (Shift.objects.count(), ShiftSeries.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("cutoff", "message"),
    [
        ("999999999 00:00:00", "A cancel cut-off is at most 30 days before the shift."),
        ("-1 00:00:00", "Give the cut-off as a time before the shift, e.g. 24:00:00."),
    ],
)
def test_roster_update_refuses_a_cancel_cutoff_out_of_bounds(login, coordinator, roster, cutoff, message):
    response = login(coordinator).patch(
        f"/api/v1/rosters/{roster.pk}/", {"cancel_cutoff": cutoff}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"cancel_cutoff": [message]}
    roster.refresh_from_db()
    assert roster.cancel_cutoff is None
