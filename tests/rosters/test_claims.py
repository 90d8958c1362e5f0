"""The rules rosters registers with the engine, exercised through the engine's own claim."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from rosters.models import AvailabilityException, ShiftRequirement
from scheduling.services import signup_claim
from tests.factories import ShiftFactory
from tests.rosters.factories import (
    AvailabilityWindowFactory,
    PersonQualificationFactory,
    QualificationFactory,
    VolunteerLimitsFactory,
    org_with_roster,
)
from village.api import DomainError

pytestmark = pytest.mark.django_db


def _week_start():
    now = timezone.now()
    monday = (now + timedelta(days=7 - now.weekday())).replace(hour=12, minute=0, second=0, microsecond=0)
    return monday


def test_claim_refused_over_max_shifts_per_week_counting_other_rosters():
    org = org_with_roster(volunteers=1)
    volunteer = org.volunteers[0]
    other = org_with_roster()
    other.roster.memberships.create(person=volunteer, role="volunteer")
    VolunteerLimitsFactory(person=volunteer, max_shifts_per_week=1)
    monday = _week_start()
    signup_claim(shift=ShiftFactory(roster=other.roster, starts_at=monday), person=volunteer)
    with pytest.raises(DomainError) as caught:
        signup_claim(
            shift=ShiftFactory(roster=org.roster, starts_at=monday + timedelta(days=2)), person=volunteer
        )
    assert caught.value.status_code == 403
    assert (
        caught.value.message
        == f"{volunteer} asked for at most 1 shift(s) a week and already has 1 that week."
    )
    # The next week is fine.
    signup_claim(
        shift=ShiftFactory(roster=org.roster, starts_at=monday + timedelta(days=7)), person=volunteer
    )


def test_claim_refused_without_minimum_rest():
    org = org_with_roster(volunteers=1)
    volunteer = org.volunteers[0]
    VolunteerLimitsFactory(person=volunteer, min_rest_hours=10)
    monday = _week_start()
    signup_claim(shift=ShiftFactory(roster=org.roster, starts_at=monday), person=volunteer)
    with pytest.raises(DomainError) as caught:
        signup_claim(
            shift=ShiftFactory(roster=org.roster, starts_at=monday + timedelta(hours=6)), person=volunteer
        )
    assert "at least 10 hours of rest" in caught.value.message
    signup_claim(
        shift=ShiftFactory(roster=org.roster, starts_at=monday + timedelta(hours=12)), person=volunteer
    )


def test_claim_keeps_the_last_place_for_a_still_needed_qualification():
    org = org_with_roster(volunteers=3)
    plain, other_plain, speaker = org.volunteers
    spanish = QualificationFactory(organisation=org.organisation, name="Spanish speaker")
    PersonQualificationFactory(person=speaker, qualification=spanish)
    shift = ShiftFactory(roster=org.roster, capacity=2)
    ShiftRequirement.objects.create(shift=shift, qualification=spanish, count=1)
    signup_claim(shift=shift, person=plain)
    with pytest.raises(DomainError) as caught:
        signup_claim(shift=shift, person=other_plain)
    assert (
        caught.value.message
        == "The remaining place(s) on this shift are kept for someone who is: Spanish speaker."
    )
    signup_claim(shift=shift, person=speaker)
    shift.refresh_from_db()
    assert shift.filled == 2


def test_claim_refused_with_an_expired_qualification():
    org = org_with_roster(volunteers=1)
    trained = QualificationFactory(organisation=org.organisation, name="Trained peer supporter")
    PersonQualificationFactory(
        person=org.volunteers[0], qualification=trained, expires_at=timezone.now() + timedelta(days=1)
    )
    shift = ShiftFactory(roster=org.roster, starts_at=timezone.now() + timedelta(days=3))
    shift.required_qualifications.add(trained)
    with pytest.raises(DomainError):
        signup_claim(shift=shift, person=org.volunteers[0])


def test_claim_outside_availability_or_while_away_is_allowed_with_a_warning():
    org = org_with_roster(volunteers=1)
    volunteer = org.volunteers[0]
    monday = _week_start()  # 12:00 New York
    AvailabilityWindowFactory(person=volunteer, weekday=0, start=time(18), end=time(22))
    result = signup_claim(shift=ShiftFactory(roster=org.roster, starts_at=monday), person=volunteer)
    assert result.warnings == [f"This is outside the times {volunteer} said they are usually available."]
    AvailabilityException.objects.create(
        person=volunteer, starts_at=monday + timedelta(days=6), ends_at=monday + timedelta(days=9)
    )
    result = signup_claim(
        shift=ShiftFactory(roster=org.roster, starts_at=monday + timedelta(days=7, hours=6)), person=volunteer
    )
    assert result.warnings == [f"{volunteer} said they are away at this time."]
