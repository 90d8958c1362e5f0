"""Rules the engine asks on every claim and assignment (registered in ``RostersConfig.ready``).

Each takes (shift, person) and returns a refusal or warning sentence, or None.
"""

from __future__ import annotations

from datetime import timedelta

from accounts.models import Person
from rosters import selectors
from rosters.models import ShiftRequirement
from rosters.rules import limits_refusal, requirement_refusal
from scheduling.models import PersonQualification, Shift

_REACH = timedelta(days=8)  # a week either side covers the ISO week and any rest period


def limits_rule(shift: Shift, person: Person) -> str | None:
    """The person's own weekly limits and minimum rest, counted over everything they hold
    (any roster, practical help included)."""
    limits = selectors.person_limits(person_id=person.pk)
    if limits is None:
        return None
    commitments = selectors.commitments_of(
        person_ids=[person.pk],
        start=shift.starts_at - _REACH,
        end=shift.ends_at + _REACH,
        exclude_shift_id=shift.pk,
    ).get(person.pk, [])
    return limits_refusal(
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        is_flexible=shift.is_flexible,
        commitments=commitments,
        limits=limits,
        time_zone=person.time_zone,
        who=str(person),
    )


def requirement_rule(shift: Shift, person: Person) -> str | None:
    """Keep the last open places for people holding a still-needed qualification.

    "Two people, one a Spanish speaker": once one place is taken by someone who does not speak
    Spanish, the other is kept for a Spanish speaker. Read from the database rather than the
    passed object, whose ``filled`` may be stale.
    """
    if not ShiftRequirement.objects.filter(shift_id=shift.pk).exists():
        return None
    current = Shift.objects.filter(pk=shift.pk).values_list("capacity", "filled").first()
    if current is None:
        return None
    capacity, filled = current
    needs = selectors.still_needed(shifts=[shift]).get(shift.pk, {})
    if not any(needs.values()):
        return None
    held = PersonQualification.objects.filter(person=person, qualification_id__in=list(needs)).values_list(
        "qualification_id", "expires_at"
    )
    holds = {qid for qid, expires in held if expires is None or expires > shift.starts_at}
    names = dict(
        ShiftRequirement.objects.filter(shift_id=shift.pk).values_list(
            "qualification_id", "qualification__name"
        )
    )
    return requirement_refusal(
        open_places=capacity - filled,
        still_needed={names[q]: n for q, n in needs.items()},
        held={names[q] for q in holds},
    )


def availability_warning(shift: Shift, person: Person) -> str | None:
    """Claiming outside one's own stated availability is allowed (plans change), but worth a word."""
    availability = selectors.person_availability(person=person, start=shift.starts_at, end=shift.ends_at)
    if availability.away_during(shift.starts_at, shift.ends_at):
        return f"{person} said they are away at this time."
    if not availability.covers(shift.starts_at, shift.ends_at):
        return f"This is outside the times {person} said they are usually available."
    return None
