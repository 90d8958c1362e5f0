from __future__ import annotations

import pytest

from accounts.models import MembershipStatus, OrganisationMembership, Role
from tests.accounts.factories import member
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_organisation_create_makes_creator_active_coordinator(login):
    person = PersonFactory()

    response = login(person).post(
        "/api/v1/organisations/", {"name": " Meals on Elm ", "time_zone": "America/Chicago"}
    )

    assert response.status_code == 201
    membership = OrganisationMembership.objects.get()
    assert (membership.person, membership.role, membership.status) == (person, "coordinator", "active")
    assert response.json() == {
        "id": membership.organisation_id,
        "name": "Meals on Elm",
        "time_zone": "America/Chicago",
        "created_at": response.json()["created_at"],
        "role": "coordinator",
        "status": "active",
    }


def test_organisation_list_shows_only_mine_with_my_role(login):
    person = PersonFactory()
    mine = OrganisationFactory(name="B Helpers")
    pending = OrganisationFactory(name="A Meals")
    gone = OrganisationFactory(name="C Gone")
    OrganisationFactory(name="Not mine")
    member_of = {
        mine: ("volunteer", "active"),
        pending: ("volunteer", "pending"),
        gone: ("coordinator", "removed"),
    }
    for organisation, (role, status) in member_of.items():
        OrganisationMembership.objects.create(
            organisation=organisation, person=person, role=role, status=status
        )

    response = login(person).get("/api/v1/organisations/")

    assert response.json()["count"] == 2
    assert [(o["name"], o["role"], o["status"]) for o in response.json()["results"]] == [
        ("A Meals", "volunteer", "pending"),
        ("B Helpers", "volunteer", "active"),
    ]


def test_organisation_list_filters_by_role_and_status(login):
    person = PersonFactory()
    coordinating = OrganisationFactory(name="A Coordinated")
    helping = OrganisationFactory(name="B Helped")
    waiting = OrganisationFactory(name="C Waiting")
    for organisation, role, status in [
        (coordinating, Role.COORDINATOR, MembershipStatus.ACTIVE),
        (helping, Role.VOLUNTEER, MembershipStatus.ACTIVE),
        (waiting, Role.VOLUNTEER, MembershipStatus.PENDING),
    ]:
        OrganisationMembership.objects.create(
            organisation=organisation, person=person, role=role, status=status
        )
    client = login(person)

    def names(**params: str) -> list[str]:
        response = client.get("/api/v1/organisations/", params)
        assert response.status_code == 200, response.json()
        return [o["name"] for o in response.json()["results"]]

    assert names() == ["A Coordinated", "B Helped", "C Waiting"]
    assert names(role="coordinator") == ["A Coordinated"]
    assert names(role="volunteer", status="active") == ["B Helped"]
    assert names(status="pending") == ["C Waiting"]


@pytest.mark.parametrize(("params", "field"), [({"role": "boss"}, "role"), ({"status": "removed"}, "status")])
def test_organisation_list_refuses_a_bad_filter_naming_it(login, params, field):
    response = login(PersonFactory()).get("/api/v1/organisations/", params)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_organisation_list_filters_are_documented_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="accounts.urls").get_schema(request=None, public=True)
    parameters = schema["paths"]["/organisations/"]["get"]["parameters"]

    assert {p["name"]: p["schema"].get("enum") for p in parameters} == {
        "role": ["coordinator", "volunteer"],
        "status": ["active", "pending"],
        "limit": None,
        "offset": None,
    }


def test_organisation_update_by_coordinator(login):
    organisation = OrganisationFactory(name="Old")
    coordinator = member(organisation, role=Role.COORDINATOR)

    response = login(coordinator).patch(
        f"/api/v1/organisations/{organisation.pk}/", {"name": "New", "time_zone": "Europe/Madrid"}
    )

    assert response.status_code == 200
    organisation.refresh_from_db()
    assert (organisation.name, organisation.time_zone) == ("New", "Europe/Madrid")


def test_organisation_update_refuses_bad_zone(login):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR)

    response = login(coordinator).patch(f"/api/v1/organisations/{organisation.pk}/", {"time_zone": "Nowhere"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["time_zone"]


def test_members_list_for_coordinator_hides_removed(login):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR, name="Alma")
    volunteer = member(organisation, name="Ben", email="ben@example.org")
    member(organisation, name="Cleo", status=MembershipStatus.REMOVED)
    member(OrganisationFactory(), name="Elsewhere")

    response = login(coordinator).get(f"/api/v1/organisations/{organisation.pk}/members/")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert response.json()["results"][1] == {
        "person": {"id": volunteer.pk, "name": "Ben", "email": "ben@example.org"},
        "role": "volunteer",
        "status": "active",
        "created_at": response.json()["results"][1]["created_at"],
    }
    assert [m["person"]["name"] for m in response.json()["results"]] == ["Alma", "Ben"]


def test_members_list_filters_by_status(login):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR)
    member(organisation, name="Pat", status=MembershipStatus.PENDING)
    member(organisation, name="Rem", status=MembershipStatus.REMOVED)
    client = login(coordinator)

    pending = client.get(f"/api/v1/organisations/{organisation.pk}/members/?status=pending").json()
    removed = client.get(f"/api/v1/organisations/{organisation.pk}/members/?status=removed").json()

    assert [m["person"]["name"] for m in pending["results"]] == ["Pat"]
    assert [m["person"]["name"] for m in removed["results"]] == ["Rem"]


def test_member_approve_pending(login):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR)
    waiting = member(organisation, status=MembershipStatus.PENDING)

    response = login(coordinator).patch(
        f"/api/v1/organisations/{organisation.pk}/members/{waiting.pk}/", {"status": "active"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert OrganisationMembership.objects.get(person=waiting).status == "active"


def test_member_promote_to_coordinator(login):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR)
    volunteer = member(organisation)

    response = login(coordinator).patch(
        f"/api/v1/organisations/{organisation.pk}/members/{volunteer.pk}/", {"role": "coordinator"}
    )

    assert response.status_code == 200
    assert OrganisationMembership.objects.get(person=volunteer).role == "coordinator"


@pytest.mark.parametrize("body", [{"status": "removed"}, {"status": "pending"}, {}])
def test_member_update_refuses_other_statuses(login, body):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR)
    volunteer = member(organisation)

    response = login(coordinator).patch(
        f"/api/v1/organisations/{organisation.pk}/members/{volunteer.pk}/", body
    )

    assert response.status_code == 400
    assert OrganisationMembership.objects.get(person=volunteer).status == "active"


def test_member_remove(login):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR)
    volunteer = member(organisation)

    response = login(coordinator).delete(f"/api/v1/organisations/{organisation.pk}/members/{volunteer.pk}/")

    assert response.status_code == 204
    assert OrganisationMembership.objects.get(person=volunteer).status == "removed"
    assert login(volunteer).get(f"/api/v1/organisations/{organisation.pk}/").status_code == 404


def test_member_remove_unknown_person_is_404(login):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR)
    outsider = PersonFactory()

    response = login(coordinator).delete(f"/api/v1/organisations/{organisation.pk}/members/{outsider.pk}/")

    assert response.status_code == 404


@pytest.mark.parametrize(("method", "body"), [("delete", None), ("patch", {"role": "volunteer"})])
def test_last_coordinator_cannot_step_down(login, method, body):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR)

    response = getattr(login(coordinator), method)(
        f"/api/v1/organisations/{organisation.pk}/members/{coordinator.pk}/", body
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "last_coordinator"
    assert OrganisationMembership.objects.get(person=coordinator).role == "coordinator"


def test_coordinator_may_step_down_when_another_remains(login):
    organisation = OrganisationFactory()
    first = member(organisation, role=Role.COORDINATOR)
    member(organisation, role=Role.COORDINATOR)

    response = login(first).patch(
        f"/api/v1/organisations/{organisation.pk}/members/{first.pk}/", {"role": "volunteer"}
    )

    assert response.status_code == 200
    assert OrganisationMembership.objects.get(person=first).role == "volunteer"


@pytest.mark.parametrize("count", [1, 50])
def test_organisation_list_query_count_is_constant(login, django_assert_num_queries, count):
    person = PersonFactory()
    for _ in range(count):
        OrganisationMembership.objects.create(organisation=OrganisationFactory(), person=person)
    client = login(person)

    # count + page of memberships joined to organisations
    with django_assert_num_queries(2):
        response = client.get("/api/v1/organisations/")

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_members_list_query_count_is_constant(login, django_assert_num_queries, count):
    organisation = OrganisationFactory()
    coordinator = member(organisation, role=Role.COORDINATOR)
    for _ in range(count - 1):  # the coordinator is one of the members listed
        member(organisation)
    client = login(coordinator)

    # the caller's membership + count + page joined to people
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/organisations/{organisation.pk}/members/")

    assert len(response.json()["results"]) == count
