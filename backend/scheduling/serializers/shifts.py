"""Responses about rosters, shifts and the sign-ups on them."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from django.db.models import Manager
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from scheduling.models import ACTIVE_SIGNUP_STATUSES, Qualification, Roster, Shift, Signup, SwapOffer
from scheduling.selectors import SHIFT_ROW, attach_qualifications
from village.api import OutputModelSerializer

# Plain strings rather than model choice enums: three models have a "status" and the schema would
# otherwise name their enums by hash. The help text lists the values.
SHIFT_STATUS = serializers.CharField(read_only=True, help_text="scheduled | cancelled")
SIGNUP_STATUS = serializers.CharField(
    read_only=True, help_text="confirmed | waitlisted | offered | cancelled | completed | no_show"
)


class RosterOutput(OutputModelSerializer):
    class Meta:
        model = Roster
        fields = ["id", "kind", "name", "organisation", "time_zone", "description", "cancel_cutoff"]


class QualificationOutput(OutputModelSerializer):
    class Meta:
        model = Qualification
        fields = ["id", "code", "name"]


class MySignupBrief(serializers.Serializer):
    id = serializers.IntegerField()
    status = SIGNUP_STATUS


_DATETIME = serializers.DateTimeField()


def _datetime(value: datetime | None) -> str | None:
    # DRF's own formatting (zone, "Z" for UTC), so the fast outputs send what the fields document.
    return _DATETIME.to_representation(value) if value is not None else None


def _page_zone() -> tzinfo:
    """The zone ``_datetime`` formats in, looked up once for a page. UTC as the datetime module's
    own, which the database's datetimes already carry: converting one to it is then free."""
    zone = timezone.get_current_timezone()
    return UTC if getattr(zone, "key", None) == "UTC" else zone


def _iso(value: datetime | None, zone: tzinfo) -> str | None:
    # ``_datetime`` for a whole page, in the zone of ``_page_zone``.
    if value is None:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def shift_row_output(row: dict[str, Any], zone: tzinfo) -> dict[str, Any]:
    """ShiftOutput of one row of ``selectors.shift_page`` (its columns are named in SHIFT_ROW).

    Lists are built straight from the columns: the serializer's field-by-field path costs a
    field object, a get_attribute and a manager per attribute and row, most of a list's time.
    ``ShiftOutput`` stays the documented contract and builds its own output through here too.
    """
    my_signup_id = row.get("my_signup_id")
    return {
        "id": row["id"],
        "roster": row["roster_id"],
        "series": row["series_id"],
        "title": row["title"],
        "starts_at": _iso(row["starts_at"], zone),
        "ends_at": _iso(row["ends_at"], zone),
        "time_zone": row["roster_time_zone"],
        "is_flexible": row["is_flexible"],
        "capacity": row["capacity"],
        "filled": row["filled"],
        "places_left": max(row["capacity"] - row["filled"], 0),
        "location": row["location"],
        "call_link": row["call_link"],
        "notes": row["notes"],
        "required_qualifications": row["qualifications"],
        "status": row["status"],
        "sequence": row["sequence"],
        "my_signup": None
        if my_signup_id is None
        else {"id": my_signup_id, "status": row.get("my_signup_status")},
    }


def shift_rows_output(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    zone = _page_zone()
    return [shift_row_output(row, zone) for row in rows]


class ShiftListOutput(serializers.ListSerializer):
    """Reads a page's required qualifications in one query before serializing its shifts."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        shifts = list(data.all() if isinstance(data, Manager) else data)
        attach_qualifications(shifts)
        child = self.child
        assert child is not None
        return [child.to_representation(shift) for shift in shifts]


class ShiftOutput(OutputModelSerializer):
    status = SHIFT_STATUS
    time_zone = serializers.CharField(source="roster.time_zone", read_only=True)
    places_left = serializers.SerializerMethodField()
    my_signup = serializers.SerializerMethodField(
        help_text="The viewer's active sign-up on this shift ({id, status}), or null."
    )
    required_qualifications = QualificationOutput(many=True, read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "roster",
            "series",
            "title",
            "starts_at",
            "ends_at",
            "time_zone",
            "is_flexible",
            "capacity",
            "filled",
            "places_left",
            "location",
            "call_link",
            "notes",
            "required_qualifications",
            "status",
            "sequence",
            "my_signup",
        ]

        list_serializer_class = ShiftListOutput

    def get_places_left(self, shift: Shift) -> int:
        return max(shift.capacity - shift.filled, 0)

    @extend_schema_field(MySignupBrief(allow_null=True))
    def get_my_signup(self, shift: Shift) -> dict[str, Any] | None:
        if hasattr(shift, "my_signup_id"):  # annotated by shifts_for_roster(viewer=...)
            if shift.my_signup_id is None:
                return None
            return {"id": shift.my_signup_id, "status": getattr(shift, "my_signup_status", None)}
        viewer = self.context.get("viewer")
        if viewer is None:
            return None
        mine = list(shift.signups.filter(person=viewer, status__in=ACTIVE_SIGNUP_STATUSES)[:1])
        return {"id": mine[0].pk, "status": mine[0].status} if mine else None

    def to_representation(self, shift: Shift) -> dict[str, Any]:
        rows = getattr(shift, "qualification_rows", None)
        if rows is None:
            rows = [{"id": q.pk, "code": q.code, "name": q.name} for q in shift.required_qualifications.all()]
        # Listed shifts carry their roster's zone as a column (shifts_for_roster); others their roster.
        zone = shift.roster_time_zone if hasattr(shift, "roster_time_zone") else shift.roster.time_zone
        row = {name: getattr(shift, name) for name in _SHIFT_COLUMNS}
        my_signup = self.get_my_signup(shift)
        row.update(
            roster_time_zone=zone,
            qualifications=rows,
            my_signup_id=my_signup["id"] if my_signup else None,
            my_signup_status=my_signup["status"] if my_signup else None,
        )
        return shift_row_output(row, _page_zone())


# The columns of SHIFT_ROW that are the shift's own attributes.
_SHIFT_COLUMNS = [name for name in SHIFT_ROW if name not in ("roster_time_zone", "_has_required")]


class ShiftSeriesUpdateOutput(serializers.Serializer):
    """What PATCH shifts/{id}/?scope=following|all answers: every occurrence it changed."""

    count = serializers.IntegerField()
    results = ShiftOutput(many=True)


# PATCH shifts/{id}/ answers one shift for scope=this (the default), the changed series otherwise.
ShiftUpdateOutput = PolymorphicProxySerializer(
    component_name="ShiftUpdateOutput",
    serializers=[ShiftOutput, ShiftSeriesUpdateOutput],
    resource_type_field_name=None,
)


class PersonBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _open_swap_id(signup: Signup) -> int | None:
    # Annotated by the list selectors; a single sign-up (detail, claim) asks the database.
    if hasattr(signup, "open_swap_id"):
        return signup.open_swap_id
    swaps = getattr(signup, "open_swaps", None)
    if swaps is None:
        swaps = list(signup.swap_offers.filter(status=SwapOffer.Status.OPEN)[:1])
    return swaps[0].pk if swaps else None


class SignupOutput(OutputModelSerializer):
    status = SIGNUP_STATUS
    person = PersonBrief(read_only=True)
    open_swap = serializers.SerializerMethodField(
        help_text="Id of the open swap offer on this place, if any."
    )

    def get_open_swap(self, signup: Signup) -> int | None:
        return _open_swap_id(signup)

    def to_representation(self, signup: Signup) -> dict[str, Any]:
        person = signup.person
        return {
            "id": signup.pk,
            "shift": signup.shift_id,
            "person": {"id": person.pk, "name": person.name},
            "status": signup.status,
            "note": signup.note,
            "offer_expires_at": _datetime(signup.offer_expires_at),
            "cancel_requested_at": _datetime(signup.cancel_requested_at),
            "cancelled_at": _datetime(signup.cancelled_at),
            "sequence": signup.sequence,
            "created_at": _datetime(signup.created_at),
            "open_swap": _open_swap_id(signup),
        }

    class Meta:
        model = Signup
        fields = [
            "id",
            "shift",
            "person",
            "status",
            "note",
            "offer_expires_at",
            "cancel_requested_at",
            "cancelled_at",
            "sequence",
            "created_at",
            "open_swap",
        ]


class ShiftSignupListOutput(serializers.Serializer):
    """Documents shifts/{id}/signups/: volunteers get PublicSignupOutput, coordinators SignupOutput."""

    id = serializers.IntegerField()
    person = PersonBrief()
    status = SIGNUP_STATUS
    note = serializers.CharField()
    open_swap = serializers.IntegerField(
        allow_null=True, help_text="Id of the open swap offer on this place, if any."
    )
    shift = serializers.IntegerField(required=False, help_text="Coordinators only")
    offer_expires_at = serializers.DateTimeField(
        allow_null=True, required=False, help_text="Coordinators only"
    )
    cancel_requested_at = serializers.DateTimeField(
        allow_null=True, required=False, help_text="Coordinators only"
    )
    cancelled_at = serializers.DateTimeField(allow_null=True, required=False, help_text="Coordinators only")
    sequence = serializers.IntegerField(required=False, help_text="Coordinators only")
    created_at = serializers.DateTimeField(required=False, help_text="Coordinators only")


class PublicSignupOutput(OutputModelSerializer):
    """What a volunteer sees of the others coming: a first name and what they bring."""

    status = SIGNUP_STATUS
    person = PersonBrief(read_only=True)
    open_swap = serializers.SerializerMethodField(
        help_text="Id of the open swap offer on this place, if any."
    )

    class Meta:
        model = Signup
        fields = ["id", "person", "status", "note", "open_swap"]

    def get_open_swap(self, signup: Signup) -> int | None:
        return _open_swap_id(signup)

    def to_representation(self, signup: Signup) -> dict[str, Any]:
        person = signup.person
        return {
            "id": signup.pk,
            "person": {"id": person.pk, "name": person.name},
            "status": signup.status,
            "note": signup.note,
            "open_swap": _open_swap_id(signup),
        }


class ClaimOutput(serializers.Serializer):
    signup = SignupOutput()
    warnings = serializers.ListField(child=serializers.CharField())


def claim_payload(result: Any) -> dict[str, Any]:
    return {"signup": SignupOutput(result.signup).data, "warnings": list(result.warnings)}
