"""Request bodies (strict: unknown fields are errors) and responses for accounts."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django.utils import timezone
from rest_framework import serializers

from accounts.invitations import invitation_target_kinds
from accounts.models import (
    Invitation,
    Language,
    MembershipStatus,
    Organisation,
    OrganisationMembership,
    Person,
    Role,
)
from village.api import InputSerializer, OutputModelSerializer


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class TimeZoneField(serializers.CharField):
    """An IANA time zone name such as America/New_York."""

    default_error_messages = {
        "bad_zone": "“{value}” is not a time zone we know. Use a name like America/New_York or Europe/Madrid.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in _time_zones():
            self.fail("bad_zone", value=value)
        return value


# --- people and auth ---------------------------------------------------------------------------


class PersonSerializer(OutputModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "email", "name", "language", "time_zone"]


class SignupInput(InputSerializer):
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=120)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    time_zone = TimeZoneField(required=False)


class CredentialsInput(InputSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class CsrfSerializer(serializers.Serializer):
    csrf_token = serializers.CharField()


class MeUpdateInput(InputSerializer):
    name = serializers.CharField(max_length=120, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    time_zone = TimeZoneField(required=False)


class PasswordChangeInput(InputSerializer):
    current_password = serializers.CharField(max_length=256, trim_whitespace=False)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


class PasswordResetInput(InputSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmInput(InputSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


# --- organisations -----------------------------------------------------------------------------


class OrganisationSerializer(OutputModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "time_zone", "created_at"]


class MyOrganisationSerializer(serializers.Serializer):
    """An organisation as its member sees it, with their own role and status in it."""

    id = serializers.IntegerField(source="organisation.id")
    name = serializers.CharField(source="organisation.name")
    time_zone = serializers.CharField(source="organisation.time_zone")
    created_at = serializers.DateTimeField(source="organisation.created_at")
    role = serializers.ChoiceField(choices=Role.choices, help_text="My role in the organisation.")
    status = serializers.ChoiceField(
        choices=MembershipStatus.choices, help_text="My membership: active, or pending approval."
    )


class OrganisationInput(InputSerializer):
    name = serializers.CharField(max_length=160)
    time_zone = TimeZoneField(required=False)


class OrganisationUpdateInput(InputSerializer):
    name = serializers.CharField(max_length=160, required=False)
    time_zone = TimeZoneField(required=False)


class MemberPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class MemberSerializer(OutputModelSerializer):
    person = MemberPersonSerializer()

    class Meta:
        model = OrganisationMembership
        fields = ["person", "role", "status", "created_at"]


class MemberUpdateInput(InputSerializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    status = serializers.ChoiceField(
        choices=MembershipStatus.choices,
        required=False,
        help_text="Set to active to approve a pending member; remove someone with DELETE.",
    )

    def validate_status(self, value: str) -> str:
        if value != MembershipStatus.ACTIVE:
            raise serializers.ValidationError(
                "Set the status to active to approve someone; to remove them, use remove instead."
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give a role or a status to change.")
        return attrs


# --- invitations -------------------------------------------------------------------------------


class InvitationInput(InputSerializer):
    target_kind = serializers.CharField(max_length=16)
    target_id = serializers.IntegerField(min_value=1)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.VOLUNTEER)
    email = serializers.EmailField(max_length=254, required=False, default="")
    requires_approval = serializers.BooleanField(default=False)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=60, default=14)
    max_uses = serializers.IntegerField(min_value=1, max_value=10_000, required=False, allow_null=True)

    def validate_target_kind(self, value: str) -> str:
        kinds = invitation_target_kinds()
        if value not in kinds:
            raise serializers.ValidationError(f"Choose one of: {', '.join(kinds)}.")
        return value


class InvitationListQuery(InputSerializer):
    target_kind = serializers.CharField(max_length=16)
    target_id = serializers.IntegerField(min_value=1)
    limit = serializers.IntegerField(required=False)
    offset = serializers.IntegerField(required=False)


class InviterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class InvitationSerializer(OutputModelSerializer):
    invited_by = InviterSerializer(allow_null=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "target_kind",
            "target_id",
            "role",
            "email",
            "requires_approval",
            "max_uses",
            "use_count",
            "expires_at",
            "revoked_at",
            "created_at",
            "invited_by",
            "state",
        ]

    def get_state(self, invitation: Invitation) -> str:
        """active, revoked, expired or used_up."""
        if invitation.revoked_at is not None:
            return "revoked"
        if invitation.expires_at <= timezone.now():
            return "expired"
        if invitation.max_uses is not None and invitation.use_count >= invitation.max_uses:
            return "used_up"
        return "active"


class CreatedInvitationSerializer(InvitationSerializer):
    token = serializers.CharField(help_text="Shown only in this response; keep it to share.")
    join_url = serializers.CharField(help_text="Shown only in this response.")

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "token", "join_url"]


class InvitationPreviewSerializer(serializers.Serializer):
    target_kind = serializers.CharField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    expires_at = serializers.DateTimeField()
    requires_approval = serializers.BooleanField()


class InvitationAcceptedSerializer(serializers.Serializer):
    target_kind = serializers.CharField(source="invitation.target_kind")
    target_id = serializers.IntegerField(source="invitation.target_id")
    status = serializers.ChoiceField(choices=MembershipStatus.choices)
