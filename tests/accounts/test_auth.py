from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.authentication import api_token
from accounts.models import Person
from tests.factories import PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "Ana@Example.org", "name": "Ana", "password": "a long and unusual phrase 42"}


def test_signup_creates_person_with_argon2_and_logs_in(api, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    response = api.post("/api/v1/auth/signup/", {**SIGNUP, "language": "es", "time_zone": "Europe/Madrid"})

    assert response.status_code == 201
    person = Person.objects.get()
    assert response.json() == {
        "id": person.pk,
        "email": "ana@example.org",
        "name": "Ana",
        "language": "es",
        "time_zone": "Europe/Madrid",
    }
    assert identify_hasher(person.password).algorithm == "argon2"
    assert api.get("/api/v1/me/").json()["id"] == person.pk


def test_signup_defaults_language_from_browser_and_zone_from_settings(api, settings):
    response = api.post("/api/v1/auth/signup/", SIGNUP, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")

    assert response.status_code == 201
    assert (response.json()["language"], response.json()["time_zone"]) == ("es", settings.DEFAULT_TIME_ZONE)


def test_signup_refuses_taken_email_in_any_case(api):
    PersonFactory(email="ana@example.org")

    response = api.post("/api/v1/auth/signup/", {**SIGNUP, "email": "ANA@example.ORG"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "email_taken"
    assert list(error["fields"]) == ["email"]
    assert Person.objects.count() == 1


def test_signup_refuses_weak_password_with_validator_message(api):
    response = api.post("/api/v1/auth/signup/", {**SIGNUP, "password": "12345678"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "weak_password"
    assert error["fields"]["password"] == [
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert Person.objects.count() == 0


def test_signup_refuses_unknown_time_zone_naming_the_field(api):
    response = api.post("/api/v1/auth/signup/", {**SIGNUP, "time_zone": "Mars/Olympus"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["time_zone"]


def test_login_returns_person_and_starts_session(api):
    person = PersonFactory(email="bo@example.org")

    response = api.post("/api/v1/auth/login/", {"email": "BO@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["id"] == person.pk
    assert api.get("/api/v1/me/").status_code == 200


def test_login_refuses_wrong_password_without_saying_which_part(api):
    PersonFactory(email="bo@example.org")

    wrong_password = api.post("/api/v1/auth/login/", {"email": "bo@example.org", "password": "nope"})
    wrong_email = api.post("/api/v1/auth/login/", {"email": "nobody@example.org", "password": PASSWORD})

    assert wrong_password.status_code == wrong_email.status_code == 400
    assert wrong_password.json() == wrong_email.json()
    assert wrong_password.json()["error"]["code"] == "invalid_credentials"


def test_login_refuses_deactivated_person(api):
    PersonFactory(email="bo@example.org", is_active=False)

    response = api.post("/api/v1/auth/login/", {"email": "bo@example.org", "password": PASSWORD})

    assert response.status_code == 400


def test_logout_ends_session(api):
    PersonFactory(email="bo@example.org")
    api.post("/api/v1/auth/login/", {"email": "bo@example.org", "password": PASSWORD})

    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert api.get("/api/v1/me/").status_code == 403


def test_token_authenticates_partner_scripts(api):
    person = PersonFactory(email="bo@example.org")

    response = api.post("/api/v1/auth/token/", {"email": "bo@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=person).key}
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert script.get("/api/v1/me/").json()["id"] == person.pk


def test_token_reads_its_person_whole(db):
    person = PersonFactory(email="bo@example.org", is_staff=True, last_login=timezone.now())
    token = Token.objects.create(user=person)

    found = api_token(key=token.key)

    assert found is not None
    assert (found.pk, found.user_id, found.created) == (token.pk, person.pk, token.created)
    # Every column, converted as the ORM converts it (booleans and aware datetimes on SQLite).
    expected = Person.objects.get(pk=person.pk)
    assert {f.attname: getattr(found.user, f.attname) for f in Person._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in Person._meta.concrete_fields
    }
    assert found.user.is_staff is True
    assert api_token(key="not-" + token.key[4:]) is None


@pytest.mark.parametrize("active", [True, False])
def test_token_of_an_unknown_or_deactivated_person_is_refused(db, active):
    person = PersonFactory(is_active=active)
    key = Token.objects.create(user=person).key if not active else "0" * 40
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = script.get("/api/v1/me/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "authentication_failed"


def test_token_is_the_same_on_second_request(api):
    PersonFactory(email="bo@example.org")
    body = {"email": "bo@example.org", "password": PASSWORD}

    first = api.post("/api/v1/auth/token/", body).json()["token"]

    assert api.post("/api/v1/auth/token/", body).json()["token"] == first


@pytest.mark.parametrize("path", ["/api/v1/auth/login/", "/api/v1/auth/token/"])
def test_login_is_throttled_per_ip_and_email(api, settings, path):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "3/min"},
    }
    PersonFactory(email="bo@example.org")
    guess = {"email": "bo@example.org", "password": "guess"}

    statuses = [api.post(path, guess).status_code for _ in range(4)]
    other_email = api.post(path, {"email": "cy@example.org", "password": "guess"})
    other_ip = api.post(path, guess, REMOTE_ADDR="10.0.0.9")

    assert statuses == [400, 400, 400, 429]
    last = api.post(path, guess)
    assert last.json()["error"]["code"] == "throttled"
    assert last.json()["error"]["message"].startswith("Too many attempts. Please try again in ")
    assert last.json()["error"]["fields"] == {}
    assert (other_email.status_code, other_ip.status_code) == (400, 400)


def test_csrf_endpoint_sets_cookie(api):
    response = api.get("/api/v1/auth/csrf/")

    assert response.status_code == 200
    assert response.cookies["csrftoken"].value
    assert response.json()["csrf_token"]


def test_session_writes_need_csrf_token_in_browser(db):
    PersonFactory(email="bo@example.org")
    browser = APIClient(enforce_csrf_checks=True)
    credentials = {"email": "bo@example.org", "password": PASSWORD}

    refused_login = browser.post("/api/v1/auth/login/", credentials)
    browser.get("/api/v1/auth/csrf/")
    logged_in = browser.post(
        "/api/v1/auth/login/", credentials, HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value
    )
    # Logging in rotates the CSRF token; the browser holds the new cookie.
    token = browser.cookies["csrftoken"].value
    refused_write = browser.post("/api/v1/organisations/", {"name": "Meals on Elm"})
    accepted_write = browser.post("/api/v1/organisations/", {"name": "Meals on Elm"}, HTTP_X_CSRFTOKEN=token)

    assert refused_login.status_code == 403
    assert refused_login.json()["error"]["code"] == "csrf_failed"
    assert logged_in.status_code == 200
    assert refused_write.status_code == 403
    assert refused_write.json()["error"] == {
        "code": "csrf_failed",
        "message": "Your page was open too long to be trusted. Reload it and try again.",
        "fields": {},
    }
    assert accepted_write.status_code == 201


def test_token_endpoint_needs_no_csrf_token(db):
    PersonFactory(email="bo@example.org")
    script = APIClient(enforce_csrf_checks=True)

    response = script.post("/api/v1/auth/token/", {"email": "bo@example.org", "password": PASSWORD})

    assert response.status_code == 200


def test_login_throttle_ignores_made_up_forwarded_for(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "2/min"},
    }
    guess = {"email": "bo@example.org", "password": "guess"}

    statuses = [
        api.post("/api/v1/auth/login/", guess, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]

    assert statuses == [400, 400, 429]


def test_signup_is_throttled_like_login(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "1/min"},
    }

    first = api.post("/api/v1/auth/signup/", {**SIGNUP, "password": "1"})
    second = api.post("/api/v1/auth/signup/", SIGNUP)

    assert (first.status_code, second.status_code) == (400, 429)
    assert Person.objects.count() == 0
