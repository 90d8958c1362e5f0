"""Qualifications and grants; a volunteer's availability, absences and limits (through the API)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rosters.models import AvailabilityException, AvailabilityWindow, VolunteerLimits
from scheduling.models import PersonQualification, Qualification
from tests.factories import PersonFactory
from tests.rosters.factories import QualificationFactory, org_with_roster

pytestmark = pytest.mark.django_db


def test_qualification_create_by_coordinator_and_listed_for_members(login):
    org = org_with_roster(volunteers=1)
    response = login(org.coordinator).post(
        "/api/v1/qualifications/",
        {"organisation": org.organisation.pk, "code": "spanish", "name": "Spanish speaker"},
        format="json",
    )
    assert response.status_code == 201
    listed = login(org.volunteers[0]).get("/api/v1/qualifications/").json()
    assert [(q["code"], q["name"]) for q in listed["results"]] == [("spanish", "Spanish speaker")]
    assert login(PersonFactory()).get("/api/v1/qualifications/").json()["count"] == 0


def test_qualification_create_refused_for_volunteers_and_strangers(login):
    org = org_with_roster(volunteers=1)
    body = {"organisation": org.organisation.pk, "code": "spanish", "name": "Spanish speaker"}
    assert login(org.volunteers[0]).post("/api/v1/qualifications/", body, format="json").status_code == 403
    assert login(PersonFactory()).post("/api/v1/qualifications/", body, format="json").status_code == 404
    assert Qualification.objects.count() == 0


def test_grant_and_revoke(login):
    org = org_with_roster(volunteers=1)
    qual = QualificationFactory(organisation=org.organisation)
    client = login(org.coordinator)
    url = f"/api/v1/qualifications/{qual.pk}/grants/"
    response = client.post(
        url, {"person": org.volunteers[0].pk, "expires_at": "2027-06-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 201
    grant = PersonQualification.objects.get()
    assert grant.expires_at == datetime(2027, 6, 1, tzinfo=UTC)
    assert client.get(url).json()["count"] == 1
    # Granting again renews (one grant per person and qualification).
    assert client.post(url, {"person": org.volunteers[0].pk}, format="json").status_code == 201
    assert PersonQualification.objects.get().expires_at is None
    assert client.delete(f"{url}{grant.pk}/").status_code == 204
    assert PersonQualification.objects.count() == 0


def test_grant_refuses_non_members_naive_times_and_volunteers(login):
    org = org_with_roster(volunteers=1)
    qual = QualificationFactory(organisation=org.organisation)
    url = f"/api/v1/qualifications/{qual.pk}/grants/"
    client = login(org.coordinator)
    assert client.post(url, {"person": PersonFactory().pk}, format="json").status_code == 400
    naive = client.post(
        url, {"person": org.volunteers[0].pk, "expires_at": "2027-06-01T00:00:00"}, format="json"
    )
    assert naive.status_code == 400
    assert (
        login(org.volunteers[0]).post(url, {"person": org.volunteers[0].pk}, format="json").status_code == 403
    )
    assert (
        login(PersonFactory()).post(url, {"person": org.volunteers[0].pk}, format="json").status_code == 404
    )
    assert PersonQualification.objects.count() == 0


def test_availability_put_and_get(login, person):
    client = login(person)
    body = {
        "windows": [
            {"weekday": 0, "start": "17:00", "end": "22:00"},
            {"weekday": 5, "start": "09:00", "end": "12:00"},
        ]
    }
    assert client.put("/api/v1/me/availability/", body, format="json").status_code == 200
    got = client.get("/api/v1/me/availability/").json()
    assert got == {
        "time_zone": "America/New_York",
        "windows": [
            {"weekday": 0, "start": "17:00:00", "end": "22:00:00"},
            {"weekday": 5, "start": "09:00:00", "end": "12:00:00"},
        ],
    }


def test_availability_ending_before_start_is_refused_and_keeps_the_old_windows(login, person):
    client = login(person)
    client.put(
        "/api/v1/me/availability/",
        {"windows": [{"weekday": 0, "start": "17:00", "end": "22:00"}]},
        format="json",
    )
    bad = {
        "windows": [
            {"weekday": 1, "start": "09:00", "end": "12:00"},
            {"weekday": 2, "start": "18:00", "end": "09:00"},
        ]
    }
    response = client.put("/api/v1/me/availability/", bad, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"windows[1].end": ["Must be after start."]}
    assert list(AvailabilityWindow.objects.values_list("weekday", flat=True)) == [0]


def test_availability_exceptions_crud(login, person):
    client = login(person)
    created = client.post(
        "/api/v1/me/availability/exceptions/",
        {
            "starts_at": "2027-03-03T00:00:00-05:00",
            "ends_at": "2027-03-17T00:00:00-04:00",
            "note": "Travelling",
        },
        format="json",
    )
    assert created.status_code == 201
    eid = created.json()["id"]
    assert client.get("/api/v1/me/availability/exceptions/").json()["count"] == 1
    backwards = client.patch(
        f"/api/v1/me/availability/exceptions/{eid}/", {"ends_at": "2027-03-01T00:00:00Z"}, format="json"
    )
    assert backwards.status_code == 400
    assert AvailabilityException.objects.get().ends_at == datetime(2027, 3, 17, 4, tzinfo=UTC)
    assert login(PersonFactory()).delete(f"/api/v1/me/availability/exceptions/{eid}/").status_code == 404
    assert client.delete(f"/api/v1/me/availability/exceptions/{eid}/").status_code == 204
    assert AvailabilityException.objects.count() == 0


def test_limits_put_get_and_zero_is_refused(login, person):
    client = login(person)
    assert client.get("/api/v1/me/limits/").json() == {
        "max_shifts_per_week": None,
        "max_hours_per_week": None,
        "min_rest_hours": None,
    }
    response = client.put(
        "/api/v1/me/limits/",
        {"max_shifts_per_week": 2, "max_hours_per_week": "7.5", "min_rest_hours": 12},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"max_shifts_per_week": 2, "max_hours_per_week": 7.5, "min_rest_hours": 12.0}
    zero = client.put("/api/v1/me/limits/", {"max_shifts_per_week": 0}, format="json")
    assert zero.status_code == 400
    assert zero.json()["error"]["code"] == "use_away"
    assert "use 'away' instead" in zero.json()["error"]["message"]
    assert VolunteerLimits.objects.get().max_shifts_per_week == 2
    huge = client.put("/api/v1/me/limits/", {"max_shifts_per_week": 10**20}, format="json")
    assert huge.status_code == 400
    assert list(huge.json()["error"]["fields"]) == ["max_shifts_per_week"]
    assert VolunteerLimits.objects.get().max_shifts_per_week == 2


@pytest.mark.parametrize("count", [1, 50])
def test_people_lists_query_count(login, django_assert_num_queries, count):
    from tests.rosters.factories import PersonQualificationFactory

    org = org_with_roster(volunteers=count)
    qual = QualificationFactory(organisation=org.organisation)
    for i in range(count):
        QualificationFactory(organisation=org.organisation, code=f"extra-{i}")
        PersonQualificationFactory(person=org.volunteers[i], qualification=qual)
        AvailabilityException.objects.create(
            person=org.coordinator,
            starts_at=datetime(2027, 1 + i // 27, 1 + i % 27, tzinfo=UTC),
            ends_at=datetime(2027, 1 + i // 27, 2 + i % 27, tzinfo=UTC),
        )
    client = login(org.coordinator)
    with django_assert_num_queries(2):  # count, page
        assert client.get("/api/v1/qualifications/").json()["count"] == count + 1
    with django_assert_num_queries(4):  # qualification, coordinator check, count, page with people
        assert client.get(f"/api/v1/qualifications/{qual.pk}/grants/").json()["count"] == count
    with django_assert_num_queries(2):
        assert client.get("/api/v1/me/availability/exceptions/").json()["count"] == count
