"""GET me/gaps/: a coordinator's open places across every roster and circle they run."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import MembershipStatus, Role
from scheduling.models import Roster, Shift
from scheduling.services import signup_claim
from tests.factories import (
    CircleFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterFactory,
    RosterMembershipFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db


def in_days(days: float) -> timezone.datetime:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0)


@pytest.fixture
def world():
    """An organisation with a duty roster and a circle; a family's own circle outside it."""
    organisation = OrganisationFactory()
    org_coordinator = PersonFactory(name="Rosa")
    OrganisationMembershipFactory(organisation=organisation, person=org_coordinator, role=Role.COORDINATOR)
    volunteer = PersonFactory(name="Ana")
    OrganisationMembershipFactory(organisation=organisation, person=volunteer, role=Role.VOLUNTEER)
    helpline = RosterFactory(organisation=organisation, name="Helpline", time_zone="America/Chicago")
    looked_after = CircleFactory(
        organisation=organisation, roster__organisation=organisation, roster__name="The Garcia family"
    )
    family = PersonFactory(name="Lucía")
    own = CircleFactory(roster__name="The Lee family")
    RosterMembershipFactory(roster=own.roster, person=family, role=Role.COORDINATOR)
    RosterMembershipFactory(roster=own.roster, person=volunteer, role=Role.VOLUNTEER)
    return {
        "organisation": organisation,
        "org_coordinator": org_coordinator,
        "volunteer": volunteer,
        "family": family,
        "helpline": helpline,
        "looked_after": looked_after,
        "own": own,
    }


def shift_ids(response) -> list[int]:
    return [row["shift"] for row in response.json()["results"]]


def test_gaps_lists_open_places_across_rosters_and_circles_soonest_first(login, world):
    later = ShiftFactory(roster=world["helpline"], title="Helpline", starts_at=in_days(3), capacity=2)
    sooner = ShiftFactory(
        roster=world["looked_after"].roster, title="Dinner", starts_at=in_days(1), capacity=1
    )
    signup_claim(shift=later, person=world["volunteer"])

    response = login(world["org_coordinator"]).get("/api/v1/me/gaps/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [
        (r["shift"], r["roster_kind"], r["roster_name"], r["capacity"], r["filled"], r["needed"])
        for r in rows
    ] == [
        (sooner.pk, "circle", "The Garcia family", 1, 0, 1),
        (later.pk, "duty", "Helpline", 2, 1, 1),
    ]
    assert (rows[0]["circle"], rows[1]["circle"]) == (world["looked_after"].pk, None)
    assert (rows[1]["time_zone"], rows[1]["starts_at"]) == (
        "America/Chicago",
        later.starts_at.astimezone(ZoneInfo("America/Chicago")).isoformat(),
    )


def test_gaps_leaves_out_full_cancelled_started_and_too_far_shifts(login, world):
    roster = world["helpline"]
    kept = ShiftFactory(roster=roster, starts_at=in_days(6), capacity=1)
    full = ShiftFactory(roster=roster, starts_at=in_days(2), capacity=1)
    signup_claim(shift=full, person=world["volunteer"])
    ShiftFactory(roster=roster, starts_at=in_days(2), status=Shift.Status.CANCELLED)
    ShiftFactory(roster=roster, starts_at=in_days(-0.01), ends_at=in_days(0.1))
    ShiftFactory(roster=roster, starts_at=in_days(8))
    flexible = ShiftFactory(roster=roster, starts_at=in_days(-1), ends_at=in_days(2), is_flexible=True)

    response = login(world["org_coordinator"]).get("/api/v1/me/gaps/")

    assert shift_ids(response) == [flexible.pk, kept.pk]


def test_gaps_days_widens_the_window(login, world):
    near = ShiftFactory(roster=world["helpline"], starts_at=in_days(2))
    far = ShiftFactory(roster=world["helpline"], starts_at=in_days(20))
    client = login(world["org_coordinator"])

    assert shift_ids(client.get("/api/v1/me/gaps/", {"days": 1})) == []
    assert shift_ids(client.get("/api/v1/me/gaps/", {"days": 31})) == [near.pk, far.pk]


@pytest.mark.parametrize("days", ["0", "32", "a week", "-3"])
def test_gaps_refuses_days_out_of_bounds_with_a_clear_400(login, world, days):
    response = login(world["org_coordinator"]).get("/api/v1/me/gaps/", {"days": days})

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"], list(error["fields"])) == (
        "invalid",
        "Give days as a whole number from 1 to 31.",
        ["days"],
    )


def test_gaps_shows_a_volunteer_or_stranger_nothing_of_rosters_they_do_not_coordinate(login, world):
    ShiftFactory(roster=world["helpline"], starts_at=in_days(1))
    ShiftFactory(roster=world["looked_after"].roster, starts_at=in_days(1))
    ShiftFactory(roster=world["own"].roster, starts_at=in_days(1))
    stranger = PersonFactory()

    for person in (world["volunteer"], stranger):
        response = login(person).get("/api/v1/me/gaps/")
        assert (response.status_code, response.json()["count"]) == (200, 0)


def test_gaps_never_shows_a_circle_the_coordinator_is_not_in(login, world):
    # The organisation's coordinator runs the circle it looks after, not a family's own circle.
    looked_after = ShiftFactory(roster=world["looked_after"].roster, starts_at=in_days(1))
    own = ShiftFactory(roster=world["own"].roster, starts_at=in_days(2))

    assert shift_ids(login(world["org_coordinator"]).get("/api/v1/me/gaps/")) == [looked_after.pk]
    assert shift_ids(login(world["family"]).get("/api/v1/me/gaps/")) == [own.pk]


def test_gaps_ignores_a_pending_or_volunteer_membership(login, world):
    ShiftFactory(roster=world["helpline"], starts_at=in_days(1))
    pending = PersonFactory()
    OrganisationMembershipFactory(
        organisation=world["organisation"],
        person=pending,
        role=Role.COORDINATOR,
        status=MembershipStatus.PENDING,
    )
    member_volunteer = PersonFactory()
    RosterMembershipFactory(roster=world["helpline"], person=member_volunteer, role=Role.VOLUNTEER)

    for person in (pending, member_volunteer):
        assert login(person).get("/api/v1/me/gaps/").json()["count"] == 0


def test_gaps_counts_a_roster_coordinated_by_membership_alone(login):
    roster = RosterFactory(kind=Roster.Kind.DUTY, organisation=None)
    coordinator = RosterMembershipFactory(roster=roster, role=Role.COORDINATOR).person
    shift = ShiftFactory(roster=roster, starts_at=in_days(1))

    assert shift_ids(login(coordinator).get("/api/v1/me/gaps/")) == [shift.pk]


def test_gaps_needs_a_login(world):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/me/gaps/").status_code == 403
