"""Reads for people, organisations and invitations, and who may see which."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.invitations import invitation_target, invitation_target_name
from accounts.models import Invitation, MembershipStatus, OrganisationMembership, Person, Role
from village.api import NOT_FOUND_MESSAGE, DomainError, not_found

__all__ = ["NOT_FOUND_MESSAGE", "not_found"]


def token_hash(token: str) -> str:
    """Only this hash of an invitation token is stored: a leaked database admits nobody."""
    return hashlib.sha256(token.encode()).hexdigest()


def person_by_email(*, email: str) -> Person | None:
    return Person.objects.filter(email__iexact=email.strip()).first()


def organisation_memberships_of(*, person: Person) -> QuerySet[OrganisationMembership]:
    """The person's organisations (active, and pending approval), with the organisation loaded."""
    return (
        OrganisationMembership.objects.filter(
            person=person, status__in=[MembershipStatus.ACTIVE, MembershipStatus.PENDING]
        )
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id")
    )


def organisation_membership_for(*, organisation_id: int, person: Person) -> OrganisationMembership:
    """The person's own membership, or 404 for anyone who is not (or no longer) in it.

    Pending members know the organisation exists (they accepted its invitation), so they get it
    back and the caller answers them 403 for coordinator-only things; removed people and
    strangers must not learn whether it exists.
    """
    membership = (
        OrganisationMembership.objects.filter(
            organisation_id=organisation_id,
            person_id=person.pk,
            status__in=[MembershipStatus.ACTIVE, MembershipStatus.PENDING],
        )
        .select_related("organisation")
        .first()
    )
    if membership is None:
        raise not_found()
    return membership


def is_active_coordinator(membership: OrganisationMembership) -> bool:
    return membership.status == MembershipStatus.ACTIVE and membership.role == Role.COORDINATOR


def require_organisation_coordinator(*, organisation_id: int | None, person: Person) -> None:
    """404 for someone outside the organisation (no probing ids), 403 for its volunteers."""
    if organisation_id is None:
        raise not_found()
    role = (
        OrganisationMembership.objects.filter(
            organisation_id=organisation_id, person_id=person.pk, status=MembershipStatus.ACTIVE
        )
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise not_found()
    if role != Role.COORDINATOR:
        raise DomainError(
            "Only a coordinator of this organisation can do that.", code="permission_denied", status_code=403
        )


def organisation_coordinator_ids(*, organisation_id: int) -> list[int]:
    return list(
        OrganisationMembership.objects.filter(
            organisation_id=organisation_id, status=MembershipStatus.ACTIVE, role=Role.COORDINATOR
        ).values_list("person_id", flat=True)
    )


def organisation_members(*, organisation_id: int) -> QuerySet[OrganisationMembership]:
    """Everyone in the organisation, removed people included (filter by status to hide them)."""
    return (
        OrganisationMembership.objects.filter(organisation_id=organisation_id)
        .select_related("person")
        .order_by("person__name", "person_id")
    )


def invitations_for_target(*, target_kind: str, target_id: int) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(target_kind=target_kind, target_id=target_id)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def usable_invitations() -> QuerySet[Invitation]:
    """Invitations that can still be accepted: not revoked, not expired, not used up."""
    return Invitation.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).filter(
        Q(max_uses__isnull=True) | Q(use_count__lt=F("max_uses"))
    )


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation a token opens, if it can still be used (one answer for every failure)."""
    return usable_invitations().filter(token_hash=token_hash(token)).first()


def invitation_preview(*, token: str) -> dict[str, Any]:
    """What someone holding the link may see before accepting; 404 when it can't be used."""
    invitation = invitation_by_token(token=token)
    target = invitation_target(invitation.target_kind) if invitation is not None else None
    name = invitation_target_name(target, invitation.target_id) if invitation and target else None
    if invitation is None or name is None:
        raise not_found()
    return {
        "target_kind": invitation.target_kind,
        "name": name,
        "role": invitation.role,
        "expires_at": invitation.expires_at,
        "requires_approval": invitation.requires_approval,
    }
