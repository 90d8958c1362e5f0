"""Responses about a person's commitments, swap offers, gaps and undelivered messages."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from rest_framework import serializers

from notifications.channels import redact_addresses
from scheduling.models import Roster, Shift, Signup, SwapOffer
from scheduling.serializers.shifts import (
    SHIFT_STATUS,
    SIGNUP_STATUS,
    PersonBrief,
    _datetime,
    _open_swap_id,
)
from village.api import OutputModelSerializer


class CommitmentShift(OutputModelSerializer):
    status = SHIFT_STATUS

    class Meta:
        model = Shift
        fields = [
            "id",
            "title",
            "starts_at",
            "ends_at",
            "is_flexible",
            "location",
            "call_link",
            "status",
            "sequence",
        ]


class CommitmentRoster(OutputModelSerializer):
    class Meta:
        model = Roster
        fields = ["id", "name", "kind", "time_zone"]


class CommitmentOutput(OutputModelSerializer):
    status = SIGNUP_STATUS
    shift = CommitmentShift(read_only=True)
    roster = CommitmentRoster(source="shift.roster", read_only=True)
    time_zone = serializers.CharField(source="shift.roster.time_zone", read_only=True)
    open_swap = serializers.SerializerMethodField(help_text="Id of my open swap offer on this place, if any.")

    class Meta:
        model = Signup
        fields = [
            "id",
            "status",
            "note",
            "offer_expires_at",
            "cancel_requested_at",
            "shift",
            "roster",
            "time_zone",
            "open_swap",
        ]

    def get_open_swap(self, signup: Signup) -> int | None:
        return _open_swap_id(signup)

    def to_representation(self, signup: Signup) -> dict[str, Any]:
        shift = signup.shift
        roster = shift.roster
        return {
            "id": signup.pk,
            "status": signup.status,
            "note": signup.note,
            "offer_expires_at": _datetime(signup.offer_expires_at),
            "cancel_requested_at": _datetime(signup.cancel_requested_at),
            "shift": {
                "id": shift.pk,
                "title": shift.title,
                "starts_at": _datetime(shift.starts_at),
                "ends_at": _datetime(shift.ends_at),
                "is_flexible": shift.is_flexible,
                "location": shift.location,
                "call_link": shift.call_link,
                "status": shift.status,
                "sequence": shift.sequence,
            },
            "roster": {
                "id": roster.pk,
                "name": roster.name,
                "kind": roster.kind,
                "time_zone": roster.time_zone,
            },
            "time_zone": roster.time_zone,
            "open_swap": _open_swap_id(signup),
        }


class SwapOutput(OutputModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open | taken | withdrawn")

    class Meta:
        model = SwapOffer
        fields = ["id", "signup", "status", "taken_by", "created_at"]


class SwapBoardOutput(OutputModelSerializer):
    """An open swap on a roster's board: whose place, on which shift."""

    status = serializers.CharField(read_only=True, help_text="open")
    offered_by = PersonBrief(source="signup.person", read_only=True)
    shift = CommitmentShift(source="signup.shift", read_only=True)
    time_zone = serializers.CharField(source="signup.shift.roster.time_zone", read_only=True)

    class Meta:
        model = SwapOffer
        fields = ["id", "signup", "status", "offered_by", "shift", "time_zone", "created_at"]


class GapOutput(serializers.Serializer):
    """One shift with places still open, on a roster or circle the caller coordinates.

    Built straight from the row (like HelpRequestOutput): a dashboard page of 50 gaps should not
    pay for a field object per attribute. ``starts_at``/``ends_at`` carry the roster's offset.
    """

    shift = serializers.IntegerField(read_only=True)
    roster = serializers.IntegerField(read_only=True)
    roster_name = serializers.CharField(read_only=True)
    roster_kind = serializers.CharField(read_only=True, help_text="circle | duty")
    circle = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="For a circle's gap, the circle's id (its page)."
    )
    title = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    time_zone = serializers.CharField(read_only=True)
    is_flexible = serializers.BooleanField(read_only=True)
    capacity = serializers.IntegerField(read_only=True)
    filled = serializers.IntegerField(read_only=True)
    needed = serializers.IntegerField(read_only=True, help_text="Places still open: capacity - filled.")

    def to_representation(self, shift: Shift) -> dict[str, Any]:
        roster = shift.roster
        zone = ZoneInfo(roster.time_zone)
        return {
            "shift": shift.pk,
            "roster": roster.pk,
            "roster_name": roster.name,
            "roster_kind": roster.kind,
            "circle": self.context.get("pages", {}).get(roster.pk)
            if roster.kind == Roster.Kind.CIRCLE
            else None,
            "title": shift.title,
            "starts_at": shift.starts_at.astimezone(zone).isoformat(),
            "ends_at": shift.ends_at.astimezone(zone).isoformat(),
            "time_zone": roster.time_zone,
            "is_flexible": shift.is_flexible,
            "capacity": shift.capacity,
            "filled": shift.filled,
            "needed": max(shift.capacity - shift.filled, 0),
        }


class FailedNotificationOutput(serializers.Serializer):
    """A message about this roster that could not be delivered: who, what and why, no address."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    recipient_name = serializers.SerializerMethodField()
    subject = serializers.CharField()
    attempts = serializers.IntegerField()
    last_error = serializers.SerializerMethodField()
    failed_at = serializers.DateTimeField(allow_null=True)

    def get_recipient_name(self, obj: Any) -> str:
        return obj.recipient.name if obj.recipient is not None else ""

    def get_last_error(self, obj: Any) -> str:
        # Mail servers quote the address they refused; an address is not for coordinators to see.
        return redact_addresses(obj.last_error)
