"""Swaps: a volunteer offers their confirmed place; the first eligible member to accept takes it.

The place changes hands without ever being free: the offer's holder is released and the taker
confirmed in one transaction, so ``Shift.filled`` does not move and nobody else can slip in.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import status

from accounts.models import Person
from scheduling import notify
from scheduling.eligibility import claim_refusal
from scheduling.models import Signup, SwapOffer
from scheduling.selectors import ACTIVE_STATUSES, roster_role
from scheduling.services._common import lock_shift, not_found, require_coordinator
from scheduling.services.signups import ClaimResult, _check_claimable, _overlaps_and_warnings
from village.api import Conflict, DomainError


def swap_offer(*, signup: Signup, actor: Person) -> SwapOffer:
    """Offer my confirmed place to anyone eligible; I keep it until someone takes it."""
    if signup.person_id != actor.pk:
        raise not_found()
    if signup.status != Signup.Status.CONFIRMED:
        raise DomainError("Only a confirmed place can be offered for a swap.", code="not_active")
    _check_claimable(shift=signup.shift, person=actor, now=timezone.now())
    try:
        with transaction.atomic():
            swap = SwapOffer.objects.create(signup=signup)
            notify.swap_offered(swap=swap)
    except IntegrityError as exc:
        raise Conflict("You have already offered this place for a swap.", code="already_offered") from exc
    return swap


def swap_accept(*, swap: SwapOffer, person: Person, confirm_overlap: bool = False) -> ClaimResult:
    """Take an offered place. The first to accept wins; the offer's holder is released and the
    taker confirmed in one transaction, so ``filled`` never changes."""
    original = swap.signup
    shift = original.shift
    if roster_role(roster=shift.roster, person=person) is None:
        raise not_found()
    if original.person_id == person.pk:
        raise DomainError("This is your own place; withdraw the offer instead.", code="own_swap")
    if swap.status != SwapOffer.Status.OPEN:
        raise Conflict("Someone else took this swap first, or it was withdrawn.", code="swap_taken")
    _check_claimable(shift=shift, person=person, now=timezone.now())
    refusal = claim_refusal(shift=shift, person=person)
    if refusal:
        raise DomainError(refusal, code="not_eligible", status_code=status.HTTP_403_FORBIDDEN)
    if Signup.objects.filter(shift=shift, person=person, status__in=ACTIVE_STATUSES).exists():
        raise Conflict("You already have this slot.", code="already_claimed")
    warnings = _overlaps_and_warnings(shift=shift, person=person, confirm_overlap=confirm_overlap)
    now = timezone.now()
    try:
        with transaction.atomic():
            lock_shift(shift.pk)
            # Two people accept at once: only one UPDATE finds the offer still open.
            if not SwapOffer.objects.filter(pk=swap.pk, status=SwapOffer.Status.OPEN).update(
                status=SwapOffer.Status.TAKEN, taken_by=person
            ):
                raise Conflict("Someone else took this swap first.", code="swap_taken")
            if not Signup.objects.filter(pk=original.pk, status=Signup.Status.CONFIRMED).update(
                status=Signup.Status.CANCELLED,
                cancelled_at=now,
                cancel_reason="Swapped",
                sequence=F("sequence") + 1,
                updated_at=now,
            ):
                raise Conflict("This place is no longer on offer.", code="swap_taken")
            signup = Signup.objects.create(shift=shift, person=person, status=Signup.Status.CONFIRMED)
            swap.refresh_from_db()
            original.refresh_from_db()
            notify.swap_taken(swap=swap)
            notify.signup_cancelled(signup=original, actor=original.person, reason="Swapped")
            notify.signup_confirmed(signup=signup, actor=person)
    except IntegrityError as exc:
        raise Conflict("You already have this slot.", code="already_claimed") from exc
    return ClaimResult(signup=signup, warnings=warnings)


def swap_withdraw(*, swap: SwapOffer, actor: Person) -> SwapOffer:
    """Take back an open offer; I keep my place."""
    if swap.signup.person_id != actor.pk:
        require_coordinator(roster=swap.signup.shift.roster, actor=actor)
    if not SwapOffer.objects.filter(pk=swap.pk, status=SwapOffer.Status.OPEN).update(
        status=SwapOffer.Status.WITHDRAWN
    ):
        raise Conflict("This swap was already taken or withdrawn.", code="swap_taken")
    swap.refresh_from_db()
    return swap
