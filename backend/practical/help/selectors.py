"""Reads for help requests: which requests and dishes a circle member may see.

Who sees the circle at all is ``practical.selectors.circle_get_for`` (404 for anyone without a
role). On top of that, a paused circle's volunteers see none of its future requests except the
ones they already hold a place on: the family asked for quiet, and a commitment already made
is kept (and stays in the volunteer's own commitments).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import Person
from practical.models import Circle, Contribution, HelpRequest
from practical.selectors import circle_role
from scheduling.models import ACTIVE_SIGNUP_STATUSES, Shift, Signup
from scheduling.selectors import RosterRole


def _holds_place(*, person: Person) -> Exists:
    return Exists(
        Signup.objects.filter(shift_id=OuterRef("shift_id"), person=person, status__in=ACTIVE_SIGNUP_STATUSES)
    )


def _visible(
    queryset: QuerySet[HelpRequest], *, circle: Circle, person: Person, role: RosterRole, now: datetime
) -> QuerySet[HelpRequest]:
    if role == "coordinator" or circle.status != Circle.Status.PAUSED:
        return queryset
    return queryset.filter(Q(shift__starts_at__lt=now) | _holds_place(person=person))


def help_requests_for(
    *, circle: Circle, person: Person, role: RosterRole, now: datetime | None = None
) -> QuerySet[HelpRequest]:
    """The circle's live (not cancelled) requests this member may see, soonest first.

    Each row carries ``my_status``: the person's active sign-up status on it, or None.
    """
    now = now or timezone.now()
    mine = Signup.objects.filter(
        shift_id=OuterRef("shift_id"), person=person, status__in=ACTIVE_SIGNUP_STATUSES
    ).values("status")[:1]
    queryset = (
        HelpRequest.objects.filter(circle=circle, shift__status=Shift.Status.SCHEDULED)
        .annotate(my_status=Subquery(mine))
        .select_related("shift", "circle__roster")
        .order_by("shift__starts_at", "pk")
    )
    return _visible(queryset, circle=circle, person=person, role=role, now=now)


def help_request_get_for(
    *, request_id: int, person: Person, now: datetime | None = None, hide_paused: bool = True
) -> tuple[HelpRequest, RosterRole]:
    """The request and the person's role in its circle; Http404 when they may not see it.

    Cancelled requests stay reachable by id (a volunteer following an old link learns it was
    cancelled rather than that it never existed). ``hide_paused=False`` is for the claim, which
    answers a member with the kinder "paused for now" (409) rather than "not found".
    """
    now = now or timezone.now()
    help_request = (
        HelpRequest.objects.select_related("shift", "circle__roster", "circle__organisation")
        .filter(pk=request_id)
        .first()
        if person.is_authenticated
        else None
    )
    if help_request is None:
        raise Http404("No such request.")
    circle = help_request.circle
    role = circle_role(circle=circle, person=person)
    if role is None:
        raise Http404("No such request.")
    hidden_by_pause = (
        hide_paused
        and role != "coordinator"
        and circle.status == Circle.Status.PAUSED
        and help_request.shift.starts_at >= now
        and my_signup(help_request=help_request, person=person) is None
    )
    if hidden_by_pause:
        raise Http404("No such request.")
    return help_request, role


def help_request_signups(*, help_request: HelpRequest) -> QuerySet[Signup]:
    """Who holds or waits for a place on the request, with what they bring, in claim order."""
    return (
        Signup.objects.filter(shift_id=help_request.shift_id, status__in=ACTIVE_SIGNUP_STATUSES)
        .select_related("person", "contribution")
        .order_by("created_at", "pk")
    )


def my_signup(*, help_request: HelpRequest, person: Person) -> Signup | None:
    """The person's active sign-up on the request, if any."""
    return (
        Signup.objects.filter(
            shift_id=help_request.shift_id, person=person, status__in=ACTIVE_SIGNUP_STATUSES
        )
        .select_related("contribution")
        .first()
    )


def dishes_for(
    *, circle: Circle, person: Person, role: RosterRole, now: datetime | None = None
) -> QuerySet[Contribution]:
    """What people are bringing (confirmed places with a dish named), in date order.

    Every member sees it — it exists so that nobody brings the fourth lasagna — but a paused
    circle's volunteers see only past dishes and their own, like its requests.
    """
    now = now or timezone.now()
    requests = _visible(
        HelpRequest.objects.filter(circle=circle), circle=circle, person=person, role=role, now=now
    )
    return (
        Contribution.objects.filter(
            signup__shift__help_request__in=requests.values("pk"),
            signup__shift__status=Shift.Status.SCHEDULED,
            signup__status__in=(Signup.Status.CONFIRMED, Signup.Status.COMPLETED),
        )
        .exclude(dish="")
        .select_related("signup__person", "signup__shift__help_request")
        .order_by("signup__shift__starts_at", "pk")
    )


def help_request_for_signup(*, signup_id: int, person: Person) -> tuple[Signup, HelpRequest, RosterRole]:
    """A sign-up on a help request and the person's role in its circle; Http404 otherwise."""
    signup = (
        Signup.objects.select_related("person", "shift__help_request__circle__roster")
        .filter(pk=signup_id, shift__help_request__isnull=False)
        .first()
        if person.is_authenticated
        else None
    )
    if signup is None:
        raise Http404("No such sign-up.")
    help_request = signup.shift.help_request
    role = circle_role(circle=help_request.circle, person=person)
    if role is None:
        raise Http404("No such sign-up.")
    return signup, help_request, role
