"""Real concurrent requests against PostgreSQL: the invariants must hold under contention.

Each thread has its own APIClient (and so its own database connection); a Barrier releases
them together so the requests really race.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from scheduling.models import Shift, Signup, SwapOffer
from scheduling.services import FULL_MESSAGE, signup_claim, swap_offer
from tests.factories import PersonFactory, RosterFactory, RosterMembershipFactory, ShiftFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released together; returns results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def members(roster, count: int):
    people = [PersonFactory() for _ in range(count)]
    for person in people:
        RosterMembershipFactory(roster=roster, person=person, role=Role.VOLUNTEER)
    return people


def client_for(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def poster(person, url: str) -> Callable[[], Any]:
    client = client_for(person)
    return lambda: client.post(url, {}, format="json")


def test_concurrency_thirty_claims_on_three_places():
    roster = RosterFactory()
    shift = ShiftFactory(roster=roster, capacity=3)
    people = members(roster, 32)
    clients = [client_for(p) for p in people]

    responses = race(
        [lambda c=c: c.post(f"/api/v1/shifts/{shift.pk}/signups/", {}, format="json") for c in clients]
    )

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 3 + [409] * 29
    refused = [r.json()["error"] for r in responses if r.status_code == 409]
    assert {(e["code"], e["message"]) for e in refused} == {("full", FULL_MESSAGE)}
    shift.refresh_from_db()
    assert shift.filled == 3
    assert Signup.objects.filter(shift=shift, status=Signup.Status.CONFIRMED).count() == 3
    assert Signup.objects.filter(shift=shift).count() == 3


def test_concurrency_double_click_gives_one_place():
    roster = RosterFactory()
    shift = ShiftFactory(roster=roster, capacity=5)
    [person] = members(roster, 1)
    clients = [client_for(person) for _ in range(8)]

    responses = race(
        [lambda c=c: c.post(f"/api/v1/shifts/{shift.pk}/signups/", {}, format="json") for c in clients]
    )

    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"already_claimed"}
    shift.refresh_from_db()
    assert (shift.filled, Signup.objects.count()) == (1, 1)


def test_concurrency_swap_accept_first_wins():
    roster = RosterFactory()
    shift = ShiftFactory(roster=roster, capacity=1)
    holder, *takers = members(roster, 13)
    swap = swap_offer(signup=signup_claim(shift=shift, person=holder).signup, actor=holder)
    clients = [client_for(p) for p in takers]

    responses = race(
        [lambda c=c: c.post(f"/api/v1/swaps/{swap.pk}/accept/", {}, format="json") for c in clients]
    )

    assert sorted(r.status_code for r in responses) == [201] + [409] * 11
    [winner] = [r.json()["signup"]["person"]["id"] for r in responses if r.status_code == 201]
    swap.refresh_from_db()
    assert (swap.status, swap.taken_by_id) == (SwapOffer.Status.TAKEN, winner)
    assert sorted(Signup.objects.values_list("person_id", "status")) == sorted(
        [(holder.pk, "cancelled"), (winner, "confirmed")]
    )
    shift.refresh_from_db()
    assert shift.filled == 1


def test_concurrency_cancel_and_claims_never_jump_the_waitlist():
    roster = RosterFactory()
    shift = ShiftFactory(roster=roster, capacity=1)
    holder, waiting, *claimers = members(roster, 22)
    held = signup_claim(shift=shift, person=holder).signup
    queued = signup_claim(shift=shift, person=waiting, join_waitlist=True).signup
    calls = [poster(holder, f"/api/v1/signups/{held.pk}/cancel/")]
    calls += [poster(p, f"/api/v1/shifts/{shift.pk}/signups/") for p in claimers]

    responses = race(calls)

    assert responses[0].status_code == 200
    # Before the cancel the shift is full; after it the place is held for the waitlist.
    assert [r.status_code for r in responses[1:]] == [409] * 20
    queued.refresh_from_db()
    shift.refresh_from_db()
    assert (queued.status, shift.filled) == ("offered", 1)
    assert Signup.objects.filter(status__in=["confirmed", "offered"]).count() == 1


def test_concurrency_cancels_and_claims_keep_filled_true():
    roster = RosterFactory()
    shift = ShiftFactory(roster=roster, capacity=3, starts_at=timezone.now() + timedelta(days=2))
    people = members(roster, 23)
    holders, claimers = people[:3], people[3:]
    held = [signup_claim(shift=shift, person=p).signup for p in holders]
    calls = [poster(p, f"/api/v1/signups/{s.pk}/cancel/") for p, s in zip(holders, held, strict=True)]
    calls += [poster(p, f"/api/v1/shifts/{shift.pk}/signups/") for p in claimers]

    responses = race(calls)

    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    won = sum(r.status_code == 201 for r in responses[3:])
    shift = Shift.objects.get(pk=shift.pk)
    confirmed = Signup.objects.filter(shift=shift, status="confirmed").count()
    assert shift.filled == confirmed == won
    assert 0 <= won <= 3
    assert {r.status_code for r in responses[3:]} <= {201, 409}


def test_concurrency_shift_cancel_with_volunteer_cancels_never_deadlocks():
    roster = RosterFactory()
    coordinator = PersonFactory()
    RosterMembershipFactory(roster=roster, person=coordinator, role=Role.COORDINATOR)
    shift = ShiftFactory(roster=roster, capacity=10)
    people = members(roster, 14)
    held = [signup_claim(shift=shift, person=p, join_waitlist=True).signup for p in people]
    calls = [poster(p, f"/api/v1/signups/{s.pk}/cancel/") for p, s in zip(people, held, strict=True)]
    coordinator_client = client_for(coordinator)
    calls.append(lambda: coordinator_client.delete(f"/api/v1/shifts/{shift.pk}/"))

    responses = race(calls)

    assert [r for r in responses if isinstance(r, Exception)] == []
    assert responses[-1].status_code == 200
    # A volunteer's cancel either went first (200) or found the sign-up already cancelled (409/400).
    assert {r.status_code for r in responses[:-1]} <= {200, 400, 409}
    shift.refresh_from_db()
    assert (shift.status, shift.filled) == ("cancelled", 0)
    assert set(Signup.objects.filter(shift=shift).values_list("status", flat=True)) == {"cancelled"}
