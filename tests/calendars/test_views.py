"""Feed HTTP behaviour (headers, 304, 404, rate limit, logs) and the feed-URL API endpoints."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.conf import settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from accounts.models import MembershipStatus, Role
from calendars.models import FeedToken
from calendars.services import signup_ics
from practical.models import AddressRead
from scheduling.models import RosterMembership, Shift
from tests.calendars.factories import circle_with_members, claim, help_shift
from tests.calendars.support import feed_path, issue_feed, parse_icaljs, parse_strict
from tests.factories import (
    OrganisationMembershipFactory,
    PersonFactory,
    RosterFactory,
    RosterMembershipFactory,
    ShiftFactory,
    SignupFactory,
)
from village.logging import HideFeedTokens

pytestmark = pytest.mark.django_db


def _secret_from(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


# --- The feed over HTTP -----------------------------------------------------------------------


def test_feed_answers_calendar_with_cache_headers(api):
    volunteer = PersonFactory()
    SignupFactory(person=volunteer)

    response = api.get(feed_path(issue_feed(volunteer)))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 34
    assert response["Last-Modified"].endswith(" GMT")
    parse_strict(response.content)


def test_feed_answers_304_to_if_none_match(api):
    volunteer = PersonFactory()
    SignupFactory(person=volunteer)
    path = feed_path(issue_feed(volunteer))
    first = api.get(path)

    again = api.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert (again["ETag"], again["Last-Modified"], again["Cache-Control"]) == (
        first["ETag"],
        first["Last-Modified"],
        "private, max-age=300",
    )


def test_feed_answers_304_to_if_modified_since(api):
    volunteer = PersonFactory()
    SignupFactory(person=volunteer)
    path = feed_path(issue_feed(volunteer))
    first = api.get(path)

    again = api.get(path, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    older = api.get(path, HTTP_IF_MODIFIED_SINCE=http_date(timezone.now().timestamp() - 3600 * 24 * 365))

    assert (again.status_code, older.status_code) == (304, 200)


def test_feed_304_path_takes_two_queries(api, django_assert_num_queries):
    volunteer = PersonFactory()
    for _ in range(5):
        SignupFactory(person=volunteer)
    path = feed_path(issue_feed(volunteer))
    etag = api.get(path)["ETag"]

    # The token (with its owner) and one aggregate; last_used_at is written at most hourly.
    with django_assert_num_queries(2):
        assert api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_feed_change_moves_etag_and_last_modified(api):
    volunteer = PersonFactory()
    signup = SignupFactory(person=volunteer)
    path = feed_path(issue_feed(volunteer))
    first = api.get(path)

    Shift.objects.filter(pk=signup.shift_id).update(
        title="Moved", sequence=1, updated_at=timezone.now() + timedelta(seconds=2)
    )
    again = api.get(path, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again["Last-Modified"] != first["Last-Modified"]


def test_feed_etag_moves_when_a_cancellation_ages_out(api):
    volunteer = PersonFactory()
    old = timezone.now() - timedelta(days=29, hours=23, minutes=59)
    SignupFactory(person=volunteer, status="cancelled", cancelled_at=old)
    path = feed_path(issue_feed(volunteer))
    first = api.get(path)
    assert len(parse_icaljs(first.content)["events"]) == 1

    # Time passes: the same rows, but the cancellation is now past the 30 days.
    from calendars import selectors

    token = FeedToken.objects.get()
    assert selectors.feed_fingerprint(token=token, now=timezone.now()).etag == first["ETag"]
    later = selectors.feed_fingerprint(token=token, now=timezone.now() + timedelta(minutes=2))
    assert later.etag != first["ETag"]


def test_feed_unknown_token_is_404_without_detail(api):
    response = api.get(feed_path("x" * 43))

    assert (response.status_code, response.content) == (404, b"")


def test_feed_rotated_token_is_404_and_new_one_works(api, login):
    volunteer = PersonFactory()
    SignupFactory(person=volunteer)
    client = login(volunteer)
    old_url = client.get("/api/v1/me/feeds/").json()["urls"]["url"]

    new_url = client.post("/api/v1/me/feeds/rotate/").json()["urls"]["url"]

    assert api.get(feed_path(_secret_from(old_url))).status_code == 404
    assert api.get(feed_path(_secret_from(old_url))).content == b""
    assert api.get(feed_path(_secret_from(new_url))).status_code == 200


def test_feed_revoked_token_is_404(api, login):
    volunteer = PersonFactory()
    client = login(volunteer)
    url = client.get("/api/v1/me/feeds/").json()["urls"]["url"]

    client.post("/api/v1/me/feeds/revoke/")

    assert api.get(feed_path(_secret_from(url))).status_code == 404


def test_feed_of_a_former_coordinator_is_404(api):
    circle, family, _volunteer = circle_with_members()
    secret = issue_feed(family, FeedToken.Scope.CIRCLE, circle.pk)
    assert api.get(feed_path(secret)).status_code == 200

    RosterMembership.objects.filter(person=family).update(status=MembershipStatus.REMOVED)

    assert api.get(feed_path(secret)).status_code == 404


def test_feed_is_rate_limited_per_token(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "feed": "3/min"},
    }
    volunteer = PersonFactory()
    path = feed_path(issue_feed(volunteer))
    other = feed_path(issue_feed(PersonFactory()))

    codes = [api.get(path).status_code for _ in range(4)]

    assert codes[:3] == [200, 200, 200]
    # A window boundary may fall inside the loop; then the fourth is allowed again.
    assert codes[3] in (429, 200)
    if codes[3] == 200:
        codes = [api.get(path).status_code for _ in range(4)]
        assert codes[3] == 429
    limited = api.get(path)
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert api.get(other).status_code == 200


def test_feed_marks_token_used_at_most_hourly(api):
    volunteer = PersonFactory()
    path = feed_path(issue_feed(volunteer))

    api.get(path)
    first = FeedToken.objects.get().last_used_at
    api.get(path)

    assert first is not None
    assert FeedToken.objects.get().last_used_at == first


def test_hide_feed_tokens_filter_removes_the_token():
    secret = "AbC_d-" * 7
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"GET /calendars/%s.ics HTTP/1.1" 200 512',
        (secret,),
        None,
    )

    assert HideFeedTokens().filter(record) is True
    assert record.getMessage() == '"GET /calendars/<token>.ics HTTP/1.1" 200 512'


def test_feed_tokens_never_reach_the_log_handlers(api):
    console = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert console != []
    assert all([type(f) for f in h.filters] == [HideFeedTokens] for h in console)
    secret = "x" * 43
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    capture = Capture()
    capture.addFilter(HideFeedTokens())
    logger = logging.getLogger("django.request")
    logger.addHandler(capture)
    try:
        api.get(feed_path(secret))
        logger.warning("Not Found: %s", feed_path(secret))
    finally:
        logger.removeHandler(capture)
    assert records and all(secret not in message for message in records)
    assert records[-1] == "Not Found: /calendars/<token>.ics"


def test_feed_tokens_are_stored_hashed(login):
    volunteer = PersonFactory()
    url = login(volunteer).get("/api/v1/me/feeds/").json()["urls"]["url"]
    secret = _secret_from(url)

    token = FeedToken.objects.get()
    assert len(secret) == 43
    assert token.token_hash != secret and secret not in token.token_hash
    import hashlib

    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()


# --- Feed URL endpoints -------------------------------------------------------------------------


def test_me_feeds_shows_urls_once_then_has_feed(login):
    volunteer = PersonFactory()
    client = login(volunteer)

    first = client.get("/api/v1/me/feeds/")
    second = client.get("/api/v1/me/feeds/")

    assert first.status_code == 200
    body = first.json()
    secret = _secret_from(body["urls"]["url"])
    host = settings.SITE_URL.split("://", 1)[1]
    assert body["urls"] == {
        "url": f"{settings.SITE_URL}/calendars/{secret}.ics",
        "webcal": f"webcal://{host}/calendars/{secret}.ics",
        "google": "https://calendar.google.com/calendar/r?cid="
        + quote(f"webcal://{host}/calendars/{secret}.ics", safe=""),
    }
    assert (body["scope"], body["scope_id"], body["has_feed"], body["last_used_at"]) == (
        "person",
        volunteer.pk,
        True,
        None,
    )
    assert second.json() | {"created_at": None} == {
        "scope": "person",
        "scope_id": volunteer.pk,
        "has_feed": True,
        "created_at": None,
        "last_used_at": None,
        "urls": None,
    }


def test_google_subscribe_link_carries_the_webcal_url_encoded(login, settings):
    settings.SITE_URL = "https://village.example.org:8443/app"

    urls = login(PersonFactory()).get("/api/v1/me/feeds/").json()["urls"]

    secret = _secret_from(urls["url"])
    assert urls["webcal"] == f"webcal://village.example.org:8443/app/calendars/{secret}.ics"
    assert urls["google"] == (
        "https://calendar.google.com/calendar/r?cid="
        f"webcal%3A%2F%2Fvillage.example.org%3A8443%2Fapp%2Fcalendars%2F{secret}.ics"
    )
    assert parse_qs(urlsplit(urls["google"]).query) == {"cid": [urls["webcal"]]}


def test_me_feeds_rotate_and_revoke(login):
    client = login(PersonFactory())
    client.get("/api/v1/me/feeds/")

    rotated = client.post("/api/v1/me/feeds/rotate/")
    revoked = client.post("/api/v1/me/feeds/revoke/")
    after = client.get("/api/v1/me/feeds/")

    assert rotated.status_code == 201
    assert rotated.json()["urls"] is not None
    assert (revoked.status_code, revoked.json()["has_feed"], revoked.json()["urls"]) == (200, False, None)
    # A revoke stays a revoke: opening the page again does not quietly issue a new URL.
    assert (after.json()["has_feed"], after.json()["urls"]) == (False, None)
    assert FeedToken.objects.filter(revoked_at__isnull=True).count() == 0


def test_me_feeds_needs_login(api):
    assert api.get("/api/v1/me/feeds/").status_code in (401, 403)


def test_circle_feed_endpoint_by_role(login):
    circle, family, volunteer = circle_with_members()
    outsider = PersonFactory()
    org_volunteer = PersonFactory()

    as_family = login(family).get(f"/api/v1/circles/{circle.pk}/feed/")

    assert as_family.status_code == 200
    assert (as_family.json()["scope"], as_family.json()["scope_id"]) == ("circle", circle.pk)
    assert login(volunteer).get(f"/api/v1/circles/{circle.pk}/feed/").status_code == 403
    assert login(outsider).get(f"/api/v1/circles/{circle.pk}/feed/").status_code == 404
    assert login(outsider).post(f"/api/v1/circles/{circle.pk}/feed/rotate/").status_code == 404
    assert login(org_volunteer).get("/api/v1/circles/999999/feed/").status_code == 404
    assert login(family).post(f"/api/v1/circles/{circle.pk}/feed/rotate/").status_code == 201
    assert login(family).post(f"/api/v1/circles/{circle.pk}/feed/revoke/").json()["has_feed"] is False


def test_roster_feed_endpoint_by_role(login):
    roster = RosterFactory()
    org_coordinator = PersonFactory()
    OrganisationMembershipFactory(
        organisation=roster.organisation or _with_org(roster), person=org_coordinator, role=Role.COORDINATOR
    )
    volunteer = PersonFactory()
    RosterMembershipFactory(roster=roster, person=volunteer)

    response = login(org_coordinator).get(f"/api/v1/rosters/{roster.pk}/feed/")

    assert (response.status_code, response.json()["scope"]) == (200, "roster")
    assert login(volunteer).get(f"/api/v1/rosters/{roster.pk}/feed/").status_code == 403
    assert login(PersonFactory()).get(f"/api/v1/rosters/{roster.pk}/feed/").status_code == 404
    assert login(org_coordinator).post(f"/api/v1/rosters/{roster.pk}/feed/rotate/").status_code == 201


def _with_org(roster):
    from tests.factories import OrganisationFactory

    roster.organisation = OrganisationFactory()
    roster.save()
    return roster.organisation


# --- Single commitment download -------------------------------------------------------------------


def test_signup_ics_download_for_holder_has_feed_uid(api, login):
    circle, _family, volunteer = circle_with_members()
    signup = claim(help_shift(circle, starts_at=timezone.now() + timedelta(days=2)), volunteer, dish="Soup")

    response = login(volunteer).get(f"/api/v1/signups/{signup.pk}/ics/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="village-commitment-{signup.pk}.ics"'
    parse_strict(response.content)
    download = parse_icaljs(response.content)["events"]
    feed = parse_icaljs(api.get(feed_path(issue_feed(volunteer))).content)["events"]
    assert [e["uid"] for e in download] == [e["uid"] for e in feed] == [f"signup-{signup.pk}@village"]
    assert download == feed
    assert b"METHOD:PUBLISH\r\n" in response.content


def test_signup_ics_download_records_address_shown_to_volunteer(login):
    circle, family, volunteer = circle_with_members(address="12 Elm Street")
    signup = claim(help_shift(circle, starts_at=timezone.now() + timedelta(hours=6)), volunteer)

    download = login(volunteer).get(f"/api/v1/signups/{signup.pk}/ics/")
    by_family = login(family).get(f"/api/v1/signups/{signup.pk}/ics/")

    assert [e["location"] for e in parse_icaljs(download.content)["events"]] == ["12 Elm Street"]
    assert [e["location"] for e in parse_icaljs(by_family.content)["events"]] == ["12 Elm Street"]
    assert list(AddressRead.objects.values_list("person_id", "via")) == [(volunteer.pk, "calendar:download")]


def test_signup_ics_download_for_coordinator_and_not_others(login):
    circle, family, volunteer = circle_with_members()
    signup = claim(help_shift(circle, starts_at=timezone.now() + timedelta(days=2)), volunteer)

    assert login(family).get(f"/api/v1/signups/{signup.pk}/ics/").status_code == 200
    other = PersonFactory()
    RosterMembershipFactory(roster=circle.roster, person=other)
    assert login(other).get(f"/api/v1/signups/{signup.pk}/ics/").status_code == 404
    assert login(PersonFactory()).get(f"/api/v1/signups/{signup.pk}/ics/").status_code == 404
    assert login(volunteer).get("/api/v1/signups/999999/ics/").status_code == 404


def test_signup_ics_function_is_byte_stable_and_parses():
    signup = SignupFactory(shift=ShiftFactory(title="Helpline"))

    first = signup_ics(signup=signup, person=signup.person)
    second = signup_ics(signup=signup, person=signup.person)

    assert first == second
    calendar = parse_strict(first)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [f"signup-{signup.pk}@village"]
    assert str(calendar["X-WR-CALNAME"]) == "Helpline"


def test_feed_query_count_is_constant_for_304(api):
    from django.db import connection

    def count(n: int) -> int:
        volunteer = PersonFactory()
        for _ in range(n):
            SignupFactory(person=volunteer)
        path = feed_path(issue_feed(volunteer))
        etag = api.get(path)["ETag"]
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
        return len(queries)

    assert count(1) == count(50)


def test_feed_etag_moves_when_the_address_window_opens_and_closes(api):
    circle, _family, volunteer = circle_with_members()
    starts = timezone.now() + timedelta(hours=49)
    claim(help_shift(circle, starts_at=starts, ends_at=starts + timedelta(hours=1)), volunteer)
    path = feed_path(issue_feed(volunteer))
    etag = api.get(path)["ETag"]
    from calendars import selectors

    token = FeedToken.objects.get()
    now = timezone.now()
    at = [now, now + timedelta(minutes=30), now + timedelta(hours=2), now + timedelta(hours=51)]
    etags = [selectors.feed_fingerprint(token=token, now=moment).etag for moment in at]

    assert etags[0] == etags[1] == etag
    assert len({etags[1], etags[2], etags[3]}) == 3


def test_feed_fingerprints_of_two_people_follow_their_own_rows(api):
    first, second = PersonFactory(), PersonFactory()
    SignupFactory(person=first)
    path_first, path_second = feed_path(issue_feed(first)), feed_path(issue_feed(second))
    etag_second = api.get(path_second)["ETag"]
    etag_first = api.get(path_first)["ETag"]

    SignupFactory(person=first)

    assert api.get(path_second, HTTP_IF_NONE_MATCH=etag_second).status_code == 304
    assert api.get(path_first, HTTP_IF_NONE_MATCH=etag_first).status_code == 200


def test_runserver_access_log_hides_feed_tokens():
    import io

    secret = "Zz9_-" * 9
    logger = logging.getLogger("django.server")
    # The console handler settings.LOGGING gives django.server (pytest adds handlers of its own).
    handlers = [h for h in logger.handlers if type(h) is logging.StreamHandler]
    assert len(handlers) == 1
    stream = io.StringIO()
    previous = [h.setStream(stream) for h in handlers]
    try:
        logger.info('"%s" %s %s', f"GET /calendars/{secret}.ics HTTP/1.1", 200, 1234)
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)
    assert stream.getvalue() == '"GET /calendars/<token>.ics HTTP/1.1" 200 1234\n'


def test_feed_answers_head_and_refuses_post(api):
    volunteer = PersonFactory()
    path = feed_path(issue_feed(volunteer))

    head = api.head(path)

    assert (head.status_code, head["Content-Type"], head.content) == (
        200,
        "text/calendar; charset=utf-8",
        b"",
    )
    assert api.post(path).status_code == 405
