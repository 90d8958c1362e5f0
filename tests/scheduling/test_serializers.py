"""The outputs built straight from rows send exactly what the generic ModelSerializer would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from scheduling import selectors
from scheduling.models import SwapOffer
from scheduling.serializers import CommitmentOutput, PublicSignupOutput, ShiftOutput, SignupOutput
from scheduling.services import signup_claim
from tests.factories import ShiftFactory
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
