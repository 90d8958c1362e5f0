"""Helpers for the help-request tests: a circle with people in every role, requests made the real way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Person, Role
from practical.help import services
from practical.models import Circle, HelpRequest
from scheduling.models import Roster
from tests.factories import (
    CircleFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterFactory,
    RosterMembershipFactory,
)

MEAL_DETAILS = {
    "servings": 4,
    "delivery_window_start": "17:00",
    "delivery_window_end": "18:30",
    "containers_to_return": True,
    "notes": "Leave it on the porch bench.",
}


@dataclass
class People:
    circle: Circle
    coordinator: Person
    volunteer: Person
    stranger: Person
    org_coordinator: Person
    org_volunteer: Person


def circle_with_people(**circle_fields: Any) -> People:
    """A circle of an organisation, with a family coordinator, an invited volunteer, a stranger,
    the organisation's coordinator and an organisation volunteer who was not invited."""
    organisation = OrganisationFactory()
    roster = RosterFactory(kind=Roster.Kind.CIRCLE, organisation=organisation, time_zone="America/New_York")
    circle = CircleFactory(roster=roster, organisation=organisation, **circle_fields)
    coordinator = PersonFactory(name="Maria Lopez")
    volunteer = PersonFactory(name="Ana Smith")
    RosterMembershipFactory(roster=roster, person=coordinator, role=Role.COORDINATOR)
    RosterMembershipFactory(roster=roster, person=volunteer, role=Role.VOLUNTEER)
    org_coordinator = OrganisationMembershipFactory(organisation=organisation, role=Role.COORDINATOR).person
    org_volunteer = OrganisationMembershipFactory(organisation=organisation, role=Role.VOLUNTEER).person
    return People(
        circle=circle,
        coordinator=coordinator,
        volunteer=volunteer,
        stranger=PersonFactory(),
        org_coordinator=org_coordinator,
        org_volunteer=org_volunteer,
    )


def add_volunteer(circle: Circle, name: str = "Ben Jones") -> Person:
    person = PersonFactory(name=name)
    RosterMembershipFactory(roster=circle.roster, person=person, role=Role.VOLUNTEER)
    return person


def make_request(
    people: People,
    *,
    kind: str = HelpRequest.Kind.MEAL,
    starts_at: datetime | None = None,
    capacity: int = 1,
    details: dict[str, Any] | None = None,
    title: str = "Dinner",
) -> HelpRequest:
    """A request created through the service, as the family's coordinator would."""
    starts_at = starts_at or timezone.now() + timedelta(days=3)
    if details is None:
        details = dict(MEAL_DETAILS) if kind == HelpRequest.Kind.MEAL else {}
    from practical.help.details import validate_details

    return services.help_request_create(
        circle=people.circle,
        actor=people.coordinator,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        capacity=capacity,
        details=validate_details(kind=kind, details=details),
    )


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    """Factory people get a password; Argon2 per person made these tests crawl on 2 shared cores."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
