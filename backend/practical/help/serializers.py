"""Input and output shapes for help requests, claims, dishes and thanks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import F, Q
from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import serializers

from practical.help.details import validate_details
from practical.help.services import THANKS_KEY
from practical.models import Allergen, Contribution, HelpRequest
from scheduling.models import Signup
from village.api import AwareDateTimeField, InputSerializer, UTCIsoDateTimeFilter

MAX_CAPACITY = 50


def first_name(name: str) -> str:
    """Enough for "Ana is bringing soup" without giving every member everyone's full name."""
    return name.split()[0] if name.strip() else ""


# --- input --------------------------------------------------------------------------------------


class _DetailsMixin:
    def _validated_details(self, attrs: dict[str, Any], kind: str) -> dict[str, Any]:
        return validate_details(kind=kind, details=attrs.get("details", {}))


class HelpRequestCreateInput(_DetailsMixin, InputSerializer):
    kind = serializers.ChoiceField(choices=HelpRequest.Kind.choices)
    title = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField(required=False, allow_null=True, default=None)
    is_flexible = serializers.BooleanField(default=False)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY, default=1)
    details = serializers.JSONField(default=dict)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["ends_at"] is None and not attrs["is_flexible"]:
            raise serializers.ValidationError(
                {"ends_at": ["Give an end time, or mark the request as flexible (any time that day)."]}
            )
        if attrs["ends_at"] is not None and attrs["ends_at"] <= attrs["starts_at"]:
            raise serializers.ValidationError({"ends_at": ["The end must be after the start."]})
        attrs["details"] = self._validated_details(attrs, attrs["kind"])
        return attrs


class HelpRequestSeriesInput(_DetailsMixin, InputSerializer):
    kind = serializers.ChoiceField(choices=HelpRequest.Kind.choices)
    title = serializers.CharField(max_length=160, required=False, allow_blank=True, default="")
    rrule = serializers.CharField(max_length=500)
    first_starts_at = AwareDateTimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY, default=1)
    details = serializers.JSONField(default=dict)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["details"] = self._validated_details(attrs, attrs["kind"])
        attrs["duration"] = timedelta(minutes=attrs.pop("duration_minutes"))
        return attrs


class HelpRequestUpdateInput(_DetailsMixin, InputSerializer):
    title = serializers.CharField(max_length=160, required=False)
    starts_at = AwareDateTimeField(required=False)
    ends_at = AwareDateTimeField(required=False)
    is_flexible = serializers.BooleanField(required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_CAPACITY, required=False)
    details = serializers.JSONField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        help_request: HelpRequest = self.context["help_request"]
        starts_at = attrs.get("starts_at", help_request.shift.starts_at)
        ends_at = attrs.get("ends_at", help_request.shift.ends_at)
        if ends_at <= starts_at:
            raise serializers.ValidationError({"ends_at": ["The end must be after the start."]})
        if "details" in attrs:
            attrs["details"] = self._validated_details(attrs, help_request.kind)
        return attrs


class HelpClaimInput(InputSerializer):
    dish = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contains_allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.choices), max_length=len(Allergen), default=list
    )
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    confirm_overlap = serializers.BooleanField(default=False)
    join_waitlist = serializers.BooleanField(default=False)


class HelpThanksInput(InputSerializer):
    message = serializers.CharField(max_length=500)


class HelpRequestFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=HelpRequest.Kind.choices)
    open = filters.BooleanFilter(method="filter_open", label="Only requests that still need someone")
    start = UTCIsoDateTimeFilter(field_name="shift__ends_at", lookup_expr="gt")
    end = UTCIsoDateTimeFilter(field_name="shift__starts_at", lookup_expr="lt")

    class Meta:
        model = HelpRequest
        fields = ["kind", "open", "start", "end"]

    def filter_open(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        now = timezone.now()
        # Like the engine's claim: a timed request can be claimed until it starts, a flexible
        # window ("any time this week") until it ends.
        still_claimable = Q(shift__is_flexible=False, shift__starts_at__gt=now) | Q(
            shift__is_flexible=True, shift__ends_at__gt=now
        )
        is_open = queryset.filter(still_claimable, shift__filled__lt=F("shift__capacity"))
        if value:
            return is_open
        return queryset.exclude(pk__in=is_open.values("pk"))


class HelpDishFilter(filters.FilterSet):
    start = UTCIsoDateTimeFilter(field_name="signup__shift__ends_at", lookup_expr="gt")
    end = UTCIsoDateTimeFilter(field_name="signup__shift__starts_at", lookup_expr="lt")

    class Meta:
        model = Contribution
        fields = ["start", "end"]


# --- output -------------------------------------------------------------------------------------


class HelpRequestOutput(serializers.Serializer):
    """A request as a member sees it in a list. Local times are shown with ``time_zone``.

    The declared fields document the shape (OpenAPI); ``to_representation`` builds it directly,
    which is cheaper than a field per attribute on a 50-row page (FACTS.md: DRF overhead).
    """

    id = serializers.IntegerField(read_only=True)
    circle = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=HelpRequest.Kind.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    is_flexible = serializers.BooleanField(read_only=True)
    time_zone = serializers.CharField(read_only=True)
    capacity = serializers.IntegerField(read_only=True)
    filled = serializers.IntegerField(read_only=True)
    spots_left = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)
    shift = serializers.IntegerField(read_only=True)
    series = serializers.IntegerField(read_only=True, allow_null=True)
    details = serializers.JSONField(read_only=True, help_text="Kind-specific details")
    received_at = serializers.DateTimeField(read_only=True, allow_null=True)
    my_status = serializers.CharField(
        read_only=True, allow_null=True, help_text="My sign-up's status, if any"
    )

    def to_representation(self, instance: HelpRequest) -> dict[str, Any]:
        shift = instance.shift
        time_zone = instance.circle.roster.time_zone
        zone = ZoneInfo(time_zone)
        return {
            "id": instance.pk,
            "circle": instance.circle_id,
            "kind": instance.kind,
            "title": shift.title,
            "starts_at": shift.starts_at.astimezone(zone).isoformat(),
            "ends_at": shift.ends_at.astimezone(zone).isoformat(),
            "is_flexible": shift.is_flexible,
            "time_zone": time_zone,
            "capacity": shift.capacity,
            "filled": shift.filled,
            "spots_left": max(shift.capacity - shift.filled, 0),
            "status": shift.status,
            "shift": shift.pk,
            "series": shift.series_id,
            "details": {k: v for k, v in instance.details.items() if not k.startswith("_")},
            "received_at": instance.received_at.isoformat() if instance.received_at else None,
            # Lists annotate it (one query for the page); the detail view has ``my_signup``.
            "my_status": getattr(instance, "my_status", None),
        }


class HelpContributionOutput(serializers.ModelSerializer):
    class Meta:
        model = Contribution
        fields = ["dish", "contains_allergens", "notes"]


def contribution_data(signup: Signup) -> dict[str, Any] | None:
    try:
        contribution = signup.contribution
    except Contribution.DoesNotExist:
        return None
    return dict(HelpContributionOutput(contribution).data)


def signup_data(signup: Signup, *, thanks: dict[str, Any], full_name: bool) -> dict[str, Any]:
    return {
        "id": signup.pk,
        "person": {
            "id": signup.person_id,
            "name": signup.person.name if full_name else first_name(signup.person.name),
        },
        "status": signup.status,
        "contribution": contribution_data(signup),
        "thanked": str(signup.pk) in thanks,
        "thanks_message": thanks.get(str(signup.pk), {}).get("message"),
    }


def help_request_detail_data(
    help_request: HelpRequest,
    *,
    role: str,
    signups: list[Signup],
    mine: Signup | None,
    show_address: bool,
    claim_refusal: str | None = None,
) -> dict[str, Any]:
    """The detail view: coordinators see everyone coming; volunteers their own place.

    ``address``/``phone`` are present only when ``address_visible_to`` allowed them.
    """
    data = HelpRequestOutput(help_request).data
    thanks: dict[str, Any] = help_request.details.get(THANKS_KEY, {})
    circle = help_request.circle
    data["circle_name"] = circle.name
    data["circle_status"] = circle.status
    data["allergies"] = list(circle.allergies)
    data["allergies_other"] = circle.allergies_other
    data["dietary_preferences"] = list(circle.dietary_preferences)
    data["my_role"] = role
    data["my_signup"] = signup_data(mine, thanks=thanks, full_name=True) if mine else None
    # Said before the click (e.g. childcare needs the family's approval), not only after it.
    data["claim_refusal"] = claim_refusal
    if role == "coordinator":
        data["signups"] = [signup_data(s, thanks=thanks, full_name=True) for s in signups]
    if show_address:
        data["address"] = circle.address
        data["phone"] = circle.phone
    return data


def claim_data(*, signup: Signup, contribution: Contribution, warnings: list[str]) -> dict[str, Any]:
    return {
        "signup": {
            "id": signup.pk,
            "shift": signup.shift_id,
            "status": signup.status,
            "offer_expires_at": signup.offer_expires_at.isoformat() if signup.offer_expires_at else None,
        },
        "contribution": dict(HelpContributionOutput(contribution).data),
        "warnings": warnings,
    }


class HelpDishOutput(serializers.Serializer):
    """One line of "what others are bringing": date, kind, dish and the volunteer's first name."""

    request = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    kind = serializers.ChoiceField(choices=HelpRequest.Kind.choices, read_only=True)
    dish = serializers.CharField(read_only=True)
    contains_allergens = serializers.ListField(child=serializers.CharField(), read_only=True)
    volunteer = serializers.CharField(read_only=True, help_text="First name only")

    def to_representation(self, instance: Contribution) -> dict[str, Any]:
        shift = instance.signup.shift
        help_request = shift.help_request
        zone = ZoneInfo(self.context["time_zone"])
        return {
            "request": help_request.pk,
            "date": shift.starts_at.astimezone(zone).date().isoformat(),
            "starts_at": shift.starts_at.astimezone(zone).isoformat(),
            "kind": help_request.kind,
            "dish": instance.dish,
            "contains_allergens": list(instance.contains_allergens),
            "volunteer": first_name(instance.signup.person.name),
        }


# --- shapes for the OpenAPI schema of responses built as dicts above ----------------------------


class HelpPersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class HelpSignupOutput(serializers.Serializer):
    id = serializers.IntegerField()
    person = HelpPersonOutput()
    status = serializers.CharField()
    contribution = HelpContributionOutput(allow_null=True)
    thanked = serializers.BooleanField()
    thanks_message = serializers.CharField(allow_null=True)


class HelpRequestDetailOutput(HelpRequestOutput):
    circle_name = serializers.CharField(read_only=True)
    circle_status = serializers.CharField(read_only=True)
    allergies = serializers.ListField(child=serializers.CharField(), read_only=True)
    allergies_other = serializers.CharField(read_only=True)
    dietary_preferences = serializers.ListField(child=serializers.CharField(), read_only=True)
    my_role = serializers.CharField(read_only=True)
    my_signup = HelpSignupOutput(read_only=True, allow_null=True)
    claim_refusal = serializers.CharField(read_only=True, allow_null=True)
    # Present only for some viewers: not read_only, which would make the schema call them required.
    signups = HelpSignupOutput(many=True, required=False, help_text="Coordinators only")
    address = serializers.CharField(required=False, help_text="Only when the address may be shown")
    phone = serializers.CharField(required=False, help_text="Only when the address may be shown")


class HelpClaimSignupOutput(serializers.Serializer):
    id = serializers.IntegerField()
    shift = serializers.IntegerField()
    status = serializers.CharField()
    offer_expires_at = serializers.DateTimeField(allow_null=True)


class HelpClaimOutput(serializers.Serializer):
    signup = HelpClaimSignupOutput()
    contribution = HelpContributionOutput()
    warnings = serializers.ListField(child=serializers.CharField())


class HelpThanksNoteOutput(serializers.Serializer):
    message = serializers.CharField()
    by = serializers.IntegerField()
    at = serializers.DateTimeField()


class HelpThanksOutput(serializers.Serializer):
    signup = serializers.IntegerField()
    thanks = HelpThanksNoteOutput()


class HelpSeriesOutput(serializers.Serializer):
    count = serializers.IntegerField()
    results = HelpRequestOutput(many=True)
