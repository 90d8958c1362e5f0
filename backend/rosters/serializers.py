"""Input and output shapes for the rosters API. Inputs never save (STYLE.md)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from rosters.models import (
    AutofillAssignment,
    AutofillProposal,
    AvailabilityException,
    AvailabilityWindow,
    ShiftTemplate,
    VolunteerLimits,
)
from scheduling.models import PersonQualification, Qualification
from scheduling.serializers.inputs import capacity_field
from village.api import AwareDateTimeField, CenturyDateField, InputSerializer, OutputModelSerializer


class RequirementInput(InputSerializer):
    qualification = serializers.IntegerField()
    count = capacity_field(min_value=1)


class TemplateInput(InputSerializer):
    title = serializers.CharField(max_length=160)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), allow_empty=False
    )
    start_time = serializers.TimeField()
    duration = serializers.DurationField(help_text="e.g. 03:00:00")
    capacity = capacity_field(min_value=1, default=1)
    required_qualifications = serializers.ListField(child=serializers.IntegerField(), required=False)
    requirements = RequirementInput(many=True, required=False)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    call_link = serializers.URLField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class TemplateUpdateInput(TemplateInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["capacity"].default = serializers.empty


class RequirementOutput(serializers.Serializer):
    qualification = serializers.IntegerField(source="qualification_id")
    name = serializers.CharField(source="qualification.name")
    count = serializers.IntegerField()


class TemplateOutput(OutputModelSerializer):
    required_qualifications: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    requirements = RequirementOutput(many=True, read_only=True)
    time_zone = serializers.CharField(source="roster.time_zone", read_only=True)

    class Meta:
        model = ShiftTemplate
        fields = [
            "id",
            "roster",
            "title",
            "weekdays",
            "start_time",
            "duration",
            "capacity",
            "required_qualifications",
            "requirements",
            "location",
            "call_link",
            "notes",
            "time_zone",
        ]


class RangeInput(InputSerializer):
    start = CenturyDateField(help_text="First local date, in the roster's time zone")
    end = CenturyDateField(help_text="Last local date (inclusive)")


class AutofillInput(RangeInput):
    rosters = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        max_length=20,
        help_text="More rosters to fill together with this one (you must coordinate each)",
    )


class GeneratedShiftOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()


class QualificationInput(InputSerializer):
    organisation = serializers.IntegerField()
    code = serializers.SlugField(max_length=64)
    name = serializers.CharField(max_length=120)


# scheduling has its own, shorter QualificationOutput (nested in shifts): one component name each.
@extend_schema_serializer(component_name="Qualification")
class QualificationOutput(OutputModelSerializer):
    class Meta:
        model = Qualification
        fields = ["id", "organisation", "code", "name"]


class GrantInput(InputSerializer):
    person = serializers.IntegerField()
    expires_at = AwareDateTimeField(required=False, allow_null=True)


class GrantOutput(OutputModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = PersonQualification
        fields = ["id", "person", "person_name", "qualification", "granted_at", "expires_at"]


class WindowInput(InputSerializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start = serializers.TimeField()
    end = serializers.TimeField()


class AvailabilityInput(InputSerializer):
    windows = WindowInput(many=True)


class WindowOutput(OutputModelSerializer):
    class Meta:
        model = AvailabilityWindow
        fields = ["weekday", "start", "end"]


class ExceptionInput(InputSerializer):
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ExceptionUpdateInput(InputSerializer):
    starts_at = AwareDateTimeField(required=False)
    ends_at = AwareDateTimeField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ExceptionOutput(OutputModelSerializer):
    class Meta:
        model = AvailabilityException
        fields = ["id", "starts_at", "ends_at", "note"]


class LimitsInput(InputSerializer):
    max_shifts_per_week = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )
    max_hours_per_week = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    min_rest_hours = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)


class LimitsOutput(OutputModelSerializer):
    # null means "no limit" (the schema must say so, or clients reject a person with no limits).
    max_hours_per_week = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    min_rest_hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True
    )

    class Meta:
        model = VolunteerLimits
        fields = ["max_shifts_per_week", "max_hours_per_week", "min_rest_hours"]


class AssignmentOutput(OutputModelSerializer):
    shift_title = serializers.CharField(source="shift.title", read_only=True)
    starts_at = serializers.DateTimeField(source="shift.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="shift.ends_at", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = AutofillAssignment
        fields = [
            "id",
            "shift",
            "shift_title",
            "starts_at",
            "ends_at",
            "person",
            "person_name",
            "status",
            "skipped_reason",
        ]


class ProposalOutput(OutputModelSerializer):
    assignments = AssignmentOutput(many=True, read_only=True)
    time_zone = serializers.CharField(source="roster.time_zone", read_only=True)
    rosters: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = AutofillProposal
        fields = [
            "id",
            "roster",
            "rosters",
            "time_zone",
            "starts_at",
            "ends_at",
            "status",
            "solver_status",
            "open_places",
            "places_filled",
            "coverage_bound",
            "solve_seconds",
            "fairness",
            "unfilled",
            "assignments",
            "acceptance",
            "created_at",
            "accepted_at",
        ]


class EmptyInput(InputSerializer):
    """A request with no body fields: anything sent is a mistake worth a 400."""


# Response shapes built as dicts by views and selectors, described here for the OpenAPI schema
# (and so schemathesis can check the answers against it); views never run them.


class GenerateOutput(serializers.Serializer):
    created = serializers.IntegerField()
    already_there = serializers.IntegerField()
    time_zone = serializers.CharField()
    shifts = GeneratedShiftOutput(many=True)


class CoverageRequirementOutput(serializers.Serializer):
    qualification = serializers.IntegerField()
    name = serializers.CharField()
    needed = serializers.IntegerField()
    filled = serializers.IntegerField()


class CoverageNeedOutput(serializers.Serializer):
    qualification = serializers.IntegerField()
    name = serializers.CharField()
    places = serializers.IntegerField()


class CoverageShiftOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    filled = serializers.IntegerField()
    open = serializers.IntegerField()
    required_qualifications = serializers.ListField(child=serializers.CharField())
    requirements = CoverageRequirementOutput(many=True)


class CoverageGapOutput(serializers.Serializer):
    shift = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    places = serializers.IntegerField()
    needs = CoverageNeedOutput(many=True)


class CoverageTotalsOutput(serializers.Serializer):
    shifts = serializers.IntegerField()
    places = serializers.IntegerField()
    filled = serializers.IntegerField()
    open = serializers.IntegerField()
    fill_rate = serializers.FloatField(allow_null=True)


class CoverageDayOutput(serializers.Serializer):
    date = serializers.DateField()
    places = serializers.IntegerField()
    filled = serializers.IntegerField()
    fill_rate = serializers.FloatField(allow_null=True)


class CoverageLoadOutput(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    shifts = serializers.IntegerField()
    hours = serializers.FloatField()


class CoverageFlagOutput(serializers.Serializer):
    signup = serializers.IntegerField()
    shift = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    person = serializers.IntegerField()
    name = serializers.CharField()
    qualification = serializers.IntegerField()
    qualification_name = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class CoverageOutput(serializers.Serializer):
    roster = serializers.IntegerField()
    time_zone = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    totals = CoverageTotalsOutput()
    shifts = CoverageShiftOutput(many=True)
    gaps = CoverageGapOutput(many=True)
    by_day = CoverageDayOutput(many=True)
    load = CoverageLoadOutput(many=True)
    flags = CoverageFlagOutput(many=True)


class AvailabilityOutput(serializers.Serializer):
    time_zone = serializers.CharField()
    windows = WindowOutput(many=True)
