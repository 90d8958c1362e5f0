"""Claiming and giving up places on shifts (the waitlist that takes a freed place: ``waitlist``).

Every place is counted in ``Shift.filled`` (confirmed sign-ups plus offers being held for a
waitlisted person). A place is only ever taken by one conditional UPDATE on the shift row
(``filled < capacity``) whose row count decides who won, inside ``transaction.atomic()``; the
check constraint ``filled <= capacity`` and the partial unique index on (shift, person) back it.

Calendar feeds date each event by the ``updated_at`` of its rows, and bulk UPDATEs skip
``auto_now``: every sign-up UPDATE that changes what a feed shows (status, sequence, the place
held) sets ``updated_at`` itself. The ``filled`` UPDATEs leave the shift's alone on purpose:
each one moves together with a sign-up row (created, released or offered) by which the shift's
event in a circle or roster feed is already dated, and touching the shift would re-date the
same event in every other holder's own feed, where nothing they can see changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework import status

from accounts.models import Person
from scheduling import coordinator_actions, notify
from scheduling.eligibility import claim_refusal, claim_warnings, refusal_for_role
from scheduling.models import Shift, Signup
from scheduling.selectors import ACTIVE_STATUSES, overlapping_commitments, roster_role
from scheduling.services._common import not_found, require_coordinator
from scheduling.services.waitlist import offer_freed_places, release_place
from village.api import Conflict, DomainError

FULL_MESSAGE = "This slot was just taken. Choose another slot, or join the waitlist to be offered a place if one frees up."


@dataclass
class ClaimResult:
    signup: Signup
    warnings: list[str] = field(default_factory=list)


def _local(moment: datetime, shift: Shift) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(shift.roster.time_zone)).strftime("%a %d %b %H:%M")


def _describe(signup: Signup) -> dict[str, Any]:
    shift = signup.shift
    return {
        "signup_id": signup.pk,
        "shift_id": shift.pk,
        "title": shift.title,
        "roster": shift.roster.name,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "time_zone": shift.roster.time_zone,
    }


def _check_claimable(*, shift: Shift, person: Person, now: datetime) -> None:
    if shift.status == Shift.Status.CANCELLED:
        raise DomainError("This shift was cancelled, so it can't be claimed.", code="shift_cancelled")
    # A flexible window ("any time this week") may be claimed until it ends; a timed shift until it starts.
    closes_at = shift.ends_at if shift.is_flexible else shift.starts_at
    if closes_at <= now:
        raise DomainError("This shift has already started or passed.", code="shift_past")


def _overlaps_and_warnings(*, shift: Shift, person: Person, confirm_overlap: bool) -> list[str]:
    """Refuses a real overlap (unless confirmed); near misses within OVERLAP_GRACE become warnings."""
    warnings: list[str] = []
    if shift.is_flexible:
        return warnings
    near = list(
        overlapping_commitments(
            person=person,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            exclude_shift=shift,
            grace=settings.OVERLAP_GRACE,
        )
    )
    clashes = [s for s in near if s.shift.starts_at < shift.ends_at and s.shift.ends_at > shift.starts_at]
    if clashes and not confirm_overlap:
        first = clashes[0].shift
        raise Conflict(
            f"This overlaps with “{first.title}” ({first.roster.name}, {_local(first.starts_at, first)}). "
            "Claim it anyway only if you can really do both.",
            code="overlap",
            extra={"overlaps": [_describe(s) for s in clashes]},
        )
    for s in clashes:
        warnings.append(f"This overlaps with “{s.shift.title}” ({s.shift.roster.name}).")
    for s in near:
        if s not in clashes:
            warnings.append(
                f"This is close to “{s.shift.title}” ({s.shift.roster.name}, "
                f"{_local(s.shift.starts_at, s.shift)}): leave time to get between them."
            )
    return warnings


def _take_one(shift_id: int) -> int | None:
    """The conditional UPDATE of a claim; the shift's new ``filled``, or None when it lost.

    Raw SQL only for RETURNING (PostgreSQL, SQLite ≥ 3.35), which the ORM's update() lacks: it
    hands back the count the claim made without a second statement to read it.
    """
    table = connection.ops.quote_name(Shift._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET filled = filled + 1 "  # noqa: S608  # nosec B608 - our table name; values are parameters
            "WHERE id = %s AND status = %s AND filled < capacity RETURNING filled",
            [shift_id, Shift.Status.SCHEDULED.value],
        )
        row = cursor.fetchone()
    return int(row[0]) if row is not None else None


def _take_place(
    *, shift: Shift, person: Person, note: str, join_waitlist: bool, actor: Person | None = None
) -> Signup:
    """Take a place (or a waitlist spot) in one transaction. Caller has checked eligibility."""
    try:
        with transaction.atomic():
            # The race: thirty people click "claim" on the last three places within a second.
            # Reading ``filled`` and then writing would let them all see room and over-fill
            # (measured: 16 of 30 on PostgreSQL). The UPDATE re-checks ``filled < capacity`` on
            # the row it locks, so each concurrent claim waits for the one before and exactly
            # ``capacity`` of them change a row; whether it hands ``filled`` back says who won.
            filled = _take_one(shift.pk)
            won = filled is not None
            if won:
                signup = Signup.objects.create(
                    shift=shift, person=person, note=note, status=Signup.Status.CONFIRMED
                )
                notify.signup_confirmed(signup=signup, actor=actor)
            elif join_waitlist:
                signup = Signup.objects.create(
                    shift=shift, person=person, note=note, status=Signup.Status.WAITLISTED
                )
            elif Shift.objects.filter(pk=shift.pk, status=Shift.Status.CANCELLED).exists():
                # Cancelled between our first look and the UPDATE: say so, not "full".
                raise DomainError("This shift was cancelled, so it can't be claimed.", code="shift_cancelled")
            else:
                raise Conflict(FULL_MESSAGE, code="full")
    except IntegrityError as exc:
        # A double click: the partial unique index on (shift, person) refused the second sign-up,
        # and leaving the atomic block undid its ``filled + 1`` too.
        raise Conflict("You already have this slot.", code="already_claimed") from exc
    if filled is not None:
        shift.filled = filled
    else:
        shift.refresh_from_db(fields=["filled"])
    signup.open_swap_id = None  # type: ignore[attr-defined]  # a new place has no swap offer yet; saves a query
    return signup


def _active_signup_status(*, shift: Shift, person: Person) -> str | None:
    # ``shift_by_id(person=...)`` read it with the shift; anyone else's shift object asks.
    if getattr(shift, "_read_for", None) == person.pk:
        return shift.my_active_status  # type: ignore[attr-defined]
    return (
        Signup.objects.filter(shift=shift, person=person, status__in=ACTIVE_STATUSES)
        .values_list("status", flat=True)
        .first()
    )


def signup_claim(
    *,
    shift: Shift,
    person: Person,
    confirm_overlap: bool = False,
    join_waitlist: bool = False,
    note: str = "",
    actor: Person | None = None,
) -> ClaimResult:
    """Give the person a place on the shift, never over its capacity.

    Refuses (nothing written): 404 when the person has no role on the roster (privacy), 400 for
    a cancelled or past shift, 403 when an eligibility rule refuses, 409 ``already_claimed``,
    409 ``overlap`` (unless ``confirm_overlap``) listing the clashing commitments in ``overlaps``,
    409 ``full`` unless ``join_waitlist`` (then a waitlisted sign-up). A shift already full when
    read answers ``full`` before any eligibility rule is asked (after ``already_claimed``).
    Near misses and registered warnings come back in ``ClaimResult.warnings``.
    """
    role = roster_role(roster=shift.roster, person=person)
    if role is None:
        raise not_found()
    _check_claimable(shift=shift, person=person, now=timezone.now())
    existing = _active_signup_status(shift=shift, person=person)
    if existing is not None:
        if existing == Signup.Status.WAITLISTED:
            raise Conflict("You are already on the waitlist for this slot.", code="already_claimed")
        raise Conflict("You already have this slot.", code="already_claimed")
    if shift.filled >= shift.capacity and not join_waitlist:
        # When the last place goes, most claims arrive after it (measured: 405 of 417 in
        # docs/benchmarks.md). The row just read already says so; answering from it spares each
        # of them the eligibility rules, the overlap check and the UPDATE. A place freed since the
        # read is the same race as arriving a moment earlier: the UPDATE still decides every win.
        raise Conflict(FULL_MESSAGE, code="full")
    refusal = refusal_for_role(shift=shift, person=person, role=role)
    if refusal:
        raise DomainError(refusal, code="not_eligible", status_code=status.HTTP_403_FORBIDDEN)
    warnings = _overlaps_and_warnings(shift=shift, person=person, confirm_overlap=confirm_overlap)
    warnings += claim_warnings(shift=shift, person=person)
    signup = _take_place(shift=shift, person=person, note=note, join_waitlist=join_waitlist, actor=actor)
    return ClaimResult(signup=signup, warnings=warnings)


def signup_assign(
    *, shift: Shift, person: Person, actor: Person, confirm_overlap: bool = False, note: str = ""
) -> ClaimResult:
    """A coordinator puts someone on the shift: same eligibility, never over capacity."""
    require_coordinator(roster=shift.roster, actor=actor)
    _check_claimable(shift=shift, person=person, now=timezone.now())
    if roster_role(roster=shift.roster, person=person) is None:
        raise DomainError(
            f"{person} is not a member of {shift.roster.name}; invite them first.",
            code="not_eligible",
            fields={"person": ["Not a member of this roster."]},
        )
    refusal = claim_refusal(shift=shift, person=person)
    if refusal:
        raise DomainError(refusal, code="not_eligible", fields={"person": [refusal]})
    if Signup.objects.filter(shift=shift, person=person, status__in=ACTIVE_STATUSES).exists():
        raise Conflict(f"{person} already has a place on this shift.", code="already_claimed")
    warnings = _overlaps_and_warnings(shift=shift, person=person, confirm_overlap=confirm_overlap)
    warnings += claim_warnings(shift=shift, person=person)
    with transaction.atomic():
        signup = _take_place(shift=shift, person=person, note=note, join_waitlist=False, actor=actor)
        coordinator_actions.coordinator_action_tell(
            action=coordinator_actions.SIGNUP_ASSIGNED, actor=actor, signup=signup
        )
    return ClaimResult(signup=signup, warnings=warnings)


# --- Giving places up -------------------------------------------------------------------------


def signup_cancel(*, signup: Signup, actor: Person, reason: str = "") -> Signup:
    """Give up a place (or leave the waitlist); the freed place is offered to the waitlist.

    The holder or a coordinator may cancel. When the roster has a ``cancel_cutoff`` and the
    shift starts within it, a volunteer's own cancel of a confirmed place does not free it:
    it records ``cancel_requested_at`` (the place stays theirs) and the coordinators decide —
    a coordinator's cancel is the approval. Repeating a request changes nothing.
    """
    shift = signup.shift
    role = roster_role(roster=shift.roster, person=actor)
    if signup.person_id != actor.pk:
        require_coordinator(roster=shift.roster, actor=actor)
    if signup.status not in ACTIVE_STATUSES:
        raise DomainError("This sign-up is no longer active.", code="not_active")
    now = timezone.now()
    started = (shift.ends_at if shift.is_flexible else shift.starts_at) <= now
    if role != "coordinator" and signup.status == Signup.Status.CONFIRMED and started:
        # Afterwards the place is history (a coordinator marks it kept or missed), not a gap to fill.
        raise DomainError(
            "This shift has already started, so it can't be cancelled. Tell the coordinator instead.",
            code="shift_past",
        )
    cutoff = shift.roster.cancel_cutoff
    if (
        role != "coordinator"
        and signup.status == Signup.Status.CONFIRMED
        and cutoff is not None
        and shift.starts_at - cutoff <= now
    ):
        if signup.cancel_requested_at is None:
            with transaction.atomic():
                Signup.objects.filter(pk=signup.pk).update(cancel_requested_at=now, cancel_reason=reason)
                signup.refresh_from_db()
                notify.signup_cancel_requested(signup=signup, reason=reason)
        return signup
    with transaction.atomic():
        if not release_place(
            signup=signup, to_status=Signup.Status.CANCELLED, now=now, from_statuses=ACTIVE_STATUSES
        ):
            raise Conflict("This sign-up was already cancelled.", code="not_active")
        if reason:
            Signup.objects.filter(pk=signup.pk).update(cancel_reason=reason)
        approved_request = signup.cancel_requested_at is not None
        signup.refresh_from_db()
        notify.signup_cancelled(signup=signup, actor=actor, reason=reason)
        if signup.person_id != actor.pk:
            coordinator_actions.coordinator_action_tell(
                action=coordinator_actions.SIGNUP_UNASSIGNED,
                actor=actor,
                signup=signup,
                approved_cancel_request=approved_request,
            )
        offer_freed_places(shift=shift, now=now)
    shift.refresh_from_db(fields=["filled"])
    return signup


def signup_cancel_decline(*, signup: Signup, actor: Person) -> Signup:
    """A coordinator keeps a late cancel request's place with its holder (clears the request)."""
    require_coordinator(roster=signup.shift.roster, actor=actor)
    if signup.cancel_requested_at is None:
        raise DomainError("There is no cancel request on this sign-up.", code="no_request")
    with transaction.atomic():
        Signup.objects.filter(pk=signup.pk).update(cancel_requested_at=None)
        signup.refresh_from_db()
        coordinator_actions.coordinator_action_tell(
            action=coordinator_actions.CANCEL_REQUEST_DECLINED, actor=actor, signup=signup
        )
    return signup


def signup_unassign(*, signup: Signup, actor: Person, reason: str = "") -> Signup:
    """A coordinator takes someone off a shift (no cut-off applies)."""
    require_coordinator(roster=signup.shift.roster, actor=actor)
    return signup_cancel(signup=signup, actor=actor, reason=reason)


def signup_mark(*, signup: Signup, actor: Person, status: Literal["completed", "no_show"]) -> Signup:
    """A coordinator records whether a confirmed place was kept, once the shift has started."""
    require_coordinator(roster=signup.shift.roster, actor=actor)
    if status not in (Signup.Status.COMPLETED, Signup.Status.NO_SHOW):
        raise DomainError("Mark a sign-up as completed or no_show.", fields={"status": ["Invalid."]})
    if signup.shift.starts_at > timezone.now():
        raise DomainError("This shift hasn't started yet.", code="shift_not_started")
    # Completed and no-show keep their place counted: the place was used (or wasted), not freed.
    with transaction.atomic():
        if not Signup.objects.filter(
            pk=signup.pk, status__in=(Signup.Status.CONFIRMED, Signup.Status.COMPLETED, Signup.Status.NO_SHOW)
        ).update(status=status, updated_at=timezone.now()):
            raise DomainError("Only a confirmed sign-up can be marked.", code="not_active")
        signup.refresh_from_db()
        marked = (
            coordinator_actions.SIGNUP_COMPLETED
            if status == Signup.Status.COMPLETED
            else coordinator_actions.SIGNUP_NO_SHOW
        )
        coordinator_actions.coordinator_action_tell(action=marked, actor=actor, signup=signup)
    return signup
