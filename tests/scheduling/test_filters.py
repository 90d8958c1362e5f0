"""A roster's shift list filters by time with any valid ISO 8601 offset."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories import OrganisationMembershipFactory, RosterFactory, ShiftFactory

pytestmark = pytest.mark.django_db


def _coordinated_roster():
    membership = OrganisationMembershipFactory(role=Role.COORDINATOR)
    roster = RosterFactory(organisation=membership.organisation)
    return roster, membership.person


def test_shift_list_start_filter_accepts_offsets_postgresql_cannot_store(login):
    """+17:00 is valid ISO 8601 but beyond PostgreSQL's ±15:59: it used to reach the query (500)."""
    roster, coordinator = _coordinated_roster()
    soon = ShiftFactory(roster=roster, starts_at=timezone.now() + timedelta(hours=2))
    ShiftFactory(roster=roster, starts_at=timezone.now() - timedelta(days=2))
    after = (timezone.now() - timedelta(minutes=1)).astimezone(timezone.get_fixed_timezone(17 * 60))

    response = login(coordinator).get(f"/api/v1/rosters/{roster.pk}/shifts/?start={quote(after.isoformat())}")

    assert response.status_code == 200
    assert [s["id"] for s in response.json()["results"]] == [soon.pk]


def test_shift_list_refuses_a_time_with_no_utc_equivalent(login):
    roster, coordinator = _coordinated_roster()

    response = login(coordinator).get(
        f"/api/v1/rosters/{roster.pk}/shifts/?end={quote('0001-01-01T00:00:00+05:00')}"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"end": ["Enter a valid date/time."]}
