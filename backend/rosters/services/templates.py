"""Shift templates and generating shifts from them, in the roster's time zone."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import Person
from rosters.models import GeneratedShift, ShiftRequirement, ShiftTemplate, TemplateRequirement
from rosters.rules import zone
from scheduling.models import Qualification, Roster, Shift
from scheduling.services._common import require_coordinator
from village.api import Conflict, DomainError

MAX_GENERATE_DAYS = 92
_FIELDS = {"title", "weekdays", "start_time", "duration", "capacity", "location", "call_link", "notes"}


def _qualifications(*, roster: Roster, ids: Sequence[int], field: str) -> list[Qualification]:
    found = list(
        Qualification.objects.filter(pk__in=set(ids)).filter(
            Q(organisation_id=roster.organisation_id) | Q(organisation__isnull=True)
        )
    )
    if len(found) != len(set(ids)):
        raise DomainError(
            "One of those qualifications does not belong to this roster's organisation.",
            fields={field: ["Unknown qualification."]},
        )
    return found


def _validate(*, data: dict[str, Any]) -> None:
    weekdays = data["weekdays"]
    if not weekdays or any(not isinstance(d, int) or d < 0 or d > 6 for d in weekdays):
        raise DomainError(
            "Pick at least one weekday (0 = Monday … 6 = Sunday).", fields={"weekdays": ["Invalid weekdays."]}
        )
    if len(set(weekdays)) != len(weekdays):
        raise DomainError("Each weekday only once, please.", fields={"weekdays": ["Repeated weekday."]})
    duration: timedelta = data["duration"]
    if duration <= timedelta(0):
        raise DomainError("A shift needs to last some time.", fields={"duration": ["Must be positive."]})
    days = sorted(weekdays)
    # The shortest gap between two starts of this template, wrapping round the week.
    gaps = [(days[(i + 1) % len(days)] - d) % 7 or 7 for i, d in enumerate(days)]
    if duration > timedelta(days=min(gaps)):
        raise DomainError(
            "These shifts would overlap each other: each one would still be running when the next begins. "
            "Shorten the duration or choose fewer weekdays.",
            code="template_overlaps",
            fields={"duration": ["Longer than the gap between two of its shifts."]},
        )
    if data["capacity"] < 1:
        raise DomainError("A shift needs at least one place.", fields={"capacity": ["At least 1."]})
    needed = sum(r["count"] for r in data.get("requirements", []))
    if needed > data["capacity"]:
        raise DomainError(
            f"The requirements ask for {needed} qualified people but the shift only has {data['capacity']} place(s).",
            fields={"requirements": ["More than the capacity."]},
        )


def _write_requirements(*, template: ShiftTemplate, roster: Roster, data: dict[str, Any]) -> None:
    if "required_qualifications" in data:
        template.required_qualifications.set(
            _qualifications(
                roster=roster, ids=data["required_qualifications"], field="required_qualifications"
            )
        )
    if "requirements" in data:
        ids = [r["qualification"] for r in data["requirements"]]
        if len(set(ids)) != len(ids):
            raise DomainError(
                "List each qualification once in the requirements.", fields={"requirements": ["Repeated."]}
            )
        quals = {q.pk: q for q in _qualifications(roster=roster, ids=ids, field="requirements")}
        template.requirements.all().delete()
        TemplateRequirement.objects.bulk_create(
            TemplateRequirement(template=template, qualification=quals[r["qualification"]], count=r["count"])
            for r in data["requirements"]
        )


def template_create(*, roster: Roster, actor: Person | None, **data: Any) -> ShiftTemplate:
    """A new template for the roster (coordinators only). Refuses, with nothing written, a
    template whose own shifts would overlap or whose requirements exceed its places."""
    require_coordinator(roster=roster, actor=actor)
    data.setdefault("capacity", 1)
    _validate(data=data)
    with transaction.atomic():
        template = ShiftTemplate.objects.create(
            roster=roster, created_by=actor, **{k: v for k, v in data.items() if k in _FIELDS}
        )
        _write_requirements(template=template, roster=roster, data=data)
    return template


def template_update(*, template: ShiftTemplate, actor: Person | None, **changes: Any) -> ShiftTemplate:
    """Change a template; shifts already generated keep what they were made with."""
    require_coordinator(roster=template.roster, actor=actor)
    data: dict[str, Any] = {name: getattr(template, name) for name in _FIELDS}
    data["requirements"] = [
        {"qualification": r.qualification_id, "count": r.count} for r in template.requirements.all()
    ]
    data.update(changes)
    _validate(data=data)
    with transaction.atomic():
        for name in _FIELDS & set(changes):
            setattr(template, name, changes[name])
        template.save()
        _write_requirements(template=template, roster=template.roster, data=changes)
    return template


def template_delete(*, template: ShiftTemplate, actor: Person | None) -> None:
    """Remove the template; the shifts it generated stay (people may hold places on them)."""
    require_coordinator(roster=template.roster, actor=actor)
    template.delete()


@dataclass
class GenerateResult:
    created: list[Shift]
    existing: int


def _occurrences(*, template: ShiftTemplate, start: date, end: date) -> list[tuple[date, datetime, datetime]]:
    """(local date, start, end) for each weekday the template runs, wall-clock in the roster's zone.

    A local start that does not exist (the spring-forward hour) resolves to the later wall time
    (02:30 → 03:30); an ambiguous one (the autumn hour twice) to the first. Durations are real
    elapsed time, so a 3-hour overnight shift is 3 hours whatever the clocks do.
    """
    tz = zone(template.roster.time_zone)
    out = []
    day = start
    while day <= end:
        if day.weekday() in template.weekdays:
            local = datetime.combine(day, template.start_time, tzinfo=tz)
            begins = local.astimezone(UTC)
            out.append((day, begins, begins + template.duration))
        day += timedelta(days=1)
    return out


def shifts_generate(
    *, roster: Roster, actor: Person | None, start: date, end: date, now: datetime
) -> GenerateResult:
    """Create the shifts every template of the roster asks for on local dates [start, end].

    Idempotent: a (template, local date) that already has its shift is left alone, so running it
    again creates nothing. Occurrences already started are not created. Refuses (400, nothing
    written) a range over MAX_GENERATE_DAYS days or a template whose shifts would overlap each
    other (possible across a daylight-saving change even when the template looked fine).
    """
    require_coordinator(roster=roster, actor=actor)
    if end < start:
        raise DomainError("The end date is before the start date.", fields={"end": ["Before start."]})
    if (end - start).days + 1 > MAX_GENERATE_DAYS:
        raise DomainError(
            f"Generate at most {MAX_GENERATE_DAYS} days at a time.",
            code="range_too_long",
            fields={"end": [f"At most {MAX_GENERATE_DAYS} days after start."]},
        )
    templates = list(
        ShiftTemplate.objects.filter(roster=roster)
        .select_related("roster")
        .prefetch_related("required_qualifications", "requirements")
        .order_by("pk")
    )
    done = set(
        GeneratedShift.objects.filter(
            template__in=templates,
            local_date__gte=start - timedelta(days=7),
            local_date__lte=end + timedelta(days=7),
        ).values_list("template_id", "local_date")
    )
    existing = 0
    planned: list[tuple[ShiftTemplate, date, datetime, datetime]] = []
    for template in templates:
        wide = _occurrences(template=template, start=start - timedelta(days=7), end=end + timedelta(days=7))
        for (_, _a_start, a_end), (b_day, b_start, _) in itertools.pairwise(wide):
            if b_start < a_end:
                raise DomainError(
                    f"“{template.title}” would overlap itself around {b_day:%a %d %b %Y} (a clock change "
                    "shortens that night). Shorten its duration.",
                    code="template_overlaps",
                )
        for day, begins, ends in wide:
            if not start <= day <= end:
                continue
            if (template.pk, day) in done:
                existing += 1
            elif begins > now:
                planned.append((template, day, begins, ends))
    try:
        with transaction.atomic():
            shifts = Shift.objects.bulk_create(
                Shift(
                    roster=roster,
                    title=t.title,
                    starts_at=begins,
                    ends_at=ends,
                    capacity=t.capacity,
                    location=t.location,
                    call_link=t.call_link,
                    notes=t.notes,
                )
                for t, _, begins, ends in planned
            )
            GeneratedShift.objects.bulk_create(
                GeneratedShift(shift=shift, template=t, local_date=day)
                for shift, (t, day, _, _) in zip(shifts, planned, strict=True)
            )
            through = Shift.required_qualifications.through
            through.objects.bulk_create(
                through(shift_id=shift.pk, qualification_id=q.pk)
                for shift, (t, _, _, _) in zip(shifts, planned, strict=True)
                for q in t.required_qualifications.all()
            )
            ShiftRequirement.objects.bulk_create(
                ShiftRequirement(shift=shift, qualification_id=r.qualification_id, count=r.count)
                for shift, (t, _, _, _) in zip(shifts, planned, strict=True)
                for r in t.requirements.all()
            )
    except IntegrityError as exc:
        # Two coordinators generating the same days at once: the unique (template, local date)
        # lets one win whole; the other is undone whole and can simply run again.
        raise Conflict(
            "Someone else is generating these shifts right now. Try again in a moment.", code="generating"
        ) from exc
    return GenerateResult(created=shifts, existing=existing)
