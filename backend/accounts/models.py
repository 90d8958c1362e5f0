from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class PersonManager(BaseUserManager["Person"]):
    def create_user(self, email: str, password: str | None = None, **fields: Any) -> Person:
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> Person:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class Person(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: a family member, a volunteer, a coordinator (roles come from memberships)."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=120)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="person_email_ci_unique")]

    def __str__(self) -> str:
        return self.name or self.email


class Organisation(models.Model):
    """A support organisation: runs rosters and may look after many circles."""

    name = models.CharField(max_length=160)
    time_zone = models.CharField(max_length=64, default="America/New_York")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    VOLUNTEER = "volunteer", "Volunteer"


class MembershipStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    ACTIVE = "active", "Active"
    REMOVED = "removed", "Removed"


class OrganisationMembership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="organisation_memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VOLUNTEER)
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="one_membership_per_organisation")
        ]


class Invitation(models.Model):
    """An invitation into an organisation, a roster or a circle, by e-mail or by a shareable link.

    ``target_kind`` names what it admits to and ``target_id`` which one; the app that owns the
    target registers how accepting it works (``accounts.invitations``), so accounts needs no
    knowledge of circles or rosters. Only a hash of the token is stored.
    """

    class TargetKind(models.TextChoices):
        ORGANISATION = "organisation", "Organisation"
        ROSTER = "roster", "Roster"
        CIRCLE = "circle", "Circle"

    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    target_id = models.BigIntegerField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VOLUNTEER)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True)  # blank = a link anyone holding it may use
    invited_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    requires_approval = models.BooleanField(default=False)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["target_kind", "target_id"])]


class InvitationAcceptance(models.Model):
    """Who accepted an invitation, once per person.

    It makes accepting idempotent (a second tap on the link answers the same result instead of
    using up another place on a shared link) and tells a coordinator who came in through which link.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="acceptances")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitation_acceptances")
    status = models.CharField(max_length=16, choices=MembershipStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "person"], name="one_acceptance_per_person")
        ]
