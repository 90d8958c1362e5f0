"""The circle's audit log: who was shown the family's address, and what coordinators changed.

Writes: ``audit_record`` is called by practical's own services inside the transaction of the
change it describes. Reads: ``circle_audit_log`` merges those entries with ``AddressRead`` rows
(already written by the circle API, request details and calendar feeds) into one newest-first
list for the family.

Coordinators' changes to volunteers' places made through the engine's own endpoints
(``shifts/{id}/assign/``, ``signups/{id}/cancel|complete|no-show/``, declining a late cancel)
reach the log through ``engine_action_record``, the hook practical registers with
``scheduling.coordinator_actions`` (scheduling may not import practical).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import CharField, F, IntegerField, JSONField, QuerySet, Value

from accounts.models import Person
from practical.models import AddressRead, Circle, CircleAuditEntry
from scheduling import coordinator_actions
from scheduling.coordinator_actions import CoordinatorAction

# What ``CircleAuditEntry.action`` may say (the web app maps them to sentences).
MEMBER_JOINED = "member_joined"
MEMBER_APPROVED = "member_approved"
MEMBER_ROLE_CHANGED = "member_role_changed"
MEMBER_REMOVED = "member_removed"
CHILDCARE_APPROVED = "childcare_approved"
CHILDCARE_WITHDRAWN = "childcare_withdrawn"
CIRCLE_PAUSED = "circle_paused"
CIRCLE_RESUMED = "circle_resumed"
CIRCLE_CLOSED = "circle_closed"
PROFILE_EDITED = "profile_edited"
REQUEST_CREATED = "request_created"
REQUEST_SERIES_CREATED = "request_series_created"
REQUEST_EDITED = "request_edited"
REQUEST_CANCELLED = "request_cancelled"
REQUEST_RECEIVED = "request_received"
SIGNUP_THANKED = "signup_thanked"
# Coordinators' changes to a volunteer's place, told by the engine (same names as the engine's).
SIGNUP_ASSIGNED = coordinator_actions.SIGNUP_ASSIGNED
SIGNUP_UNASSIGNED = coordinator_actions.SIGNUP_UNASSIGNED
CANCEL_REQUEST_DECLINED = coordinator_actions.CANCEL_REQUEST_DECLINED
SIGNUP_COMPLETED = coordinator_actions.SIGNUP_COMPLETED
SIGNUP_NO_SHOW = coordinator_actions.SIGNUP_NO_SHOW
# The merged view's name for an AddressRead row.
ADDRESS_SHOWN = "address_shown"

# Every kind of entry the log can hold, for the list's ``action`` filter.
ACTIONS = (
    ADDRESS_SHOWN,
    MEMBER_JOINED,
    MEMBER_APPROVED,
    MEMBER_ROLE_CHANGED,
    MEMBER_REMOVED,
    CHILDCARE_APPROVED,
    CHILDCARE_WITHDRAWN,
    CIRCLE_PAUSED,
    CIRCLE_RESUMED,
    CIRCLE_CLOSED,
    PROFILE_EDITED,
    REQUEST_CREATED,
    REQUEST_SERIES_CREATED,
    REQUEST_EDITED,
    REQUEST_CANCELLED,
    REQUEST_RECEIVED,
    SIGNUP_THANKED,
    SIGNUP_ASSIGNED,
    SIGNUP_UNASSIGNED,
    CANCEL_REQUEST_DECLINED,
    SIGNUP_COMPLETED,
    SIGNUP_NO_SHOW,
)

STATUS_ACTIONS = {"paused": CIRCLE_PAUSED, "active": CIRCLE_RESUMED, "closed": CIRCLE_CLOSED}


def audit_record(
    *,
    circle: Circle,
    actor: Person | None,
    action: str,
    target_person_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> CircleAuditEntry:
    """Add one entry to the circle's log. Call it inside the transaction of the change itself.

    ``detail`` must name what changed (field names, request ids), never the family's address or
    phone: the log is shown to every coordinator and exported.
    """
    return CircleAuditEntry.objects.create(
        circle=circle,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_person_id=target_person_id,
        detail=detail or {},
    )


def engine_action_record(told: CoordinatorAction) -> None:
    """The engine's hook: a coordinator's change to a place in a circle goes into its log.

    Rosters that are not a circle's have no family to read a log, so nothing is written for them.
    """
    circle = Circle.objects.filter(roster_id=told.signup.shift.roster_id).only("pk").first()
    if circle is None:
        return
    audit_record(
        circle=circle,
        actor=told.actor,
        action=told.action,
        target_person_id=told.signup.person_id,
        detail={"shift_id": told.signup.shift_id, "signup_id": told.signup.pk, **told.detail},
    )


_SELECTED = (
    "a_source",
    "a_id",
    "a_action",
    "a_at",
    "a_actor_id",
    "a_actor_name",
    "a_target_id",
    "a_target_name",
    "a_via",
    "a_detail",
)


def circle_audit_log(
    *,
    circle: Circle,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Any]:
    """Address reads and coordinator actions in one list, newest first; one query per page.

    ``action`` keeps one kind of entry (``ADDRESS_SHOWN`` for the reads); ``since`` and ``until``
    keep entries at or after, and before, those times.

    Each row (see ``audit_row``) is: ``type`` ("address_read" | "action"), ``id``, ``action``, ``at``,
    ``actor_id``, ``actor_name``, ``target_person_id``, ``target_name``, ``via``, ``detail``.
    A UNION of two plain SELECTs, so pagination (COUNT, LIMIT/OFFSET) stays in the database.
    """
    reads = AddressRead.objects.filter(circle=circle)
    entries = CircleAuditEntry.objects.filter(circle=circle)
    if since is not None:
        reads, entries = reads.filter(read_at__gte=since), entries.filter(created_at__gte=since)
    if until is not None:
        reads, entries = reads.filter(read_at__lt=until), entries.filter(created_at__lt=until)
    if action is not None:
        # The filter goes on each half: Django cannot filter a UNION after it is built.
        if action == ADDRESS_SHOWN:
            entries = entries.none()
        else:
            reads, entries = reads.none(), entries.filter(action=action)
    reads = reads.annotate(
        a_source=Value("address_read", output_field=CharField()),
        a_id=F("pk"),
        a_action=Value(ADDRESS_SHOWN, output_field=CharField()),
        a_at=F("read_at"),
        a_actor_id=F("person_id"),
        a_actor_name=F("person__name"),
        a_target_id=Value(None, output_field=IntegerField()),
        a_target_name=Value(None, output_field=CharField()),
        a_via=F("via"),
        a_detail=Value(None, output_field=JSONField()),
    ).values_list(*_SELECTED)
    actions = entries.annotate(
        a_source=Value("action", output_field=CharField()),
        a_id=F("pk"),
        a_action=F("action"),
        a_at=F("created_at"),
        a_actor_id=F("actor_id"),
        a_actor_name=F("actor__name"),
        a_target_id=F("target_person_id"),
        a_target_name=F("target_person__name"),
        a_via=Value(None, output_field=CharField()),
        a_detail=F("detail"),
    ).values_list(*_SELECTED)
    return reads.union(actions, all=True).order_by("-a_at", "a_source", "-a_id")


AUDIT_COLUMNS = (
    "type",
    "id",
    "action",
    "at",
    "actor_id",
    "actor_name",
    "target_person_id",
    "target_name",
    "via",
    "detail",
)


def audit_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """One row of ``circle_audit_log`` as a dict keyed by ``AUDIT_COLUMNS``."""
    return dict(zip(AUDIT_COLUMNS, row, strict=True))
