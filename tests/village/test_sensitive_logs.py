"""Secrets never reach a log: not a password tried at login, not a feed token in an access log.

(Runserver's access log and django.request are covered in tests/calendars/test_views.py; this
adds gunicorn, the production server, and the login path.)"""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger

from tests.factories import PersonFactory

SECRET_PASSWORD = "Unmistakable-Secret-7291"
FEED_SECRET = "Ab9_-" * 8 + "xyz"  # 43 characters, like a real feed token


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), record.exc_text or "", str(record.__dict__)]
    return "\n".join(parts)


@pytest.mark.django_db
def test_failed_login_does_not_log_the_password(api, settings, caplog):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "2/min"},
    }
    PersonFactory(email="bo@example.org")
    attempt = {"email": "bo@example.org", "password": SECRET_PASSWORD}

    with caplog.at_level(logging.DEBUG):
        form = api.post("/api/v1/auth/token/", attempt, format="multipart")
        statuses = [api.post("/api/v1/auth/login/", attempt).status_code for _ in range(2)]

    assert (form.status_code, statuses) == (400, [400, 429])
    # The failures were logged (so this test can see a leak), the password was not.
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        "Bad Request: /api/v1/auth/token/",
        "Bad Request: /api/v1/auth/login/",
        "Too Many Requests: /api/v1/auth/login/",
    ]
    assert SECRET_PASSWORD not in _everything_logged(caplog)


def test_gunicorn_access_log_masks_feed_tokens(tmp_path):
    access_log = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(access_log))
    logger = GunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/calendars/{FEED_SECRET}.ics",
        "PATH_INFO": f"/calendars/{FEED_SECRET}.ics",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_USER_AGENT": "Google-Calendar-Importer",
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    request = SimpleNamespace(headers=[])

    try:
        logger.access(response, request, environ, timedelta(milliseconds=12))
    finally:
        for log in (logger.access_log, logger.error_log):
            for handler in log.handlers:
                handler.close()
            log.handlers.clear()

    line = access_log.read_text()
    assert FEED_SECRET not in line
    assert '"GET /calendars/<token>.ics HTTP/1.1" 200 1234 "-" "Google-Calendar-Importer"\n' in line


def _console_output(run) -> str:
    """What the console handler settings.LOGGING configures writes while run() runs."""
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    handlers += [h for h in logging.getLogger("django.server").handlers if type(h) is logging.StreamHandler]
    assert len(handlers) == 2
    stream = io.StringIO()
    previous = [h.setStream(stream) for h in handlers]
    try:
        run()
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)
    return stream.getvalue()


@pytest.mark.django_db
def test_invitation_and_unsubscribe_tokens_are_masked_in_logs(api):
    invitation = "Inv1te_Secret-" * 2
    unsubscribe = "Unsub:Secret_0123"

    def run() -> None:
        assert api.get(f"/api/v1/invitations/{invitation}/").status_code == 404
        server = logging.getLogger("django.server")
        # runserver's access line: '"%s" %s %s' % (request line, status, size)
        server.info('"%s" %s %s', f"POST /api/v1/invitations/{invitation}/accept/ HTTP/1.1", 200, 87)
        server.info('"%s" %s %s', f"POST /api/v1/unsubscribe/{unsubscribe}/ HTTP/1.1", 200, 2)
        server.info('"%s" %s %s', "POST /api/v1/invitations/42/revoke/ HTTP/1.1", 200, 87)

    output = _console_output(run)

    assert invitation not in output and unsubscribe not in output
    assert output.splitlines() == [
        "Not Found: /api/v1/invitations/<token>/",
        '"POST /api/v1/invitations/<token>/accept/ HTTP/1.1" 200 87',
        '"POST /api/v1/unsubscribe/<token>/ HTTP/1.1" 200 2',
        '"POST /api/v1/invitations/42/revoke/ HTTP/1.1" 200 87',
    ]
