"""Factories for the scheduling engine's own models (shared ones live in tests/factories.py)."""

from __future__ import annotations

import factory

from scheduling.models import PersonQualification, Qualification
from tests.factories import PersonFactory


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    code = factory.Sequence(lambda n: f"qualification-{n}")
    name = factory.Sequence(lambda n: f"Qualification {n}")


class PersonQualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonQualification

    person = factory.SubFactory(PersonFactory)
    qualification = factory.SubFactory(QualificationFactory)
