"""Factories and small builders for the rosters tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

import factory
from django.utils import timezone

from accounts.models import Organisation, Person, Role
from rosters.models import AvailabilityWindow, ShiftTemplate, VolunteerLimits
from scheduling.models import PersonQualification, Qualification, Roster
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, PersonFactory, RosterFactory


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"qual-{n}")
    name = factory.Sequence(lambda n: f"Qualification {n}")


class PersonQualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonQualification

    person = factory.SubFactory(PersonFactory)
    qualification = factory.SubFactory(QualificationFactory)


class ShiftTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftTemplate

    roster = factory.SubFactory(RosterFactory)
    title = factory.Sequence(lambda n: f"Helpline {n}")
    weekdays = factory.LazyFunction(lambda: [0, 1, 2, 3, 4])
    start_time = time(18, 0)
    duration = timedelta(hours=3)
    capacity = 2


class AvailabilityWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityWindow


class VolunteerLimitsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerLimits


@dataclass
class Org:
    organisation: Organisation
    roster: Roster
    coordinator: Person
    volunteers: list[Person] = field(default_factory=list)


def org_with_roster(*, volunteers: int = 2, time_zone: str = "America/New_York") -> Org:
    """An organisation with a duty roster, one coordinator and some volunteers (organisation members)."""
    organisation = OrganisationFactory(time_zone=time_zone)
    roster = RosterFactory(organisation=organisation, kind=Roster.Kind.DUTY, time_zone=time_zone)
    coordinator = PersonFactory(name="Coordinator", time_zone=time_zone)
    OrganisationMembershipFactory(organisation=organisation, person=coordinator, role=Role.COORDINATOR)
    people = []
    for _ in range(volunteers):
        person = PersonFactory(time_zone=time_zone)
        OrganisationMembershipFactory(organisation=organisation, person=person, role=Role.VOLUNTEER)
        people.append(person)
    return Org(organisation, roster, coordinator, people)


def next_monday(*, weeks_ahead: int = 1) -> date:
    today = timezone.now().date()
    return today + timedelta(days=(7 - today.weekday()) + 7 * (weeks_ahead - 1))
