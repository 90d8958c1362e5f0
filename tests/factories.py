"""factory_boy factories for every model tests need; each app's tests extend from here."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import MembershipStatus, Organisation, OrganisationMembership, Person, Role
from practical.models import Circle, HelpRequest
from scheduling.models import Roster, RosterMembership, Shift, Signup

PASSWORD = "correct horse battery staple"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    time_zone = "America/New_York"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory)
    role = Role.VOLUNTEER
    status = MembershipStatus.ACTIVE


class RosterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roster

    name = factory.Sequence(lambda n: f"Roster {n}")
    kind = Roster.Kind.DUTY
    time_zone = "America/New_York"


class RosterMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterMembership

    roster = factory.SubFactory(RosterFactory)
    person = factory.SubFactory(PersonFactory)
    role = Role.VOLUNTEER
    status = MembershipStatus.ACTIVE


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    roster = factory.SubFactory(RosterFactory)
    title = factory.Sequence(lambda n: f"Shift {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 2


class SignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signup

    shift = factory.SubFactory(ShiftFactory)
    person = factory.SubFactory(PersonFactory)
    status = Signup.Status.CONFIRMED


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Circle

    roster = factory.SubFactory(RosterFactory, kind=Roster.Kind.CIRCLE)
    name = factory.Sequence(lambda n: f"Family {n}")
    address = "12 Elm Street, Springfield"
    phone = "+1 555 0100"
    allergies = factory.LazyFunction(lambda: ["peanuts"])


class HelpRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HelpRequest

    circle = factory.SubFactory(CircleFactory)
    shift = factory.LazyAttribute(lambda o: ShiftFactory(roster=o.circle.roster, title="Dinner"))
    kind = HelpRequest.Kind.MEAL
