"""When to remind someone: lead times in their zone, quiet hours; re-planning when those change.

Reminders are rows with a ``send_at`` written by the app that owns the commitment. When what
decides that time changes (lead times, quiet hours, the person's time zone), that app must move
its pending ones: it registers a planner in ``AppConfig.ready()``::

    register_reminder_planner(lambda person: reminders_reschedule(person=person))

and ``reminders_replan(person=...)`` (called by ``preferences_update`` and, through accounts'
``register_person_updated``, by a change of time zone) runs every planner in the caller's
transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone

from accounts.models import Person
from notifications.selectors import preferences_get

# A reminder moved out of quiet hours goes this long before they start, so it reads as an
# evening message rather than one that arrives the moment the phone goes quiet.
QUIET_HOURS_MARGIN = timedelta(minutes=15)


def _zone(person: Person) -> ZoneInfo:
    try:
        return ZoneInfo(person.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.DEFAULT_TIME_ZONE)


def _in_quiet_hours(moment: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # the quiet hours run past midnight


def reminder_send_at(*, person: Person, starts_at: datetime, lead: timedelta) -> datetime:
    """When to remind ``person`` of something starting at ``starts_at``, ``lead`` ahead (UTC).

    Whole-day leads keep the wall-clock time in the person's zone (a 9:00 shift is reminded at
    9:00 the day before, across a DST change); other leads are elapsed time. A reminder that
    would fall in the person's quiet hours is moved earlier, to 15 minutes before the quiet
    hours begin (never later: later could be after the thing has started).
    """
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime")
    zone = _zone(person)
    if lead % timedelta(days=1) == timedelta(0):
        # Aware arithmetic in one ZoneInfo is wall-clock arithmetic; fold=0 resolves a gap.
        local = starts_at.astimezone(zone) - lead
        candidate = local.replace(tzinfo=None).replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
    else:
        # In UTC: aware arithmetic in a local zone would be wall-clock and land in a DST gap.
        candidate = starts_at.astimezone(ZoneInfo("UTC")) - lead
    preference = preferences_get(person=person)
    start, end = preference.quiet_hours_start, preference.quiet_hours_end
    if start is None or end is None:
        return candidate
    local = candidate.astimezone(zone)
    if not _in_quiet_hours(local.time(), start, end):
        return candidate
    quiet_day = local.date()
    if start > end and local.time() < end:
        quiet_day -= timedelta(days=1)  # after midnight: the quiet hours began the evening before
    quiet_start = datetime.combine(quiet_day, start, tzinfo=zone).astimezone(ZoneInfo("UTC"))
    return quiet_start - QUIET_HOURS_MARGIN


# --- re-planning when what decides the time changes -----------------------------------------------

ReminderPlanner = Callable[[Person], object]
_planners: list[ReminderPlanner] = []
# The preferences that decide when a reminder goes (the time zone is the person's, in accounts).
REMINDER_FIELDS = frozenset({"reminder_lead_minutes", "quiet_hours_start", "quiet_hours_end"})


def register_reminder_planner(fn: ReminderPlanner) -> None:
    """Have ``fn(person)`` move the person's pending reminders; registering twice is a no-op."""
    if fn not in _planners:
        _planners.append(fn)


def reminders_replan(*, person: Person) -> None:
    """Every registered planner moves ``person``'s pending reminders to their current preferences."""
    for planner in list(_planners):
        planner(person)
