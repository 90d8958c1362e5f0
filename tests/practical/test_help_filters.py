"""The time-window filters of help requests and dishes take any valid ISO 8601 offset."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from tests.practical.help_factories import (
    circle_with_people,
    fast_passwords,  # noqa: F401  (fixture)
    make_request,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


@pytest.mark.parametrize("list_name", ["requests", "dishes"])
def test_window_filter_accepts_offsets_postgresql_cannot_store(login, list_name):
    """+17:00 is valid ISO 8601 but beyond PostgreSQL's ±15:59: it used to reach the query (500)."""
    people = circle_with_people(allergies=[])
    make_request(people, starts_at=timezone.now() + timedelta(days=1))
    client = login(people.coordinator)
    url = f"/api/v1/circles/{people.circle.pk}/{list_name}/"
    # The same instant as a moment ago in UTC, written with a far-east offset.
    before = (timezone.now() - timedelta(minutes=1)).astimezone(timezone.get_fixed_timezone(17 * 60))

    response = client.get(f"{url}?start={quote(before.isoformat())}")

    assert response.status_code == 200
    assert response.json()["count"] == client.get(url).json()["count"]


@pytest.mark.parametrize("list_name", ["requests", "dishes"])
def test_window_filter_refuses_a_time_with_no_utc_equivalent(login, list_name):
    people = circle_with_people(allergies=[])

    response = login(people.coordinator).get(
        f"/api/v1/circles/{people.circle.pk}/{list_name}/?end={quote('0001-01-01T00:00:00+05:00')}"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"end": ["Enter a valid date/time."]}
