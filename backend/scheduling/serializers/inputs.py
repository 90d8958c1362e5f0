"""Request bodies and query parameters of the scheduling API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rest_framework import serializers

from scheduling.models import MAX_CANCEL_CUTOFF, MAX_SHIFT_CAPACITY, MAX_SHIFT_LENGTH
from scheduling.selectors import GAPS_DEFAULT_DAYS, GAPS_MAX_DAYS
from village.api import AwareDateTimeField, InputSerializer


def capacity_field(**kwargs: Any) -> serializers.IntegerField:
    """A shift's number of places (at least one is the services' rule, with its own message)."""
    return serializers.IntegerField(
        max_value=MAX_SHIFT_CAPACITY,
        error_messages={"max_value": f"A shift has room for at most {MAX_SHIFT_CAPACITY} people."},
        **kwargs,
    )


def cancel_cutoff_field(**kwargs: Any) -> serializers.DurationField:
    return serializers.DurationField(
        min_value=timedelta(0),
        max_value=MAX_CANCEL_CUTOFF,
        error_messages={
            "min_value": "Give the cut-off as a time before the shift, e.g. 24:00:00.",
            "max_value": f"A cancel cut-off is at most {MAX_CANCEL_CUTOFF.days} days before the shift.",
        },
        **kwargs,
    )


class RosterCreateInput(InputSerializer):
    organisation = serializers.IntegerField()
    name = serializers.CharField(max_length=160)
    time_zone = serializers.CharField(max_length=64, default="America/New_York")
    cancel_cutoff = cancel_cutoff_field(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class RosterUpdateInput(InputSerializer):
    name = serializers.CharField(max_length=160, required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
    cancel_cutoff = cancel_cutoff_field(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)


class _ShiftDetailsInput(InputSerializer):
    """What a new shift says besides its time: one shift and a series of them alike."""

    title = serializers.CharField(max_length=160)
    capacity = capacity_field(default=1)
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
    capacity = capacity_field(required=False)
    is_flexible = serializers.BooleanField(required=False)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    call_link = serializers.URLField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    required_qualifications = serializers.ListField(child=serializers.IntegerField(), required=False)


class SeriesInput(_ShiftDetailsInput):
    rrule = serializers.CharField(max_length=500)
    first_starts_at = AwareDateTimeField()
    duration = serializers.DurationField(
        max_value=MAX_SHIFT_LENGTH,
        error_messages={"max_value": f"A shift lasts at most {MAX_SHIFT_LENGTH.days} days."},
    )


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
