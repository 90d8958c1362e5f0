"""Shift templates and generating shifts from them (through the API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rosters.models import GeneratedShift, ShiftRequirement, ShiftTemplate
from scheduling.models import Shift
from tests.rosters.factories import QualificationFactory, ShiftTemplateFactory, next_monday, org_with_roster

pytestmark = pytest.mark.django_db


def _template_body(**overrides):
    body = {
        "title": "Helpline (phone/text)",
        "weekdays": [0, 1, 2, 3, 4],
        "start_time": "18:00",
        "duration": "03:00:00",
        "capacity": 2,
    }
    body.update(overrides)
    return body


def test_template_create_with_a_per_place_requirement(login):
    org = org_with_roster()
    spanish = QualificationFactory(organisation=org.organisation, name="Spanish speaker")
    response = login(org.coordinator).post(
        f"/api/v1/rosters/{org.roster.pk}/templates/",
        _template_body(
            requirements=[{"qualification": spanish.pk, "count": 1}], call_link="https://meet.example.org/h"
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["requirements"] == [{"qualification": spanish.pk, "name": "Spanish speaker", "count": 1}]
    assert body["weekdays"] == [0, 1, 2, 3, 4]
    assert body["start_time"] == "18:00:00"
    assert body["time_zone"] == "America/New_York"


def test_template_refuses_overlapping_itself_and_writes_nothing(login):
    org = org_with_roster()
    response = login(org.coordinator).post(
        f"/api/v1/rosters/{org.roster.pk}/templates/",
        _template_body(weekdays=[0, 1], duration="1 01:00:00"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "template_overlaps"
    assert ShiftTemplate.objects.count() == 0


def test_template_refuses_a_capacity_past_the_32_bit_column(login):
    # Found by `make fuzz-deep`: it reached the database and answered 500.
    org = org_with_roster()
    response = login(org.coordinator).post(
        f"/api/v1/rosters/{org.roster.pk}/templates/", _template_body(capacity=10**20), format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"capacity": ["A shift has room for at most 1000 people."]}
    assert ShiftTemplate.objects.count() == 0


def test_template_refuses_requirements_over_capacity(login):
    org = org_with_roster()
    spanish = QualificationFactory(organisation=org.organisation)
    response = login(org.coordinator).post(
        f"/api/v1/rosters/{org.roster.pk}/templates/",
        _template_body(capacity=1, requirements=[{"qualification": spanish.pk, "count": 2}]),
        format="json",
    )
    assert response.status_code == 400
    assert ShiftTemplate.objects.count() == 0


def test_template_permissions(login):
    org = org_with_roster(volunteers=1)
    stranger = org_with_roster().coordinator
    url = f"/api/v1/rosters/{org.roster.pk}/templates/"
    assert login(org.volunteers[0]).get(url).status_code == 403
    assert login(stranger).get(url).status_code == 404
    assert login(stranger).post(url, _template_body(), format="json").status_code == 404


def test_template_update_and_delete(login):
    org = org_with_roster()
    template = ShiftTemplateFactory(roster=org.roster)
    client = login(org.coordinator)
    url = f"/api/v1/rosters/{org.roster.pk}/templates/{template.pk}/"
    response = client.patch(url, {"capacity": 3, "title": "Hospital visits"}, format="json")
    assert response.status_code == 200
    assert (response.json()["capacity"], response.json()["title"]) == (3, "Hospital visits")
    assert client.patch(url, {"duration": "8 00:00:00"}, format="json").status_code == 400
    assert client.delete(url).status_code == 204
    assert ShiftTemplate.objects.count() == 0


@pytest.mark.parametrize("count", [1, 50])
def test_template_list_query_count(login, django_assert_num_queries, count):
    org = org_with_roster()
    qual = QualificationFactory(organisation=org.organisation)
    for _ in range(count):
        template = ShiftTemplateFactory(roster=org.roster)
        template.required_qualifications.add(qual)
        template.requirements.create(qualification=qual, count=1)
    client = login(org.coordinator)
    # roster, role (2), count, page, required qualifications, requirements, their qualifications
    with django_assert_num_queries(8):
        response = client.get(f"/api/v1/rosters/{org.roster.pk}/templates/")
    assert response.json()["count"] == count


def test_generate_creates_shifts_once_and_is_idempotent(login):
    org = org_with_roster()
    spanish = QualificationFactory(organisation=org.organisation)
    trained = QualificationFactory(organisation=org.organisation)
    template = ShiftTemplateFactory(roster=org.roster, weekdays=[0, 2, 4])
    template.requirements.create(qualification=spanish, count=1)
    template.required_qualifications.add(trained)
    start = next_monday()
    client = login(org.coordinator)
    url = f"/api/v1/rosters/{org.roster.pk}/generate/"
    body = {"start": start.isoformat(), "end": (start + timedelta(days=13)).isoformat()}
    first = client.post(url, body, format="json")
    assert first.status_code == 201
    assert first.json()["created"] == 6
    again = client.post(url, body, format="json")
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["already_there"]) == (0, 6)
    assert Shift.objects.filter(roster=org.roster).count() == 6
    assert ShiftRequirement.objects.filter(qualification=spanish).count() == 6
    assert all(list(s.required_qualifications.all()) == [trained] for s in Shift.objects.all())
    assert GeneratedShift.objects.count() == 6


def test_generate_keeps_wall_clock_time_across_daylight_saving():
    from rosters.services import shifts_generate

    org = org_with_roster()
    ShiftTemplateFactory(roster=org.roster, weekdays=[0, 1, 2, 3, 4, 5, 6], capacity=1)
    # US clocks spring forward on Sunday 14 March 2027.
    result = shifts_generate(
        roster=org.roster,
        actor=org.coordinator,
        start=datetime(2027, 3, 13, tzinfo=UTC).date(),
        end=datetime(2027, 3, 15, tzinfo=UTC).date(),
        now=datetime(2026, 11, 1, tzinfo=UTC),
    )
    assert [s.starts_at.astimezone(UTC).hour for s in result.created] == [23, 22, 22]
    assert [s.ends_at - s.starts_at for s in result.created] == [timedelta(hours=3)] * 3


def test_generate_refuses_overlap_created_by_a_clock_change_and_writes_nothing():
    from rosters.services import shifts_generate
    from village.api import DomainError

    org = org_with_roster()
    # Daily, exactly 24 hours: fine on paper, but the spring-forward day is only 23 hours long.
    ShiftTemplateFactory(roster=org.roster, weekdays=[0, 1, 2, 3, 4, 5, 6], duration=timedelta(hours=24))
    with pytest.raises(DomainError) as caught:
        shifts_generate(
            roster=org.roster,
            actor=org.coordinator,
            start=datetime(2027, 3, 10, tzinfo=UTC).date(),
            end=datetime(2027, 3, 20, tzinfo=UTC).date(),
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )
    assert caught.value.code == "template_overlaps"
    assert Shift.objects.count() == 0


def test_generate_refuses_a_horizon_over_92_days(login):
    org = org_with_roster()
    ShiftTemplateFactory(roster=org.roster)
    start = next_monday()
    response = login(org.coordinator).post(
        f"/api/v1/rosters/{org.roster.pk}/generate/",
        {"start": start.isoformat(), "end": (start + timedelta(days=92)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "range_too_long"
    assert Shift.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end", "fields"),
    [
        ("0001-01-01", "0001-01-01", {"start", "end"}),
        ("1999-12-31", "2000-01-06", {"start"}),
        ("2099-12-30", "2100-01-02", {"end"}),
    ],
)
def test_generate_refuses_dates_outside_this_century_and_writes_nothing(login, start, end, fields):
    # 0001-01-01 was a 500 (found by `make fuzz-deep`): the week either side overflowed.
    org = org_with_roster()
    ShiftTemplateFactory(roster=org.roster)

    response = login(org.coordinator).post(
        f"/api/v1/rosters/{org.roster.pk}/generate/", {"start": start, "end": end}, format="json"
    )

    assert response.status_code == 400, response.json()
    refused = response.json()["error"]["fields"]
    assert refused == {name: ["Give a date from the year 2000 to 2099."] for name in fields}
    assert Shift.objects.count() == 0


def test_generate_volunteer_forbidden_stranger_not_found(login):
    org = org_with_roster(volunteers=1)
    ShiftTemplateFactory(roster=org.roster)
    start = next_monday()
    body = {"start": start.isoformat(), "end": (start + timedelta(days=6)).isoformat()}
    url = f"/api/v1/rosters/{org.roster.pk}/generate/"
    assert login(org.volunteers[0]).post(url, body, format="json").status_code == 403
    assert login(org_with_roster().coordinator).post(url, body, format="json").status_code == 404
    assert Shift.objects.count() == 0
