"""Bad input to the circle endpoints: a 400 that names the field, and nothing stored."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from accounts.models import Role
from practical.models import Circle, CircleStatusChange
from scheduling.models import Roster, RosterMembership
from tests.factories import CircleFactory, PersonFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Argon2 is right for real people and far too slow for dozens of factory people per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


BAD_PROFILES = [
    pytest.param({"favourite_colour": "blue"}, "favourite_colour", id="unknown-field"),
    pytest.param({"allergies": ["peanuts", "kiwi"]}, "allergies", id="bad-allergen"),
    pytest.param({"allergies": "peanuts"}, "allergies", id="allergies-not-a-list"),
    pytest.param({"dietary_preferences": ["paleo"]}, "dietary_preferences", id="bad-diet"),
    pytest.param(
        {"delivery_window_start": "18:00", "delivery_window_end": "17:00"},
        "delivery_window_end",
        id="window-ends-before-start",
    ),
    pytest.param(
        {"delivery_window_start": "18:00", "delivery_window_end": "18:00"},
        "delivery_window_end",
        id="window-empty",
    ),
    pytest.param({"quiet_hours_end": "07:00"}, "quiet_hours_start", id="quiet-hours-without-start"),
    pytest.param({"delivery_window_start": "6pm"}, "delivery_window_start", id="window-not-a-time"),
    pytest.param({"time_zone": "Mars/Olympus_Mons"}, "time_zone", id="bad-time-zone"),
    pytest.param({"time_zone": "EST"}, "time_zone", id="abbreviation-not-a-zone"),
    pytest.param({"name": "x" * 161}, "name", id="long-name"),
    pytest.param({"allergies_other": "x" * 301}, "allergies_other", id="long-allergies-other"),
    pytest.param({"likes": "x" * 2001}, "likes", id="long-likes"),
    pytest.param({"address": "x" * 501}, "address", id="long-address"),
    pytest.param({"phone": "1" * 41}, "phone", id="long-phone"),
    pytest.param({"pets": "x" * 301}, "pets", id="long-pets"),
    pytest.param({"adults": -1}, "adults", id="negative-adults"),
    pytest.param({"children": [{"name": "x" * 41, "age_years": 2}]}, "children.0.name", id="long-child-name"),
    pytest.param({"children": [{"name": "Mia"}]}, "children.0.non_field_errors", id="child-without-age"),
    pytest.param(
        {"children": [{"age_years": 2, "birth_date": "2024-01-01"}]},
        "children.0.non_field_errors",
        id="child-with-both",
    ),
    pytest.param(
        {"children": [{"birth_date": "2099-01-01"}]}, "children.0.birth_date", id="child-far-future"
    ),
    pytest.param(
        {"children": [{"age_years": 2, "hair": "red"}]}, "children.0.hair", id="child-unknown-field"
    ),
]


# Invalid on a new circle; on one whose window is already set, moving one end is fine.
CREATE_ONLY = [
    pytest.param({"delivery_window_start": "18:00"}, "delivery_window_end", id="window-without-end"),
]


@pytest.mark.parametrize(("extra", "field"), [*BAD_PROFILES, *CREATE_ONLY])
def test_circle_create_rejects_bad_input_and_stores_nothing(login, extra, field):
    response = login(PersonFactory()).post("/api/v1/circles/", {"name": "Home", **extra})
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert error["message"].startswith(f"{field}: ") or field.endswith("non_field_errors")
    assert (Circle.objects.count(), Roster.objects.count(), RosterMembership.objects.count()) == (0, 0, 0)


def test_circle_create_bad_allergen_says_where_it_goes(login):
    response = login(PersonFactory()).post("/api/v1/circles/", {"name": "Home", "allergies": ["kiwi"]})
    assert response.json()["error"]["message"] == (
        "allergies: 'kiwi' is not a known allergen; put it in allergies_other."
    )


def test_circle_create_needs_a_name(login):
    response = login(PersonFactory()).post("/api/v1/circles/", {"time_zone": "Europe/Madrid"})
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["name"])
    assert Circle.objects.count() == 0


def test_circle_create_allows_quiet_hours_over_midnight(login):
    response = login(PersonFactory()).post(
        "/api/v1/circles/", {"name": "Home", "quiet_hours_start": "21:00", "quiet_hours_end": "07:00"}
    )
    assert response.status_code == 201
    assert (response.json()["quiet_hours_start"], response.json()["quiet_hours_end"]) == (
        "21:00:00",
        "07:00:00",
    )


def _snapshot(circle: Circle) -> tuple[dict, dict, int]:
    circle.refresh_from_db()
    circle.roster.refresh_from_db()
    return (
        model_to_dict(circle),
        model_to_dict(circle.roster, fields=["name", "time_zone"]),
        CircleStatusChange.objects.count(),
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        *BAD_PROFILES,
        pytest.param({"status": "sleeping"}, "status", id="bad-status"),
        pytest.param({"organisation": 1}, "organisation", id="organisation-not-editable"),
        # The stored window starts at 17:00: moving only its end before that is refused too.
        pytest.param({"delivery_window_end": "16:00"}, "delivery_window_end", id="end-before-stored-start"),
        pytest.param({"delivery_window_start": None}, "delivery_window_start", id="clear-only-one-end"),
        pytest.param({"name": "Ok", "allergies": ["kiwi"]}, "allergies", id="good-and-bad-together"),
    ],
)
def test_circle_patch_rejects_bad_input_and_changes_nothing(login, body, field):
    circle = CircleFactory(delivery_window_start="17:00", delivery_window_end="19:00")
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    before = _snapshot(circle)
    response = login(coordinator).patch(f"/api/v1/circles/{circle.pk}/", body)
    assert response.status_code == 400, response.json()
    assert list(response.json()["error"]["fields"]) == [field]
    assert _snapshot(circle) == before


def test_circle_patch_clears_a_window(login):
    circle = CircleFactory(delivery_window_start="17:00", delivery_window_end="19:00")
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    response = login(coordinator).patch(
        f"/api/v1/circles/{circle.pk}/", {"delivery_window_start": None, "delivery_window_end": None}
    )
    assert response.status_code == 200
    circle.refresh_from_db()
    assert (circle.delivery_window_start, circle.delivery_window_end) == (None, None)


def test_circle_patch_body_must_be_an_object(login):
    circle = CircleFactory()
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    response = login(coordinator).patch(f"/api/v1/circles/{circle.pk}/", ["likes"], format="json")
    assert response.status_code == 400
