"""Calendar feeds: a 500-commitment render, and the 304 poll that dominates feed traffic.

1. Our feed view rendering a person's 500 commitments (token lookup, rate limit, fingerprint,
   the rows with their joins, address rule, VTIMEZONE, serialising) against bare ``icalendar``
   serialising the same 500 events from data already in memory. Goal: at most 1.2× the time.
2. Our feed view answering 304 to If-None-Match against a bare Django view that replays the
   same SQL (our token statement, then our aggregate, through a raw cursor) and compares the
   ETag.
   Goal: at least 0.9× its throughput.

Both sides are called in-process through the same RequestFactory requests, so the figures
compare the work, not the HTTP stack.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

RENDER_EVENTS = 500
SEED = 20261123


def _setup() -> tuple[str, Any]:
    from django.utils import timezone

    from accounts.models import Person, Role
    from calendars.services import feed_rotate
    from practical.models import Circle, Contribution, HelpRequest
    from scheduling.models import Roster, RosterMembership, Shift, Signup

    rng = random.Random(SEED)
    suffix = rng.randrange(10**9)
    person = Person.objects.create_user(
        f"bench-calendars-{suffix}@example.org", "x" * 12, name="Bench Volunteer"
    )
    duty = Roster.objects.create(name="Helpline", time_zone="America/New_York")
    circle_roster = Roster.objects.create(name="Family", kind=Roster.Kind.CIRCLE, time_zone="America/Chicago")
    circle = Circle.objects.create(roster=circle_roster, name="The Bench family", address="1 Main St")
    for roster in (duty, circle_roster):
        RosterMembership.objects.create(roster=roster, person=person, role=Role.VOLUNTEER)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=200)
    shifts = []
    for i in range(RENDER_EVENTS):
        roster = circle_roster if i % 5 == 0 else duty
        starts_at = start + timedelta(days=i * 0.8, hours=rng.randrange(0, 12))
        shifts.append(
            Shift(
                roster=roster,
                title=f"Shift {i}",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                capacity=3,
                filled=1,
                location="Community centre" if roster is duty else "",
                notes="Bring the headset" if i % 3 == 0 else "",
                is_flexible=i % 17 == 0,
                sequence=rng.randrange(0, 3),
            )
        )
    Shift.objects.bulk_create(shifts)
    HelpRequest.objects.bulk_create(
        [
            HelpRequest(shift=s, circle=circle, kind=HelpRequest.Kind.MEAL)
            for s in shifts
            if s.roster_id == circle_roster.pk
        ]
    )
    statuses = ["confirmed"] * 8 + ["waitlisted", "completed"]
    signups = Signup.objects.bulk_create(
        [Signup(shift=s, person=person, status=rng.choice(statuses)) for s in shifts]
    )
    Contribution.objects.bulk_create(
        [
            Contribution(signup=s, dish=f"Dish {s.pk}")
            for s in signups
            if s.shift.roster_id == circle_roster.pk
        ]
    )
    secret = feed_rotate(owner=person, scope="person", scope_id=person.pk).secret
    assert secret is not None
    return secret, person


def _repeat(fn: Callable[[], object], *, seconds: float, minimum: int = 3) -> list[float]:
    """Durations of repeated calls for about ``seconds`` (at least ``minimum`` calls)."""
    durations: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(durations) < minimum or time.perf_counter() < deadline:
        began = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - began)
    return durations


def _bare_icalendar(rows: list[dict[str, Any]]) -> Callable[[], bytes]:
    """Plain icalendar, as its documentation shows it, for the same events."""
    from zoneinfo import ZoneInfo

    from icalendar import Alarm, Calendar, Event

    def render() -> bytes:
        calendar = Calendar()
        calendar.add("PRODID", "-//bench//EN")
        calendar.add("VERSION", "2.0")
        calendar.add("X-WR-CALNAME", "Bench")
        for row in rows:
            event = Event()
            event.add("UID", row["uid"])
            event.add("DTSTAMP", row["stamp"])
            event.add("LAST-MODIFIED", row["stamp"])
            event.add("SEQUENCE", row["sequence"])
            event.add("STATUS", row["status"])
            event.add("SUMMARY", row["summary"])
            zone = ZoneInfo(row["tz"])
            event.add("DTSTART", row["start"].astimezone(zone))
            event.add("DTEND", row["end"].astimezone(zone))
            if row["location"]:
                event.add("LOCATION", row["location"])
            event.add("DESCRIPTION", row["description"])
            event.add("URL", row["url"])
            for lead in (timedelta(hours=24), timedelta(hours=2)):
                alarm = Alarm()
                alarm.add("ACTION", "DISPLAY")
                alarm.add("DESCRIPTION", row["summary"])
                alarm.add("TRIGGER", -lead)
                event.add_component(alarm)
            calendar.add_component(event)
        calendar.add_missing_timezones()
        return calendar.to_ical()

    return render


def _rows_in_memory(person: Any) -> list[dict[str, Any]]:
    from scheduling.models import Signup

    rows = []
    for s in (
        Signup.objects.filter(person=person).select_related("shift__roster").order_by("shift__starts_at")
    ):
        rows.append(
            {
                "uid": f"signup-{s.pk}@village",
                "stamp": s.updated_at.astimezone(UTC).replace(microsecond=0),
                "sequence": s.sequence + s.shift.sequence,
                "status": "TENTATIVE" if s.status == "waitlisted" else "CONFIRMED",
                "summary": s.shift.title,
                "tz": s.shift.roster.time_zone,
                "start": s.shift.starts_at,
                "end": s.shift.ends_at,
                "location": s.shift.location,
                "description": f"Notes: {s.shift.notes}\nOpen in Village: https://example.org/#/commitments/{s.pk}",
                "url": f"https://example.org/#/commitments/{s.pk}",
            }
        )
    return rows


def _bare_304_view(secret: str) -> Callable[[Any], Any]:
    """A bare Django view replaying our two statements (same SQL text) through a raw cursor.

    Only the SQL is shared: the parameters are computed here, and the rows are fetched and
    thrown away. What our view does around the statements (rate limit, building the token row,
    ETag and Last-Modified bookkeeping) is what the ratio measures.
    """
    from django.db import connection
    from django.http import HttpResponse, HttpResponseNotModified
    from django.utils import timezone

    from calendars import fingerprint, selectors
    from calendars.models import FeedToken

    token = FeedToken.objects.get(token_hash=hashlib.sha256(secret.encode()).hexdigest())
    etag = fingerprint.feed_fingerprint(token=token, now=timezone.now()).etag
    compiled = fingerprint._COMPILED[token.scope]._compile()
    token_sql = selectors._LIVE_TOKEN._compile().paged_sql  # first(): LIMIT 1 OFFSET 0
    scope_at = [f.attname for f in FeedToken._meta.concrete_fields].index("scope_id")

    def bare(request: Any) -> HttpResponse:
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(token_sql, [hashlib.sha256(secret.encode()).hexdigest(), 1, 0])
            scope_id = cursor.fetchone()[scope_at]
            values = {
                "scope_id": scope_id,
                "cutoff": now - timedelta(days=30),
                "soon": now + timedelta(hours=48),
                "now": now,
            }
            params = list(compiled.params)
            for index, name in compiled.slots:
                params[index] = values[name]
            cursor.execute(compiled.sql, params)
            cursor.fetchone()
        if request.headers.get("If-None-Match") == etag:
            return HttpResponseNotModified()
        return HttpResponse(b"")

    return bare


def run(progress: Callable[[str], None]) -> list[dict[str, Any]]:
    from django.conf import settings
    from django.test import RequestFactory, override_settings

    from calendars import views

    progress("creating 500 commitments")
    secret, person = _setup()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "feed": "100000000/min"}
    factory = RequestFactory()
    results: list[dict[str, Any]] = []
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        path = f"/calendars/{secret}.ics"
        response = views.feed(factory.get(path), token=secret)
        assert response.status_code == 200
        assert response.content.count(b"BEGIN:VEVENT") == RENDER_EVENTS

        progress("render: ours vs bare icalendar")
        bare_render = _bare_icalendar(_rows_in_memory(person))
        assert bare_render().count(b"BEGIN:VEVENT") == RENDER_EVENTS
        ours_times: list[float] = []
        bare_times: list[float] = []
        # Alternating one by one, so a noisy neighbour on the shared cores hurts both alike; 24
        # pairs, as 12 still swung the median by a fifth between runs on a loaded machine.
        for _ in range(24):
            ours_times += _repeat(lambda: views.feed(factory.get(path), token=secret), seconds=0, minimum=1)
            bare_times += _repeat(bare_render, seconds=0, minimum=1)
        results.append(
            {
                "name": f"feed render, {RENDER_EVENTS} commitments",
                "ours": statistics.median(ours_times),
                "baseline": statistics.median(bare_times),
                "unit": "s",
                "higher_is_better": False,
                "goal": "≤ 1.2× bare icalendar time",
                "met": statistics.median(ours_times) <= 1.2 * statistics.median(bare_times),
                "note": "ours: full view incl. queries, fingerprint, VTIMEZONE; baseline: icalendar from memory",
            }
        )

        progress("304: ours vs bare Django view")
        etag = response["ETag"]
        bare_view = _bare_304_view(secret)
        conditional = factory.get(path, HTTP_IF_NONE_MATCH=etag)
        assert views.feed(conditional, token=secret).status_code == 304
        assert bare_view(conditional).status_code == 304
        ours_304: list[float] = []
        bare_304: list[float] = []
        # The same 304 for a token past its local share of the limit: the shared counter in Redis
        # is asked on every poll (a client re-polling in a loop; an ordinary calendar never is).
        shared_304: list[float] = []
        from calendars import ratelimit

        def shared() -> Any:
            share, ratelimit.LOCAL_SHARE = ratelimit.LOCAL_SHARE, 0.0
            try:
                return views.feed(conditional, token=secret)
            finally:
                ratelimit.LOCAL_SHARE = share

        for _ in range(40):
            ours_304 += _repeat(lambda: views.feed(conditional, token=secret), seconds=0, minimum=10)
            bare_304 += _repeat(lambda: bare_view(conditional), seconds=0, minimum=10)
            shared_304 += _repeat(shared, seconds=0, minimum=10)
        results.append(
            {
                "name": "feed 304 (If-None-Match), 500 commitments",
                "ours": 1 / statistics.median(ours_304),
                "baseline": 1 / statistics.median(bare_304),
                "unit": "ops/s",
                "higher_is_better": True,
                "goal": "≥ 0.9× bare Django view",
                "met": statistics.median(bare_304) >= 0.9 * statistics.median(ours_304),
                "note": "baseline: our two statements replayed via a raw cursor; ours adds the limit's "
                "in-process count, the token row, ETag bookkeeping",
            }
        )
        results.append(
            {
                "name": "feed 304 for a token past its local share (shared counter asked every poll)",
                "ours": 1 / statistics.median(shared_304),
                "baseline": 1 / statistics.median(bare_304),
                "unit": "ops/s",
                "higher_is_better": True,
                "goal": "(no goal: a client polling in a loop, the case the shared counter is for)",
                "note": "one Redis script call before the SQL",
            }
        )
    return results


if __name__ == "__main__":  # a quick run against the configured database
    import django

    django.setup()
    for row in run(print):
        print(
            row,
            f"ratio {row['baseline'] / row['ours'] if not row['higher_is_better'] else row['ours'] / row['baseline']:.2f}",
        )
