"""Care circles through the API: create, profile by role, pause/resume/close, members, trust."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import MembershipStatus, Role
from practical import services
from practical.models import AddressRead, ChildcareApproval, Circle, CircleStatusChange
from scheduling.models import Roster, RosterMembership
from tests.factories import (
    CircleFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterMembershipFactory,
    ShiftFactory,
    SignupFactory,
)
from village.api import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Argon2 is right for real people and far too slow for dozens of factory people per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def member(circle: Circle, role: str = Role.VOLUNTEER, status: str = MembershipStatus.ACTIVE, **kwargs):
    return RosterMembershipFactory(roster=circle.roster, role=role, status=status, **kwargs).person


def test_circle_create_makes_roster_and_coordinator(login):
    friend = PersonFactory(name="Ana")
    response = login(friend).post(
        "/api/v1/circles/",
        {
            "name": "The Garcías",
            "time_zone": "America/Chicago",
            "adults": 2,
            "children": [{"name": "Mia", "birth_date": "2026-11-01"}, {"age_years": 3}],
            "allergies": ["peanuts", "sesame", "peanuts"],
            "dietary_preferences": ["vegetarian"],
            "delivery_window_start": "17:00",
            "delivery_window_end": "18:30",
            "address": "4 Oak Lane",
            "phone": "+1 555 0199",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    circle = Circle.objects.select_related("roster").get()
    assert body["id"] == circle.pk
    assert body["my_role"] == "coordinator"
    assert body["time_zone"] == "America/Chicago"
    assert body["allergies"] == ["peanuts", "sesame"]
    assert body["children"] == [{"name": "Mia", "birth_date": "2026-11-01"}, {"age_years": 3}]
    assert body["children_count"] == 2
    assert body["address"] == "4 Oak Lane"
    assert body["delivery_window_start"] == "17:00:00"
    assert circle.created_by == friend
    assert (circle.roster.kind, circle.roster.time_zone, circle.roster.organisation_id) == (
        Roster.Kind.CIRCLE,
        "America/Chicago",
        None,
    )
    assert list(RosterMembership.objects.values_list("roster_id", "person_id", "role", "status")) == [
        (circle.roster_id, friend.pk, Role.COORDINATOR, MembershipStatus.ACTIVE)
    ]


def test_circle_create_time_zone_defaults_to_creators(login):
    parent = PersonFactory(time_zone="Europe/Madrid")
    response = login(parent).post("/api/v1/circles/", {"name": "Home"})
    assert response.status_code == 201
    assert response.json()["time_zone"] == "Europe/Madrid"


def test_circle_create_under_organisation_needs_its_coordinator(login):
    organisation = OrganisationFactory()
    coordinator = OrganisationMembershipFactory(organisation=organisation, role=Role.COORDINATOR).person
    volunteer = OrganisationMembershipFactory(organisation=organisation, role=Role.VOLUNTEER).person

    refused = login(volunteer).post("/api/v1/circles/", {"name": "X", "organisation": organisation.pk})
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["organisation"]
    assert Circle.objects.count() == 0
    assert Roster.objects.count() == 0

    missing = login(coordinator).post("/api/v1/circles/", {"name": "X", "organisation": 999999})
    assert missing.status_code == 400
    assert missing.json()["error"] == refused.json()["error"]

    created = login(coordinator).post("/api/v1/circles/", {"name": "X", "organisation": organisation.pk})
    assert created.status_code == 201
    circle = Circle.objects.select_related("roster").get()
    assert (circle.organisation_id, circle.roster.organisation_id) == (organisation.pk, organisation.pk)
    assert created.json()["organisation"] == organisation.pk


def test_circle_list_shows_only_my_circles_with_my_role(login):
    me = PersonFactory()
    organisation = OrganisationFactory()
    OrganisationMembershipFactory(organisation=organisation, person=me, role=Role.COORDINATOR)
    volunteering = CircleFactory(name="Volunteering")
    member(volunteering, person=me)
    coordinating = CircleFactory(name="Coordinating")
    member(coordinating, Role.COORDINATOR, person=me)
    via_organisation = CircleFactory(name="Org", organisation=organisation, roster__organisation=organisation)
    pending = CircleFactory(name="Pending")
    member(pending, status=MembershipStatus.PENDING, person=me)
    removed = CircleFactory(name="Removed")
    member(removed, status=MembershipStatus.REMOVED, person=me)
    CircleFactory(name="Someone else's")

    body = login(me).get("/api/v1/circles/").json()
    assert body["count"] == 3
    assert {(row["name"], row["my_role"]) for row in body["results"]} == {
        ("Volunteering", "volunteer"),
        ("Coordinating", "coordinator"),
        ("Org", "coordinator"),
    }
    assert set(body["results"][0]) == {"id", "name", "status", "time_zone", "organisation", "my_role"}
    assert via_organisation.pk in {row["id"] for row in body["results"]}


def test_circle_list_filters_by_status(login):
    me = PersonFactory()
    for state in ("active", "paused", "closed"):
        member(CircleFactory(name=state, status=state), person=me)
    client = login(me)
    assert [row["name"] for row in client.get("/api/v1/circles/?status=paused").json()["results"]] == [
        "paused"
    ]
    bad = client.get("/api/v1/circles/?status=sleeping")
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["status"]


def test_circle_list_is_paginated(login):
    me = PersonFactory()
    for _ in range(3):
        member(CircleFactory(), person=me)
    body = login(me).get("/api/v1/circles/?limit=2").json()
    assert (body["count"], len(body["results"]), body["next"] is not None) == (3, 2, True)


def test_circle_volunteer_sees_children_count_not_names(login):
    circle = CircleFactory(children=[{"name": "Mia", "age_years": 0}], adults=2, likes="soup")
    volunteer = member(circle)
    body = login(volunteer).get(f"/api/v1/circles/{circle.pk}/").json()
    assert body["children_count"] == 1
    assert "children" not in body
    assert "address" not in body
    assert "phone" not in body
    assert (body["adults"], body["likes"], body["my_role"]) == (2, "soup", "volunteer")
    assert AddressRead.objects.count() == 0


def test_circle_volunteer_near_commitment_sees_address_and_read_is_recorded(login):
    circle = CircleFactory()
    volunteer = member(circle)
    shift = ShiftFactory(roster=circle.roster, starts_at=timezone.now() + timedelta(hours=1))
    SignupFactory(shift=shift, person=volunteer)
    body = login(volunteer).get(f"/api/v1/circles/{circle.pk}/").json()
    assert (body["address"], body["phone"]) == ("12 Elm Street, Springfield", "+1 555 0100")
    assert list(AddressRead.objects.values_list("circle_id", "person_id", "via")) == [
        (circle.pk, volunteer.pk, "api:circle")
    ]


def test_circle_coordinator_reading_address_is_not_recorded(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    body = login(coordinator).get(f"/api/v1/circles/{circle.pk}/").json()
    assert body["address"] == "12 Elm Street, Springfield"
    assert AddressRead.objects.count() == 0


def test_circle_address_reads_show_who_looked(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    volunteer = member(circle, person=PersonFactory(name="Bea"))
    shift = ShiftFactory(roster=circle.roster, starts_at=timezone.now() + timedelta(hours=5))
    SignupFactory(shift=shift, person=volunteer)
    login(volunteer).get(f"/api/v1/circles/{circle.pk}/")
    login(volunteer).get(f"/api/v1/circles/{circle.pk}/")
    body = login(coordinator).get(f"/api/v1/circles/{circle.pk}/address-reads/").json()
    assert body["count"] == 2
    assert [(row["person_id"], row["name"], row["via"]) for row in body["results"]] == [
        (volunteer.pk, "Bea", "api:circle"),
        (volunteer.pk, "Bea", "api:circle"),
    ]
    since = (timezone.now() + timedelta(minutes=1)).isoformat()
    later = login(coordinator).get(f"/api/v1/circles/{circle.pk}/address-reads/", {"since": since})
    assert later.json()["count"] == 0


def test_circle_address_reads_refuse_naive_since(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    response = login(coordinator).get(
        f"/api/v1/circles/{circle.pk}/address-reads/", {"since": "2026-11-20T10:00:00"}
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["since"]


def test_circle_patch_updates_profile_and_roster(login):
    circle = CircleFactory(delivery_window_start="17:00", delivery_window_end="19:00")
    coordinator = member(circle, Role.COORDINATOR)
    response = login(coordinator).patch(
        f"/api/v1/circles/{circle.pk}/",
        {"name": "New name", "time_zone": "Europe/London", "delivery_window_end": "18:00", "pets": "a cat"},
    )
    assert response.status_code == 200, response.json()
    circle.refresh_from_db()
    circle.roster.refresh_from_db()
    assert (circle.name, circle.roster.name, circle.roster.time_zone, circle.pets) == (
        "New name",
        "New name",
        "Europe/London",
        "a cat",
    )
    assert str(circle.delivery_window_end) == "18:00:00"
    assert response.json()["time_zone"] == "Europe/London"


def test_circle_patch_by_volunteer_is_forbidden(login):
    circle = CircleFactory(name="Kept")
    volunteer = member(circle)
    response = login(volunteer).patch(f"/api/v1/circles/{circle.pk}/", {"name": "Changed"})
    assert response.status_code == 403
    circle.refresh_from_db()
    assert circle.name == "Kept"


def test_circle_patch_status_goes_through_transition_rules(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    client = login(coordinator)
    assert client.patch(f"/api/v1/circles/{circle.pk}/", {"status": "closed"}).json()["status"] == "closed"
    again = client.patch(f"/api/v1/circles/{circle.pk}/", {"status": "active"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "circle_status_conflict"


def test_circle_pause_resume_close_record_each_change(login, monkeypatch):
    paused: list[int] = []
    monkeypatch.setattr("practical.notify.circle_paused", lambda circle: paused.append(circle.pk))
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    client = login(coordinator)

    assert client.post(f"/api/v1/circles/{circle.pk}/pause/").json()["status"] == "paused"
    assert client.post(f"/api/v1/circles/{circle.pk}/pause/").json()["status"] == "paused"  # no-op
    assert client.post(f"/api/v1/circles/{circle.pk}/resume/").json()["status"] == "active"
    assert client.post(f"/api/v1/circles/{circle.pk}/close/").json()["status"] == "closed"
    refused = client.post(f"/api/v1/circles/{circle.pk}/resume/")
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "This circle is closed; it cannot be made active."

    assert paused == [circle.pk]
    assert list(
        CircleStatusChange.objects.order_by("pk").values_list("from_status", "to_status", "changed_by")
    ) == [
        ("active", "paused", coordinator.pk),
        ("paused", "active", coordinator.pk),
        ("active", "closed", coordinator.pk),
    ]


def test_circle_pause_keeps_commitments(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    signup = SignupFactory(shift=ShiftFactory(roster=circle.roster), person=member(circle))
    login(coordinator).post(f"/api/v1/circles/{circle.pk}/pause/")
    signup.refresh_from_db()
    assert signup.status == "confirmed"


def test_circle_members_by_role(login):
    circle = CircleFactory()
    coordinator = member(
        circle, Role.COORDINATOR, person=PersonFactory(name="Cora", email="cora@example.org")
    )
    volunteer = member(circle, person=PersonFactory(name="Vic", email="vic@example.org"))
    member(circle, status=MembershipStatus.PENDING, person=PersonFactory(name="Pat", email="pat@example.org"))

    seen_by_coordinator = login(coordinator).get(f"/api/v1/circles/{circle.pk}/members/").json()
    assert [(r["name"], r["email"], r["role"], r["status"]) for r in seen_by_coordinator["results"]] == [
        ("Cora", "cora@example.org", "coordinator", "active"),
        ("Pat", "pat@example.org", "volunteer", "pending"),
        ("Vic", "vic@example.org", "volunteer", "active"),
    ]
    seen_by_volunteer = login(volunteer).get(f"/api/v1/circles/{circle.pk}/members/").json()
    assert seen_by_volunteer["results"] == [
        {"name": "Cora", "role": "coordinator"},
        {"name": "Vic", "role": "volunteer"},
    ]
    pending_only = login(coordinator).get(f"/api/v1/circles/{circle.pk}/members/?status=pending").json()
    assert [r["name"] for r in pending_only["results"]] == ["Pat"]


def test_circle_member_approve_promote_remove(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    waiting = member(circle, status=MembershipStatus.PENDING)
    client = login(coordinator)
    url = f"/api/v1/circles/{circle.pk}/members/{waiting.pk}/"

    approved = client.patch(url, {"status": "active"})
    assert (approved.status_code, approved.json()["status"]) == (200, "active")
    promoted = client.patch(url, {"role": "coordinator"})
    assert promoted.json()["role"] == "coordinator"
    assert client.delete(url).status_code == 204
    membership = RosterMembership.objects.get(roster=circle.roster, person=waiting)
    assert (membership.role, membership.status) == ("coordinator", "removed")
    assert client.get(f"/api/v1/circles/{circle.pk}/").status_code == 200
    assert login(waiting).get(f"/api/v1/circles/{circle.pk}/").status_code == 404


def test_circle_member_last_coordinator_cannot_leave(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    client = login(coordinator)
    url = f"/api/v1/circles/{circle.pk}/members/{coordinator.pk}/"
    assert client.delete(url).status_code == 409
    demote = client.patch(url, {"role": "volunteer"})
    assert (demote.status_code, demote.json()["error"]["code"]) == (409, "last_coordinator")
    membership = RosterMembership.objects.get(roster=circle.roster, person=coordinator)
    assert (membership.role, membership.status) == ("coordinator", "active")


def test_circle_member_unknown_person_is_404(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    stranger = PersonFactory()
    response = login(coordinator).patch(
        f"/api/v1/circles/{circle.pk}/members/{stranger.pk}/", {"role": "coordinator"}
    )
    assert response.status_code == 404


def test_circle_member_patch_needs_a_change(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    volunteer = member(circle)
    url = f"/api/v1/circles/{circle.pk}/members/{volunteer.pk}/"
    assert login(coordinator).patch(url, {}).status_code == 400
    back_to_waiting = login(coordinator).patch(url, {"status": "pending"})
    assert back_to_waiting.status_code == 400
    assert list(back_to_waiting.json()["error"]["fields"]) == ["status"]


def test_circle_childcare_approvals(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR, person=PersonFactory(name="Cora"))
    volunteer = member(circle, person=PersonFactory(name="Vic"))
    outsider = PersonFactory()
    client = login(coordinator)
    url = f"/api/v1/circles/{circle.pk}/childcare-approvals/"

    created = client.post(url, {"person": volunteer.pk})
    assert created.status_code == 201
    assert {k: v for k, v in created.json().items() if k != "approved_at"} == {
        "person_id": volunteer.pk,
        "name": "Vic",
        "approved_by": "Cora",
    }
    assert client.post(url, {"person": volunteer.pk}).status_code == 200
    refused = client.post(url, {"person": outsider.pk})
    assert (refused.status_code, list(refused.json()["error"]["fields"])) == (400, ["person"])
    assert [row["person_id"] for row in client.get(url).json()["results"]] == [volunteer.pk]

    assert client.delete(f"{url}{volunteer.pk}/").status_code == 204
    assert ChildcareApproval.objects.count() == 0
    assert client.delete(f"{url}{volunteer.pk}/").status_code == 404


def test_circle_status_change_loses_to_a_change_it_did_not_see(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    seen_by_first = Circle.objects.get(pk=circle.pk)
    seen_by_second = Circle.objects.get(pk=circle.pk)  # both read "active"
    services.circle_pause(circle=seen_by_first, actor=coordinator)
    with pytest.raises(Conflict) as refused:
        services.circle_close(circle=seen_by_second, actor=coordinator)
    assert refused.value.code == "stale"
    circle.refresh_from_db()
    assert circle.status == "paused"
    assert list(CircleStatusChange.objects.values_list("from_status", "to_status")) == [("active", "paused")]


def test_circle_create_is_all_or_nothing(login, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(RosterMembership.objects, "create", fail)
    with pytest.raises(RuntimeError):
        services.circle_create(created_by=PersonFactory(), name="Home", time_zone="UTC")
    assert (Circle.objects.count(), Roster.objects.count()) == (0, 0)


def test_circle_create_keeps_children_given_as_dates_or_strings():
    circle = services.circle_create(
        created_by=PersonFactory(),
        name="Home",
        time_zone="UTC",
        children=[{"name": "Mia", "birth_date": date(2026, 11, 1)}, {"birth_date": "2025-01-02"}],
    )
    circle.refresh_from_db()
    assert circle.children == [{"name": "Mia", "birth_date": "2026-11-01"}, {"birth_date": "2025-01-02"}]


def test_circle_member_removed_loses_childcare_approval(login):
    circle = CircleFactory()
    coordinator = member(circle, Role.COORDINATOR)
    volunteer = member(circle)
    kept = member(circle)
    for person in (volunteer, kept):
        ChildcareApproval.objects.create(circle=circle, person=person, approved_by=coordinator)
    assert (
        login(coordinator).delete(f"/api/v1/circles/{circle.pk}/members/{volunteer.pk}/").status_code == 204
    )
    assert list(ChildcareApproval.objects.values_list("person_id", flat=True)) == [kept.pk]
