from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils.http import urlsafe_base64_decode
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new memorable phrase 7"


def _reset_link_parts(body: str) -> tuple[str, str]:
    match = re.search(r"http://testserver/#/reset/([^/\s]+)/([^/\s]+)", body)
    assert match is not None, body
    return match.group(1), match.group(2)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver"


def test_password_change_needs_current_password(login):
    person = PersonFactory()

    response = login(person).post(
        "/api/v1/me/password/", {"current_password": "wrong", "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"current_password": ["Your current password is not right."]}
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_password_change_sets_password_keeps_session_and_drops_token(api):
    person = PersonFactory(email="bo@example.org")
    Token.objects.create(user=person)
    api.post("/api/v1/auth/login/", {"email": "bo@example.org", "password": PASSWORD})

    response = api.post("/api/v1/me/password/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 204
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert api.get("/api/v1/me/").status_code == 200
    assert Token.objects.filter(user=person).count() == 0


def test_password_change_ends_other_sessions(api):
    PersonFactory(email="bo@example.org")
    credentials = {"email": "bo@example.org", "password": PASSWORD}
    other_device = APIClient()
    other_device.post("/api/v1/auth/login/", credentials)
    api.post("/api/v1/auth/login/", credentials)

    api.post("/api/v1/me/password/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert other_device.get("/api/v1/me/").status_code == 403


def test_password_change_refuses_weak_password(login):
    response = login(PersonFactory()).post(
        "/api/v1/me/password/", {"current_password": PASSWORD, "new_password": "short"}
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["new_password"]


def test_password_reset_answers_the_same_for_unknown_email(api, sent_emails):
    PersonFactory(email="bo@example.org")

    known = api.post("/api/v1/auth/password-reset/", {"email": "BO@example.org"})
    unknown = api.post("/api/v1/auth/password-reset/", {"email": "nobody@example.org"})

    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json()
    assert [message["to"] for message in sent_emails] == ["bo@example.org"]


def test_password_reset_mail_links_to_web_app_in_persons_language(api, sent_emails):
    person = PersonFactory(email="bo@example.org", language="es", name="Beatriz")

    api.post("/api/v1/auth/password-reset/", {"email": "bo@example.org"})

    (message,) = sent_emails
    assert message["kind"] == "password_reset"
    assert message["language"] == "es"
    assert message["subject"] == "Restablece tu contraseña de Village"
    assert message["body"].startswith("Hola, Beatriz:")
    uid, token = _reset_link_parts(message["body"])
    assert urlsafe_base64_decode(uid) == str(person.pk).encode()
    assert message["key"] == f"password_reset:{person.pk}:{token}"


def test_password_reset_confirm_sets_password_once(api, sent_emails):
    person = PersonFactory(email="bo@example.org")
    Token.objects.create(user=person)
    api.post("/api/v1/auth/password-reset/", {"email": "bo@example.org"})
    uid, token = _reset_link_parts(sent_emails[0]["body"])
    body = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}

    first = api.post("/api/v1/auth/password-reset/confirm/", body)
    again = api.post(
        "/api/v1/auth/password-reset/confirm/", {**body, "new_password": "another fine phrase 99"}
    )

    assert first.status_code == 204
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_reset_link"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert Token.objects.filter(user=person).count() == 0


@pytest.mark.parametrize(("uid", "token"), [("bm9wZQ", "abc-def"), ("!!", "x"), ("MTIzNDU2Nzg5", "1-2")])
def test_password_reset_confirm_refuses_bad_links(api, uid, token):
    PersonFactory()

    response = api.post(
        "/api/v1/auth/password-reset/confirm/", {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_reset_link"


def test_password_reset_is_throttled(api, settings, sent_emails):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "password_reset": "2/hour",
        },
    }
    PersonFactory(email="bo@example.org")

    statuses = [
        api.post("/api/v1/auth/password-reset/", {"email": "bo@example.org"}).status_code for _ in range(3)
    ]

    assert statuses == [202, 202, 429]
    assert len(sent_emails) == 2


def test_default_sender_mails_after_commit_only(
    api, django_capture_on_commit_callbacks, default_account_sender
):
    PersonFactory(email="bo@example.org")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api.post("/api/v1/auth/password-reset/", {"email": "bo@example.org"})
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert [(m.to, m.subject) for m in mail.outbox] == [(["bo@example.org"], "Reset your Village password")]


def test_default_sender_failure_does_not_reveal_the_account(
    api, monkeypatch, django_capture_on_commit_callbacks, default_account_sender
):
    PersonFactory(email="bo@example.org")

    def broken_send_mail(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("accounts.mail.send_mail", broken_send_mail)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        known = api.post("/api/v1/auth/password-reset/", {"email": "bo@example.org"})
        unknown = api.post("/api/v1/auth/password-reset/", {"email": "nobody@example.org"})

    assert len(callbacks) == 1
    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json()
