"""Kind-specific details of a help request, validated per kind.

``HelpRequest.details`` is a JSON object whose shape depends on the request's kind. Each kind
has one input serializer here; unknown keys are refused (a typo such as ``serving`` must not
silently drop what the family meant), and the validated result is stored JSON-ready (times as
``HH:MM``, money as a decimal string, datetimes as ISO 8601 with offset).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from practical.models import HelpRequest
from village.api import AwareDateTimeField, InputSerializer

Kind = HelpRequest.Kind


class MealDetails(InputSerializer):
    servings = serializers.IntegerField(min_value=1, max_value=30)
    delivery_window_start = serializers.TimeField(required=False, allow_null=True, format="%H:%M")
    delivery_window_end = serializers.TimeField(required=False, allow_null=True, format="%H:%M")
    containers_to_return = serializers.BooleanField(default=False)
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("delivery_window_start"), attrs.get("delivery_window_end")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                {"delivery_window_end": ["Give both the start and the end of the delivery window."]}
            )
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError(
                {"delivery_window_end": ["The delivery window must end after it starts."]}
            )
        return attrs


class LaundryDetails(InputSerializer):
    pickup_instructions = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    return_instructions = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class ChildcareDetails(InputSerializer):
    # Names picked from the household's children or typed freely (a visiting cousin counts too).
    children = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=12, required=False
    )
    where = serializers.CharField(max_length=300, required=False, allow_blank=True)


class Budget(InputSerializer):
    amount = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0)
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", error_messages={"invalid": "Use a three-letter currency code such as USD."}
    )


class ErrandDetails(InputSerializer):
    REIMBURSEMENT = (
        ("family_pays_back", "The family pays back"),
        ("gift", "A gift"),
        ("organisation", "The organisation pays"),
    )

    items = serializers.ListField(child=serializers.CharField(max_length=200), min_length=1, max_length=60)
    budget = Budget(required=False, allow_null=True)
    reimbursement = serializers.ChoiceField(choices=REIMBURSEMENT, required=False)


class RideDetails(InputSerializer):
    appointment_at = AwareDateTimeField(required=False, allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # "from" is a Python keyword, so it cannot be a class attribute; it is the natural key.
        fields["from"] = serializers.CharField(max_length=300)
        fields["to"] = serializers.CharField(max_length=300)
        return fields


class VisitDetails(InputSerializer):
    purpose = serializers.CharField(max_length=500, required=False, allow_blank=True)


class OtherDetails(InputSerializer):
    description = serializers.CharField(max_length=1000)


DETAILS_BY_KIND: dict[str, type[InputSerializer]] = {
    Kind.MEAL: MealDetails,
    Kind.LAUNDRY: LaundryDetails,
    Kind.CHILDCARE: ChildcareDetails,
    Kind.ERRAND: ErrandDetails,
    Kind.RIDE: RideDetails,
    Kind.VISIT: VisitDetails,
    Kind.OTHER: OtherDetails,
}


def validate_details(*, kind: str, details: Any) -> dict[str, Any]:
    """The details for ``kind`` as they will be stored, or a ValidationError under ``details``.

    Errors are nested under ``details`` so the response names ``details.servings`` or the
    unknown key itself (``details.serving: This field is not recognised.``).
    """
    if not isinstance(details, dict):
        raise serializers.ValidationError({"details": ["Give the details as an object."]})
    serializer = DETAILS_BY_KIND[kind](data=details)
    if not serializer.is_valid():
        raise serializers.ValidationError({"details": serializer.errors})
    # ``.data`` renders validated values JSON-ready (times, decimals, datetimes as strings);
    # it also renders absent nullable keys as None, which would only be noise in the stored JSON.
    return {key: value for key, value in serializer.data.items() if value is not None}
