"""Coverage of a roster over a date range, and the places still open close to their start."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F

from rosters.rules import zone
from rosters.selectors.lookups import (
    _grants,
    _valid,
    still_needed,
)
from scheduling.models import Qualification, Roster, Shift, Signup
from scheduling.selectors import HELD_STATUSES

# --- Coverage and gaps ------------------------------------------------------------------------


def local_range(*, roster: Roster, start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in the roster's zone: a range of whole local days."""
    tz = zone(roster.time_zone)
    lo = datetime(start.year, start.month, start.day, tzinfo=tz)
    after = end + timedelta(days=1)
    hi = datetime(after.year, after.month, after.day, tzinfo=tz)
    return lo, hi


def coverage(*, roster: Roster, start: date, end: date, now: datetime) -> dict[str, Any]:
    """Filled against needed, per shift and per requirement; gaps; fill rate by local day; each
    volunteer's load; sign-ups whose holder's qualification will have expired by the shift
    (one every place needs, or a per-place one the holder had and let lapse).

    A fixed number of queries whatever the number of shifts or people.
    """
    lo, hi = local_range(roster=roster, start=start, end=end)
    tz = zone(roster.time_zone)
    shifts = list(
        Shift.objects.filter(
            roster=roster, status=Shift.Status.SCHEDULED, starts_at__gte=lo, starts_at__lt=hi
        )
        .prefetch_related("required_qualifications", "place_requirements__qualification")
        .order_by("starts_at", "pk")
    )
    held = list(
        Signup.objects.filter(shift__in=shifts, status__in=HELD_STATUSES)
        .select_related("person")
        .order_by("pk")
    )
    by_shift: dict[int, list[Signup]] = defaultdict(list)
    for signup in held:
        by_shift[signup.shift_id].append(signup)
    qual_ids = {q.pk for s in shifts for q in s.required_qualifications.all()} | {
        r.qualification_id for s in shifts for r in s.place_requirements.all()
    }
    grants = _grants(person_ids={s.person_id for s in held}, qualification_ids=qual_ids)
    out_shifts: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    days: dict[date, list[int]] = {}
    day = start
    while day <= end:
        days[day] = [0, 0]
        day += timedelta(days=1)
    load: dict[int, dict[str, Any]] = {}
    for shift in shifts:
        signups = by_shift[shift.pk]
        requirements = []
        needs = []
        for req in shift.place_requirements.all():
            have = sum(
                1 for s in signups if _valid(grants, s.person_id, req.qualification_id, shift.starts_at)
            )
            requirements.append(
                {
                    "qualification": req.qualification_id,
                    "name": req.qualification.name,
                    "needed": req.count,
                    "filled": min(have, req.count),
                }
            )
            if have < req.count:
                needs.append(
                    {
                        "qualification": req.qualification_id,
                        "name": req.qualification.name,
                        "places": req.count - have,
                    }
                )
        open_places = shift.capacity - shift.filled
        out_shifts.append(
            {
                "id": shift.pk,
                "title": shift.title,
                "starts_at": shift.starts_at,
                "ends_at": shift.ends_at,
                "capacity": shift.capacity,
                "filled": shift.filled,
                "open": open_places,
                "required_qualifications": [q.name for q in shift.required_qualifications.all()],
                "requirements": requirements,
            }
        )
        if open_places > 0:
            gaps.append(
                {
                    "shift": shift.pk,
                    "title": shift.title,
                    "starts_at": shift.starts_at,
                    "places": open_places,
                    "needs": needs,
                }
            )
        local_day = shift.starts_at.astimezone(tz).date()
        if local_day in days:
            days[local_day][0] += shift.capacity
            days[local_day][1] += shift.filled
        hours = (shift.ends_at - shift.starts_at).total_seconds() / 3600
        for signup in signups:
            entry = load.setdefault(
                signup.person_id,
                {"person": signup.person_id, "name": signup.person.name, "shifts": 0, "hours": 0.0},
            )
            entry["shifts"] += 1
            entry["hours"] += hours
            if shift.starts_at <= now:
                continue
            flagged: set[int] = set()
            for q in shift.required_qualifications.all():
                if not _valid(grants, signup.person_id, q.pk, shift.starts_at):
                    flagged.add(q.pk)
                    flags.append(_flag(signup, shift, q, grants))
            # A per-place requirement is flagged only on a holder whose grant lapses by the shift:
            # someone who never held it took one of the open places, not the reserved one.
            for req in shift.place_requirements.all():
                q = req.qualification
                lapsed = (signup.person_id, q.pk) in grants and not _valid(
                    grants, signup.person_id, q.pk, shift.starts_at
                )
                if lapsed and q.pk not in flagged:
                    flags.append(_flag(signup, shift, q, grants))
    places = sum(s["capacity"] for s in out_shifts)
    filled = sum(s["filled"] for s in out_shifts)
    return {
        "roster": roster.pk,
        "time_zone": roster.time_zone,
        "start": start,
        "end": end,
        "totals": {
            "shifts": len(out_shifts),
            "places": places,
            "filled": filled,
            "open": places - filled,
            "fill_rate": round(filled / places, 4) if places else None,
        },
        "shifts": out_shifts,
        "gaps": gaps,
        "by_day": [
            {"date": d, "places": p, "filled": f, "fill_rate": round(f / p, 4) if p else None}
            for d, (p, f) in days.items()
        ],
        "load": sorted(
            ({**v, "hours": round(v["hours"], 2)} for v in load.values()),
            key=lambda v: (-v["hours"], v["person"]),
        ),
        "flags": flags,
    }


def _flag(
    signup: Signup, shift: Shift, q: Qualification, grants: dict[tuple[int, int], datetime | None]
) -> dict[str, Any]:
    return {
        "signup": signup.pk,
        "shift": shift.pk,
        "starts_at": shift.starts_at,
        "person": signup.person_id,
        "name": signup.person.name,
        "qualification": q.pk,
        "qualification_name": q.name,
        "expires_at": grants.get((signup.person_id, q.pk)),
    }


@dataclass(frozen=True)
class Gap:
    shift_id: int
    roster_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    places: int
    needs: tuple[str, ...]  # qualifications still needed among the open places


def gaps(*, roster: Roster | None = None, within: timedelta, now: datetime) -> list[Gap]:
    """Places still open on shifts starting within ``within`` from ``now`` (for gap alerts)."""
    shifts = Shift.objects.filter(
        status=Shift.Status.SCHEDULED,
        is_flexible=False,
        starts_at__gt=now,
        starts_at__lte=now + within,
        filled__lt=F("capacity"),
    )
    if roster is not None:
        shifts = shifts.filter(roster=roster)
    rows = list(shifts.select_related("roster").order_by("starts_at", "pk"))
    needs = still_needed(shifts=rows)
    names = dict(
        Qualification.objects.filter(pk__in={q for n in needs.values() for q in n}).values_list("pk", "name")
    )
    return [
        Gap(
            shift_id=s.pk,
            roster_id=s.roster_id,
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            time_zone=s.roster.time_zone,
            places=s.capacity - s.filled,
            needs=tuple(sorted(names[q] for q, n in needs.get(s.pk, {}).items() if n > 0)),
        )
        for s in rows
    ]
