"""Helpers for calendar tests: read a feed the way real clients do (icalendar and ical.js)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from icalendar import Calendar

from calendars.models import FeedToken
from calendars.services import feed_rotate

PARSER = Path(__file__).with_name("parse_ics.mjs")
REPO = Path(__file__).resolve().parents[2]


def parse_strict(body: bytes) -> Calendar:
    """Parse with icalendar and insist every component parsed cleanly (7.x is error-tolerant)."""
    calendar = Calendar.from_ical(body)
    problems = [(component.name, component.errors) for component in calendar.walk() if component.errors]
    assert problems == []
    return calendar


def parse_icaljs(body: bytes) -> dict[str, Any]:
    """What Mozilla's ical.js (Thunderbird) reads from the file."""
    result = subprocess.run(
        ["node", str(PARSER)], input=body, capture_output=True, check=True, cwd=REPO, timeout=60
    )
    return json.loads(result.stdout)


def issue_feed(owner: Any, scope: str = FeedToken.Scope.PERSON, scope_id: int | None = None) -> str:
    """A fresh feed secret for ``owner`` (the URL path is /calendars/<secret>.ics)."""
    issued = feed_rotate(owner=owner, scope=scope, scope_id=owner.pk if scope_id is None else scope_id)
    assert issued.secret is not None
    return issued.secret


def feed_path(secret: str) -> str:
    return f"/calendars/{secret}.ics"


def events_by_uid(calendar: Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}
