"""Request bodies and query parameters of the scheduling API."""

from __future__ import annotations

from rest_framework import serializers

from scheduling.selectors import GAPS_DEFAULT_DAYS, GAPS_MAX_DAYS
from village.api import AwareDateTimeField, InputSerializer


class RosterCreateInput(InputSerializer):
    organisation = serializers.IntegerField()
    name = serializers.CharField(max_length=160)
    time_zone = serializers.CharField(max_length=64, default="America/New_York")
    cancel_cutoff = serializers.DurationField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class RosterUpdateInput(InputSerializer):
    name = serializers.CharField(max_length=160, required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
    cancel_cutoff = serializers.DurationField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)


class _ShiftDetailsInput(InputSerializer):
    """What a new shift says besides its time: one shift and a series of them alike."""

    title = serializers.CharField(max_length=160)
    capacity = serializers.IntegerField(default=1)
    is_flexible = serializers.BooleanField(default=False)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    call_link = serializers.URLField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    required_qualifications = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )


class ShiftInput(_ShiftDetailsInput):
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()


class ShiftUpdateInput(InputSerializer):
    title = serializers.CharField(max_length=160, required=False)
    starts_at = AwareDateTimeField(required=False)
    ends_at = AwareDateTimeField(required=False)
    capacity = serializers.IntegerField(required=False)
    is_flexible = serializers.BooleanField(required=False)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    call_link = serializers.URLField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    required_qualifications = serializers.ListField(child=serializers.IntegerField(), required=False)


class SeriesInput(_ShiftDetailsInput):
    rrule = serializers.CharField(max_length=500)
    first_starts_at = AwareDateTimeField()
    duration = serializers.DurationField()


class ClaimInput(InputSerializer):
    confirm_overlap = serializers.BooleanField(default=False)
    join_waitlist = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssignInput(InputSerializer):
    person = serializers.IntegerField()
    confirm_overlap = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CancelInput(InputSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class EmptyInput(InputSerializer):
    """For actions that take no body: anything sent is a mistake worth a 400."""


class SwapAcceptInput(InputSerializer):
    confirm_overlap = serializers.BooleanField(default=False)


class GapsQuery(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1,
        max_value=GAPS_MAX_DAYS,
        required=False,
        default=GAPS_DEFAULT_DAYS,
        help_text=f"How many days ahead to look, from now (1 to {GAPS_MAX_DAYS}).",
    )
