"""Services decide who is told what, inside their transaction, through scheduling.notify."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from scheduling import notify
from scheduling.services import (
    shift_cancel,
    shift_update,
    signup_accept_offer,
    signup_cancel,
    signup_claim,
    swap_accept,
    swap_offer,
    waitlist_offers_expire,
)

pytestmark = pytest.mark.django_db(transaction=True)

EVENTS = [
    "signup_confirmed",
    "signup_cancelled",
    "signup_cancel_requested",
    "waitlist_offered",
    "waitlist_offer_expired",
    "swap_offered",
    "swap_taken",
    "shift_changed",
    "shift_cancelled",
]


@pytest.fixture
def calls(monkeypatch):
    """Records (event, kwargs, in_transaction) for every notify function."""
    recorded: list[tuple[str, dict, bool]] = []
    for name in EVENTS:

        def record(name=name, **kwargs):
            recorded.append((name, kwargs, connection.in_atomic_block))

        monkeypatch.setattr(notify, name, record)
    return recorded


def names(calls) -> list[str]:
    return [name for name, _, _ in calls]


def test_notify_every_event_is_documented():
    assert [name for name in EVENTS if not getattr(notify, name).__doc__] == []


def test_notify_claim_and_cancel_and_waitlist(calls, shift, volunteer_on):
    first = signup_claim(shift=shift, person=volunteer_on()).signup
    signup_claim(shift=shift, person=volunteer_on())
    waiting = signup_claim(shift=shift, person=volunteer_on(), join_waitlist=True).signup
    signup_cancel(signup=first, actor=first.person, reason="Ill")
    waiting.refresh_from_db()

    assert names(calls) == ["signup_confirmed", "signup_confirmed", "signup_cancelled", "waitlist_offered"]
    assert all(in_transaction for _, _, in_transaction in calls)
    assert calls[2][1]["signup"].pk == first.pk
    assert calls[2][1]["reason"] == "Ill"
    assert calls[3][1]["signup"].pk == waiting.pk

    signup_accept_offer(signup=waiting, actor=waiting.person)
    assert names(calls)[-1] == "signup_confirmed"


def test_notify_offer_expired(calls, shift, volunteer_on):
    first = signup_claim(shift=shift, person=volunteer_on()).signup
    signup_claim(shift=shift, person=volunteer_on())
    waiting = signup_claim(shift=shift, person=volunteer_on(), join_waitlist=True).signup
    signup_cancel(signup=first, actor=first.person)
    waiting.refresh_from_db()

    waitlist_offers_expire(now=waiting.offer_expires_at + timedelta(seconds=1))

    assert names(calls)[-1] == "waitlist_offer_expired"
    assert calls[-1][1]["signup"].pk == waiting.pk
    assert calls[-1][2] is True


def test_notify_swap(calls, shift, volunteer_on):
    holder = volunteer_on()
    swap = swap_offer(signup=signup_claim(shift=shift, person=holder).signup, actor=holder)
    swap_accept(swap=swap, person=volunteer_on())

    assert names(calls) == [
        "signup_confirmed",
        "swap_offered",
        "swap_taken",
        "signup_cancelled",
        "signup_confirmed",
    ]
    assert all(in_transaction for _, _, in_transaction in calls)


def test_notify_shift_changed_and_cancelled(calls, shift, coordinator, volunteer):
    held = signup_claim(shift=shift, person=volunteer).signup
    shift_update(shift=shift, actor=coordinator, location="Room 9")
    shift_cancel(shift=shift, actor=coordinator)

    assert names(calls) == ["signup_confirmed", "shift_changed", "shift_cancelled"]
    assert calls[1][1]["changed"] == ["location"]
    assert [s.pk for s in calls[2][1]["signups"]] == [held.pk]
    assert calls[2][1]["signups"][0].status == "cancelled"
    assert all(in_transaction for _, _, in_transaction in calls)


def test_notify_cancel_request_after_cutoff(calls, roster, shift, volunteer):
    roster.cancel_cutoff = timedelta(days=7)
    roster.save()
    held = signup_claim(shift=shift, person=volunteer).signup

    signup_cancel(signup=held, actor=volunteer, reason="Travel")

    assert names(calls) == ["signup_confirmed", "signup_cancel_requested"]
    assert calls[1][1]["reason"] == "Travel"
