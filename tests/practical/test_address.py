"""The address rule: who may see a family's address and phone, and exactly when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import MembershipStatus, Role
from practical.selectors import address_visible_to
from scheduling.models import Shift, Signup
from tests.factories import (
    CircleFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterMembershipFactory,
    ShiftFactory,
    SignupFactory,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Argon2 is right for real people and far too slow for dozens of factory people per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ADDRESS_VISIBLE_BEFORE = timedelta(hours=48)


def volunteer_with_signup(circle, *, status=Signup.Status.CONFIRMED, shift_status=Shift.Status.SCHEDULED):
    volunteer = RosterMembershipFactory(roster=circle.roster).person
    shift = ShiftFactory(roster=circle.roster, starts_at=START, ends_at=END, status=shift_status)
    SignupFactory(shift=shift, person=volunteer, status=status)
    return volunteer


@pytest.mark.parametrize(
    ("at", "visible"),
    [
        (START - timedelta(hours=48, seconds=1), False),
        (START - timedelta(hours=48), True),
        (START - timedelta(hours=1), True),
        (START + timedelta(hours=1), True),
        (END, True),
        (END + timedelta(seconds=1), False),
    ],
    ids=["just-too-early", "window-opens", "an-hour-before", "during", "at-the-end", "after"],
)
def test_address_visible_to_volunteer_only_around_commitment(at, visible):
    circle = CircleFactory()
    volunteer = volunteer_with_signup(circle)
    assert address_visible_to(circle=circle, person=volunteer, at=at) is visible


def test_address_visible_to_follows_the_setting(settings):
    settings.ADDRESS_VISIBLE_BEFORE = timedelta(hours=2)
    circle = CircleFactory()
    volunteer = volunteer_with_signup(circle)
    assert address_visible_to(circle=circle, person=volunteer, at=START - timedelta(hours=3)) is False
    assert address_visible_to(circle=circle, person=volunteer, at=START - timedelta(hours=2)) is True


@pytest.mark.parametrize(
    "status",
    [Signup.Status.WAITLISTED, Signup.Status.OFFERED, Signup.Status.CANCELLED, Signup.Status.NO_SHOW],
)
def test_address_visible_to_needs_a_confirmed_signup(status):
    circle = CircleFactory()
    volunteer = volunteer_with_signup(circle, status=status)
    assert address_visible_to(circle=circle, person=volunteer, at=START) is False


def test_address_visible_to_ignores_cancelled_shift():
    circle = CircleFactory()
    volunteer = volunteer_with_signup(circle, shift_status=Shift.Status.CANCELLED)
    assert address_visible_to(circle=circle, person=volunteer, at=START) is False


def test_address_visible_to_ignores_commitment_in_another_circle():
    circle, other = CircleFactory(), CircleFactory()
    volunteer = volunteer_with_signup(other)
    RosterMembershipFactory(roster=circle.roster, person=volunteer)
    assert address_visible_to(circle=other, person=volunteer, at=START) is True
    assert address_visible_to(circle=circle, person=volunteer, at=START) is False


def test_address_visible_to_coordinators_always():
    organisation = OrganisationFactory()
    circle = CircleFactory(organisation=organisation, roster__organisation=organisation)
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    org_coordinator = OrganisationMembershipFactory(organisation=organisation, role=Role.COORDINATOR).person
    assert address_visible_to(circle=circle, person=coordinator) is True
    assert address_visible_to(circle=circle, person=org_coordinator) is True


def test_address_visible_to_nobody_without_a_role_even_holding_a_signup():
    organisation = OrganisationFactory()
    circle = CircleFactory(organisation=organisation, roster__organisation=organisation)
    shift = ShiftFactory(roster=circle.roster, starts_at=START, ends_at=END)
    removed = RosterMembershipFactory(roster=circle.roster, status=MembershipStatus.REMOVED).person
    pending = RosterMembershipFactory(roster=circle.roster, status=MembershipStatus.PENDING).person
    org_volunteer = OrganisationMembershipFactory(organisation=organisation, role=Role.VOLUNTEER).person
    stranger = PersonFactory()
    for person in (removed, pending, org_volunteer, stranger):
        SignupFactory(shift=shift, person=person)
        assert address_visible_to(circle=circle, person=person, at=START) is False
    assert address_visible_to(circle=circle, person=AnonymousUser(), at=START) is False


def test_address_visible_to_refuses_naive_time():
    circle = CircleFactory()
    volunteer = volunteer_with_signup(circle)
    with pytest.raises(ValueError, match="aware"):
        address_visible_to(circle=circle, person=volunteer, at=START.replace(tzinfo=None))
