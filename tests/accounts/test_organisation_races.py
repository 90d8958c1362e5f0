from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.models import OrganisationMembership, Role
from accounts.services import organisation_member_remove, organisation_member_update
from tests.accounts.factories import member
from tests.factories import OrganisationFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step_down", ["demote", "remove"])
def test_two_coordinators_stepping_down_at_once_leave_one(step_down):
    organisation = OrganisationFactory()
    coordinators = [member(organisation, role=Role.COORDINATOR) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def leave(person) -> None:
        try:
            barrier.wait()
            if step_down == "demote":
                organisation_member_update(
                    organisation_id=organisation.pk, person_id=person.pk, role=Role.VOLUNTEER
                )
            else:
                organisation_member_remove(organisation_id=organisation.pk, person_id=person.pk)
            outcomes.append("done")
        except Exception as exc:  # the outcome is what the test checks
            outcomes.append(getattr(exc, "code", type(exc).__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=leave, args=(person,)) for person in coordinators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["done", "last_coordinator"]
    assert (
        OrganisationMembership.objects.filter(
            organisation=organisation, role=Role.COORDINATOR, status="active"
        ).count()
        == 1
    )
