"""The "circle" invitation target, end to end through the accounts invitation API."""

from __future__ import annotations

import pytest

from accounts.models import MembershipStatus, Role
from scheduling.models import RosterMembership
from tests.factories import CircleFactory, PersonFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Argon2 is right for real people and far too slow for dozens of factory people per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def invite(client, circle, **extra):
    return client.post("/api/v1/invitations/", {"target_kind": "circle", "target_id": circle.pk, **extra})


def test_circle_invitation_admits_volunteer(login, api):
    circle = CircleFactory(name="The Garcías")
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    created = invite(login(coordinator), circle)
    assert created.status_code == 201, created.json()
    token = created.json()["token"]

    preview = api.get(f"/api/v1/invitations/{token}/").json()
    assert (preview["target_kind"], preview["name"]) == ("circle", "The Garcías")

    friend = PersonFactory()
    assert login(friend).get(f"/api/v1/circles/{circle.pk}/").status_code == 404
    accepted = login(friend).post(f"/api/v1/invitations/{token}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert list(
        RosterMembership.objects.filter(person=friend).values_list("roster_id", "role", "status")
    ) == [(circle.roster_id, Role.VOLUNTEER, MembershipStatus.ACTIVE)]
    assert login(friend).get(f"/api/v1/circles/{circle.pk}/").json()["my_role"] == "volunteer"


def test_circle_invitation_needing_approval_leaves_member_waiting(login):
    circle = CircleFactory()
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    token = invite(login(coordinator), circle, requires_approval=True).json()["token"]
    friend = PersonFactory()
    login(friend).post(f"/api/v1/invitations/{token}/accept/")
    membership = RosterMembership.objects.get(person=friend)
    assert membership.status == MembershipStatus.PENDING
    assert login(friend).get(f"/api/v1/circles/{circle.pk}/").status_code == 404

    approved = login(coordinator).patch(
        f"/api/v1/circles/{circle.pk}/members/{friend.pk}/", {"status": "active"}
    )
    assert approved.status_code == 200
    assert login(friend).get(f"/api/v1/circles/{circle.pk}/").status_code == 200


def test_circle_invitation_never_demotes_a_coordinator(login):
    circle = CircleFactory()
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    other = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    token = invite(login(coordinator), circle, role="volunteer").json()["token"]
    login(other).post(f"/api/v1/invitations/{token}/accept/")
    assert RosterMembership.objects.get(person=other).role == Role.COORDINATOR


@pytest.mark.parametrize("who", ["volunteer", "stranger"])
def test_circle_invitation_only_coordinators_invite(login, who):
    circle = CircleFactory()
    person = (
        RosterMembershipFactory(roster=circle.roster, role=Role.VOLUNTEER).person
        if who == "volunteer"
        else PersonFactory()
    )
    response = invite(login(person), circle)
    assert response.status_code == 404
    assert "token" not in response.json()


def test_circle_invitation_closed_circle_takes_no_one(login):
    circle = CircleFactory(status="closed")
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    assert invite(login(coordinator), circle).status_code == 404
