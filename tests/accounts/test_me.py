from __future__ import annotations

import pytest

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_me_shows_own_profile(login):
    person = PersonFactory(email="bo@example.org", name="Bo", language="en", time_zone="America/Chicago")

    response = login(person).get("/api/v1/me/")

    assert response.json() == {
        "id": person.pk,
        "email": "bo@example.org",
        "name": "Bo",
        "language": "en",
        "time_zone": "America/Chicago",
    }


def test_me_updates_name_language_and_zone(login):
    person = PersonFactory()

    response = login(person).patch(
        "/api/v1/me/", {"name": " Bo Jones ", "language": "es", "time_zone": "Europe/Madrid"}
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.name, person.language, person.time_zone) == ("Bo Jones", "es", "Europe/Madrid")


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "", "EST5EDT!"])
def test_me_refuses_unknown_time_zone_naming_the_field(login, zone):
    person = PersonFactory(time_zone="America/New_York")

    response = login(person).patch("/api/v1/me/", {"time_zone": zone})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["time_zone"]
    person.refresh_from_db()
    assert person.time_zone == "America/New_York"


def test_me_refuses_unknown_language(login):
    response = login(PersonFactory()).patch("/api/v1/me/", {"language": "fr"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["language"]


def test_me_cannot_change_email(login):
    person = PersonFactory(email="bo@example.org")

    response = login(person).patch("/api/v1/me/", {"email": "evil@example.org"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"email": ["This field is not recognised."]}
    person.refresh_from_db()
    assert person.email == "bo@example.org"
