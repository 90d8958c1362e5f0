"""Random sequences of everything people do to one shift keep the books straight.

After every step: ``filled`` equals the places held (confirmed + offered), never exceeds capacity,
nobody holds two active sign-ups, and a place is never free while someone waits in line.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import Shift, Signup, SwapOffer
from scheduling.services import (
    shift_update,
    signup_accept_offer,
    signup_cancel,
    signup_claim,
    signup_decline_offer,
    swap_accept,
    swap_offer,
    waitlist_offers_expire,
)
from village.api import DomainError

pytestmark = pytest.mark.django_db


def check_books(shift: Shift) -> None:
    shift.refresh_from_db()
    held = Signup.objects.filter(shift=shift, status__in=["confirmed", "offered"]).count()
    waiting = Signup.objects.filter(shift=shift, status="waitlisted").count()
    assert shift.filled == held <= shift.capacity
    if waiting:
        assert shift.filled == shift.capacity, "a free place while people wait in line"
    active = list(
        Signup.objects.filter(shift=shift, status__in=["confirmed", "offered", "waitlisted"]).values_list(
            "person_id", flat=True
        )
    )
    assert len(active) == len(set(active))


@pytest.mark.parametrize("seed", range(6))
def test_invariants_hold_under_random_operations(seed, shift, coordinator, volunteer_on):
    rng = random.Random(seed)
    people = [volunteer_on() for _ in range(7)]
    now = timezone.now()
    for _step in range(70):
        person = rng.choice(people)
        mine = Signup.objects.filter(
            shift=shift, person=person, status__in=["confirmed", "offered", "waitlisted"]
        ).first()
        op = rng.choice(
            ["claim", "wait", "cancel", "accept", "decline", "expire", "swap", "take", "capacity"]
        )
        try:
            if op == "claim":
                signup_claim(shift=shift, person=person)
            elif op == "wait":
                signup_claim(shift=shift, person=person, join_waitlist=True)
            elif op == "cancel" and mine:
                signup_cancel(signup=mine, actor=person)
            elif op == "accept" and mine:
                signup_accept_offer(signup=mine, actor=person)
            elif op == "decline" and mine:
                signup_decline_offer(signup=mine, actor=person)
            elif op == "expire":
                now += timedelta(hours=rng.choice([1, 13]))
                waitlist_offers_expire(now=now)
            elif op == "swap" and mine:
                swap_offer(signup=mine, actor=person)
            elif op == "take":
                swap = SwapOffer.objects.filter(signup__shift=shift, status="open").first()
                if swap:
                    swap_accept(swap=swap, person=person)
            elif op == "capacity":
                shift.refresh_from_db()
                shift_update(shift=shift, actor=coordinator, capacity=rng.randint(1, 4))
        except DomainError as error:
            assert 400 <= error.status_code < 500
        check_books(shift)
