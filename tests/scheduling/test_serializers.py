"""The outputs built straight from rows send exactly what the generic ModelSerializer would."""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from scheduling import selectors
from scheduling.models import Roster, Shift, ShiftSeries, Signup, SwapOffer
from scheduling.serializers import CommitmentOutput, PublicSignupOutput, ShiftOutput, SignupOutput
from scheduling.services import signup_claim
from tests.factories import RosterFactory, ShiftFactory, SignupFactory
from tests.scheduling.factories import QualificationFactory

pytestmark = pytest.mark.django_db


def generic(serializer_class, instance, **kwargs):
    """What DRF's own field-by-field path gives for the same instance."""
    serializer = serializer_class(**kwargs)
    return serializers.ModelSerializer.to_representation(serializer, instance)


def test_shift_output_matches_the_generic_serializer(roster, volunteer):
    shift = ShiftFactory(roster=roster, capacity=3, location="Hall", notes="Bring gloves")
    signup_claim(shift=shift, person=volunteer)
    shift.required_qualifications.add(QualificationFactory(), QualificationFactory())
    [listed] = selectors.shifts_for_roster(roster=roster, viewer=volunteer)
    selectors.attach_qualifications([listed])

    sent = ShiftOutput(listed).data
    expected = generic(
        ShiftOutput, selectors.shifts_for_roster(roster=roster).get(), context={"viewer": volunteer}
    )

    assert sent["required_qualifications"] == sorted(
        expected["required_qualifications"], key=lambda q: q["id"]
    )
    assert {**sent, "required_qualifications": []} == {**expected, "required_qualifications": []}
    assert sent["my_signup"]["status"] == "confirmed"


def test_shift_output_list_reads_qualifications_in_one_query(roster, django_assert_num_queries):
    shifts = [
        ShiftFactory(roster=roster, starts_at=timezone.now() + timedelta(days=1, hours=3 * i))
        for i in range(3)
    ]
    qualification = QualificationFactory()
    shifts[1].required_qualifications.add(qualification)
    listed = list(selectors.shifts_for_roster(roster=roster))

    with django_assert_num_queries(1):
        data = ShiftOutput(listed, many=True).data

    assert [s["required_qualifications"] for s in data] == [
        [],
        [{"id": qualification.pk, "code": qualification.code, "name": qualification.name}],
        [],
    ]


def test_shift_output_list_needs_no_query_when_no_shift_requires_anything(roster, django_assert_num_queries):
    ShiftFactory(roster=roster)
    listed = list(selectors.shifts_for_roster(roster=roster))

    with django_assert_num_queries(0):
        data = ShiftOutput(listed, many=True).data

    assert data[0]["required_qualifications"] == []


def test_signup_outputs_match_the_generic_serializer(shift, volunteer):
    signup = signup_claim(shift=shift, person=volunteer, note="soup").signup
    offer = SwapOffer.objects.create(signup=signup)
    [listed] = selectors.signups_for_shift(shift=shift, person=volunteer)

    assert SignupOutput(listed).data == generic(SignupOutput, listed)
    assert SignupOutput(listed).data["open_swap"] == offer.pk
    assert PublicSignupOutput(listed).data == generic(PublicSignupOutput, listed)


def test_commitment_output_matches_the_generic_serializer(shift, volunteer):
    signup_claim(shift=shift, person=volunteer)
    [listed] = selectors.commitments_for(person=volunteer)

    assert CommitmentOutput(listed).data == generic(CommitmentOutput, listed)


# --- Lists are built from rows (selectors.shift_page / commitment_page), not from instances ------
# The serializers stay the documented contract; these hold the lists to DRF's own field-by-field
# output of the same objects, field for field, so the two cannot drift apart.

ZONES = ["UTC", "America/New_York"]


def _varied_shifts(roster, viewer):
    """Shifts that differ in everything a listed shift shows, some held or waited for by viewer."""
    now = timezone.now()
    series = ShiftSeries.objects.create(
        roster=roster, rrule="FREQ=WEEKLY", first_starts_at=now, duration=timedelta(hours=2)
    )
    first, second = QualificationFactory(), QualificationFactory()
    held = ShiftFactory(
        roster=roster,
        capacity=3,
        location="Hall",
        call_link="https://meet.example.org/x",
        notes="Bring gloves",
        series=series,
        sequence=4,
        starts_at=now + timedelta(days=1, microseconds=123456),
    )
    held.required_qualifications.add(second, first)
    SignupFactory(shift=held, person=viewer)
    full = ShiftFactory(roster=roster, capacity=1, filled=1, starts_at=now + timedelta(days=2))
    SignupFactory(shift=full, person=viewer, status=Signup.Status.WAITLISTED)
    ShiftFactory(roster=roster, is_flexible=True, starts_at=now - timedelta(hours=1))  # still open
    ShiftFactory(roster=roster, status=Shift.Status.CANCELLED, starts_at=now + timedelta(days=3))
    ShiftFactory(roster=roster, starts_at=now - timedelta(days=1))  # started: listed, not open
    ShiftFactory(roster=roster, capacity=5, filled=2, starts_at=now + timedelta(days=4))


def _expected_shift(shift_id, viewer):
    instance = selectors.shifts_for_roster(roster=Shift.objects.get(pk=shift_id).roster).get(pk=shift_id)
    expected = generic(ShiftOutput, instance, context={"viewer": viewer})
    expected["required_qualifications"] = sorted(expected["required_qualifications"], key=lambda q: q["id"])
    return expected


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("query", ["", "?open=true"])
def test_shift_list_matches_the_generic_serializer(login, roster, volunteer, volunteer_on, query, zone):
    _varied_shifts(roster, volunteer)
    # The open list of someone holding nothing still has the shift with qualifications and series.
    viewer = volunteer_on() if query else volunteer

    with timezone.override(ZoneInfo(zone)):
        results = login(viewer).get(f"/api/v1/rosters/{roster.pk}/shifts/{query}").json()["results"]
        expected = [_expected_shift(shift["id"], viewer) for shift in results]

    assert len(results) == (3 if query else 6)
    assert results == expected
    assert {s["my_signup"]["status"] for s in results if s["my_signup"]} == (
        set() if query else {"confirmed", "waitlisted"}
    )
    assert max(len(s["required_qualifications"]) for s in results) == 2


def _varied_commitments(volunteer, roster):
    now = timezone.now()
    circle = RosterFactory(kind=Roster.Kind.CIRCLE, time_zone="Europe/Madrid", name="Ana's circle")
    confirmed = signup_claim(shift=ShiftFactory(roster=roster, location="Hall"), person=volunteer).signup
    SwapOffer.objects.create(signup=confirmed)
    SignupFactory(
        shift=ShiftFactory(roster=circle, is_flexible=True, call_link="https://meet.example.org/y"),
        person=volunteer,
        status=Signup.Status.OFFERED,
        offer_expires_at=now + timedelta(hours=5, microseconds=5),
        note="soup",
    )
    SignupFactory(
        shift=ShiftFactory(roster=circle, starts_at=now + timedelta(days=5), sequence=2),
        person=volunteer,
        cancel_requested_at=now,
    )
    SignupFactory(
        shift=ShiftFactory(roster=roster, starts_at=now - timedelta(hours=5)),
        person=volunteer,
        status=Signup.Status.COMPLETED,
    )
    SignupFactory(shift=ShiftFactory(roster=roster), person=volunteer, status=Signup.Status.CANCELLED)


@pytest.mark.parametrize("zone", ZONES)
def test_commitment_list_matches_the_generic_serializer(login, roster, volunteer, zone):
    _varied_commitments(volunteer, roster)

    with timezone.override(ZoneInfo(zone)):
        results = login(volunteer).get("/api/v1/me/commitments/").json()["results"]
        expected = [
            generic(CommitmentOutput, signup) for signup in selectors.commitments_for(person=volunteer)
        ]

    assert len(results) == 4
    assert results == expected
    assert [c["open_swap"] is not None for c in results].count(True) == 1


def test_lists_answer_the_json_drf_would(login, roster, volunteer):
    """The two lists render through orjson (village.api.LIST_RENDERERS): same JSON, any text."""
    shift = ShiftFactory(roster=roster, notes='Café\u2028— 5 € "quoted" \\ <b>', location="Ørsted ✓")
    SignupFactory(shift=shift, person=volunteer, note="ñandú 🥣")
    client = login(volunteer)

    for url in (f"/api/v1/rosters/{roster.pk}/shifts/", "/api/v1/me/commitments/"):
        response = client.get(url)
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content) == json.loads(JSONRenderer().render(response.data))
        assert response.json()["count"] == 1
