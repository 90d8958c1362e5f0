"""Building iCalendar (RFC 5545) files with ``icalendar`` from plain event descriptions.

Everything that makes a feed byte-stable lives here: UIDs come from row ids, DTSTAMP and
LAST-MODIFIED from the rows' ``updated_at`` (never "now"), and events are written in a fixed
order. A calendar server that polls an unchanged feed gets the same bytes (and, before that,
the same ETag), so nothing flickers in a volunteer's phone.

``icalendar`` escapes text values (a newline becomes ``\\n``), so user text such as a dish name
can never start a component of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vDuration

PRODID = "-//Village//Village calendars 1.0//EN"
# Bump when the rendered text changes for the same rows, so every ETag changes with it.
RENDER_VERSION = "1"
# Calendar servers may poll more often than this, but need not: urgent changes go out as
# notifications (Google refreshes a subscription only every few hours whatever we say).
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class EventData:
    """One VEVENT, already decided: who may see what was settled before it got here."""

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    all_day: bool
    status: str  # CONFIRMED | TENTATIVE | CANCELLED
    sequence: int
    modified_at: datetime
    description: str
    url: str
    location: str = ""
    alarms: Sequence[timedelta] = field(default_factory=tuple)


def _utc(moment: datetime) -> datetime:
    # Whole seconds: iCalendar has no sub-second precision, and a stable value is the point.
    return moment.astimezone(UTC).replace(microsecond=0)


def _all_day_dates(data: EventData) -> tuple[date, date]:
    """A flexible window's local dates; DTEND is exclusive (RFC 5545 §3.6.1)."""
    zone = ZoneInfo(data.time_zone)
    first = data.starts_at.astimezone(zone).date()
    # A window "until Saturday 00:00" covers Friday, not Saturday.
    last = (data.ends_at - timedelta(microseconds=1)).astimezone(zone).date()
    return first, max(last, first) + timedelta(days=1)


def build_event(data: EventData) -> Event:
    event = Event()
    event.add("UID", data.uid)
    event.add("DTSTAMP", _utc(data.modified_at))
    event.add("LAST-MODIFIED", _utc(data.modified_at))
    event.add("SEQUENCE", data.sequence)
    event.add("STATUS", data.status)
    event.add("SUMMARY", data.summary)
    if data.all_day:
        first, after_last = _all_day_dates(data)
        event.add("DTSTART", first)
        event.add("DTEND", after_last)
        # A window to do something in, not a block of time: don't mark the days busy.
        event.add("TRANSP", "TRANSPARENT")
    else:
        zone = ZoneInfo(data.time_zone)
        event.add("DTSTART", data.starts_at.astimezone(zone).replace(microsecond=0))
        event.add("DTEND", data.ends_at.astimezone(zone).replace(microsecond=0))
    if data.location:
        event.add("LOCATION", data.location)
    if data.description:
        event.add("DESCRIPTION", data.description)
    if data.url:
        event.add("URL", data.url)
    if data.status != "CANCELLED":
        for lead in data.alarms:
            alarm = Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("DESCRIPTION", f"Reminder: {data.summary}")
            alarm.add("TRIGGER", -lead)
            event.add_component(alarm)
    return event


def build_calendar(
    *, name: str, events: Iterable[EventData], method: str | None = None, feed_uid: str | None = None
) -> Calendar:
    """A VCALENDAR with its VTIMEZONEs (Outlook shifts events whose TZID has none)."""
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if method:
        calendar.add("METHOD", method)
    if feed_uid:
        calendar.add("UID", feed_uid)
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    # RFC 7986 wants VALUE=DURATION spelled out; icalendar's refresh_interval setter omits it.
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    # Without vDuration an X- property would be written as Python's "1:00:00".
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    events = list(events)
    for component in vtimezones(events):
        calendar.add_component(component)
    for data in events:
        calendar.add_component(build_event(data))
    return calendar


# --- Time zones -------------------------------------------------------------------------------
#
# Not ``Calendar.add_missing_timezones()``: icalendar 7.3 writes every later transition as one
# comma-separated RDATE, and ical.js (Thunderbird's parser) reads only the first value of it, so
# every event after 1971 came out an hour off in summer. It also writes a spring-forward onset
# as 03:00 where RFC 5545 §3.6.5 wants the wall time *before* the change (02:00 with
# TZOFFSETFROM -0500), an hour late for anything at 03:xx that night. Here every transition is
# its own observance with its own DTSTART, computed from UTC instants: the form every client
# reads, and only for the years the events need.


@dataclass(frozen=True)
class _Transition:
    at_utc: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool


def _state(zone: ZoneInfo, moment: datetime) -> tuple[timedelta, timedelta, str]:
    local = moment.astimezone(zone)
    return local.utcoffset() or timedelta(0), local.dst() or timedelta(0), local.tzname() or ""


@lru_cache(maxsize=512)
def _transitions(tzid: str, first_year: int, last_year: int) -> tuple[_Transition, ...]:
    """Every change of offset or name in [first_year, last_year), found by stepping and bisecting."""
    zone = ZoneInfo(tzid)
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year, 1, 1, tzinfo=UTC)
    state = _state(zone, moment)
    found: list[_Transition] = []
    step = timedelta(days=1)
    while moment < end:
        after = moment + step
        new_state = _state(zone, after)
        if new_state != state:
            low, high = moment, after  # state(low) == old, state(high) == new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            high = high.replace(microsecond=0)
            found.append(
                _Transition(high, state[0], new_state[0], new_state[2], new_state[1] != timedelta(0))
            )
            state = new_state
        moment = after
    return tuple(found)


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE valid from Jan 1 of ``first_year`` to Jan 1 of ``last_year`` (exclusive)."""
    zone = ZoneInfo(tzid)
    component = Timezone()
    component.add("TZID", tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    offset, dst, name = _state(zone, start)
    observances = [_Transition(start, offset, offset, name, dst != timedelta(0))]
    observances += _transitions(tzid, first_year, last_year)
    for change in observances:
        observance = TimezoneDaylight() if change.is_dst else TimezoneStandard()
        # The onset in the wall-clock time that was in force just before the change.
        onset = (change.at_utc + change.offset_from).replace(tzinfo=None)
        observance.add("DTSTART", onset)
        observance.add("TZOFFSETFROM", change.offset_from)
        observance.add("TZOFFSETTO", change.offset_to)
        if change.name:
            observance.add("TZNAME", change.name)
        component.add_component(observance)
    return component


def vtimezones(events: list[EventData]) -> list[Timezone]:
    """VTIMEZONEs for the zones the timed events use, covering a year either side of them."""
    spans: dict[str, tuple[int, int]] = {}
    for data in events:
        if data.all_day:
            continue
        first, last = data.starts_at.year - 1, data.ends_at.year + 2
        known = spans.get(data.time_zone)
        spans[data.time_zone] = (min(first, known[0]), max(last, known[1])) if known else (first, last)
    return [vtimezone(tzid, first, last) for tzid, (first, last) in sorted(spans.items())]
