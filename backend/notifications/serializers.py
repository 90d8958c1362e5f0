from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

from notifications.kinds import registered_kinds
from notifications.models import Channel, Notification, NotificationPreference
from village.api import InputSerializer, OutputModelSerializer

_KIND = re.compile(r"^[a-z0-9_.\-]{1,64}$")


class NotificationOutput(OutputModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "context", "sent_at", "read_at", "created_at"]


class InboxFilterInput(InputSerializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)
    limit = serializers.IntegerField(required=False)
    offset = serializers.IntegerField(required=False)


class PreferenceOutput(OutputModelSerializer):
    kinds = serializers.SerializerMethodField()
    language = serializers.CharField(source="person.language", read_only=True)

    class Meta:
        model = NotificationPreference
        fields = [
            "kinds",
            "channels",
            "reminder_lead_minutes",
            "quiet_hours_start",
            "quiet_hours_end",
            "digest_weekly",
            "sms_number",
            "language",
        ]

    def get_kinds(self, obj: NotificationPreference) -> list[dict[str, Any]]:
        """Every registered kind and every kind turned off, with a label in the person's language."""
        known = registered_kinds()
        disabled = set(obj.disabled_kinds or [])
        language = obj.person.language
        return [
            {
                "kind": name,
                "label": known[name].label_for(language) if name in known else name,
                "on": name not in disabled,
            }
            for name in sorted(set(known) | disabled)
        ]


class PreferenceInput(InputSerializer):
    kinds = serializers.DictField(child=serializers.BooleanField(), required=False)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), required=False, max_length=3
    )
    reminder_lead_minutes = serializers.ListField(
        child=serializers.IntegerField(min_value=5, max_value=60 * 24 * 14), required=False, max_length=5
    )
    quiet_hours_start = serializers.TimeField(required=False, allow_null=True)
    quiet_hours_end = serializers.TimeField(required=False, allow_null=True)
    digest_weekly = serializers.BooleanField(required=False)
    sms_number = serializers.RegexField(r"^\+?[0-9 ()\-]{6,20}$", required=False, allow_blank=True)

    def validate_kinds(self, value: dict[str, bool]) -> dict[str, bool]:
        bad = [kind for kind in value if not _KIND.match(kind)]
        if bad:
            raise serializers.ValidationError(f"Unknown kind of notification: {bad[0]}.")
        return value

    def validate_channels(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def validate_reminder_lead_minutes(self, value: list[int]) -> list[int]:
        return sorted(set(value), reverse=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("quiet_hours_start" in attrs) != ("quiet_hours_end" in attrs):
            raise serializers.ValidationError(
                {"quiet_hours_end": ["Give both the start and the end of quiet hours (or neither)."]}
            )
        if (attrs.get("quiet_hours_start") is None) != (attrs.get("quiet_hours_end") is None):
            raise serializers.ValidationError(
                {"quiet_hours_end": ["Give both the start and the end of quiet hours (or neither)."]}
            )
        return attrs
