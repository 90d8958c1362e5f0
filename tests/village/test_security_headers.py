"""Security headers and cookie flags on the web app page, the API and calendar feeds."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "backend" / "village" / "settings.py"
SECURITY_SETTINGS = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
]
ONE_YEAR = 60 * 60 * 24 * 365


def _settings_from_environment(monkeypatch: pytest.MonkeyPatch, *, debug: bool) -> dict[str, Any]:
    """What settings.py decides for DEBUG=true (the embedded default, `make run`) or for a
    production-like environment, given no explicit security variables."""
    for name in ["SECURE_COOKIES", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "BEHIND_TLS_PROXY"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "true" if debug else "false")
    values = runpy.run_path(str(SETTINGS_FILE))
    return {name: values[name] for name in SECURITY_SETTINGS}


@pytest.fixture
def production_like(settings, monkeypatch):
    chosen = _settings_from_environment(monkeypatch, debug=False)
    for name, value in chosen.items():
        setattr(settings, name, value)
    return chosen


@pytest.fixture
def embedded_default(settings, monkeypatch):
    chosen = _settings_from_environment(monkeypatch, debug=True)
    for name, value in chosen.items():
        setattr(settings, name, value)
    return chosen


def _feed_path(**extra: Any) -> str:
    client = APIClient()
    client.force_authenticate(PersonFactory())
    url = client.get("/api/v1/me/feeds/", **extra).json()["urls"]["url"]
    return urlsplit(url).path


def _get(kind: str, **extra: Any):
    """A fresh client (middleware reads its settings when first loaded) fetching one of the three
    kinds of response: the web app page, an API answer, a calendar feed."""
    if kind == "feed":
        path = _feed_path(**extra)
        assert path.startswith("/calendars/") and path.endswith(".ics")
    else:
        path = {"page": "/", "api": "/api/v1/auth/csrf/"}[kind]
    response = APIClient().get(path, **extra)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("kind", ["page", "api", "feed"])
def test_security_headers_are_on_every_kind_of_response(kind):
    response = _get(kind)

    policy = response["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_security_headers_allow_inline_script_only_on_the_api_docs(api):
    docs = api.get("/api/docs/")
    look_alike = api.get("/api/docsx/")

    assert docs.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in docs["Content-Security-Policy"]
    assert docs["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in look_alike["Content-Security-Policy"]


@pytest.mark.parametrize("kind", ["page", "api", "feed"])
def test_security_hsts_is_sent_over_https_in_production(production_like, kind):
    secure = _get(kind, secure=True)
    plain_http = APIClient().get("/healthz")

    assert production_like["SECURE_HSTS_SECONDS"] == ONE_YEAR
    assert secure["Strict-Transport-Security"] == f"max-age={ONE_YEAR}; includeSubDomains; preload"
    # Production redirects plain HTTP to HTTPS (and never sends HSTS over HTTP).
    assert plain_http.status_code == 301
    assert "Strict-Transport-Security" not in plain_http


@pytest.mark.parametrize("kind", ["page", "api", "feed"])
def test_security_hsts_is_absent_in_the_embedded_default(embedded_default, kind):
    response = _get(kind, secure=True)

    assert embedded_default["SECURE_HSTS_SECONDS"] == 0
    assert "Strict-Transport-Security" not in response


def _login_cookies(**extra: Any):
    PersonFactory(email="bo@example.org")
    client = APIClient()
    csrf = client.get("/api/v1/auth/csrf/", **extra).cookies["csrftoken"]
    login = client.post("/api/v1/auth/login/", {"email": "bo@example.org", "password": PASSWORD}, **extra)
    assert login.status_code == 200
    return csrf, login.cookies["sessionid"]


def test_security_cookies_are_secure_in_production(production_like):
    csrf, session = _login_cookies(secure=True)

    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    assert csrf["secure"] is True


def test_security_cookies_work_over_plain_http_in_the_embedded_default(embedded_default):
    # `make run` serves http://127.0.0.1:8000: a Secure cookie would never come back.
    csrf, session = _login_cookies()

    assert (session["secure"], session["httponly"]) == ("", True)
    assert csrf["secure"] == ""
