"""Rosters for support organisations: templates that generate shifts, availability, limits, auto-fill.

The engine's ``Shift`` knows only qualifications every place needs. "Two people, one of them a
Spanish speaker" is a ``ShiftRequirement`` row here ({qualification, count}); a claim rule
registered in ``RostersConfig.ready()`` keeps the last open places for people who hold a
still-needed qualification, so the engine enforces it for every claim path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from scheduling.models import Qualification, Roster, Shift


class ShiftTemplate(models.Model):
    """A recurring duty ("Helpline, Mon–Fri 18:00, 3 hours, 2 people") that generates shifts."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="templates")
    title = models.CharField(max_length=160)
    # ISO weekdays as Python numbers: 0 = Monday … 6 = Sunday, in the roster's time zone.
    weekdays = models.JSONField(default=list)
    start_time = models.TimeField()
    duration = models.DurationField()
    capacity = models.PositiveIntegerField(default=1)
    required_qualifications = models.ManyToManyField(Qualification, blank=True, related_name="+")
    location = models.CharField(max_length=300, blank=True)
    call_link = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="template_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class TemplateRequirement(models.Model):
    """At least ``count`` of the template's places need ``qualification``."""

    template = models.ForeignKey(ShiftTemplate, on_delete=models.CASCADE, related_name="requirements")
    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "qualification"], name="one_template_requirement"),
            models.CheckConstraint(condition=Q(count__gte=1), name="template_requirement_positive"),
        ]


class GeneratedShift(models.Model):
    """Which template made a shift for which local date: the unique pair makes generating idempotent."""

    shift = models.OneToOneField(Shift, on_delete=models.CASCADE, related_name="generated_from")
    template = models.ForeignKey(ShiftTemplate, on_delete=models.CASCADE, related_name="generated")
    local_date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "local_date"], name="one_shift_per_template_day")
        ]


class ShiftRequirement(models.Model):
    """At least ``count`` of the shift's places need ``qualification`` (the rest are open to anyone)."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="place_requirements")
    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shift", "qualification"], name="one_shift_requirement"),
            models.CheckConstraint(condition=Q(count__gte=1), name="shift_requirement_positive"),
        ]


class AvailabilityWindow(models.Model):
    """A weekly time a volunteer can usually help, in the volunteer's own time zone."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_windows"
    )
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday … 6 = Sunday
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="availability_ends_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday_valid"),
        ]
        ordering = ["weekday", "start"]


class AvailabilityException(models.Model):
    """A dated absence ("away 3–17 March"): no auto-fill and a warning on claims inside it."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_exceptions"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="exception_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["person", "starts_at"])]
        ordering = ["starts_at"]


class VolunteerLimits(models.Model):
    """How much a volunteer is willing to do; empty means no limit. Weeks are ISO weeks in their zone."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_limits"
    )
    max_shifts_per_week = models.PositiveIntegerField(null=True, blank=True)
    max_hours_per_week = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    min_rest_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Zero would mean "never"; that is what an absence is for.
            models.CheckConstraint(
                condition=Q(max_shifts_per_week__isnull=True) | Q(max_shifts_per_week__gte=1),
                name="limits_max_shifts_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_hours_per_week__isnull=True) | Q(max_hours_per_week__gt=0),
                name="limits_max_hours_positive",
            ),
        ]


class AutofillProposal(models.Model):
    """A proposed filling of open places, kept so a coordinator can review, trim and accept it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="autofill_proposals")
    rosters = models.ManyToManyField(Roster, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    solver_status = models.CharField(max_length=32)
    open_places = models.PositiveIntegerField(default=0)
    places_filled = models.PositiveIntegerField(default=0)
    coverage_bound = models.PositiveIntegerField(default=0)
    solve_seconds = models.FloatField(default=0)
    fairness = models.JSONField(default=dict)
    unfilled = models.JSONField(default=list)  # [{"shift", "starts_at", "places", "reason"}]
    acceptance = models.JSONField(default=dict)  # what accepting created and what had changed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)


class AutofillAssignment(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        SKIPPED = "skipped", "Skipped on acceptance"

    proposal = models.ForeignKey(AutofillProposal, on_delete=models.CASCADE, related_name="assignments")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    skipped_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "shift", "person"], name="one_assignment_per_place")
        ]
        ordering = ["shift__starts_at", "shift_id", "person_id"]
