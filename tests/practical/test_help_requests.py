"""Help requests through the API: creating (one-off and series), kind details, who sees what."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from practical.models import AddressRead, Circle, HelpRequest
from scheduling.models import Shift, ShiftSeries, Signup
from tests.practical.help_factories import (
    MEAL_DETAILS,
    add_volunteer,
    circle_with_people,
    fast_passwords,  # noqa: F401  (fixture)
    make_request,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]

NY = ZoneInfo("America/New_York")


def _counts() -> tuple[int, int, int]:
    return HelpRequest.objects.count(), Shift.objects.count(), ShiftSeries.objects.count()


def _meal_body(**overrides: Any) -> dict[str, Any]:
    starts_at = (
        (timezone.now() + timedelta(days=2))
        .astimezone(NY)
        .replace(hour=17, minute=30, second=0, microsecond=0)
    )
    body = {
        "kind": "meal",
        "title": "Dinner for the Lopez family",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
        "capacity": 1,
        "details": dict(MEAL_DETAILS),
    }
    body.update(overrides)
    return body


# --- creating one request ----------------------------------------------------------------------


def test_request_create_meal_stores_shift_and_details(login):
    people = circle_with_people()
    body = _meal_body()
    response = login(people.coordinator).post(f"/api/v1/circles/{people.circle.pk}/requests/", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    help_request = HelpRequest.objects.get()
    assert data["id"] == help_request.pk
    assert data["kind"] == "meal"
    assert data["title"] == "Dinner for the Lopez family"
    assert data["starts_at"] == body["starts_at"]
    assert data["time_zone"] == "America/New_York"
    assert data["capacity"] == 1
    assert data["spots_left"] == 1
    assert data["details"] == {
        "servings": 4,
        "delivery_window_start": "17:00",
        "delivery_window_end": "18:30",
        "containers_to_return": True,
        "notes": "Leave it on the porch bench.",
    }
    assert help_request.details == data["details"]
    assert help_request.shift.roster_id == people.circle.roster_id
    assert help_request.shift.starts_at == datetime.fromisoformat(body["starts_at"])
    # The coordinator sees the address on what they just created.
    assert data["address"] == "12 Elm Street, Springfield"


@pytest.mark.parametrize(
    ("kind", "details", "stored"),
    [
        ("laundry", {"pickup_instructions": "Bag by the door", "return_instructions": "Folded, on the bed"},
         {"pickup_instructions": "Bag by the door", "return_instructions": "Folded, on the bed"}),
        ("childcare", {"children": ["Mia", "cousin Leo"], "where": "At home"},
         {"children": ["Mia", "cousin Leo"], "where": "At home"}),
        ("errand", {"items": ["diapers size 1", "milk"], "budget": {"amount": "25", "currency": "USD"},
                    "reimbursement": "family_pays_back"},
         {"items": ["diapers size 1", "milk"], "budget": {"amount": "25.00", "currency": "USD"},
          "reimbursement": "family_pays_back"}),
        ("ride", {"from": "Home", "to": "St Mary's clinic", "appointment_at": "2030-01-07T10:15:00-05:00"},
         {"from": "Home", "to": "St Mary's clinic", "appointment_at": "2030-01-07T15:15:00Z"}),
        ("visit", {"purpose": "Company while Maria naps"}, {"purpose": "Company while Maria naps"}),
        ("other", {"description": "Walk the dog"}, {"description": "Walk the dog"}),
    ],
)  # fmt: skip
def test_request_create_stores_each_kinds_details(login, kind, details, stored):
    people = circle_with_people()
    response = login(people.coordinator).post(
        f"/api/v1/circles/{people.circle.pk}/requests/", _meal_body(kind=kind, details=details)
    )
    assert response.status_code == 201, response.json()
    assert response.json()["details"] == stored
    assert HelpRequest.objects.get().details == stored


def test_request_create_flexible_without_end_lasts_the_local_day(login):
    people = circle_with_people()
    body = _meal_body(kind="other", details={"description": "Any time"}, is_flexible=True)
    del body["ends_at"]
    response = login(people.coordinator).post(f"/api/v1/circles/{people.circle.pk}/requests/", body)
    assert response.status_code == 201, response.json()
    shift = HelpRequest.objects.get().shift
    assert shift.is_flexible is True
    local_end = shift.ends_at.astimezone(NY)
    assert (local_end.hour, local_end.minute) == (0, 0)
    assert local_end.date() == datetime.fromisoformat(body["starts_at"]).date() + timedelta(days=1)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"details": {**MEAL_DETAILS, "serving": 3}}, "details.serving", "This field is not recognised."),
        ({"details": {**MEAL_DETAILS, "servings": 0}}, "details.servings", None),
        ({"details": {**MEAL_DETAILS, "servings": 31}}, "details.servings", None),
        ({"details": {"containers_to_return": False}}, "details.servings", None),
        ({"details": {**MEAL_DETAILS, "delivery_window_end": "16:00"}}, "details.delivery_window_end",
         "The delivery window must end after it starts."),
        ({"details": "four servings"}, "details", "Give the details as an object."),
        ({"capacity": 0}, "capacity", None),
        ({"ends_at": "2020-01-01T00:00:00+00:00"}, "ends_at", "The end must be after the start."),
        ({"starts_at": "2030-01-01T17:30:00"}, "starts_at", None),
        # A typing slip for a year (found by the fuzzer: 0173 in New York has the offset -04:56:02).
        ({"starts_at": "0173-08-26T07:01:53Z", "is_flexible": True, "ends_at": "2030-01-01T00:00:00Z"},
         "starts_at", "Give a time from the year 2000 to 2099."),
        ({"ends_at": "3163-02-08T12:59:16Z"}, "ends_at", "Give a time from the year 2000 to 2099."),
        ({"kind": "massage"}, "kind", None),
        ({"colour": "blue"}, "colour", "This field is not recognised."),
        ({"kind": "errand", "details": {"items": ["milk"], "reimbursement": "later"}},
         "details.reimbursement", None),
        ({"kind": "errand", "details": {"items": []}}, "details.items", None),
        ({"kind": "errand", "details": {"items": ["milk"], "budget": {"amount": "5", "currency": "dollars"}}},
         "details.budget.currency", "Use a three-letter currency code such as USD."),
        ({"kind": "ride", "details": {"from": "Home"}}, "details.to", None),
        ({"kind": "other", "details": {}}, "details.description", None),
        ({"kind": "visit", "details": {"servings": 2}}, "details.servings", "This field is not recognised."),
    ],
)  # fmt: skip
def test_request_create_refuses_bad_input_and_stores_nothing(login, overrides, field, message):
    people = circle_with_people()
    before = _counts()
    response = login(people.coordinator).post(
        f"/api/v1/circles/{people.circle.pk}/requests/", _meal_body(**overrides)
    )
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    if message is not None:
        assert error["fields"][field] == [message]
    assert _counts() == before


def test_request_create_names_every_unknown_detail_key(login):
    people = circle_with_people()
    response = login(people.coordinator).post(
        f"/api/v1/circles/{people.circle.pk}/requests/",
        _meal_body(details={**MEAL_DETAILS, "spicy": True, "allergens": ["milk"]}),
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields == {
        "details.allergens": ["This field is not recognised."],
        "details.spicy": ["This field is not recognised."],
    }
    assert response.json()["error"]["message"] == "details.allergens: This field is not recognised."


@pytest.mark.parametrize(
    ("who", "status"),
    [("volunteer", 403), ("stranger", 404), ("org_volunteer", 404), ("org_coordinator", 201)],
)
def test_request_create_only_by_coordinators(login, who, status):
    people = circle_with_people()
    before = _counts()
    response = login(getattr(people, who)).post(f"/api/v1/circles/{people.circle.pk}/requests/", _meal_body())
    assert response.status_code == status, response.json()
    assert _counts()[0] == before[0] + (1 if status == 201 else 0)


def test_request_create_anonymous_is_refused(api):
    people = circle_with_people()
    response = api.post(f"/api/v1/circles/{people.circle.pk}/requests/", _meal_body())
    assert response.status_code in (401, 403)
    assert HelpRequest.objects.count() == 0


def test_request_create_in_closed_circle_is_refused(login):
    people = circle_with_people(status=Circle.Status.CLOSED)
    response = login(people.coordinator).post(f"/api/v1/circles/{people.circle.pk}/requests/", _meal_body())
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "circle_closed"
    assert HelpRequest.objects.count() == 0


# --- series ------------------------------------------------------------------------------------


def test_request_series_keeps_local_time_across_dst(login):
    people = circle_with_people()
    # Monday 8 March 2027, 17:30 in New York; DST starts on Sunday 14 March 2027.
    first = datetime(2027, 3, 8, 17, 30, tzinfo=NY)
    response = login(people.coordinator).post(
        f"/api/v1/circles/{people.circle.pk}/requests/series/",
        {
            "kind": "meal",
            "title": "Dinner",
            "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=9",
            "first_starts_at": first.isoformat(),
            "duration_minutes": 60,
            "capacity": 1,
            "details": {"servings": 4},
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["count"] == 9
    requests = list(HelpRequest.objects.select_related("shift").order_by("shift__starts_at"))
    assert len(requests) == 9
    local = [r.shift.starts_at.astimezone(NY) for r in requests]
    assert [(t.hour, t.minute) for t in local] == [(17, 30)] * 9
    assert [t.day for t in local] == [8, 10, 12, 15, 17, 19, 22, 24, 26]
    utc_hours = [r.shift.starts_at.astimezone(ZoneInfo("UTC")).hour for r in requests]
    assert utc_hours == [22, 22, 22, 21, 21, 21, 21, 21, 21]
    assert {r.details["servings"] for r in requests} == {4}
    assert {r.kind for r in requests} == {"meal"}
    assert len({r.shift.series_id for r in requests}) == 1
    assert [item["id"] for item in response.json()["results"]] == [r.pk for r in requests]
    assert [item["starts_at"] for item in response.json()["results"]][:4] == [
        "2027-03-08T17:30:00-05:00",
        "2027-03-10T17:30:00-05:00",
        "2027-03-12T17:30:00-05:00",
        "2027-03-15T17:30:00-04:00",
    ]


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"rrule": "FREQ=WEEKLY;BYDAY=MO"}, 400),  # no end
        ({"rrule": "FREQ=SOMETIMES;COUNT=3"}, 400),
        ({"details": {"servings": 99}}, 400),
        ({"duration_minutes": 0}, 400),
        ({"capacity": 0}, 400),
    ],
)
def test_request_series_is_all_or_nothing(login, overrides, status):
    people = circle_with_people()
    body = {
        "kind": "meal",
        "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=9",
        "first_starts_at": "2027-03-08T17:30:00-05:00",
        "duration_minutes": 60,
        "details": {"servings": 4},
        **overrides,
    }
    before = _counts()
    response = login(people.coordinator).post(f"/api/v1/circles/{people.circle.pk}/requests/series/", body)
    assert response.status_code == status, response.json()
    assert _counts() == before


@pytest.mark.parametrize("rrule", ["FREQ=HOURLY;COUNT=10000", "FREQ=DAILY;UNTIL=20540101"])
def test_request_series_of_ten_thousand_is_refused_at_the_real_cap(login, settings, rrule):
    assert settings.MAX_SERIES_OCCURRENCES == 200  # the shipped default, not a test override
    people = circle_with_people()
    before = _counts()

    response = login(people.coordinator).post(
        f"/api/v1/circles/{people.circle.pk}/requests/series/",
        {
            "kind": "meal",
            "rrule": rrule,
            "first_starts_at": "2027-03-08T17:30:00-05:00",
            "duration_minutes": 60,
            "details": {"servings": 4},
        },
    )

    assert response.status_code == 400, response.json()
    assert response.json()["error"] == {
        "code": "series_too_long",
        "message": "A series can have at most 200 shifts; this rule makes more. "
        "Lower COUNT or bring UNTIL closer.",
        "fields": {"rrule": ["At most 200 occurrences."]},
    }
    assert _counts() == before


def test_request_series_by_volunteer_is_forbidden(login):
    people = circle_with_people()
    response = login(people.volunteer).post(
        f"/api/v1/circles/{people.circle.pk}/requests/series/",
        {
            "kind": "meal",
            "rrule": "FREQ=DAILY;COUNT=2",
            "first_starts_at": "2027-03-08T17:30:00-05:00",
            "duration_minutes": 60,
            "details": {"servings": 4},
        },
    )
    assert response.status_code == 403
    assert _counts() == (0, 0, 0)


# --- listing -----------------------------------------------------------------------------------


def test_request_list_shows_members_the_open_requests(login):
    people = circle_with_people()
    soon = make_request(people, starts_at=timezone.now() + timedelta(days=1), title="Soup")
    later = make_request(people, starts_at=timezone.now() + timedelta(days=5), title="Stew")
    laundry = make_request(people, kind="laundry", title="Laundry")
    laundry.shift.starts_at = timezone.now() + timedelta(days=2)
    laundry.shift.ends_at = laundry.shift.starts_at + timedelta(hours=1)
    laundry.shift.save()
    client = login(people.volunteer)
    url = f"/api/v1/circles/{people.circle.pk}/requests/"

    everything = client.get(url).json()
    assert everything["count"] == 3
    assert [r["id"] for r in everything["results"]] == [soon.pk, laundry.pk, later.pk]

    meals = client.get(url, {"kind": "meal"}).json()
    assert [r["id"] for r in meals["results"]] == [soon.pk, later.pk]

    Shift.objects.filter(pk=soon.shift_id).update(filled=1)
    open_meals = client.get(url, {"kind": "meal", "open": "true"}).json()
    assert [r["id"] for r in open_meals["results"]] == [later.pk]

    window = client.get(
        url,
        {
            "start": (timezone.now() + timedelta(days=4)).isoformat(),
            "end": (timezone.now() + timedelta(days=6)).isoformat(),
        },
    ).json()
    assert [r["id"] for r in window["results"]] == [later.pk]


@pytest.mark.parametrize(
    ("who", "status"), [("stranger", 404), ("org_volunteer", 404), ("org_coordinator", 200)]
)
def test_request_list_by_role(login, who, status):
    people = circle_with_people()
    make_request(people)
    response = login(getattr(people, who)).get(f"/api/v1/circles/{people.circle.pk}/requests/")
    assert response.status_code == status
    if status == 404:
        assert response.json()["error"]["code"] == "not_found"


def test_request_list_anonymous_is_refused(api):
    people = circle_with_people()
    make_request(people)
    assert api.get(f"/api/v1/circles/{people.circle.pk}/requests/").status_code in (401, 403)


def test_request_list_of_unknown_circle_looks_like_a_strangers(login):
    people = circle_with_people()
    response = login(people.volunteer).get("/api/v1/circles/999999/requests/")
    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_request_list_query_count_is_constant(login, django_assert_num_queries, count):
    people = circle_with_people()
    for index in range(count):
        make_request(people, starts_at=timezone.now() + timedelta(days=1, hours=index))
    client = login(people.volunteer)
    # session-less client: roster_role (2), circle (1), count (1), page (1)
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/circles/{people.circle.pk}/requests/")
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [1, 50])
def test_request_list_query_count_is_constant_for_the_coordinator(login, django_assert_num_queries, count):
    people = circle_with_people()
    kinds = [HelpRequest.Kind.MEAL, HelpRequest.Kind.ERRAND, HelpRequest.Kind.VISIT]
    for index in range(count):
        kind = kinds[index % len(kinds)]
        details = {"items": ["Milk"]} if kind == HelpRequest.Kind.ERRAND else None
        help_request = make_request(
            people, kind=kind, details=details, starts_at=timezone.now() + timedelta(days=1, hours=index)
        )
        if index % 2:
            Signup.objects.create(shift=help_request.shift, person=people.volunteer)
    client = login(people.coordinator)
    # roster_role (the membership says coordinator: 1), circle (1), count (1), page (1)
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/circles/{people.circle.pk}/requests/")
    assert response.json()["count"] == count
    assert len(response.json()["results"]) == count


# --- detail: the address by role --------------------------------------------------------------


def _claim(login, person, help_request, **body):
    return login(person).post(f"/api/v1/requests/{help_request.pk}/claim/", body)


def test_request_detail_address_by_role(login):
    people = circle_with_people()
    help_request = make_request(people, starts_at=timezone.now() + timedelta(days=1))
    far = make_request(people, starts_at=timezone.now() + timedelta(days=10))
    url = f"/api/v1/requests/{help_request.pk}/"

    coordinator = login(people.coordinator).get(url).json()
    assert (coordinator["address"], coordinator["phone"]) == ("12 Elm Street, Springfield", "+1 555 0100")
    org = login(people.org_coordinator).get(url).json()
    assert org["address"] == "12 Elm Street, Springfield"
    # Coordinators are the family's side: their reads are not what the family audits.
    assert AddressRead.objects.count() == 0

    # A volunteer without a commitment sees the request, not the address.
    before = login(people.volunteer).get(url).json()
    assert "address" not in before
    assert "phone" not in before
    assert AddressRead.objects.count() == 0

    assert _claim(login, people.volunteer, help_request, dish="Soup").status_code == 201
    # Holding the place, close to its date: the address is shown, and every showing recorded.
    for _ in range(2):
        shown = login(people.volunteer).get(url).json()
        assert (shown["address"], shown["phone"]) == ("12 Elm Street, Springfield", "+1 555 0100")
    reads = list(AddressRead.objects.values_list("person_id", "circle_id", "via"))
    assert reads == [(people.volunteer.pk, people.circle.pk, "request")] * 2

    # A commitment far away does not open the address for a request close by.
    other = make_request(people, starts_at=timezone.now() + timedelta(days=1), title="Other")
    volunteer_b = people.org_volunteer
    from tests.factories import RosterMembershipFactory

    RosterMembershipFactory(roster=people.circle.roster, person=volunteer_b)
    assert _claim(login, volunteer_b, far, dish="Pie").status_code == 201
    assert "address" not in login(volunteer_b).get(f"/api/v1/requests/{other.pk}/").json()


@pytest.mark.parametrize("who", ["stranger", "org_volunteer"])
def test_request_detail_hidden_from_strangers(login, who):
    people = circle_with_people()
    help_request = make_request(people)
    response = login(getattr(people, who)).get(f"/api/v1/requests/{help_request.pk}/")
    assert response.status_code == 404
    assert "Elm" not in response.content.decode()


def test_request_detail_anonymous_is_refused(api):
    people = circle_with_people()
    help_request = make_request(people)
    assert api.get(f"/api/v1/requests/{help_request.pk}/").status_code in (401, 403)


def test_request_detail_shows_coordinator_who_is_coming(login):
    people = circle_with_people()
    help_request = make_request(people, capacity=2)
    _claim(login, people.volunteer, help_request, dish="Lentil soup", notes="Vegan")
    data = login(people.coordinator).get(f"/api/v1/requests/{help_request.pk}/").json()
    signup_id = data["signups"][0]["id"]
    assert data["signups"] == [
        {
            "id": signup_id,
            "person": {"id": people.volunteer.pk, "name": "Ana Smith"},
            "status": "confirmed",
            "contribution": {"dish": "Lentil soup", "contains_allergens": [], "notes": "Vegan"},
            "thanked": False,
            "thanks_message": None,
        }
    ]
    volunteer_view = login(people.volunteer).get(f"/api/v1/requests/{help_request.pk}/").json()
    assert "signups" not in volunteer_view
    assert volunteer_view["my_signup"]["id"] == signup_id
    assert volunteer_view["filled"] == 1


# --- changing and cancelling -------------------------------------------------------------------


def test_request_update_changes_details_and_capacity(login):
    people = circle_with_people()
    help_request = make_request(people)
    response = login(people.coordinator).patch(
        f"/api/v1/requests/{help_request.pk}/",
        {"capacity": 2, "title": "Big dinner", "details": {"servings": 6}},
    )
    assert response.status_code == 200, response.json()
    help_request.refresh_from_db()
    help_request.shift.refresh_from_db()
    assert help_request.details == {"servings": 6, "containers_to_return": False}
    assert (help_request.shift.capacity, help_request.shift.title) == (2, "Big dinner")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"details": {"servings": 6, "oven": True}}, "details.oven"),
        ({"capacity": 0}, "capacity"),
        ({"ends_at": "2020-01-01T00:00:00+00:00"}, "ends_at"),
        ({"kind": "ride"}, "kind"),
    ],
)
def test_request_update_refuses_bad_input_and_changes_nothing(login, body, field):
    people = circle_with_people()
    help_request = make_request(people)
    response = login(people.coordinator).patch(f"/api/v1/requests/{help_request.pk}/", body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    fresh = HelpRequest.objects.select_related("shift").get(pk=help_request.pk)
    assert fresh.details == help_request.details
    assert (fresh.shift.capacity, fresh.shift.ends_at) == (1, help_request.shift.ends_at)


@pytest.mark.parametrize(("who", "status"), [("volunteer", 403), ("stranger", 404)])
def test_request_update_and_cancel_only_by_coordinators(login, who, status):
    people = circle_with_people()
    help_request = make_request(people)
    client = login(getattr(people, who))
    assert client.patch(f"/api/v1/requests/{help_request.pk}/", {"capacity": 3}).status_code == status
    assert client.delete(f"/api/v1/requests/{help_request.pk}/").status_code == status
    help_request.shift.refresh_from_db()
    assert (help_request.shift.capacity, help_request.shift.status) == (1, "scheduled")


def test_request_cancel_cancels_shift_and_places(login):
    people = circle_with_people()
    help_request = make_request(people)
    _claim(login, people.volunteer, help_request, dish="Soup")
    response = login(people.coordinator).delete(f"/api/v1/requests/{help_request.pk}/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    help_request.shift.refresh_from_db()
    assert help_request.shift.status == "cancelled"
    assert list(help_request.shift.signups.values_list("status", flat=True)) == ["cancelled"]
    # Gone from the list, still reachable by its link.
    listed = login(people.volunteer).get(f"/api/v1/circles/{people.circle.pk}/requests/").json()
    assert listed["count"] == 0
    assert login(people.volunteer).get(f"/api/v1/requests/{help_request.pk}/").json()["status"] == "cancelled"


# --- paused and closed circles -----------------------------------------------------------------


def test_paused_circle_hides_future_requests_from_volunteers(login):
    people = circle_with_people()
    held = make_request(people, starts_at=timezone.now() + timedelta(days=1), title="Held")
    open_one = make_request(people, starts_at=timezone.now() + timedelta(days=2), title="Open")
    assert _claim(login, people.volunteer, held, dish="Soup").status_code == 201
    Circle.objects.filter(pk=people.circle.pk).update(status=Circle.Status.PAUSED)
    other = add_volunteer(people.circle, name="Carla Diaz")
    url = f"/api/v1/circles/{people.circle.pk}/requests/"

    assert login(other).get(url).json()["count"] == 0
    assert login(other).get(f"/api/v1/requests/{open_one.pk}/").status_code == 404
    # The volunteer's existing commitment is kept and still visible to them.
    mine = login(people.volunteer).get(url).json()
    assert [r["id"] for r in mine["results"]] == [held.pk]
    assert login(people.volunteer).get(f"/api/v1/requests/{held.pk}/").status_code == 200
    commitments = login(people.volunteer).get("/api/v1/me/commitments/").json()
    assert commitments["count"] == 1
    # The family's side still sees everything.
    assert login(people.coordinator).get(url).json()["count"] == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/circles/{circle}/requests/"),
        ("post", "/api/v1/circles/{circle}/requests/"),
        ("post", "/api/v1/circles/{circle}/requests/series/"),
        ("get", "/api/v1/circles/{circle}/dishes/"),
        ("get", "/api/v1/requests/{request}/"),
        ("patch", "/api/v1/requests/{request}/"),
        ("delete", "/api/v1/requests/{request}/"),
        ("post", "/api/v1/requests/{request}/claim/"),
        ("post", "/api/v1/requests/{request}/received/"),
        ("post", "/api/v1/signups/{signup}/thanks/"),
    ],
)
def test_every_help_endpoint_refuses_anonymous_and_hides_from_strangers(api, login, method, path):
    people = circle_with_people()
    help_request = make_request(people)
    login(people.volunteer).post(f"/api/v1/requests/{help_request.pk}/claim/", {"dish": "Soup"})
    signup = help_request.shift.signups.get()
    url = path.format(circle=people.circle.pk, request=help_request.pk, signup=signup.pk)
    before = (*_counts(), help_request.shift.signups.count())

    anonymous = getattr(api, method)(url, {})
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    for stranger in (people.stranger, people.org_volunteer):
        response = getattr(login(stranger), method)(url, {})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert (*_counts(), help_request.shift.signups.count()) == before


def test_request_series_in_closed_circle_is_refused(login):
    people = circle_with_people(status=Circle.Status.CLOSED)
    response = login(people.coordinator).post(
        f"/api/v1/circles/{people.circle.pk}/requests/series/",
        {
            "kind": "meal",
            "rrule": "FREQ=DAILY;COUNT=3",
            "first_starts_at": "2027-03-08T17:30:00-05:00",
            "duration_minutes": 60,
            "details": {"servings": 4},
        },
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "circle_closed"
    assert _counts() == (0, 0, 0)
