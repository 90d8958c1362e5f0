"""Many volunteers claiming the same meal at once (a circle's link shared in a group chat)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from practical.help import services
from practical.models import Contribution
from scheduling.models import Signup
from tests.practical.help_factories import (
    add_volunteer,
    circle_with_people,
    fast_passwords,  # noqa: F401  (fixture)
    make_request,
)
from village.api import DomainError


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fast_passwords")
def test_concurrent_claims_never_overfill_and_keep_one_contribution_per_place():
    people = circle_with_people(allergies=[])
    help_request = make_request(people, capacity=3)
    volunteers = [add_volunteer(people.circle, name=f"Helper {i}") for i in range(12)]
    barrier = threading.Barrier(len(volunteers))
    outcomes: list[str] = []

    def claim(person):
        try:
            barrier.wait()
            services.help_request_claim(
                help_request=help_request, person=person, dish=f"Dish of {person.name}"
            )
            outcomes.append("won")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(person,)) for person in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["full"] * 9 + ["won"] * 3
    help_request.shift.refresh_from_db()
    assert help_request.shift.filled == 3
    assert Signup.objects.filter(shift=help_request.shift, status="confirmed").count() == 3
    # A lost claim leaves no contribution behind: both rows are one transaction.
    assert Contribution.objects.count() == 3
    assert set(Contribution.objects.values_list("signup__person_id", flat=True)) == set(
        Signup.objects.filter(shift=help_request.shift).values_list("person_id", flat=True)
    )
