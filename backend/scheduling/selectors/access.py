"""Who may see what on a roster, one object at a time: roles, and the lookups that answer 404.

A role is read in the same statement as the object (``_with_role``) and remembered on the roster
for the rest of the request (``_remember_role``), so a permission check costs no query of its own."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from scheduling.models import Roster, RosterMembership, Shift, Signup, SwapOffer
from village.compiled import CompiledQuery

RosterRole = Literal["coordinator", "volunteer"]


def roster_role(*, roster: Roster, person: Person) -> RosterRole | None:
    """The person's role on the roster, or None when they have no business seeing it.

    Organisation coordinators coordinate every roster (and circle) of their organisation;
    organisation volunteers take part in its duty rosters but never see a circle they were not
    invited into, because a circle is a family's private space.
    """
    if not person.is_authenticated:
        return None
    known = getattr(roster, "_roles", None)
    if known is not None and person.pk in known:
        return known[person.pk]
    membership = (
        RosterMembership.objects.filter(roster=roster, person=person, status=MembershipStatus.ACTIVE)
        .values_list("role", flat=True)
        .first()
    )
    if membership == Role.COORDINATOR:
        return "coordinator"
    org_role = None
    if roster.organisation_id is not None:
        org_role = (
            OrganisationMembership.objects.filter(
                organisation_id=roster.organisation_id, person=person, status=MembershipStatus.ACTIVE
            )
            .values_list("role", flat=True)
            .first()
        )
    return _role_from(roster=roster, membership=membership, org_role=org_role)


def _role_from(*, roster: Roster, membership: str | None, org_role: str | None) -> RosterRole | None:
    # The precedence of ``roster_role``, from the two memberships however they were read.
    if membership == Role.COORDINATOR or org_role == Role.COORDINATOR:
        return "coordinator"
    if membership == Role.VOLUNTEER:
        return "volunteer"
    if org_role == Role.VOLUNTEER and roster.kind == Roster.Kind.DUTY:
        return "volunteer"
    return None


def _with_role(queryset: QuerySet[Any], *, person: Person | int, roster_path: str = "") -> QuerySet[Any]:
    """Read the person's two memberships (roster, organisation) in the same statement as the
    object, so a permission check costs no query of its own; see ``_remember_role``."""
    roster_ref = f"{roster_path}pk" if roster_path else "pk"
    organisation_ref = f"{roster_path}organisation_id"
    active = MembershipStatus.ACTIVE
    # No ORDER BY: a person has at most one membership per roster and per organisation.
    return queryset.annotate(
        _member_role=Subquery(
            RosterMembership.objects.filter(
                roster_id=OuterRef(roster_ref), person=person, status=active
            ).values("role")[:1]
        ),
        _org_role=Subquery(
            OrganisationMembership.objects.filter(
                organisation_id=OuterRef(organisation_ref), person=person, status=active
            ).values("role")[:1]
        ),
    )


def _remember_role(obj: Any, roster: Roster, person: Person) -> RosterRole | None:
    # Kept on the roster object for the rest of the request: every later ``roster_role`` for this
    # person (a service's coordinator check, a registered claim rule) is answered without a query.
    role = _role_from(roster=roster, membership=obj._member_role, org_role=obj._org_role)
    roles = getattr(roster, "_roles", None)
    if roles is None:
        roles = roster._roles = {}  # type: ignore[attr-defined]
    roles[person.pk] = role
    return role


def rosters_visible_to(*, person: Person) -> QuerySet[Roster]:
    """Every roster the person has a role on (same rule as ``roster_role``), for list endpoints."""
    if not person.is_authenticated:
        return Roster.objects.none()
    active = MembershipStatus.ACTIVE
    org_coordinator = Q(
        organisation__memberships__person=person,
        organisation__memberships__status=active,
        organisation__memberships__role=Role.COORDINATOR,
    )
    org_volunteer_on_duty = Q(
        kind=Roster.Kind.DUTY,
        organisation__memberships__person=person,
        organisation__memberships__status=active,
    )
    member = Q(memberships__person=person, memberships__status=active)
    return Roster.objects.filter(member | org_coordinator | org_volunteer_on_duty).distinct()


# --- Shifts and sign-ups ---------------------------------------------------------------------

# Places a person actually holds; a waitlisted person has promised nothing yet.
HELD_STATUSES = (Signup.Status.CONFIRMED, Signup.Status.OFFERED)
ACTIVE_STATUSES = (Signup.Status.CONFIRMED, Signup.Status.OFFERED, Signup.Status.WAITLISTED)


def _shift_with_role(*, shift_id: int, person: Person) -> Shift | None:
    shifts = Shift.objects.select_related("roster").filter(pk=shift_id)
    if not person.is_authenticated:
        return shifts.first()
    shift = _with_role(shifts, person=person, roster_path="roster__").first()
    if shift is not None:
        _remember_role(shift, shift.roster, person)
    return shift


def shift_visible_to(*, shift_id: int, person: Person) -> Shift:
    """The shift, or Http404 when it does not exist or the person has no role on its roster.

    404 rather than 403 so a volunteer cannot learn that a circle's shifts exist.
    """
    shift = _shift_with_role(shift_id=shift_id, person=person)
    if shift is None or roster_role(roster=shift.roster, person=person) is None:
        raise Http404
    return shift


def _shift_with_claim_facts(*, shift_id: int, person_id: int) -> QuerySet[Shift]:
    # At most one: the partial unique index allows one active sign-up per (shift, person).
    mine = Signup.objects.filter(shift_id=OuterRef("pk"), person_id=person_id, status__in=ACTIVE_STATUSES)
    required = Shift.required_qualifications.through.objects.filter(shift_id=OuterRef("pk"))
    shifts = Shift.objects.select_related("roster").filter(pk=shift_id)
    return _with_role(shifts, person=person_id, roster_path="roster__").annotate(
        my_active_status=Subquery(mine.values("status")[:1]), _has_required=Exists(required)
    )


# Every claim starts with this read; compiling its four subqueries cost more than running them.
_SHIFT_FOR_CLAIM = CompiledQuery(_shift_with_claim_facts, shift_id=int, person_id=int)


def shift_by_id(*, shift_id: int, person: Person | None = None) -> Shift:
    """The shift with its roster, or Http404. Only for callers whose service checks the role
    itself (``signup_claim`` answers 404 to anyone without one), to avoid asking twice.

    With ``person``, the same statement reads their role on the roster (``roster_role`` then
    costs nothing), the status of their active sign-up on the shift (``my_active_status``, or
    None) for a claim's duplicate check, and whether the shift requires any qualification.
    """
    if person is None or not person.is_authenticated:
        shift = Shift.objects.select_related("roster").filter(pk=shift_id).first()
        if shift is None:
            raise Http404
        return shift
    # The ORM answers "no such row" for an id past the column's range; compiled SQL would fail (500).
    found = _SHIFT_FOR_CLAIM.first(shift_id=shift_id, person_id=person.pk) if 0 < shift_id < 2**63 else None
    if found is None:
        raise Http404
    _remember_role(found, found.roster, person)
    found._read_for = person.pk
    found._needs_qualifications = found._has_required
    return found


def signup_visible_to(*, signup_id: int, person: Person) -> Signup:
    """A sign-up its holder or a coordinator of its roster may see; Http404 for anyone else."""
    signups = Signup.objects.select_related("shift__roster", "person").filter(pk=signup_id)
    if person.is_authenticated:
        signups = _with_role(signups, person=person, roster_path="shift__roster__")
    signup = signups.first()
    if signup is None:
        raise Http404
    if person.is_authenticated:
        _remember_role(signup, signup.shift.roster, person)
    if signup.person_id != person.pk and roster_role(roster=signup.shift.roster, person=person) is None:
        raise Http404
    return signup


_ROSTER_WITH_ROLE = CompiledQuery(
    lambda roster_id, person_id: _with_role(Roster.objects.filter(pk=roster_id), person=person_id),
    roster_id=int,
    person_id=int,
)


def roster_visible_to(*, roster_id: int, person: Person) -> Roster:
    """The roster, or Http404 when it does not exist or the person has no role on it.

    Every roster endpoint starts here, so its one statement is compiled once (village.compiled):
    building the lookup's subquery annotations through the ORM cost four times as long as running it.
    """
    # The ORM answers "no such row" for an id past the column's range; compiled SQL would fail (500).
    if not person.is_authenticated or not 0 < roster_id < 2**63:
        raise Http404
    roster = _ROSTER_WITH_ROLE.first(roster_id=roster_id, person_id=person.pk)
    if roster is None or _remember_role(roster, roster, person) is None:
        raise Http404
    return roster


def swap_visible_to(*, swap_id: int, person: Person) -> SwapOffer:
    """An open swap is visible to every member of its roster (they are who may take it)."""
    swap = (
        SwapOffer.objects.select_related("signup__shift__roster", "signup__person").filter(pk=swap_id).first()
    )
    if swap is None or roster_role(roster=swap.signup.shift.roster, person=person) is None:
        raise Http404
    return swap


def open_swap_for_signup(*, signup_id: int, person: Person) -> SwapOffer:
    """The open swap offer on a sign-up, for a member of its roster who might take it; else 404."""
    swap = (
        SwapOffer.objects.select_related("signup__shift__roster", "signup__person")
        .filter(signup_id=signup_id, status=SwapOffer.Status.OPEN)
        .first()
    )
    if swap is None or roster_role(roster=swap.signup.shift.roster, person=person) is None:
        raise Http404
    return swap
