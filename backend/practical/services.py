"""Writes for care circles: create, the household profile, pause/resume/close, members, trust.

Every function here is keyword-only and does its writes in one transaction, so a circle is
never left without its roster or its first coordinator.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from practical import audit, notify
from practical.models import AddressRead, ChildcareApproval, Circle, CircleStatusChange
from scheduling.models import Roster, RosterMembership, Shift
from village.api import Conflict, DomainError

# The household profile: what helpers need to help well, editable by the circle's coordinators.
PROFILE_FIELDS = (
    "adults",
    "children",
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
    "address",
    "phone",
)

# Which state may follow which. Closing is final: a family that wants help again starts afresh,
# so volunteers from a closed chapter are not carried along without anyone deciding it.
_TRANSITIONS: dict[str, set[str]] = {
    Circle.Status.ACTIVE: {Circle.Status.PAUSED, Circle.Status.CLOSED},
    Circle.Status.PAUSED: {Circle.Status.ACTIVE, Circle.Status.CLOSED},
    Circle.Status.CLOSED: set(),
}


def _children_json(children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stored: list[dict[str, Any]] = []
    for child in children:
        row: dict[str, Any] = {}
        if child.get("name"):
            row["name"] = child["name"]
        birth_date = child.get("birth_date")
        if birth_date:
            # The API hands over dates; scripts (demo data) may pass ISO strings already.
            row["birth_date"] = birth_date.isoformat() if isinstance(birth_date, date) else str(birth_date)
        if child.get("age_years") is not None:
            row["age_years"] = child["age_years"]
        stored.append(row)
    return stored


def _check_windows(values: dict[str, Any]) -> None:
    """Both ends or neither; a delivery window ends after it starts (quiet hours may span midnight)."""
    fields: dict[str, list[str]] = {}
    for prefix, label in (("delivery_window", "delivery window"), ("quiet_hours", "quiet hours")):
        start: time | None = values.get(f"{prefix}_start")
        end: time | None = values.get(f"{prefix}_end")
        if (start is None) != (end is None):
            missing = f"{prefix}_end" if end is None else f"{prefix}_start"
            fields[missing] = [f"Give both the start and the end of the {label}, or neither."]
    start, end = values.get("delivery_window_start"), values.get("delivery_window_end")
    if start is not None and end is not None and end <= start:
        fields["delivery_window_end"] = ["The delivery window must end after it starts."]
    if fields:
        name, problems = next(iter(fields.items()))
        raise DomainError(f"{name}: {problems[0]}", fields=fields)


def _apply_profile(circle: Circle, profile: dict[str, Any]) -> None:
    for name, value in profile.items():
        if name not in PROFILE_FIELDS:
            raise TypeError(f"{name} is not part of the household profile")
        setattr(circle, name, _children_json(value) if name == "children" else value)
    _check_windows({name: getattr(circle, name) for name in PROFILE_FIELDS})


def circle_create(
    *,
    created_by: Person,
    name: str,
    time_zone: str,
    organisation_id: int | None = None,
    **profile: Any,
) -> Circle:
    """Create a circle with its own roster (same zone and organisation) and its creator as coordinator.

    The creator may be the family or a friend organising for them. An organisation may only be
    named by one of its active coordinators: otherwise anyone could hand a family's private
    space to an organisation's staff. All rows or none.
    """
    if organisation_id is not None:
        # Same answer whether the organisation does not exist or is not theirs: no probing ids.
        is_coordinator = OrganisationMembership.objects.filter(
            organisation_id=organisation_id,
            person=created_by,
            role=Role.COORDINATOR,
            status=MembershipStatus.ACTIVE,
        ).exists()
        if not is_coordinator:
            raise DomainError(
                "Only a coordinator of that organisation can start a circle under it.",
                code="not_organisation_coordinator",
                fields={"organisation": ["You are not a coordinator of this organisation."]},
            )
    circle = Circle(name=name, organisation_id=organisation_id, created_by=created_by)
    _apply_profile(circle, profile)
    with transaction.atomic():
        circle.roster = Roster.objects.create(
            kind=Roster.Kind.CIRCLE, name=name, organisation_id=organisation_id, time_zone=time_zone
        )
        circle.save()
        RosterMembership.objects.create(
            roster=circle.roster, person=created_by, role=Role.COORDINATOR, status=MembershipStatus.ACTIVE
        )
    return circle


def circle_update(*, circle: Circle, actor: Person, **changes: Any) -> Circle:
    """Change the household profile, name, time zone or status; the roster follows name and zone.

    A new address raises the SEQUENCE of every shift of the circle not yet over, in the same
    transaction, so calendars replace the LOCATION they hold. A status change goes through the
    same rules as pause/resume/close.
    """
    new_status = changes.pop("status", None)
    profile = {key: value for key, value in changes.items() if key in PROFILE_FIELDS}
    unknown = set(changes) - set(profile) - {"name", "time_zone"}
    if unknown:
        raise TypeError(f"circle_update got unknown fields: {sorted(unknown)}")
    before = {name: getattr(circle, name) for name in profile}
    before.update(name=circle.name, time_zone=circle.roster.time_zone)
    _apply_profile(circle, profile)
    with transaction.atomic():
        if "name" in changes:
            circle.name = changes["name"]
            circle.roster.name = changes["name"]
        if "time_zone" in changes:
            circle.roster.time_zone = changes["time_zone"]
        if "name" in changes or "time_zone" in changes:
            circle.roster.save(update_fields=["name", "time_zone", "updated_at"])
        # Never write ``status`` here: a pause landing meanwhile must not be overwritten.
        circle.save(update_fields=[*profile, *(["name"] if "name" in changes else []), "updated_at"])
        after = {name: getattr(circle, name) for name in profile}
        after.update(name=circle.name, time_zone=circle.roster.time_zone)
        edited = sorted(name for name in after if after[name] != before[name])
        if "address" in edited:
            # The address is the LOCATION of the circle's events in calendar feeds, and calendar
            # clients keep their copy of an event unless its SEQUENCE rises. Past shifts keep
            # theirs: where a finished visit happened is history, not a change to act on.
            now = timezone.now()
            Shift.objects.filter(
                roster_id=circle.roster_id, status=Shift.Status.SCHEDULED, ends_at__gt=now
            ).update(sequence=F("sequence") + 1, updated_at=now)
        if edited:
            # What changed, by name only: the log is read by every coordinator and the values
            # (the address, the children) are the family's, not the log's.
            audit.audit_record(
                circle=circle, actor=actor, action=audit.PROFILE_EDITED, detail={"fields": edited}
            )
        if new_status is not None and new_status != circle.status:
            circle_status_change(circle=circle, actor=actor, to_status=new_status)
    return circle


def circle_status_change(*, circle: Circle, actor: Person, to_status: str) -> Circle:
    """Move the circle to ``to_status`` and record who did it; asking for the current state is a no-op.

    Pausing keeps every commitment: the holders are told (``notify.circle_paused``) and can
    decide, rather than losing the place they claimed. Closing is final (409 afterwards).
    """
    if to_status == circle.status:
        return circle
    if to_status not in _TRANSITIONS[circle.status]:
        raise Conflict(
            f"This circle is {circle.get_status_display().lower()}; it cannot be made "
            f"{Circle.Status(to_status).label.lower()}.",
            code="circle_status_conflict",
        )
    with transaction.atomic():
        # Conditional UPDATE: of two coordinators pressing pause and close at once, the one
        # whose starting state is no longer true changes nothing and gets a 409.
        changed = Circle.objects.filter(pk=circle.pk, status=circle.status).update(status=to_status)
        if not changed:
            raise Conflict("Someone else just changed this circle. Reload and try again.", code="stale")
        CircleStatusChange.objects.create(
            circle=circle, from_status=circle.status, to_status=to_status, changed_by=actor
        )
        audit.audit_record(
            circle=circle,
            actor=actor,
            action=audit.STATUS_ACTIONS[to_status],
            detail={"from": circle.status, "to": to_status},
        )
        circle.status = to_status
        if to_status == Circle.Status.PAUSED:
            notify.circle_paused(circle)
    return circle


def circle_pause(*, circle: Circle, actor: Person) -> Circle:
    """Pause the circle: no new requests go out; existing commitments stay, their holders are told."""
    return circle_status_change(circle=circle, actor=actor, to_status=Circle.Status.PAUSED)


def circle_resume(*, circle: Circle, actor: Person) -> Circle:
    """Make a paused circle active again."""
    return circle_status_change(circle=circle, actor=actor, to_status=Circle.Status.ACTIVE)


def circle_close(*, circle: Circle, actor: Person) -> Circle:
    """Close the circle for good (kept for its history, never deleted here)."""
    return circle_status_change(circle=circle, actor=actor, to_status=Circle.Status.CLOSED)


def _membership_for(*, circle: Circle, person_id: int) -> RosterMembership:
    membership = (
        RosterMembership.objects.select_related("person")
        .filter(roster_id=circle.roster_id, person_id=person_id)
        .first()
    )
    if membership is None:
        raise DomainError("That person is not a member of this circle.", code="not_found", status_code=404)
    return membership


def _keep_a_coordinator(*, circle: Circle, membership: RosterMembership) -> None:
    others = (
        RosterMembership.objects.filter(
            roster_id=circle.roster_id, role=Role.COORDINATOR, status=MembershipStatus.ACTIVE
        )
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise Conflict(
            "A circle needs at least one coordinator. Make someone else a coordinator first.",
            code="last_coordinator",
        )


def circle_member_update(
    *,
    circle: Circle,
    person_id: int,
    role: str | None = None,
    status: str | None = None,
    actor: Person | None = None,
) -> RosterMembership:
    """Approve a waiting member, change their role, or remove them; the circle keeps a coordinator.

    Removing someone also withdraws the family's childcare approval of them. Each change is
    written to the circle's audit log with ``actor``.
    """
    with transaction.atomic():
        membership = _membership_for(circle=circle, person_id=person_id)
        before = (membership.role, membership.status)
        was_coordinator = membership.role == Role.COORDINATOR and membership.status == MembershipStatus.ACTIVE
        if role is not None:
            membership.role = role
        if status is not None:
            membership.status = status
        still_coordinator = (
            membership.role == Role.COORDINATOR and membership.status == MembershipStatus.ACTIVE
        )
        if was_coordinator and not still_coordinator:
            _keep_a_coordinator(circle=circle, membership=membership)
        membership.save(update_fields=["role", "status"])
        if membership.status == MembershipStatus.REMOVED:
            # Trust with children is personal and current: someone invited back later must be
            # approved again, not find an old approval silently revived.
            ChildcareApproval.objects.filter(circle=circle, person_id=person_id).delete()
        _audit_membership(circle=circle, actor=actor, membership=membership, before=before)
    return membership


def _audit_membership(
    *, circle: Circle, actor: Person | None, membership: RosterMembership, before: tuple[str, str]
) -> None:
    role_before, status_before = before
    detail = {"role": membership.role, "status": membership.status}
    if membership.status != status_before:
        if membership.status == MembershipStatus.REMOVED:
            action = audit.MEMBER_REMOVED
        elif membership.status == MembershipStatus.ACTIVE and status_before == MembershipStatus.PENDING:
            action = audit.MEMBER_APPROVED
        else:
            action = audit.MEMBER_ROLE_CHANGED
    elif membership.role != role_before:
        action = audit.MEMBER_ROLE_CHANGED
    else:
        return
    audit.audit_record(
        circle=circle,
        actor=actor,
        action=action,
        target_person_id=membership.person_id,
        detail={**detail, "previous_role": role_before, "previous_status": status_before},
    )


def circle_member_remove(*, circle: Circle, person_id: int, actor: Person | None = None) -> RosterMembership:
    """Remove a member (the row stays, status removed, so the history still names them)."""
    return circle_member_update(
        circle=circle, person_id=person_id, status=MembershipStatus.REMOVED, actor=actor
    )


def circle_membership_join(*, circle: Circle, person: Person, role: str, status: str) -> RosterMembership:
    """Put the person into the circle (an accepted invitation). Never lowers what they already have.

    An active member stays active (an approval-required link does not send them back to
    waiting) and is promoted only by an active coordinator invitation, never demoted. A
    waiting or removed person takes the invitation's role and status: a coordinator chose to
    invite them again.
    """
    with transaction.atomic():
        membership, created = RosterMembership.objects.get_or_create(
            roster_id=circle.roster_id, person=person, defaults={"role": role, "status": status}
        )
        if created:
            audit.audit_record(
                circle=circle,
                actor=person,
                action=audit.MEMBER_JOINED,
                target_person_id=person.pk,
                detail={"role": role, "status": status},
            )
            return membership
        if membership.status == MembershipStatus.ACTIVE:
            if role == Role.COORDINATOR and status == MembershipStatus.ACTIVE:
                membership.role = Role.COORDINATOR
        else:
            membership.role, membership.status = role, status
        membership.save(update_fields=["role", "status"])
    return membership


def childcare_approval_create(
    *, circle: Circle, person_id: int, approved_by: Person
) -> tuple[ChildcareApproval, bool]:
    """The family trusts this active member with their children. Returns (approval, created)."""
    is_member = RosterMembership.objects.filter(
        roster_id=circle.roster_id, person_id=person_id, status=MembershipStatus.ACTIVE
    ).exists()
    if not is_member:
        raise DomainError(
            "Only an active member of this circle can be approved for childcare. Invite them first.",
            code="not_a_member",
            fields={"person": ["This person is not an active member of the circle."]},
        )
    existing = ChildcareApproval.objects.filter(circle=circle, person_id=person_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            approval = ChildcareApproval.objects.create(
                circle=circle, person_id=person_id, approved_by=approved_by
            )
            audit.audit_record(
                circle=circle,
                actor=approved_by,
                action=audit.CHILDCARE_APPROVED,
                target_person_id=person_id,
            )
    except IntegrityError:
        # Two coordinators approving the same person at once: the unique constraint keeps one.
        return ChildcareApproval.objects.get(circle=circle, person_id=person_id), False
    return approval, True


def childcare_approval_delete(*, circle: Circle, person_id: int, actor: Person | None = None) -> None:
    """Withdraw the family's childcare trust in this person (404 when there was none)."""
    with transaction.atomic():
        deleted, _ = ChildcareApproval.objects.filter(circle=circle, person_id=person_id).delete()
        if not deleted:
            raise DomainError(
                "That person is not on this circle's childcare list.", code="not_found", status_code=404
            )
        audit.audit_record(
            circle=circle, actor=actor, action=audit.CHILDCARE_WITHDRAWN, target_person_id=person_id
        )


def address_read_record(*, circle: Circle, person: Person, via: str) -> AddressRead:
    """Note that a volunteer was shown the family's address or phone, for the family to see."""
    return AddressRead.objects.create(circle=circle, person=person, via=via[:40])
