"""Every circle list costs the same number of queries for one row as for a full page."""

from __future__ import annotations

import pytest

from accounts.models import MembershipStatus, Role
from practical.models import AddressRead, ChildcareApproval
from tests.factories import (
    CircleFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterMembershipFactory,
)

pytestmark = pytest.mark.django_db

MANY = 50


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Argon2 is right for real people and far too slow for dozens of factory people per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _my_circles(me, count: int) -> None:
    organisation = OrganisationFactory()
    OrganisationMembershipFactory(organisation=organisation, person=me, role=Role.COORDINATOR)
    for index in range(count):
        if index % 2:
            CircleFactory(organisation=organisation, roster__organisation=organisation)
        else:
            RosterMembershipFactory(roster=CircleFactory().roster, person=me)


@pytest.mark.parametrize("count", [1, MANY])
def test_circle_list_queries_constant(login, django_assert_num_queries, count):
    me = PersonFactory()
    _my_circles(me, count)
    # 1 count + 1 page (roster joined, role annotated); force_authenticate needs no session query.
    with django_assert_num_queries(2):
        response = login(me).get("/api/v1/circles/")
    assert len(response.json()["results"]) == count


def _coordinated_circle():
    circle = CircleFactory()
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    return circle, coordinator


# circle + roster role (membership, organisation) + count + page
MEMBER_QUERIES = 4


@pytest.mark.parametrize("count", [1, MANY])
def test_circle_members_queries_constant_for_coordinator(login, django_assert_num_queries, count):
    circle, coordinator = _coordinated_circle()
    for index in range(count - 1):
        status = MembershipStatus.PENDING if index % 3 == 0 else MembershipStatus.ACTIVE
        RosterMembershipFactory(roster=circle.roster, status=status)
    with django_assert_num_queries(MEMBER_QUERIES):
        response = login(coordinator).get(f"/api/v1/circles/{circle.pk}/members/")
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, MANY])
def test_circle_members_queries_constant_for_volunteer(login, django_assert_num_queries, count):
    circle = CircleFactory()
    volunteer = RosterMembershipFactory(roster=circle.roster).person
    for _ in range(count - 1):
        RosterMembershipFactory(roster=circle.roster)
    with django_assert_num_queries(MEMBER_QUERIES):
        response = login(volunteer).get(f"/api/v1/circles/{circle.pk}/members/")
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, MANY])
def test_circle_childcare_approvals_queries_constant(login, django_assert_num_queries, count):
    circle, coordinator = _coordinated_circle()
    for _ in range(count):
        person = RosterMembershipFactory(roster=circle.roster).person
        ChildcareApproval.objects.create(circle=circle, person=person, approved_by=coordinator)
    with django_assert_num_queries(MEMBER_QUERIES):
        response = login(coordinator).get(f"/api/v1/circles/{circle.pk}/childcare-approvals/")
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, MANY])
def test_circle_address_reads_queries_constant(login, django_assert_num_queries, count):
    circle, coordinator = _coordinated_circle()
    for _ in range(count):
        AddressRead.objects.create(circle=circle, person=PersonFactory(), via="api:circle")
    with django_assert_num_queries(MEMBER_QUERIES):
        response = login(coordinator).get(f"/api/v1/circles/{circle.pk}/address-reads/")
    assert len(response.json()["results"]) == count
