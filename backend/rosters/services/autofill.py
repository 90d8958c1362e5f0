"""Auto-fill: propose a fair, conflict-free filling of open places; accept it through the engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Person
from rosters import selectors
from rosters.models import AutofillAssignment, AutofillProposal
from rosters.solver import solve, when
from scheduling.models import PersonQualification, Roster
from scheduling.services import signup_assign
from scheduling.services._common import require_coordinator
from village.api import Conflict, DomainError

MAX_AUTOFILL_DAYS = 62


def autofill_propose(
    *,
    rosters: Sequence[Roster],
    actor: Person | None,
    start: date,
    end: date,
    now: datetime | None = None,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> AutofillProposal:
    """Solve and store a proposal for the open places of ``rosters`` on local dates [start, end].

    The first roster names the range's time zone and owns the proposal; the actor must
    coordinate every roster. Nothing is signed up yet: a coordinator reviews, drops what they
    do not want, and accepts. Refuses (400, nothing written) a range over MAX_AUTOFILL_DAYS.
    """
    if not rosters:
        raise DomainError("Choose at least one roster.", fields={"rosters": ["Required."]})
    for roster in rosters:
        require_coordinator(roster=roster, actor=actor)
    if end < start:
        raise DomainError("The end date is before the start date.", fields={"end": ["Before start."]})
    if (end - start).days + 1 > MAX_AUTOFILL_DAYS:
        raise DomainError(
            f"Auto-fill at most {MAX_AUTOFILL_DAYS} days at a time; split a longer period.",
            code="range_too_long",
            fields={"end": [f"At most {MAX_AUTOFILL_DAYS} days after start."]},
        )
    now = now or timezone.now()
    primary = rosters[0]
    lo, hi = selectors.local_range(roster=primary, start=start, end=end)
    data = selectors.solver_input(rosters=rosters, start=lo, end=hi, now=now)
    result = solve(
        shifts=data.shifts,
        people=data.people,
        qualification_names=data.qualification_names,
        time_limit=time_limit if time_limit is not None else settings.ROSTERS_AUTOFILL_SECONDS,
        workers=settings.ROSTERS_AUTOFILL_WORKERS,
        progress=progress,
    )
    titles = {s.id: s.title for s in data.shifts}
    with transaction.atomic():
        proposal = AutofillProposal.objects.create(
            roster=primary,
            starts_at=lo,
            ends_at=hi,
            solver_status=result.status,
            open_places=result.open_places,
            places_filled=result.filled,
            coverage_bound=result.bound,
            solve_seconds=result.seconds,
            fairness=result.fairness,
            unfilled=[
                {
                    "shift": u.shift_id,
                    "title": titles[u.shift_id],
                    "starts_at": u.starts_at.isoformat(),
                    "places": u.places,
                    "reason": u.reason,
                }
                for u in result.unfilled
            ],
            created_by=actor,
        )
        proposal.rosters.set(rosters)
        AutofillAssignment.objects.bulk_create(
            AutofillAssignment(proposal=proposal, shift_id=sid, person_id=pid)
            for sid, pid in result.assignments
        )
    return proposal


def _require_open(proposal: AutofillProposal) -> None:
    if proposal.status != AutofillProposal.Status.PROPOSED:
        raise Conflict("This proposal was already accepted.", code="already_accepted")


DROPPED_REASON = (
    "A coordinator took {person} off this proposal for {when}; "
    "assign someone yourself or run auto-fill again."
)


def autofill_assignment_drop(*, assignment: AutofillAssignment, actor: Person | None) -> None:
    """Take one proposed assignment out before accepting: the place stays open, the proposal's
    ``places_filled`` counts one fewer, and ``unfilled`` lists the freed place with the reason.

    Two coordinators dropping at once queue on the proposal row's lock, so neither overwrites the
    other's entry in ``unfilled``; dropping an assignment already gone changes nothing.
    """
    require_coordinator(roster=assignment.proposal.roster, actor=actor)
    with transaction.atomic():
        proposal = AutofillProposal.objects.select_for_update().get(pk=assignment.proposal_id)
        _require_open(proposal)
        shift = assignment.shift
        person = assignment.person
        deleted, _ = AutofillAssignment.objects.filter(pk=assignment.pk).delete()
        if not deleted:
            return
        reason = DROPPED_REASON.format(person=person, when=when(shift.starts_at, shift.roster.time_zone))
        unfilled = [
            *proposal.unfilled,
            {
                "shift": shift.pk,
                "title": shift.title,
                "starts_at": shift.starts_at.isoformat(),
                "places": 1,
                "reason": reason,
            },
        ]
        # A stable sort by time: the freed place sits with its shift's other open places.
        unfilled.sort(key=lambda entry: datetime.fromisoformat(entry["starts_at"]))
        proposal.unfilled = unfilled
        proposal.places_filled = proposal.assignments.count()
        proposal.save(update_fields=["unfilled", "places_filled"])


def _availability_refusal(*, assignment: AutofillAssignment) -> str | None:
    shift, person = assignment.shift, assignment.person
    availability = selectors.person_availability(person=person, start=shift.starts_at, end=shift.ends_at)
    if availability.away_during(shift.starts_at, shift.ends_at):
        return f"{person} is now away at that time."
    if not availability.covers(shift.starts_at, shift.ends_at):
        return f"{person} is no longer available at that time."
    return None


def autofill_accept(*, proposal: AutofillProposal, actor: Person) -> AutofillProposal:
    """Sign everyone up as proposed, each through the engine's ``signup_assign`` (which re-checks
    membership, qualifications, limits, per-place requirements, overlaps and capacity), plus
    availability and absences, which the engine only warns about.

    What changed since the proposal (place taken, person no longer eligible) does not fail the
    whole acceptance: that assignment is marked skipped with the reason, and the rest go ahead.
    Accepting twice is refused (409): the status flips by one conditional UPDATE, so two
    coordinators clicking at once cannot both sign people up.
    """
    for roster in proposal.rosters.all() or [proposal.roster]:
        require_coordinator(roster=roster, actor=actor)
    with transaction.atomic():
        flipped = AutofillProposal.objects.filter(
            pk=proposal.pk, status=AutofillProposal.Status.PROPOSED
        ).update(status=AutofillProposal.Status.ACCEPTED, accepted_at=timezone.now())
        if not flipped:
            raise Conflict("This proposal was already accepted.", code="already_accepted")
        assignments = list(
            proposal.assignments.select_related("shift__roster", "person").order_by(
                "shift__starts_at", "shift_id"
            )
        )
        # Holders of a still-needed qualification go first, so the per-place rule never refuses
        # someone only because the order was unlucky.
        holdings = set(
            PersonQualification.objects.filter(person_id__in={a.person_id for a in assignments}).values_list(
                "person_id", "qualification_id"
            )
        )
        needs = selectors.still_needed(shifts=list({a.shift_id: a.shift for a in assignments}.values()))

        def order(a: AutofillAssignment) -> tuple[Any, ...]:
            helps = sum(1 for q in needs.get(a.shift_id, {}) if (a.person_id, q) in holdings)
            return (a.shift.starts_at, a.shift_id, -helps, a.person_id)

        created, skipped = [], []
        for assignment in sorted(assignments, key=order):
            reason = _availability_refusal(assignment=assignment)
            if reason is None:
                try:
                    with transaction.atomic():
                        result = signup_assign(shift=assignment.shift, person=assignment.person, actor=actor)
                except DomainError as exc:
                    reason = exc.message
            if reason is None:
                assignment.status = AutofillAssignment.Status.ACCEPTED
                created.append(
                    {"assignment": assignment.pk, "signup": result.signup.pk, "warnings": result.warnings}
                )
            else:
                assignment.status = AutofillAssignment.Status.SKIPPED
                assignment.skipped_reason = reason[:500]
                skipped.append(
                    {
                        "assignment": assignment.pk,
                        "shift": assignment.shift_id,
                        "person": assignment.person_id,
                        "reason": reason,
                    }
                )
        AutofillAssignment.objects.bulk_update(assignments, ["status", "skipped_reason"])
        proposal.refresh_from_db()
        proposal.acceptance = {"created": len(created), "skipped": skipped, "signups": created}
        proposal.save(update_fields=["acceptance"])
    return proposal
