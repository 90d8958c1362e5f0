"""Writes for invitations: create (by e-mail or as a shareable link), revoke, accept.

What accepting does to the target (organisation, circle, roster) is registered by the app that
owns it (``accounts.invitations``); this module owns tokens, limits and who may use them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.invitations import (
    InvitationTarget,
    invitation_target,
    invitation_target_name,
    register_invitation_target,
)
from accounts.mail import account_email_send, render_account_email
from accounts.models import (
    Invitation,
    InvitationAcceptance,
    MembershipStatus,
    Organisation,
    OrganisationMembership,
    Person,
    Role,
)
from accounts.selectors import not_found, person_by_email, token_hash
from village.api import Conflict, DomainError


@dataclass(frozen=True)
class CreatedInvitation:
    invitation: Invitation
    token: str  # shown once, to the inviter; only its hash is stored

    @property
    def join_url(self) -> str:
        return invitation_join_url(self.token)


def invitation_join_url(token: str) -> str:
    return f"{settings.SITE_URL}/#/join/{token}"


def invitation_target_for(*, person: Person, kind: str, target_id: int) -> InvitationTarget:
    """The registered target when ``person`` may invite into it; 404 otherwise (no existence leak)."""
    target = invitation_target(kind)
    if target is None or not target.can_invite(person, target_id):
        raise not_found()
    return target


def invitation_create(
    *,
    inviter: Person,
    target_kind: str,
    target_id: int,
    role: str = Role.VOLUNTEER,
    email: str = "",
    requires_approval: bool = False,
    expires_in_days: int = 14,
    max_uses: int | None = None,
) -> CreatedInvitation:
    """Create an invitation and return it with its token (the only time the token is known).

    404 unless the inviter may invite into the target. With ``email`` only that address may
    accept it, and an e-mail with the join link goes to it after the transaction commits.
    """
    target = invitation_target_for(person=inviter, kind=target_kind, target_id=target_id)
    token = secrets.token_urlsafe(24)
    email = email.strip().lower()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            target_kind=target_kind,
            target_id=target_id,
            role=role,
            token_hash=token_hash(token),
            email=email,
            invited_by=inviter,
            requires_approval=requires_approval,
            max_uses=max_uses,
            expires_at=timezone.now() + timedelta(days=expires_in_days),
        )
        if email:
            _send_invitation_email(invitation=invitation, target=target, token=token, inviter=inviter)
    return CreatedInvitation(invitation=invitation, token=token)


def _send_invitation_email(
    *, invitation: Invitation, target: InvitationTarget, token: str, inviter: Person
) -> None:
    # Someone who already has an account reads it in their language; a newcomer in the inviter's.
    invitee = person_by_email(email=invitation.email)
    language = invitee.language if invitee is not None else inviter.language
    context: dict[str, Any] = {
        "inviter": inviter.name,
        "target_name": invitation_target_name(target, invitation.target_id) or "",
        "role": invitation.role,
        "join_url": invitation_join_url(token),
        "expires_at": invitation.expires_at,
        "requires_approval": invitation.requires_approval,
    }
    subject, body = render_account_email("invitation", language, context)
    account_email_send(
        to=invitation.email,
        kind="invitation",
        subject=subject,
        body=body,
        key=f"invitation:{invitation.pk}",
        language=language,
    )


def invitation_for_inviter(*, person: Person, invitation_id: int) -> Invitation:
    """The invitation when ``person`` may manage its target; 404 otherwise."""
    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    if invitation is None:
        raise not_found()
    invitation_target_for(person=person, kind=invitation.target_kind, target_id=invitation.target_id)
    return invitation


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Stop the invitation from being accepted again (memberships it made stay). Idempotent."""
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    invitation.refresh_from_db(fields=["revoked_at"])
    return invitation


def invitation_accept(*, token: str, person: Person) -> InvitationAcceptance:
    """Make ``person`` a member of the invitation's target (pending when it requires approval).

    Idempotent per person: accepting again returns the first result and uses no extra place.
    An unknown, expired, revoked or used-up token is one 404, so tokens cannot be probed; an
    e-mail invitation opened by another account is a 403 saying so.
    """
    invitation = Invitation.objects.filter(
        token_hash=token_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    target = invitation_target(invitation.target_kind) if invitation is not None else None
    if invitation is None or target is None:
        raise not_found()
    earlier = InvitationAcceptance.objects.filter(invitation=invitation, person=person).first()
    if earlier is not None:
        return earlier
    if invitation.email and invitation.email.lower() != person.email.lower():
        raise DomainError(
            "This invitation was sent to a different e-mail address. "
            "Log in with the address it was sent to, or ask for a new invitation.",
            code="invitation_for_other_email",
            status_code=403,
        )
    status = MembershipStatus.PENDING if invitation.requires_approval else MembershipStatus.ACTIVE
    try:
        with transaction.atomic():
            # Conditional UPDATE: when a link with max_uses is shared in a group chat, many people
            # accept at once; reading use_count and then writing would let all of them in. The
            # row count says whether this accept got one of the places.
            won = (
                Invitation.objects.filter(
                    pk=invitation.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
                )
                .filter(Q(max_uses__isnull=True) | Q(use_count__lt=F("max_uses")))
                .update(use_count=F("use_count") + 1)
            )
            if not won:
                raise not_found()
            acceptance = InvitationAcceptance.objects.create(
                invitation=invitation, person=person, status=status
            )
            target.accept(person, invitation, status)
    except IntegrityError as exc:
        # The same person accepted twice at the same moment: the unique constraint let one in,
        # and this one rolled back its extra use; answer with the winner's result.
        earlier = InvitationAcceptance.objects.filter(invitation=invitation, person=person).first()
        if earlier is None:
            raise Conflict("Someone else changed this at the same time. Please try again.") from exc
        return earlier
    return acceptance


# --- The organisation target, which accounts owns itself ------------------------------------------


def _organisation_can_invite(person: Person, organisation_id: int) -> bool:
    return OrganisationMembership.objects.filter(
        organisation_id=organisation_id,
        person_id=person.pk,
        status=MembershipStatus.ACTIVE,
        role=Role.COORDINATOR,
    ).exists()


def _organisation_accept(person: Person, invitation: Invitation, status: str) -> None:
    membership, created = OrganisationMembership.objects.get_or_create(
        organisation_id=invitation.target_id,
        person=person,
        defaults={"role": invitation.role, "status": status},
    )
    if created:
        return
    if membership.status == MembershipStatus.ACTIVE:
        # Already in: an invitation may promote a volunteer to coordinator, never demote.
        if invitation.role == Role.COORDINATOR and status == MembershipStatus.ACTIVE:
            membership.role = Role.COORDINATOR
    else:
        membership.role = invitation.role
        membership.status = status
    membership.save(update_fields=["role", "status"])


def _organisation_describe(organisation_id: int) -> dict[str, Any]:
    return {"name": Organisation.objects.get(pk=organisation_id).name}


def register_organisation_invitations() -> None:
    register_invitation_target(
        Invitation.TargetKind.ORGANISATION,
        can_invite=_organisation_can_invite,
        accept=_organisation_accept,
        describe=_organisation_describe,
    )
