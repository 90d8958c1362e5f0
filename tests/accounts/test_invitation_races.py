from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.invitation_services import invitation_accept
from accounts.models import Invitation, OrganisationMembership
from tests.accounts.factories import InvitationFactory
from tests.factories import OrganisationFactory, PersonFactory


def _accept_all_at_once(token: str, people: list) -> list[str]:
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def accept(person) -> None:
        try:
            barrier.wait()
            invitation_accept(token=token, person=person)
            outcomes.append("accepted")
        except Exception as exc:  # the outcome is what the test checks
            outcomes.append(getattr(exc, "code", type(exc).__name__))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_shared_link_with_max_uses_is_never_over_used():
    organisation = OrganisationFactory()
    invitation = InvitationFactory(token="shared", target_id=organisation.pk, max_uses=3)
    people = [PersonFactory() for _ in range(12)]

    outcomes = _accept_all_at_once("shared", people)

    assert outcomes == ["accepted"] * 3 + ["not_found"] * 9
    assert Invitation.objects.get(pk=invitation.pk).use_count == 3
    assert OrganisationMembership.objects.filter(organisation=organisation).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_person_accepting_in_parallel_uses_one_place():
    organisation = OrganisationFactory()
    invitation = InvitationFactory(token="shared", target_id=organisation.pk, max_uses=5)
    person = PersonFactory()

    outcomes = _accept_all_at_once("shared", [person] * 6)

    assert outcomes == ["accepted"] * 6
    assert Invitation.objects.get(pk=invitation.pk).use_count == 1
    assert OrganisationMembership.objects.filter(organisation=organisation).count() == 1
