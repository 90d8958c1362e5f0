"""Rate limits on guessable things, as a client sees them: 429 in the API's error shape, and
another client is not affected. (Login throttling is proven in tests/accounts/test_auth.py,
calendar feeds in tests/calendars/test_views.py; this adds what those do not show.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.accounts.factories import InvitationFactory
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

OTHER_CLIENT = {"REMOTE_ADDR": "10.0.0.9"}


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    # Throttle counters live in the cache; one test's attempts must not throttle the next.
    cache.clear()
    yield
    cache.clear()


def _limit(settings: Any, scope: str, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], scope: rate},
    }


def _assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"].startswith("Too many attempts. Please try again in ")
    assert error["message"].endswith(" seconds.")
    assert error["fields"] == {}
    assert int(response["Retry-After"]) >= 1


def test_rate_limit_password_reset_answers_429_and_spares_other_clients(api, settings):
    _limit(settings, "password_reset", "2/hour")
    PersonFactory(email="bo@example.org")
    body = {"email": "bo@example.org"}

    statuses = [api.post("/api/v1/auth/password-reset/", body).status_code for _ in range(2)]
    limited = api.post("/api/v1/auth/password-reset/", body)
    other = APIClient().post("/api/v1/auth/password-reset/", body, **OTHER_CLIENT)

    assert statuses == [202, 202]
    _assert_throttled(limited)
    assert other.status_code == 202


def test_rate_limit_invitation_preview_answers_429_and_spares_other_clients(api, settings):
    _limit(settings, "invitation", "2/min")
    organisation = OrganisationFactory()
    InvitationFactory(token="real-link", target_id=organisation.pk)

    guesses = [api.get(f"/api/v1/invitations/guess-{n}/").status_code for n in range(2)]
    # Once limited, even the right link waits: guessing must not be cheaper than waiting.
    limited = api.get("/api/v1/invitations/real-link/")
    other = APIClient().get("/api/v1/invitations/real-link/", **OTHER_CLIENT)

    assert guesses == [404, 404]
    _assert_throttled(limited)
    assert other.status_code == 200
    assert other.json()["name"] == organisation.name


def test_rate_limit_invitation_accept_answers_429_and_spares_other_clients(settings):
    _limit(settings, "invitation", "2/min")
    organisation = OrganisationFactory()
    InvitationFactory(token="real-link", target_id=organisation.pk)
    guesser, invited = APIClient(), APIClient()
    guesser.force_authenticate(PersonFactory())
    invited.force_authenticate(PersonFactory())

    guesses = [guesser.post(f"/api/v1/invitations/guess-{n}/accept/").status_code for n in range(2)]
    limited = guesser.post("/api/v1/invitations/real-link/accept/")
    other = invited.post("/api/v1/invitations/real-link/accept/", **OTHER_CLIENT)

    assert guesses == [404, 404]
    _assert_throttled(limited)
    assert other.status_code == 200
    assert other.json()["status"] == "active"


def test_rate_limit_feed_answers_plain_429_without_touching_the_database(
    api, settings, django_assert_num_queries
):
    _limit(settings, "feed", "1/min")
    path = "/calendars/" + "q" * 43 + ".ics"

    first = api.get(path)
    with django_assert_num_queries(0):
        limited = api.get(path)
    if limited.status_code == 404:  # the minute turned between the two requests
        with django_assert_num_queries(0):
            limited = api.get(path)

    assert first.status_code == 404
    assert limited.status_code == 429
    assert limited["Content-Type"] == "text/plain; charset=utf-8"
    assert limited.content == b""
    assert 1 <= int(limited["Retry-After"]) <= 60
