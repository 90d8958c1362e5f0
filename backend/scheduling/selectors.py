"""Reads for the scheduling engine. Who may do what on a roster is decided here, once."""

from __future__ import annotations

from typing import Literal

from django.db.models import Q, QuerySet

from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from scheduling.models import Roster, RosterMembership

RosterRole = Literal["coordinator", "volunteer"]


def roster_role(*, roster: Roster, person: Person) -> RosterRole | None:
    """The person's role on the roster, or None when they have no business seeing it.

    Organisation coordinators coordinate every roster (and circle) of their organisation;
    organisation volunteers take part in its duty rosters but never see a circle they were not
    invited into, because a circle is a family's private space.
    """
    if not person.is_authenticated:
        return None
    membership = (
        RosterMembership.objects.filter(roster=roster, person=person, status=MembershipStatus.ACTIVE)
        .values_list("role", flat=True)
        .first()
    )
    if membership == Role.COORDINATOR:
        return "coordinator"
    org_role = None
    if roster.organisation_id is not None:
        org_role = (
            OrganisationMembership.objects.filter(
                organisation_id=roster.organisation_id, person=person, status=MembershipStatus.ACTIVE
            )
            .values_list("role", flat=True)
            .first()
        )
    if org_role == Role.COORDINATOR:
        return "coordinator"
    if membership == Role.VOLUNTEER:
        return "volunteer"
    if org_role == Role.VOLUNTEER and roster.kind == Roster.Kind.DUTY:
        return "volunteer"
    return None


def rosters_visible_to(*, person: Person) -> QuerySet[Roster]:
    """Every roster the person has a role on (same rule as ``roster_role``), for list endpoints."""
    if not person.is_authenticated:
        return Roster.objects.none()
    active = MembershipStatus.ACTIVE
    org_coordinator = Q(
        organisation__memberships__person=person,
        organisation__memberships__status=active,
        organisation__memberships__role=Role.COORDINATOR,
    )
    org_volunteer_on_duty = Q(
        kind=Roster.Kind.DUTY,
        organisation__memberships__person=person,
        organisation__memberships__status=active,
    )
    member = Q(memberships__person=person, memberships__status=active)
    return Roster.objects.filter(member | org_coordinator | org_volunteer_on_duty).distinct()
