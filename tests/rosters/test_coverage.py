"""Coverage for coordinators, and the gap list notifications use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rosters.models import ShiftRequirement
from rosters.selectors import gaps
from scheduling.models import PersonQualification
from scheduling.services import signup_claim
from tests.factories import ShiftFactory
from tests.rosters.factories import PersonQualificationFactory, QualificationFactory, org_with_roster

pytestmark = pytest.mark.django_db


def _monday_noon():
    # 17:00 UTC on a Monday: 12:00 or 13:00 in New York, the same local date either way.
    now = timezone.now()
    return (now + timedelta(days=7 - now.weekday())).replace(hour=17, minute=0, second=0, microsecond=0)


def test_coverage_reports_requirements_gaps_days_load_and_expired_flags(login):
    org = org_with_roster(volunteers=2)
    ana, ben = org.volunteers
    spanish = QualificationFactory(organisation=org.organisation, name="Spanish speaker")
    trained = QualificationFactory(organisation=org.organisation, name="Trained peer supporter")
    PersonQualificationFactory(person=ana, qualification=spanish)
    grant = PersonQualificationFactory(person=ana, qualification=trained)
    PersonQualificationFactory(person=ben, qualification=trained)
    start = _monday_noon()  # 12:00 New York
    first = ShiftFactory(roster=org.roster, title="Helpline", starts_at=start, capacity=2)
    first.required_qualifications.add(trained)
    ShiftRequirement.objects.create(shift=first, qualification=spanish, count=1)
    second = ShiftFactory(
        roster=org.roster, title="Helpline", starts_at=start + timedelta(days=1), capacity=1
    )
    signup_claim(shift=first, person=ana)
    signup_claim(shift=first, person=ben)
    # Ana's training lapses after she signed up: the sign-up stays, and coverage flags it.
    grant.expires_at = start - timedelta(hours=1)
    grant.save()
    local_day = start.date()
    response = login(org.coordinator).get(
        f"/api/v1/rosters/{org.roster.pk}/coverage/",
        {"start": local_day.isoformat(), "end": (local_day + timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["totals"] == {"shifts": 2, "places": 3, "filled": 2, "open": 1, "fill_rate": 0.6667}
    assert body["shifts"][0]["requirements"] == [
        {"qualification": spanish.pk, "name": "Spanish speaker", "needed": 1, "filled": 1}
    ]
    assert body["gaps"] == [
        {
            "shift": second.pk,
            "title": "Helpline",
            "starts_at": second.starts_at.isoformat().replace("+00:00", "Z"),
            "places": 1,
            "needs": [],
        }
    ]
    assert [(d["places"], d["filled"]) for d in body["by_day"]] == [(2, 2), (1, 0)]
    assert sorted((entry["person"], entry["shifts"], entry["hours"]) for entry in body["load"]) == sorted(
        [(ana.pk, 1, 2.0), (ben.pk, 1, 2.0)]
    )
    assert [(f["person"], f["qualification_name"]) for f in body["flags"]] == [
        (ana.pk, "Trained peer supporter")
    ]


def test_coverage_flags_a_lapsed_per_place_qualification(login):
    org = org_with_roster(volunteers=2)
    ana, ben = org.volunteers
    spanish = QualificationFactory(organisation=org.organisation, name="Spanish speaker")
    trained = QualificationFactory(organisation=org.organisation, name="Trained peer supporter")
    start = _monday_noon()
    lapses = PersonQualificationFactory(person=ana, qualification=spanish)
    PersonQualificationFactory(person=ana, qualification=trained)
    PersonQualificationFactory(person=ben, qualification=trained)
    shift = ShiftFactory(roster=org.roster, title="Helpline", starts_at=start, capacity=2)
    # Trained is both needed by every place and by one reserved place: one flag, not two.
    shift.required_qualifications.add(trained)
    ShiftRequirement.objects.create(shift=shift, qualification=spanish, count=1)
    ShiftRequirement.objects.create(shift=shift, qualification=trained, count=1)
    ana_signup = signup_claim(shift=shift, person=ana).signup
    signup_claim(shift=shift, person=ben)
    # Ana's Spanish lapses before the shift; Ben never held it, so his place was an open one.
    lapses.expires_at = start - timedelta(hours=1)
    lapses.save()
    day = start.date().isoformat()
    response = login(org.coordinator).get(
        f"/api/v1/rosters/{org.roster.pk}/coverage/", {"start": day, "end": day}
    )
    body = response.json()
    assert body["shifts"][0]["requirements"] == [
        {"qualification": spanish.pk, "name": "Spanish speaker", "needed": 1, "filled": 0},
        {"qualification": trained.pk, "name": "Trained peer supporter", "needed": 1, "filled": 1},
    ]
    assert body["flags"] == [
        {
            "signup": ana_signup.pk,
            "shift": shift.pk,
            "starts_at": start.isoformat().replace("+00:00", "Z"),
            "person": ana.pk,
            "name": ana.name,
            "qualification": spanish.pk,
            "qualification_name": "Spanish speaker",
            "expires_at": lapses.expires_at.isoformat().replace("+00:00", "Z"),
        }
    ]


def test_coverage_permissions_and_range(login):
    org = org_with_roster(volunteers=1)
    url = f"/api/v1/rosters/{org.roster.pk}/coverage/"
    assert login(org.volunteers[0]).get(url).status_code == 403
    assert login(org_with_roster().coordinator).get(url).status_code == 404
    too_long = login(org.coordinator).get(url, {"start": "2027-01-01", "end": "2027-06-01"})
    assert too_long.status_code == 400
    year_one = login(org.coordinator).get(url, {"start": "0001-01-01", "end": "0001-01-02"})
    assert year_one.status_code == 400
    assert year_one.json()["error"]["fields"] == {
        "start": ["Give a date from the year 2000 to 2099."],
        "end": ["Give a date from the year 2000 to 2099."],
    }


@pytest.mark.parametrize("count", [1, 50])
def test_coverage_query_count_is_constant(login, django_assert_num_queries, count):
    org = org_with_roster(volunteers=2)
    qual = QualificationFactory(organisation=org.organisation)
    spoken = QualificationFactory(organisation=org.organisation)
    start = _monday_noon()
    for i in range(count):
        shift = ShiftFactory(roster=org.roster, starts_at=start + timedelta(hours=i))
        shift.required_qualifications.add(qual)
        ShiftRequirement.objects.create(shift=shift, qualification=qual, count=1)
        ShiftRequirement.objects.create(shift=shift, qualification=spoken, count=1)
    for volunteer in org.volunteers:
        PersonQualificationFactory(person=volunteer, qualification=qual)
        PersonQualificationFactory(person=volunteer, qualification=spoken)
    for shift in org.roster.shifts.all():
        for volunteer in org.volunteers:
            signup_claim(shift=shift, person=volunteer, confirm_overlap=True)
    # Every per-place grant lapses, so every sign-up is flagged: flags cost no extra query.
    PersonQualification.objects.filter(qualification=spoken).update(expires_at=start - timedelta(hours=1))
    client = login(org.coordinator)
    # roster, role (2), shifts, required qualifications, requirements + their qualifications, sign-ups, grants
    with django_assert_num_queries(9):
        response = client.get(
            f"/api/v1/rosters/{org.roster.pk}/coverage/",
            {"start": start.date().isoformat(), "end": (start.date() + timedelta(days=3)).isoformat()},
        )
    assert response.json()["totals"]["filled"] == 2 * count
    assert len(response.json()["flags"]) == 2 * count


def test_gaps_lists_open_places_close_to_their_start():
    org = org_with_roster(volunteers=1)
    spanish = QualificationFactory(organisation=org.organisation, name="Spanish speaker")
    now = timezone.now()
    soon = ShiftFactory(roster=org.roster, starts_at=now + timedelta(hours=20), capacity=2)
    ShiftRequirement.objects.create(shift=soon, qualification=spanish, count=1)
    ShiftFactory(roster=org.roster, starts_at=now + timedelta(days=5))  # too far off
    full = ShiftFactory(roster=org.roster, starts_at=now + timedelta(hours=5), capacity=1)
    signup_claim(shift=full, person=org.volunteers[0])
    found = gaps(within=timedelta(hours=48), now=now)
    assert [(g.shift_id, g.places, g.needs, g.time_zone) for g in found] == [
        (soon.pk, 2, ("Spanish speaker",), "America/New_York")
    ]
    assert gaps(roster=org_with_roster().roster, within=timedelta(hours=48), now=now) == []
