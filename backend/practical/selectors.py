"""Reads for care circles, and the privacy rules every other part asks before showing a circle.

Who may see a circle is decided by ``scheduling.selectors.roster_role`` on the circle's roster
(one rule for the whole API); who may see the family's address is decided by
``address_visible_to`` here. Anyone without a role gets a 404, so a volunteer who is not in a
circle cannot learn that it exists.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from practical.models import AddressRead, ChildcareApproval, Circle
from scheduling.models import RosterMembership, Shift, Signup
from scheduling.selectors import RosterRole, roster_role


def circle_role(*, circle: Circle, person: Person) -> RosterRole | None:
    """The person's role in the circle ("coordinator", "volunteer") or None (treat as absent)."""
    return roster_role(roster=circle.roster, person=person)


def circle_get_for(*, circle_id: int, person: Person) -> tuple[Circle, RosterRole]:
    """The circle and the person's role in it; Http404 when they have none (or it does not exist)."""
    circle = (
        Circle.objects.select_related("roster", "organisation").filter(pk=circle_id).first()
        if person.is_authenticated
        else None
    )
    role = circle_role(circle=circle, person=person) if circle is not None else None
    if circle is None or role is None:
        raise Http404("No such circle.")
    return circle, role


def _near_commitment(*, person: Person, at: datetime) -> Q:
    """Sign-ups that open the address: confirmed, on a live shift that starts soon or is under way."""
    return Q(
        person=person,
        status=Signup.Status.CONFIRMED,
        shift__status=Shift.Status.SCHEDULED,
        shift__starts_at__lte=at + settings.ADDRESS_VISIBLE_BEFORE,
        shift__ends_at__gte=at,
    )


def address_visible_to(*, circle: Circle, person: Person, at: datetime | None = None) -> bool:
    """May this person see the family's address and phone at ``at`` (default: now)?

    True for the circle's coordinators (including coordinators of its organisation). A
    volunteer sees them only while holding a confirmed sign-up on a shift of the circle's
    roster, from ``settings.ADDRESS_VISIBLE_BEFORE`` before the shift starts until it ends: a
    home address is the one thing a family cannot take back once shared.
    """
    if at is not None and timezone.is_naive(at):
        raise ValueError("address_visible_to needs an aware datetime")
    role = circle_role(circle=circle, person=person)
    if role == "coordinator":
        return True
    if role != "volunteer":
        return False
    at = at or timezone.now()
    return Signup.objects.filter(
        _near_commitment(person=person, at=at), shift__roster_id=circle.roster_id
    ).exists()


def circles_visible_to(*, person: Person) -> QuerySet[Circle]:
    """Circles the person is in (any role) or coordinates through its organisation, newest first.

    Each row carries ``my_role``: "coordinator" or "volunteer". One query, whatever the count.
    """
    if not person.is_authenticated:
        return Circle.objects.none()
    active_membership = RosterMembership.objects.filter(
        roster_id=OuterRef("roster_id"), person=person, status=MembershipStatus.ACTIVE
    )
    org_coordinator = OrganisationMembership.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        person=person,
        status=MembershipStatus.ACTIVE,
        role=Role.COORDINATOR,
    )
    return (
        Circle.objects.select_related("roster")
        .annotate(
            membership_role=Subquery(active_membership.values("role")[:1]),
            is_org_coordinator=Exists(org_coordinator),
        )
        .filter(Q(membership_role__isnull=False) | Q(is_org_coordinator=True))
        .order_by("-created_at", "-pk")
    )


def circle_my_role(circle: Circle) -> RosterRole:
    """The role annotated by ``circles_visible_to`` (same precedence as ``roster_role``)."""
    if getattr(circle, "is_org_coordinator", False) or circle.membership_role == Role.COORDINATOR:  # type: ignore[attr-defined]
        return "coordinator"
    return "volunteer"


def circle_members(*, circle: Circle, role: RosterRole) -> QuerySet[RosterMembership]:
    """The circle's members. Volunteers only ever see active ones; coordinators see everyone."""
    queryset = (
        RosterMembership.objects.filter(roster_id=circle.roster_id)
        .select_related("person")
        .order_by("person__name", "pk")
    )
    if role != "coordinator":
        queryset = queryset.filter(status=MembershipStatus.ACTIVE)
    return queryset


def circle_address_reads(*, circle: Circle, since: datetime | None = None) -> QuerySet[AddressRead]:
    """Who was shown the family's address or phone (from ``since``, if given), most recent first."""
    queryset = AddressRead.objects.filter(circle=circle).select_related("person")
    if since is not None:
        queryset = queryset.filter(read_at__gte=since)
    return queryset.order_by("-read_at", "-pk")


def circle_childcare_approvals(*, circle: Circle) -> QuerySet[ChildcareApproval]:
    """The volunteers the family trusts with their children."""
    return (
        ChildcareApproval.objects.filter(circle=circle)
        .select_related("person", "approved_by")
        .order_by("person__name", "pk")
    )


def childcare_approved(*, circle: Circle, person: Person) -> bool:
    """Has the family approved this person for childcare (help requests ask before a claim)?"""
    return ChildcareApproval.objects.filter(circle=circle, person=person).exists()
