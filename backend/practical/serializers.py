"""Request bodies and responses for care circles. Which fields a person sees depends on their role."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django.utils import timezone
from rest_framework import serializers

from accounts.models import MembershipStatus, Role
from practical.models import AddressRead, Allergen, ChildcareApproval, Circle, DietaryPreference
from practical.selectors import circle_my_role
from scheduling.models import RosterMembership
from village.api import AwareDateTimeField, InputSerializer, OutputModelSerializer

LONG_TEXT = 2000


@cache
def _time_zones() -> frozenset[str]:
    # Only Area/Location names (and UTC): legacy ones like "EST" or "Etc/GMT+5" have no daylight
    # saving, so a family choosing "EST" would see every summer meal an hour off.
    return frozenset(
        name for name in available_timezones() if "/" in name and not name.startswith("Etc/")
    ) | {"UTC"}


class TimeZoneField(serializers.CharField):
    """An IANA time zone name (what the circle's times are shown in)."""

    default_error_messages = {
        "unknown_zone": "'{value}' is not a time zone we know. Use a place name like America/New_York.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in _time_zones():
            self.fail("unknown_zone", value=value)
        return value


class ChildInput(InputSerializer):
    """A child in the household: a first name is optional; a birth date or an age is needed."""

    name = serializers.CharField(max_length=40, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False)
    age_years = serializers.IntegerField(min_value=0, max_value=25, required=False)

    def validate_birth_date(self, value: Any) -> Any:
        today = timezone.now().date()
        # A due date up to a year ahead is fine: families often start a circle before the birth.
        if value > today + timedelta(days=366):
            raise serializers.ValidationError("That birth date is more than a year away.")
        if value < today - timedelta(days=366 * 26):
            raise serializers.ValidationError("That birth date is too long ago for a child.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_date, has_age = "birth_date" in attrs, attrs.get("age_years") is not None
        if has_date == has_age:
            raise serializers.ValidationError("Give either the child's birth date or their age in years.")
        return attrs


def _choice_list(values: list[str], allowed: type[Any], problem: str) -> list[str]:
    known = set(allowed.values)
    for value in values:
        if value not in known:
            raise serializers.ValidationError(f"'{value}' {problem}")
    return list(dict.fromkeys(values))  # keep order, drop repeats


class _ProfileInput(InputSerializer):
    adults = serializers.IntegerField(min_value=0, max_value=20, required=False)
    children = serializers.ListField(child=ChildInput(), max_length=12, required=False)
    dietary_preferences = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=len(DietaryPreference.values), required=False
    )
    allergies = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=len(Allergen.values) * 2, required=False
    )
    allergies_other = serializers.CharField(max_length=300, allow_blank=True, required=False)
    likes = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    dislikes = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    dropoff_instructions = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    delivery_window_start = serializers.TimeField(allow_null=True, required=False)
    delivery_window_end = serializers.TimeField(allow_null=True, required=False)
    quiet_hours_start = serializers.TimeField(allow_null=True, required=False)
    quiet_hours_end = serializers.TimeField(allow_null=True, required=False)
    visitor_policy = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    illness_policy = serializers.CharField(max_length=LONG_TEXT, allow_blank=True, required=False)
    pets = serializers.CharField(max_length=300, allow_blank=True, required=False)
    address = serializers.CharField(max_length=500, allow_blank=True, required=False)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False)

    def validate_allergies(self, value: list[str]) -> list[str]:
        return _choice_list(value, Allergen, "is not a known allergen; put it in allergies_other.")

    def validate_dietary_preferences(self, value: list[str]) -> list[str]:
        return _choice_list(
            value, DietaryPreference, "is not a known dietary preference; describe it in likes or dislikes."
        )


class CircleCreateInput(_ProfileInput):
    name = serializers.CharField(max_length=160)
    # Defaults to the creator's own zone: most families start a circle where they live.
    time_zone = TimeZoneField(required=False)
    organisation = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class CirclePatchInput(_ProfileInput):
    name = serializers.CharField(max_length=160, required=False)
    time_zone = TimeZoneField(required=False)
    status = serializers.ChoiceField(choices=Circle.Status.choices, required=False)


class MemberPatchInput(InputSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    status = serializers.ChoiceField(choices=MembershipStatus.choices, required=False)

    def validate_status(self, value: str) -> str:
        # Approve a waiting member (active) or remove one; nobody is sent back to waiting.
        if value == MembershipStatus.PENDING:
            raise serializers.ValidationError(
                "A member can be approved (active) or removed, not put back to waiting."
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give a new role or status for this member.")
        return attrs


class ChildcareApprovalInput(InputSerializer):
    person = serializers.IntegerField(min_value=1)


class AddressReadQuery(serializers.Serializer):
    """Query string for the address-read log (other parameters, like limit, pass through)."""

    since = AwareDateTimeField(required=False)


# --- Output --------------------------------------------------------------------------------------

# What a member volunteer needs to help well; address and phone are added only when the address
# rule allows (practical.selectors.address_visible_to).
VOLUNTEER_FIELDS = (
    "id",
    "name",
    "time_zone",
    "status",
    "my_role",
    "adults",
    "children_count",
    "dietary_preferences",
    "allergies",
    "allergies_other",
    "likes",
    "dislikes",
    "dropoff_instructions",
    "delivery_window_start",
    "delivery_window_end",
    "quiet_hours_start",
    "quiet_hours_end",
    "visitor_policy",
    "illness_policy",
    "pets",
)
ADDRESS_FIELDS = ("address", "phone")
COORDINATOR_FIELDS = (
    *VOLUNTEER_FIELDS,
    *ADDRESS_FIELDS,
    "children",
    "organisation",
    "created_by",
    "created_at",
    "updated_at",
)


class CircleOutput(OutputModelSerializer):
    """The household profile, cut to ``fields`` (context) by the viewer's role and the address rule."""

    time_zone = serializers.CharField(source="roster.time_zone", read_only=True)
    my_role = serializers.SerializerMethodField()
    children_count = serializers.SerializerMethodField()

    class Meta:
        model = Circle
        fields = COORDINATOR_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = set(self.context.get("fields", ()))
        for name in list(self.fields):
            if name not in allowed:
                self.fields.pop(name)

    def get_my_role(self, circle: Circle) -> str:
        return str(self.context["role"])

    def get_children_count(self, circle: Circle) -> int:
        return len(circle.children or [])


class CircleProfileOutput(CircleOutput):
    """Documents CircleOutput for the schema: every field it can carry. Views never use it.

    Volunteers always get VOLUNTEER_FIELDS; address, phone and the rest only some callers get.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["context"] = {**kwargs.get("context", {}), "fields": (*COORDINATOR_FIELDS, "children_count")}
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in VOLUNTEER_FIELDS:
                # Not read_only, or the schema would call it required for every caller.
                field.read_only = False
                field.required = False


class CircleSummaryOutput(OutputModelSerializer):
    """One line of "my circles": enough to pick one, nothing private."""

    time_zone = serializers.CharField(source="roster.time_zone", read_only=True)
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Circle
        fields = ("id", "name", "status", "time_zone", "organisation", "my_role")

    def get_my_role(self, circle: Circle) -> str:
        return circle_my_role(circle)


class MemberCoordinatorOutput(OutputModelSerializer):
    person_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    email = serializers.EmailField(source="person.email", read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = RosterMembership
        fields = ("person_id", "name", "email", "role", "status", "joined_at")


class MemberVolunteerOutput(OutputModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = RosterMembership
        fields = ("name", "role")


class MemberListOutput(serializers.Serializer):
    """Documents circles/{id}/members/ for both audiences (the view picks one of the two above)."""

    person_id = serializers.IntegerField(required=False, help_text="Coordinators only")
    name = serializers.CharField()
    email = serializers.EmailField(required=False, help_text="Coordinators only")
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.ChoiceField(
        choices=MembershipStatus.choices, required=False, help_text="Coordinators only"
    )
    joined_at = serializers.DateTimeField(required=False, help_text="Coordinators only")


class AddressReadOutput(OutputModelSerializer):
    person_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = AddressRead
        fields = ("person_id", "name", "read_at", "via")


class ChildcareApprovalOutput(OutputModelSerializer):
    person_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    approved_by = serializers.CharField(source="approved_by.name", read_only=True, default=None)

    class Meta:
        model = ChildcareApproval
        fields = ("person_id", "name", "approved_by", "approved_at")


class CircleDeleteInput(InputSerializer):
    confirm = serializers.CharField(max_length=200, allow_blank=True)


class AuditEntryOutput(serializers.Serializer[dict[str, Any]]):
    """One line of the circle's log: an address shown to a volunteer, or a coordinator's action."""

    type = serializers.ChoiceField(choices=["address_read", "action"])
    id = serializers.IntegerField()
    action = serializers.CharField()
    at = serializers.DateTimeField()
    actor_id = serializers.IntegerField(allow_null=True)
    actor_name = serializers.CharField(allow_null=True)
    target_person_id = serializers.IntegerField(allow_null=True)
    target_name = serializers.CharField(allow_null=True)
    via = serializers.CharField(allow_null=True, help_text="Where the address was shown (address reads)")
    detail = serializers.JSONField(allow_null=True, help_text="What changed (actions): field names, ids")
