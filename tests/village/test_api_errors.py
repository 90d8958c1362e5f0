"""The one error shape, checked through real endpoints (accounts')."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from accounts.models import Organisation, Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _error(response) -> dict:
    body = response.json()
    assert list(body) == ["error"]
    assert sorted(body["error"]) == ["code", "fields", "message"]
    return body["error"]


def test_unknown_field_is_400_naming_it(login):
    response = login(PersonFactory()).patch("/api/v1/me/", {"name": "Bo", "nickname": "B"})

    assert response.status_code == 400
    assert _error(response) == {
        "code": "invalid",
        "message": "nickname: This field is not recognised.",
        "fields": {"nickname": ["This field is not recognised."]},
    }


def test_wrong_type_is_400_naming_the_field(login):
    response = login(PersonFactory()).post(
        "/api/v1/invitations/", {"target_kind": "organisation", "target_id": "seven"}
    )

    assert response.status_code == 400
    assert _error(response)["fields"] == {"target_id": ["A valid integer is required."]}


def test_list_where_object_expected_is_400(login):
    response = login(PersonFactory()).post("/api/v1/organisations/", [{"name": "x"}])

    assert response.status_code == 400
    assert _error(response)["code"] == "invalid"
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/v1/organisations/", "/api/v1/auth/signup/"])
def test_huge_body_is_413_and_stores_nothing(api, login, path):
    client = login(PersonFactory()) if path == "/api/v1/organisations/" else api
    body = json.dumps({"name": "x" * (5 * 1024 * 1024), "email": "big@example.org", "password": "p" * 20})

    response = client.post(path, body, content_type="application/json")

    assert response.status_code == 413
    assert _error(response) == {
        "code": "too_large",
        "message": "That request is too large. Keep it under 256 kB.",
        "fields": {},
    }
    assert Organisation.objects.count() == 0
    assert Person.objects.filter(email="big@example.org").count() == 0


def test_malformed_json_is_400_parse_error(login):
    response = login(PersonFactory()).post(
        "/api/v1/organisations/", '{"name": "Meals', content_type="application/json"
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"
    assert Organisation.objects.count() == 0


def test_non_json_content_type_is_415(login):
    response = login(PersonFactory()).post("/api/v1/organisations/", "name=x", content_type="text/plain")

    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/me/"), ("get", "/api/v1/organisations/"), ("post", "/api/v1/invitations/")],
)
def test_unauthenticated_is_refused_with_error_shape(api, method, path):
    response = getattr(api, method)(path)

    assert response.status_code in {401, 403}
    assert _error(response) == {"code": "not_authenticated", "message": "Please log in first.", "fields": {}}


def test_bad_token_is_refused_with_error_shape(api):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.get("/api/v1/me/")

    assert response.status_code in {401, 403}
    assert _error(response)["code"] == "authentication_failed"


def test_wrong_method_is_405_with_error_shape(login):
    response = login(PersonFactory()).delete("/api/v1/me/")

    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
