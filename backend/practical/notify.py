"""Who is told what when something changes in a circle: the place the circle's messages are decided.

Services call these inside their transaction; each writes outbox rows through
``notifications.services.notification_create`` (delivered only after commit), so a message is
never lost and never sent for a change that was rolled back.
"""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.utils import formats, timezone, translation

from accounts.models import MembershipStatus, Person
from notifications.services import notification_create
from practical.models import Circle, CircleStatusChange, HelpRequest
from scheduling.models import ACTIVE_SIGNUP_STATUSES, Shift, Signup

CIRCLE_PAUSED = "circle_paused"
# A long series would make an unreadable message; the rest are one tap away in the app.
MAX_LISTED = 5


def circle_paused(circle: Circle) -> None:
    """Tell each member holding (or waiting for) a place on a shift still to come that the family paused.

    Their commitments stand until they or a coordinator cancel them, so the message lists them
    in the circle's time zone (where the help happens), in the reader's language. Keyed by the
    status change, so a retry of the same pause tells nobody twice, while a later pause is news.
    """
    change = CircleStatusChange.objects.filter(circle=circle).order_by("-pk").first()
    change_id = change.pk if change is not None else 0
    members = circle.roster.memberships.filter(status=MembershipStatus.ACTIVE).values("person_id")
    signups = (
        Signup.objects.filter(
            shift__roster_id=circle.roster_id,
            shift__status=Shift.Status.SCHEDULED,
            shift__ends_at__gt=timezone.now(),
            status__in=ACTIVE_SIGNUP_STATUSES,
            person_id__in=members,
        )
        .select_related("shift", "person")
        .order_by("shift__starts_at", "pk")
    )
    by_person: dict[int, list[Signup]] = defaultdict(list)
    people: dict[int, Person] = {}
    for signup in signups:
        by_person[signup.person_id].append(signup)
        people[signup.person_id] = signup.person
    zone = ZoneInfo(circle.roster.time_zone)
    for person_id, held in by_person.items():
        person = people[person_id]
        with translation.override(person.language):
            listed = [
                {
                    "title": signup.shift.title,
                    "starts_at_local": formats.date_format(
                        signup.shift.starts_at.astimezone(zone), "l j F, H:i"
                    ),
                    "waiting": signup.status != Signup.Status.CONFIRMED,
                }
                for signup in held[:MAX_LISTED]
            ]
        notification_create(
            recipient=person,
            kind=CIRCLE_PAUSED,
            template="practical/circle_paused",
            context={
                # roster_id: a message that could not be delivered shows in the circle's failed list.
                "roster_id": circle.roster_id,
                "circle_id": circle.pk,
                "circle_name": circle.name,
                "time_zone": circle.roster.time_zone,
                "commitments": listed,
                "more": max(len(held) - MAX_LISTED, 0),
            },
            key=f"{CIRCLE_PAUSED}:{circle.pk}:{change_id}:{person_id}",
        )


VOLUNTEER_THANKED = "volunteer_thanked"


def volunteer_thanked(*, signup: Signup, help_request: HelpRequest, by: Person, message: str) -> None:
    """Tell the volunteer that the family thanked them, with the family's words.

    Called once per sign-up (thanking again only edits the stored words), and keyed by the
    sign-up, so a retried request never sends a second thank-you.
    """
    zone = ZoneInfo(help_request.circle.roster.time_zone)
    volunteer = signup.person
    with translation.override(volunteer.language):
        when = formats.date_format(signup.shift.starts_at.astimezone(zone), "l j F")
    notification_create(
        recipient=volunteer,
        kind=VOLUNTEER_THANKED,
        template="practical/volunteer_thanked",
        context={
            "roster_id": help_request.circle.roster_id,
            "circle_name": help_request.circle.name,
            "from_name": by.name.split(" ")[0] if by.name else help_request.circle.name,
            "title": signup.shift.title,
            "date_local": when,
            "message": message,
        },
        key=f"{VOLUNTEER_THANKED}:{signup.pk}",
    )


CIRCLE_DELETED = "circle_deleted"


def circle_deleted(*, circle: Circle, circle_name: str, signups: list[Signup]) -> None:
    """Tell each holder of a commitment still to come that the family deleted their circle.

    ``signups`` are collected before anything is removed (with ``shift`` and ``person`` loaded),
    and ``circle_name`` is the name before it was wiped: the volunteer needs to know which family.
    The list names the kind of help and the time, never the request's title, which the family
    wrote and which is being deleted. Keyed by circle and person: a retry tells nobody twice.
    """
    by_person: dict[int, list[Signup]] = defaultdict(list)
    for signup in signups:
        by_person[signup.person_id].append(signup)
    zone = ZoneInfo(circle.roster.time_zone)
    kinds = dict(
        HelpRequest.objects.filter(shift_id__in=[s.shift_id for s in signups]).values_list("shift_id", "kind")
    )
    for person_id, held in by_person.items():
        person = held[0].person
        with translation.override(person.language):
            listed = [
                {
                    "kind": str(HelpRequest.Kind(kinds[s.shift_id]).label) if s.shift_id in kinds else "Help",
                    "starts_at_local": formats.date_format(s.shift.starts_at.astimezone(zone), "l j F, H:i"),
                    "waiting": s.status != Signup.Status.CONFIRMED,
                }
                for s in held[:MAX_LISTED]
            ]
        notification_create(
            recipient=person,
            kind=CIRCLE_DELETED,
            template="practical/circle_deleted",
            context={
                "circle_name": circle_name,
                "time_zone": circle.roster.time_zone,
                "commitments": listed,
                "more": max(len(held) - MAX_LISTED, 0),
            },
            key=f"{CIRCLE_DELETED}:{circle.pk}:{person_id}",
        )
