"""The scheduling engine's data: a meal slot and a helpline shift are both a Shift with places.

Invariants live here as constraints, so no code path can break them: a shift's ``filled``
never exceeds its ``capacity``, and a person holds at most one active sign-up per shift.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import MembershipStatus, Organisation, Role

# Bounds on what a coordinator types, checked at the API (the columns are 32-bit integers, and a
# cut-off or a length of centuries overflows the date arithmetic): far above any real shift.
MAX_SHIFT_CAPACITY = 1000
MAX_SHIFT_LENGTH = timedelta(days=31)
MAX_CANCEL_CUTOFF = timedelta(days=30)


class Roster(models.Model):
    """A set of shifts with members: an organisation's duties, or a family's circle underneath."""

    class Kind(models.TextChoices):
        DUTY = "duty", "Organisation roster"
        CIRCLE = "circle", "Care circle"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DUTY)
    name = models.CharField(max_length=160)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="rosters"
    )
    time_zone = models.CharField(max_length=64, default="America/New_York")
    description = models.TextField(blank=True)
    # How long before a shift a volunteer may still cancel on their own; later, the cancel becomes
    # a request a coordinator approves (so a gap the day before is seen by a person). Null = none.
    cancel_cutoff = models.DurationField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class RosterMembership(models.Model):
    """Who belongs to a roster (for a circle: its coordinators and invited volunteers)."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roster_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VOLUNTEER)
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["roster", "person"], name="one_membership_per_roster")]
        indexes = [models.Index(fields=["person", "status"])]


class Qualification(models.Model):
    """Something a place may require: trained peer supporter, Spanish speaker, background-checked."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="qualifications"
    )
    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="qualification_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PersonQualification(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualifications"
    )
    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="holders")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "qualification"], name="one_grant_per_qualification")
        ]


class ShiftSeries(models.Model):
    """A recurrence rule (RFC 5545 RRULE) expanded in the roster's time zone into shifts."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="series")
    rrule = models.CharField(max_length=500)
    # The first occurrence; later ones keep its wall-clock time in the roster's zone across DST.
    first_starts_at = models.DateTimeField()
    duration = models.DurationField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class Shift(models.Model):
    """One time window with a number of places. ``filled`` counts the places held: confirmed
    sign-ups, offers held for a waitlisted person, and completed/no-show places.

    ``filled`` is a counter rather than a COUNT(*) so that a claim can be one conditional
    UPDATE (``filled < capacity``) whose row count decides who won; see scheduling.services.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="shifts")
    series = models.ForeignKey(
        ShiftSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts"
    )
    title = models.CharField(max_length=160)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # A flexible window ("any time Mon–Fri"): the dates count, not the hours; shown all-day.
    is_flexible = models.BooleanField(default=False)
    capacity = models.PositiveIntegerField(default=1)
    filled = models.PositiveIntegerField(default=0)
    location = models.CharField(max_length=300, blank=True)
    call_link = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    required_qualifications = models.ManyToManyField(Qualification, blank=True, related_name="shifts")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    # Calendar clients only take an edit when SEQUENCE grows (RFC 5545 §3.8.7.4).
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
            models.CheckConstraint(condition=Q(filled__lte=F("capacity")), name="shift_never_overfilled"),
        ]
        indexes = [
            models.Index(fields=["roster", "starts_at"]),
            models.Index(fields=["starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} @ {self.starts_at:%Y-%m-%d %H:%M}Z"


ACTIVE_SIGNUP_STATUSES = ("confirmed", "waitlisted", "offered")


class Signup(models.Model):
    """One volunteer holding (or waiting for) one place on one shift."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waitlist"
        OFFERED = "offered", "Offered a freed place"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    note = models.CharField(max_length=500, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set when a volunteer asks to cancel after the roster's cut-off: the place stays held (and
    # the status confirmed) until a coordinator approves the cancel.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # A double click or two tabs must never give one person two places on one shift.
            models.UniqueConstraint(
                fields=["shift", "person"],
                condition=Q(status__in=ACTIVE_SIGNUP_STATUSES),
                name="one_active_signup_per_person_per_shift",
            )
        ]
        indexes = [
            models.Index(fields=["person", "status"]),
            models.Index(fields=["shift", "status", "created_at"]),
        ]


class SwapOffer(models.Model):
    """A volunteer offering their place to anyone eligible; the first to accept takes it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        TAKEN = "taken", "Taken"
        WITHDRAWN = "withdrawn", "Withdrawn"

    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="swap_offers")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One open offer per sign-up: offering twice must not let two people take one place.
            models.UniqueConstraint(
                fields=["signup"], condition=Q(status="open"), name="one_open_swap_per_signup"
            )
        ]
