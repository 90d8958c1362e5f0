"""Two coordinators accepting the same proposal at once: one wins whole, the other gets 409."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from rosters.models import AutofillProposal
from rosters.services import autofill_accept, autofill_propose, shifts_generate
from scheduling.models import Signup
from tests.factories import OrganisationMembershipFactory, PersonFactory
from tests.rosters.factories import ShiftTemplateFactory, next_monday, org_with_roster
from village.api import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # checked by the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_accept_twice_at_once_signs_up_once():
    from django.utils import timezone

    org = org_with_roster(volunteers=3)
    second = PersonFactory()
    OrganisationMembershipFactory(organisation=org.organisation, person=second, role="coordinator")
    ShiftTemplateFactory(roster=org.roster, weekdays=[0, 2, 4], capacity=2)
    start = next_monday()
    end = start + timedelta(days=6)
    shifts_generate(roster=org.roster, actor=org.coordinator, start=start, end=end, now=timezone.now())
    proposal = autofill_propose(
        rosters=[org.roster], actor=org.coordinator, start=start, end=end, time_limit=3
    )
    assert proposal.places_filled == 6
    results = _race(
        [
            lambda: autofill_accept(
                proposal=AutofillProposal.objects.get(pk=proposal.pk), actor=org.coordinator
            ),
            lambda: autofill_accept(proposal=AutofillProposal.objects.get(pk=proposal.pk), actor=second),
        ]
    )
    winners = [r for r in results if isinstance(r, AutofillProposal)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert (len(winners), len(losers)) == (1, 1)
    assert Signup.objects.filter(status=Signup.Status.CONFIRMED).count() == 6
