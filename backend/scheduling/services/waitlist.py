"""The waitlist: a freed place is held for the head of the line, who takes it or lets it pass on.

A freed place never becomes free to all while someone waits: ``release_place`` gives it back to
the shift's count and ``offer_freed_places``, in the same transaction, holds it for the next
person in line (``WAITLIST_OFFER_HOLD``, never past the shift's start). Holding counts in
``Shift.filled`` exactly like a confirmed place, and is taken with the same conditional UPDATE
as a claim, so an offer can never over-fill a shift.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import status

from accounts.models import Person
from scheduling import notify
from scheduling.eligibility import claim_refusal
from scheduling.models import Shift, Signup, SwapOffer
from scheduling.selectors import HELD_STATUSES
from scheduling.services._common import lock_shift, not_found
from village.api import Conflict, DomainError


def offer_freed_places(*, shift: Shift, now: datetime | None = None) -> list[Signup]:
    """Hold each free place for the head of the waitlist until it answers or the hold ends.

    Must run inside the transaction that freed the place, so nobody outside the line can slip in.
    """
    now = now or timezone.now()
    offered: list[Signup] = []
    expires_at = min(now + settings.WAITLIST_OFFER_HOLD, shift.starts_at)
    if expires_at <= now:
        return offered  # too late to offer: the shift is starting
    while True:
        head = (
            Signup.objects.filter(shift=shift, status=Signup.Status.WAITLISTED)
            .order_by("created_at", "pk")
            .first()
        )
        if head is None:
            break
        # Same conditional UPDATE as a claim: the held place counts in ``filled``.
        if not Shift.objects.filter(
            pk=shift.pk, status=Shift.Status.SCHEDULED, filled__lt=F("capacity")
        ).update(filled=F("filled") + 1):
            break
        if Signup.objects.filter(pk=head.pk, status=Signup.Status.WAITLISTED).update(
            status=Signup.Status.OFFERED,
            offer_expires_at=expires_at,
            sequence=F("sequence") + 1,
            updated_at=timezone.now(),
        ):
            head.refresh_from_db()
            notify.waitlist_offered(signup=head)
            offered.append(head)
        else:
            # They left the line in the meantime: give the place back and ask the next.
            Shift.objects.filter(pk=shift.pk).update(filled=F("filled") - 1)
    return offered


def release_place(*, signup: Signup, to_status: str, now: datetime, from_statuses: tuple[str, ...]) -> bool:
    """Move an active sign-up to ``to_status``, freeing its place. False when someone beat us to it.

    Status changes of a shift's sign-ups happen under the shift's lock, so the status read here
    is the one we change: a place is given back exactly when one was held (a stale in-memory
    "waitlisted" that has meanwhile become "offered" must still return its place).
    """
    lock_shift(signup.shift_id)
    current = Signup.objects.filter(pk=signup.pk).values_list("status", flat=True).first()
    if current not in from_statuses:
        return False
    Signup.objects.filter(pk=signup.pk, status=current).update(
        status=to_status,
        cancelled_at=now if to_status == Signup.Status.CANCELLED else None,
        cancel_requested_at=None,
        offer_expires_at=None,
        sequence=F("sequence") + 1,
        updated_at=timezone.now(),
    )
    if current in HELD_STATUSES:
        Shift.objects.filter(pk=signup.shift_id).update(filled=F("filled") - 1)
    SwapOffer.objects.filter(signup=signup, status=SwapOffer.Status.OPEN).update(
        status=SwapOffer.Status.WITHDRAWN
    )
    return True


def signup_accept_offer(*, signup: Signup, actor: Person) -> Signup:
    """The waitlisted person takes the place held for them, if the hold has not run out."""
    if signup.person_id != actor.pk:
        raise not_found()
    now = timezone.now()
    refusal = claim_refusal(shift=signup.shift, person=actor)
    if refusal:
        raise DomainError(refusal, code="not_eligible", status_code=status.HTTP_403_FORBIDDEN)
    with transaction.atomic():
        lock_shift(signup.shift_id)
        # Conditional on the offer still standing: the expiry sweep may be passing it on right now.
        if not Signup.objects.filter(
            pk=signup.pk, status=Signup.Status.OFFERED, offer_expires_at__gt=now
        ).update(
            status=Signup.Status.CONFIRMED,
            offer_expires_at=None,
            sequence=F("sequence") + 1,
            updated_at=timezone.now(),
        ):
            raise Conflict(
                "This offer has expired or was withdrawn, so the place went to the next person.",
                code="offer_expired",
            )
        signup.refresh_from_db()
        notify.signup_confirmed(signup=signup, actor=actor)
    return signup


def _offer_end(*, signup: Signup, now: datetime) -> bool:
    """End a standing offer, giving its held place back; False when it was no longer open."""
    if not release_place(
        signup=signup, to_status=Signup.Status.CANCELLED, now=now, from_statuses=(Signup.Status.OFFERED,)
    ):
        return False
    signup.refresh_from_db()
    return True


def signup_decline_offer(*, signup: Signup, actor: Person) -> Signup:
    """The waitlisted person says no: the held place goes to the next in line."""
    if signup.person_id != actor.pk:
        raise not_found()
    now = timezone.now()
    with transaction.atomic():
        if not _offer_end(signup=signup, now=now):
            raise Conflict("This offer is no longer open.", code="offer_expired")
        offer_freed_places(shift=signup.shift, now=now)
    return signup


def waitlist_offers_expire(*, now: datetime) -> int:
    """Pass every offer whose hold ran out to the next in line. Returns how many expired.

    Safe to run twice or concurrently: each expiry is a conditional UPDATE on the offer.
    """
    expired = 0
    due = Signup.objects.filter(status=Signup.Status.OFFERED, offer_expires_at__lte=now).select_related(
        "shift__roster"
    )
    for signup in due:
        with transaction.atomic():
            if not _offer_end(signup=signup, now=now):
                continue
            expired += 1
            notify.waitlist_offer_expired(signup=signup)
            offer_freed_places(shift=signup.shift, now=now)
    return expired
