"""Writes for people, their passwords and sign-in tokens, and organisations with their members.

Invitations have their own module (``accounts.invitation_services``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from accounts.hooks import person_updated
from accounts.mail import account_email_send, render_account_email
from accounts.models import (
    MembershipStatus,
    Organisation,
    OrganisationMembership,
    Person,
    Role,
)
from accounts.selectors import not_found, person_by_email
from village.api import Conflict, DomainError

_EMAIL_TAKEN = "An account with this e-mail already exists. Log in, or reset your password if you forgot it."


def _check_password_rules(password: str, *, person: Person, field: str) -> None:
    try:
        validate_password(password, user=person)
    except DjangoValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password", fields={field: exc.messages}) from exc


def person_create(
    *, email: str, name: str, password: str, language: str = "en", time_zone: str | None = None
) -> Person:
    """Create a person who can log in with ``password`` (hashed with argon2).

    The password must pass Django's validators; an e-mail already used by anyone, in any letter
    case, is refused with a 400 naming the field.
    """
    email = email.strip().lower()
    person = Person(
        email=email,
        name=name.strip(),
        language=language,
        time_zone=time_zone or settings.DEFAULT_TIME_ZONE,
    )
    _check_password_rules(password, person=person, field="password")
    if person_by_email(email=email) is not None:
        raise DomainError(_EMAIL_TAKEN, code="email_taken", fields={"email": [_EMAIL_TAKEN]})
    person.set_password(password)
    try:
        # The case-insensitive unique constraint decides when two sign-ups race for one address.
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise DomainError(_EMAIL_TAKEN, code="email_taken", fields={"email": [_EMAIL_TAKEN]}) from exc
    return person


def person_authenticate(*, request: HttpRequest | None, email: str, password: str) -> Person:
    """The active person with this e-mail and password, or a 400 that doesn't say which was wrong."""
    person = authenticate(request, username=email.strip().lower(), password=password)
    if not isinstance(person, Person):
        raise DomainError(
            "That e-mail and password don't match an account. Check them, or reset your password.",
            code="invalid_credentials",
        )
    return person


def person_token(*, person: Person) -> str:
    """The person's API token for partner apps and scripts (created on first use)."""
    token, _ = Token.objects.get_or_create(user=person)
    return token.key


def person_update(*, person: Person, **fields: Any) -> Person:
    """Change the person's name, language or time zone (already validated by the caller).

    Apps above accounts hear of what changed in the same transaction (``accounts.hooks``): a new
    time zone moves the person's pending reminders, for instance.
    """
    allowed = {"name", "language", "time_zone"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"person_update cannot change {sorted(unknown)}")
    changed = []
    for name, value in fields.items():
        value = value.strip() if name == "name" else value
        if getattr(person, name) != value:
            changed.append(name)
        setattr(person, name, value)
    with transaction.atomic():
        person.save(update_fields=[*fields, "updated_at"])
        if changed:
            person_updated(person=person, changed=changed)
    return person


def person_password_change(*, person: Person, current_password: str, new_password: str) -> Person:
    """Set a new password after checking the current one.

    Other sessions end (Django ties a session to the password hash) and the API token is
    dropped, since a password change is often what someone does after losing a device.
    The caller keeps the current session with ``update_session_auth_hash``.
    """
    if not person.check_password(current_password):
        message = "Your current password is not right."
        raise DomainError(message, code="wrong_password", fields={"current_password": [message]})
    _check_password_rules(new_password, person=person, field="new_password")
    with transaction.atomic():
        person.set_password(new_password)
        person.save(update_fields=["password", "updated_at"])
        Token.objects.filter(user=person).delete()
    return person


def person_password_reset_request(*, email: str) -> None:
    """E-mail a reset link if an active account has this address; silently nothing otherwise.

    The caller answers the same either way so the endpoint cannot tell who has an account.
    """
    person = person_by_email(email=email)
    if person is None or not person.is_active or not person.has_usable_password():
        return
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    context = {
        "name": person.name,
        "reset_url": f"{settings.SITE_URL}/#/reset/{uid}/{token}",
        "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
    }
    subject, body = render_account_email("password_reset", person.language, context)
    account_email_send(
        to=person.email,
        kind="password_reset",
        subject=subject,
        body=body,
        key=f"password_reset:{person.pk}:{token}",
        language=person.language,
    )


def person_password_reset_confirm(*, uid: str, token: str, new_password: str) -> Person:
    """Set a new password from a reset link; the link stops working once the password changes."""
    invalid = DomainError(
        "This reset link has expired or was already used. Ask for a new one.", code="invalid_reset_link"
    )
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError) as exc:
        raise invalid from exc
    person = Person.objects.filter(pk=pk, is_active=True).first()
    if person is None or not default_token_generator.check_token(person, token):
        raise invalid
    _check_password_rules(new_password, person=person, field="new_password")
    with transaction.atomic():
        person.set_password(new_password)
        person.save(update_fields=["password", "updated_at"])
        # Whoever had the old password may also have made a token with it.
        Token.objects.filter(user=person).delete()
    return person


def organisation_create(
    *, creator: Person, name: str, time_zone: str | None = None
) -> OrganisationMembership:
    """Create an organisation with its creator as its first active coordinator."""
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=name.strip(), time_zone=time_zone or settings.DEFAULT_TIME_ZONE
        )
        return OrganisationMembership.objects.create(
            organisation=organisation, person=creator, role=Role.COORDINATOR, status=MembershipStatus.ACTIVE
        )


def organisation_update(*, organisation: Organisation, **fields: Any) -> Organisation:
    """Rename the organisation or change its time zone (validated by the caller)."""
    unknown = set(fields) - {"name", "time_zone"}
    if unknown:
        raise ValueError(f"organisation_update cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(organisation, name, value.strip() if name == "name" else value)
    organisation.save(update_fields=list(fields))
    return organisation


def _lock_member_and_coordinators(
    *, organisation_id: int, person_id: int
) -> tuple[OrganisationMembership, int]:
    """Lock the member's row and every active coordinator's, in id order; count the other coordinators.

    Two coordinators stepping down at once must not both see the other still in place and leave
    the organisation with nobody able to run it. Taking all these locks at once, always in the
    same order, makes the second wait for the first instead of deadlocking against it.
    """
    rows = list(
        OrganisationMembership.objects.select_for_update(of=("self",))
        .filter(organisation_id=organisation_id)
        .filter(Q(person_id=person_id) | Q(status=MembershipStatus.ACTIVE, role=Role.COORDINATOR))
        .select_related("person")
        .order_by("pk")
    )
    membership = next((row for row in rows if row.person_id == person_id), None)
    if membership is None or membership.status == MembershipStatus.REMOVED:
        raise not_found()
    other_coordinators = sum(
        1
        for row in rows
        if row.person_id != person_id
        and row.status == MembershipStatus.ACTIVE
        and row.role == Role.COORDINATOR
    )
    return membership, other_coordinators


def _refuse_last_coordinator(other_coordinators: int) -> None:
    if not other_coordinators:
        raise Conflict(
            "An organisation needs at least one coordinator. Make someone else a coordinator first.",
            code="last_coordinator",
        )


def organisation_member_update(
    *, organisation_id: int, person_id: int, role: str | None = None, status: str | None = None
) -> OrganisationMembership:
    """Change a member's role, or approve a pending member (status "active").

    Refuses (409) to leave the organisation without an active coordinator.
    """
    with transaction.atomic():
        membership, other_coordinators = _lock_member_and_coordinators(
            organisation_id=organisation_id, person_id=person_id
        )
        was_coordinator = membership.status == MembershipStatus.ACTIVE and membership.role == Role.COORDINATOR
        new_role = role or membership.role
        new_status = status or membership.status
        if was_coordinator and (new_role != Role.COORDINATOR or new_status != MembershipStatus.ACTIVE):
            _refuse_last_coordinator(other_coordinators)
        membership.role = new_role
        membership.status = new_status
        membership.save(update_fields=["role", "status"])
    return membership


def organisation_member_remove(*, organisation_id: int, person_id: int) -> None:
    """Remove a member (kept as "removed" so history stays); never the last coordinator."""
    with transaction.atomic():
        membership, other_coordinators = _lock_member_and_coordinators(
            organisation_id=organisation_id, person_id=person_id
        )
        if membership.status == MembershipStatus.ACTIVE and membership.role == Role.COORDINATOR:
            _refuse_last_coordinator(other_coordinators)
        membership.status = MembershipStatus.REMOVED
        membership.save(update_fields=["status"])
