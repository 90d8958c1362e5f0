"""Factories and small helpers for accounts tests."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Invitation, MembershipStatus, Organisation, OrganisationMembership, Person, Role
from accounts.selectors import token_hash
from tests.factories import OrganisationMembershipFactory, PersonFactory


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation whose plain token is ``token-<n>`` (only its hash is stored, as for real)."""

    class Meta:
        model = Invitation
        exclude = ["token"]

    token = factory.Sequence(lambda n: f"token-{n}")
    target_kind = Invitation.TargetKind.ORGANISATION
    target_id = 0
    role = Role.VOLUNTEER
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


def member(
    organisation: Organisation,
    *,
    role: str = Role.VOLUNTEER,
    status: str = MembershipStatus.ACTIVE,
    **person_fields: object,
) -> Person:
    membership: OrganisationMembership = OrganisationMembershipFactory(
        organisation=organisation, person=PersonFactory(**person_fields), role=role, status=status
    )
    return membership.person
