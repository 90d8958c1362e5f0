"""Availability and limits as plain functions on plain data.

The claim rules, the auto-fill solver and its "why is this place still open" reasons all ask
these, so a claim and a proposal can never disagree about what "available" or "at the limit"
means.

Decisions (documented in docs): no weekly windows at all means "available any time" (nothing
stated, nothing to contradict); a flexible shift counts towards the weekly number of shifts but
not towards hours, rest or overlaps (its hours are not fixed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Window:
    weekday: int  # 0 = Monday
    start: time
    end: time


@dataclass(frozen=True)
class Limits:
    max_shifts_per_week: int | None = None
    max_minutes_per_week: int | None = None
    min_rest_minutes: int = 0


@dataclass(frozen=True)
class Commitment:
    shift_id: int
    starts_at: datetime
    ends_at: datetime
    is_flexible: bool = False

    @property
    def minutes(self) -> int:
        return 0 if self.is_flexible else int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass
class Availability:
    """A person's weekly windows merged per weekday, as minute ranges in their own time zone."""

    time_zone: str
    windows: Sequence[Window] = ()
    away: Sequence[tuple[datetime, datetime]] = ()
    _by_day: dict[int, list[tuple[int, int]]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        by_day: dict[int, list[tuple[int, int]]] = {}
        for window in self.windows:
            start = window.start.hour * 60 + window.start.minute
            end = window.end.hour * 60 + window.end.minute
            if window.end >= time(23, 59):  # a window to 23:59 means "until midnight"
                end = MINUTES_PER_DAY
            by_day.setdefault(window.weekday, []).append((start, end))
        for day, ranges in by_day.items():
            ranges.sort()
            merged: list[tuple[int, int]] = []
            for start, end in ranges:
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], end))
                else:
                    merged.append((start, end))
            by_day[day] = merged
        self._by_day = by_day

    @property
    def states_windows(self) -> bool:
        return bool(self._by_day)

    def covers(self, starts_at: datetime, ends_at: datetime) -> bool:
        """True when the weekly windows cover the whole shift (wall-clock time in the person's zone)."""
        if not self._by_day:
            return True
        for weekday, start, end in local_segments(starts_at, ends_at, self.time_zone):
            if not any(lo <= start and end <= hi for lo, hi in self._by_day.get(weekday, ())):
                return False
        return True

    def away_during(self, starts_at: datetime, ends_at: datetime) -> bool:
        return any(lo < ends_at and starts_at < hi for lo, hi in self.away)


@lru_cache(maxsize=65536)
def local_segments(starts_at: datetime, ends_at: datetime, tz_name: str) -> tuple[tuple[int, int, int], ...]:
    """The shift cut at local midnights: (weekday, start minute, end minute) per local day."""
    tz = zone(tz_name)
    local_start = starts_at.astimezone(tz)
    local_end = ends_at.astimezone(tz)
    segments = []
    day: date = local_start.date()
    while True:
        seg_start = local_start.hour * 60 + local_start.minute if day == local_start.date() else 0
        if day == local_end.date():
            seg_end = local_end.hour * 60 + local_end.minute
            if seg_end > seg_start:
                segments.append((day.weekday(), seg_start, seg_end))
            break
        segments.append((day.weekday(), seg_start, MINUTES_PER_DAY))
        day += timedelta(days=1)
    return tuple(segments)


@lru_cache(maxsize=65536)
def iso_week(moment: datetime, tz_name: str) -> tuple[int, int]:
    """The ISO (year, week) of a moment in the person's zone: limits count per person's week."""
    year, week, _ = moment.astimezone(zone(tz_name)).isocalendar()
    return (year, week)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def too_close(
    a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime, rest_minutes: int
) -> bool:
    """True when the two shifts overlap or leave less than the rest between them."""
    rest = timedelta(minutes=rest_minutes)
    return a_start < b_end + rest and b_start < a_end + rest


def limits_refusal(
    *,
    starts_at: datetime,
    ends_at: datetime,
    is_flexible: bool,
    commitments: Iterable[Commitment],
    limits: Limits,
    time_zone: str,
    who: str = "You",
) -> str | None:
    """Why taking this shift would break the person's own limits, or None.

    ``commitments`` are everything else the person holds (any roster, practical help included).
    """
    week = iso_week(starts_at, time_zone)
    minutes = 0 if is_flexible else int((ends_at - starts_at).total_seconds() // 60)
    count_in_week = 1
    minutes_in_week = minutes
    for other in commitments:
        if iso_week(other.starts_at, time_zone) == week:
            count_in_week += 1
            minutes_in_week += other.minutes
        if (
            limits.min_rest_minutes
            and not is_flexible
            and not other.is_flexible
            and not overlaps(starts_at, ends_at, other.starts_at, other.ends_at)
            and too_close(starts_at, ends_at, other.starts_at, other.ends_at, limits.min_rest_minutes)
        ):
            hours = _hours(limits.min_rest_minutes)
            return f"{who} asked for at least {hours} hours of rest between shifts; this one is too close to another."
    if limits.max_shifts_per_week is not None and count_in_week > limits.max_shifts_per_week:
        return (
            f"{who} asked for at most {limits.max_shifts_per_week} shift(s) a week and already "
            f"{'have' if who == 'You' else 'has'} {count_in_week - 1} that week."
        )
    if limits.max_minutes_per_week is not None and minutes_in_week > limits.max_minutes_per_week:
        return (
            f"{who} asked for at most {_hours(limits.max_minutes_per_week)} hours a week; this shift would "
            f"make it {_hours(minutes_in_week)}."
        )
    return None


def _hours(minutes: int) -> str:
    value = minutes / 60
    return f"{value:g}"


def requirement_refusal(*, open_places: int, still_needed: dict[str, int], held: set[str]) -> str | None:
    """Whether taking one of ``open_places`` would leave too few places for still-needed qualifications.

    ``still_needed`` maps a qualification's name to how many more holders the shift needs. A
    person holding several counts for each (one Spanish-speaking trained supporter covers both).
    """
    after = sum(max(0, need - (1 if name in held else 0)) for name, need in still_needed.items())
    if after > open_places - 1:
        wanted = [name for name, need in still_needed.items() if need > 0 and name not in held]
        return (
            f"The remaining place(s) on this shift are kept for someone who is: {', '.join(sorted(wanted))}."
        )
    return None
