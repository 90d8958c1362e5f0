"""Responses about a person's commitments, swap offers, gaps and undelivered messages."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from rest_framework import serializers

from notifications.channels import redact_addresses
from scheduling.models import Roster, Shift, Signup, SwapOffer
from scheduling.serializers.shifts import (
    SHIFT_STATUS,
    SIGNUP_STATUS,
    PersonBrief,
    _iso,
    _open_swap_id,
    _page_zone,
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
        row = {
            "id": signup.pk,
            "status": signup.status,
            "note": signup.note,
            "offer_expires_at": signup.offer_expires_at,
            "cancel_requested_at": signup.cancel_requested_at,
            "open_swap_id": _open_swap_id(signup),
            "shift_id": shift.pk,
            "shift__roster_id": roster.pk,
            **{f"shift__{name}": getattr(shift, name) for name in _SHIFT_COLUMNS},
            **{f"shift__roster__{name}": getattr(roster, name) for name in _ROSTER_COLUMNS},
        }
        return commitment_row_output(row, _page_zone())


_SHIFT_COLUMNS = [name for name in CommitmentShift.Meta.fields if name != "id"]
_ROSTER_COLUMNS = [name for name in CommitmentRoster.Meta.fields if name != "id"]


def commitment_row_output(row: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    """CommitmentOutput of one row of ``selectors.commitment_page`` (COMMITMENT_ROW), built
    straight from the columns like ``shift_row_output``; CommitmentOutput builds through here too."""
    return {
        "id": row["id"],
        "status": row["status"],
        "note": row["note"],
        "offer_expires_at": _iso(row["offer_expires_at"], zone),
        "cancel_requested_at": _iso(row["cancel_requested_at"], zone),
        "shift": {
            "id": row["shift_id"],
            "title": row["shift__title"],
            "starts_at": _iso(row["shift__starts_at"], zone),
            "ends_at": _iso(row["shift__ends_at"], zone),
            "is_flexible": row["shift__is_flexible"],
            "location": row["shift__location"],
            "call_link": row["shift__call_link"],
            "status": row["shift__status"],
            "sequence": row["shift__sequence"],
        },
        "roster": {
            "id": row["shift__roster_id"],
            "name": row["shift__roster__name"],
            "kind": row["shift__roster__kind"],
            "time_zone": row["shift__roster__time_zone"],
        },
        "time_zone": row["shift__roster__time_zone"],
        "open_swap": row["open_swap_id"],
    }


def commitment_rows_output(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    zone = _page_zone()
    return [commitment_row_output(row, zone) for row in rows]


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
