"""The engine's lists: a roster's shifts and open slots, sign-ups, commitments, swaps and gaps."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from scheduling.models import Roster, RosterMembership, Shift, Signup, SwapOffer
from scheduling.selectors.access import (
    ACTIVE_STATUSES,
    HELD_STATUSES,
    roster_role,
)
from village.compiled import CompiledQuery


def shifts_for_roster(
    *,
    roster: Roster,
    start: datetime | None = None,
    end: datetime | None = None,
    include_cancelled: bool = True,
    viewer: Person | None = None,
) -> QuerySet[Shift]:
    """A roster's shifts that touch [start, end), soonest first, ready to serialize.

    With ``viewer``, each shift carries ``my_signup_id``/``my_signup_status`` (the viewer's
    active sign-up, if any), read in the same statement. Required qualifications are fetched
    for a whole page at once by ``attach_qualifications`` (``ShiftOutput(many=True)`` does it).
    """
    shifts = Shift.objects.filter(roster=roster)
    if start is not None:
        shifts = shifts.filter(ends_at__gt=start)
    if end is not None:
        shifts = shifts.filter(starts_at__lt=end)
    if not include_cancelled:
        shifts = shifts.filter(status=Shift.Status.SCHEDULED)
    # The roster's zone is the one thing a listed shift needs of its roster: a column, not a
    # second model instance per row.
    shifts = shifts.annotate(
        roster_time_zone=F("roster__time_zone"),
        # Most shifts require nothing: a page where none does needs no qualifications query.
        _has_required=Exists(Shift.required_qualifications.through.objects.filter(shift_id=OuterRef("pk"))),
    )
    if viewer is not None:
        mine = Signup.objects.filter(shift_id=OuterRef("pk"), person=viewer, status__in=ACTIVE_STATUSES)
        shifts = shifts.annotate(
            my_signup_id=Subquery(mine.order_by("pk").values("pk")[:1]),
            my_signup_status=Subquery(mine.order_by("pk").values("status")[:1]),
        )
    return shifts.order_by("starts_at", "pk")


def qualifications_by_shift(shift_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each shift's required qualifications ([{id, code, name}], by id), in one query for all.

    Plain rows rather than a prefetch: a page of 50 shifts would otherwise build a related
    manager and a model per shift and qualification only to read three columns.
    """
    rows: dict[int, list[dict[str, Any]]] = {pk: [] for pk in shift_ids}
    if not shift_ids:
        return rows
    links = (
        Shift.required_qualifications.through.objects.filter(shift_id__in=shift_ids)
        .order_by("qualification_id")
        .values_list("shift_id", "qualification_id", "qualification__code", "qualification__name")
    )
    for shift_id, pk, code, name in links:
        rows[shift_id].append({"id": pk, "code": code, "name": name})
    return rows


def attach_qualifications(shifts: list[Shift]) -> None:
    """Give each shift ``qualification_rows`` (see ``qualifications_by_shift``); shifts known
    to require nothing (``_has_required``) cost no query."""
    todo = []
    for shift in shifts:
        if hasattr(shift, "qualification_rows"):
            continue
        if getattr(shift, "_has_required", True) is False:
            shift.qualification_rows = []  # type: ignore[attr-defined]
        else:
            todo.append(shift)
    found = qualifications_by_shift([shift.pk for shift in todo])
    for shift in todo:
        shift.qualification_rows = found[shift.pk]  # type: ignore[attr-defined]


def open_shifts(
    *,
    roster: Roster,
    person: Person,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
) -> QuerySet[Shift]:
    """Shifts the person could still claim a place on: scheduled, not started, not full, not
    already held (or waited for) by them. Eligibility rules are checked at claim time."""
    now = now or timezone.now()
    held_by_person = Signup.objects.filter(person=person, status__in=ACTIVE_STATUSES).values("shift_id")
    return (
        shifts_for_roster(roster=roster, start=start, end=end, include_cancelled=False)
        .filter(filled__lt=F("capacity"))
        # A flexible window stays open until it ends; a timed shift until it starts.
        .filter(Q(is_flexible=False, starts_at__gt=now) | Q(is_flexible=True, ends_at__gt=now))
        .exclude(pk__in=held_by_person)
    )


# What a page of listed shifts reads of each: ShiftOutput's fields, straight from the columns.
SHIFT_ROW = (
    "id",
    "roster_id",
    "series_id",
    "title",
    "starts_at",
    "ends_at",
    "roster_time_zone",
    "is_flexible",
    "capacity",
    "filled",
    "location",
    "call_link",
    "notes",
    "status",
    "sequence",
    "_has_required",
)


@cache
def _shift_page(*, open_only: bool, with_start: bool, with_end: bool) -> CompiledQuery:
    # One compiled statement per combination of filters: each is a different WHERE.
    kinds: dict[str, type] = {"roster_id": int, "person_id": int}
    if open_only:
        kinds["now"] = datetime
    if with_start:
        kinds["start"] = datetime
    if with_end:
        kinds["end"] = datetime

    def build(
        *,
        roster_id: int,
        person_id: int,
        now: datetime | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> QuerySet[Any]:
        # Instances that carry only their key: all a filter reads of them.
        roster, person = Roster(pk=roster_id), Person(pk=person_id)
        if open_only:
            shifts = open_shifts(roster=roster, person=person, start=start, end=end, now=now)
            return shifts.values(*SHIFT_ROW)
        shifts = shifts_for_roster(roster=roster, start=start, end=end, viewer=person)
        return shifts.values(*SHIFT_ROW, "my_signup_id", "my_signup_status")

    return CompiledQuery(build, counted=True, **kinds)


def shift_page(
    *,
    roster: Roster,
    person: Person,
    open_only: bool,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the roster's shifts as rows (``SHIFT_ROW``, each with its ``qualifications``)
    and how many there are in all: ``open_shifts`` when ``open_only``, else
    ``shifts_for_roster`` with the person's own sign-up (``my_signup_id``/``_status``)."""
    values: dict[str, Any] = {"roster_id": roster.pk, "person_id": person.pk}
    if open_only:
        values["now"] = timezone.now()
    if start is not None:
        values["start"] = start
    if end is not None:
        values["end"] = end
    query = _shift_page(open_only=open_only, with_start=start is not None, with_end=end is not None)
    rows, count = query.page(limit=limit, offset=offset, **values)
    found = qualifications_by_shift([row["id"] for row in rows if row["_has_required"]])
    for row in rows:
        row["qualifications"] = found.get(row["id"], [])
    return rows, count


def _open_swap_subquery() -> Subquery:
    # ``signup.open_swap_id``: the open swap offer on the place, if any, read with the sign-up.
    return Subquery(
        SwapOffer.objects.filter(signup_id=OuterRef("pk"), status=SwapOffer.Status.OPEN)
        .order_by("pk")
        .values("pk")[:1]
    )


def signups_for_shift(*, shift: Shift, person: Person) -> QuerySet[Signup]:
    """Coordinators see every sign-up; a volunteer sees who is coming (confirmed places)."""
    signups = (
        Signup.objects.filter(shift=shift)
        .select_related("person")
        .annotate(open_swap_id=_open_swap_subquery())
        .order_by("created_at", "pk")
    )
    if roster_role(roster=shift.roster, person=person) == "coordinator":
        return signups
    return signups.filter(status=Signup.Status.CONFIRMED)


def commitments_for(
    *, person: Person, since: datetime | None = None, include_cancelled: bool = False
) -> QuerySet[Signup]:
    """Everything the person holds or waits for, on every roster and circle, soonest first.

    ``since`` (default: 24 hours ago) keeps recent past commitments for "did it happen?".
    """
    since = since if since is not None else timezone.now() - timedelta(hours=24)
    statuses: list[str] = [*ACTIVE_STATUSES, Signup.Status.COMPLETED, Signup.Status.NO_SHOW]
    if include_cancelled:
        statuses.append(Signup.Status.CANCELLED)
    return (
        Signup.objects.filter(person=person, status__in=statuses, shift__ends_at__gte=since)
        .select_related("shift", "shift__roster")
        .annotate(open_swap_id=_open_swap_subquery())
        .order_by("shift__starts_at", "pk")
    )


# What a page of commitments reads: CommitmentOutput's fields, straight from the columns.
COMMITMENT_ROW = (
    "id",
    "status",
    "note",
    "offer_expires_at",
    "cancel_requested_at",
    "open_swap_id",
    "shift_id",
    "shift__title",
    "shift__starts_at",
    "shift__ends_at",
    "shift__is_flexible",
    "shift__location",
    "shift__call_link",
    "shift__status",
    "shift__sequence",
    "shift__roster_id",
    "shift__roster__name",
    "shift__roster__kind",
    "shift__roster__time_zone",
)

_COMMITMENT_PAGE = CompiledQuery(
    lambda person_id, since: commitments_for(person=Person(pk=person_id), since=since).values(
        *COMMITMENT_ROW
    ),
    counted=True,
    person_id=int,
    since=datetime,
)


def commitment_page(
    *, person: Person, since: datetime | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of ``commitments_for`` as rows (``COMMITMENT_ROW``) and how many there are in all."""
    since = since if since is not None else timezone.now() - timedelta(hours=24)
    return _COMMITMENT_PAGE.page(limit=limit, offset=offset, person_id=person.pk, since=since)


def overlapping_commitments(
    *,
    person: Person,
    starts_at: datetime,
    ends_at: datetime,
    exclude_shift: Shift | None = None,
    grace: timedelta | None = None,
) -> QuerySet[Signup]:
    """The person's held places whose time overlaps [starts_at, ends_at) on ANY roster.

    With ``grace``, also those that end or start within that much of the window (near misses).
    Flexible windows ("any time this week") never overlap: their hours are not a promise.
    """
    grace = grace or timedelta(0)
    signups = Signup.objects.filter(
        person=person,
        status__in=HELD_STATUSES,
        shift__status=Shift.Status.SCHEDULED,
        shift__is_flexible=False,
        shift__starts_at__lt=ends_at + grace,
        shift__ends_at__gt=starts_at - grace,
    )
    if exclude_shift is not None:
        signups = signups.exclude(shift=exclude_shift)
    return signups.select_related("shift", "shift__roster").order_by("shift__starts_at", "pk")


def open_swaps_for_roster(*, roster: Roster) -> QuerySet[SwapOffer]:
    """Open swap offers on the roster's shifts that have not started, soonest shift first."""
    return (
        SwapOffer.objects.filter(
            status=SwapOffer.Status.OPEN,
            signup__shift__roster=roster,
            signup__shift__status=Shift.Status.SCHEDULED,
            signup__shift__starts_at__gt=timezone.now(),
        )
        .select_related("signup__shift__roster", "signup__person")
        .order_by("signup__shift__starts_at", "pk")
    )


# --- A coordinator's gaps across everything they run ---------------------------------------

GAPS_DEFAULT_DAYS = 7
GAPS_MAX_DAYS = 31


def rosters_coordinated_by(*, person: Person) -> QuerySet[Roster]:
    """Every roster and circle the person coordinates (same rule as ``roster_role``): as a
    coordinator member of it, or as a coordinator of its organisation."""
    if not person.is_authenticated:
        return Roster.objects.none()
    active = MembershipStatus.ACTIVE
    as_member = RosterMembership.objects.filter(person=person, status=active, role=Role.COORDINATOR).values(
        "roster_id"
    )
    as_org = OrganisationMembership.objects.filter(
        person=person, status=active, role=Role.COORDINATOR
    ).values("organisation_id")
    return Roster.objects.filter(Q(pk__in=as_member) | Q(organisation_id__in=as_org))


def gaps_for_coordinator(*, person: Person, days: int, now: datetime | None = None) -> QuerySet[Shift]:
    """Places still open on the shifts of every roster and circle the person coordinates that
    start within ``days`` (a flexible window counts until it ends), soonest first, roster joined."""
    now = now or timezone.now()
    return (
        Shift.objects.filter(
            roster__in=rosters_coordinated_by(person=person),
            status=Shift.Status.SCHEDULED,
            filled__lt=F("capacity"),
            starts_at__lt=now + timedelta(days=days),
        )
        .filter(Q(is_flexible=False, starts_at__gt=now) | Q(is_flexible=True, ends_at__gt=now))
        .select_related("roster")
        .order_by("starts_at", "pk")
    )
