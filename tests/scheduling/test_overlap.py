"""Overlap checks across every roster and circle a person is on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import Signup
from scheduling.services import signup_claim
from tests.factories import RosterFactory, RosterMembershipFactory, ShiftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def base():
    return (timezone.now() + timedelta(days=5)).replace(microsecond=0)


@pytest.fixture
def held(base, volunteer):
    other_roster = RosterFactory(name="Meals for the Ortiz family")
    RosterMembershipFactory(roster=other_roster, person=volunteer)
    dinner = ShiftFactory(
        roster=other_roster, title="Dinner", starts_at=base, ends_at=base + timedelta(hours=1)
    )
    return signup_claim(shift=dinner, person=volunteer).signup


def test_overlap_on_another_roster_is_409_with_the_commitment(login, held, roster, volunteer, base):
    clash = ShiftFactory(
        roster=roster, starts_at=base + timedelta(minutes=30), ends_at=base + timedelta(hours=2)
    )

    response = login(volunteer).post(f"/api/v1/shifts/{clash.pk}/signups/", {}, format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "overlap"
    assert error["message"].startswith("This overlaps with “Dinner” (Meals for the Ortiz family, ")
    assert error["overlaps"] == [
        {
            "signup_id": held.pk,
            "shift_id": held.shift_id,
            "title": "Dinner",
            "roster": "Meals for the Ortiz family",
            "starts_at": base.isoformat(),
            "ends_at": (base + timedelta(hours=1)).isoformat(),
            "time_zone": "America/New_York",
        }
    ]
    assert Signup.objects.filter(shift=clash).count() == 0
    clash.refresh_from_db()
    assert clash.filled == 0


def test_overlap_confirmed_is_claimed_with_warning(login, held, roster, volunteer, base):
    clash = ShiftFactory(roster=roster, starts_at=base, ends_at=base + timedelta(hours=1))

    response = login(volunteer).post(
        f"/api/v1/shifts/{clash.pk}/signups/", {"confirm_overlap": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["warnings"] == ["This overlaps with “Dinner” (Meals for the Ortiz family)."]


def test_overlap_near_miss_is_a_warning(login, held, roster, volunteer, base, settings):
    settings.OVERLAP_GRACE = timedelta(minutes=30)
    after = ShiftFactory(
        roster=roster, starts_at=base + timedelta(minutes=80), ends_at=base + timedelta(hours=3)
    )

    response = login(volunteer).post(f"/api/v1/shifts/{after.pk}/signups/", {}, format="json")

    assert response.status_code == 201
    [warning] = response.json()["warnings"]
    assert warning.startswith("This is close to “Dinner” (Meals for the Ortiz family, ")
    assert warning.endswith("leave time to get between them.")


def test_overlap_back_to_back_outside_grace_is_clean(login, held, roster, volunteer, base, settings):
    settings.OVERLAP_GRACE = timedelta(minutes=0)
    after = ShiftFactory(
        roster=roster, starts_at=base + timedelta(hours=1), ends_at=base + timedelta(hours=2)
    )

    response = login(volunteer).post(f"/api/v1/shifts/{after.pk}/signups/", {}, format="json")

    assert (response.status_code, response.json()["warnings"]) == (201, [])


def test_overlap_ignores_cancelled_commitments(login, held, roster, volunteer, base):
    from scheduling.services import signup_cancel

    signup_cancel(signup=held, actor=volunteer)
    clash = ShiftFactory(roster=roster, starts_at=base, ends_at=base + timedelta(hours=1))

    response = login(volunteer).post(f"/api/v1/shifts/{clash.pk}/signups/", {}, format="json")

    assert response.status_code == 201
