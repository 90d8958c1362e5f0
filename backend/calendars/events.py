"""The events of a feed: which rows make it up, and what each VEVENT says.

Everything here is decided for one viewer: the family's address goes into LOCATION only when
``practical.selectors.address_visible_to`` allows it, and descriptions carry the task (kind,
what they bring, notes) and a link back, never allergies, health or household details.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Prefetch, Q, QuerySet

from accounts.models import Person
from calendars.ical import EventData, build_calendar
from calendars.models import FeedToken
from notifications.selectors import reminder_lead_times
from practical.models import Circle, Contribution, HelpRequest
from practical.selectors import address_visible_to
from scheduling.models import Roster, Shift, Signup

# How long a cancelled commitment stays in a feed as STATUS:CANCELLED. Calendar servers only
# remove an event they see cancelled (or, for some, one that vanished): a month covers the
# slowest poller by far, and then the event leaves the feed for good.
CANCELLED_KEPT_FOR = timedelta(days=30)

HELD = (Signup.Status.CONFIRMED, Signup.Status.OFFERED, Signup.Status.COMPLETED, Signup.Status.NO_SHOW)
COMING = (Signup.Status.CONFIRMED, Signup.Status.OFFERED, Signup.Status.COMPLETED)


def reminder_lead_times_for(*, person: Person) -> list[timedelta]:
    """The person's reminder lead times (notifications decides them), one VALARM each."""
    return reminder_lead_times(person=person)


# --- Which rows make up a feed --------------------------------------------------------------------


def person_visible(*, cutoff: datetime) -> Q:
    """A person's sign-ups that are in their feed: live ones, and those cancelled since ``cutoff``.

    Plain conditions on columns (no annotation), so the 304 path's aggregate compiles fast.
    """
    signup_cancelled = Q(status=Signup.Status.CANCELLED)
    shift_cancelled = Q(shift__status=Shift.Status.CANCELLED)
    live = Q(status__in=(*HELD, Signup.Status.WAITLISTED)) & ~shift_cancelled
    # The engine always sets cancelled_at; rows written before it did fall back to updated_at.
    own_cancel = signup_cancelled & (
        Q(cancelled_at__gte=cutoff) | Q(cancelled_at__isnull=True, updated_at__gte=cutoff)
    )
    shift_cancel = ~signup_cancelled & shift_cancelled & Q(shift__updated_at__gte=cutoff)
    return live | own_cancel | shift_cancel


def _person_rows(*, person: Person, now: datetime) -> QuerySet[Signup]:
    return Signup.objects.filter(person=person).filter(person_visible(cutoff=now - CANCELLED_KEPT_FOR))


def _shift_rows(*, roster_id: int, now: datetime) -> QuerySet[Shift]:
    cutoff = now - CANCELLED_KEPT_FOR
    return Shift.objects.filter(roster_id=roster_id).filter(
        ~Q(status=Shift.Status.CANCELLED) | Q(updated_at__gte=cutoff)
    )


# --- Events -----------------------------------------------------------------------------------


def _first_name(person: Person) -> str:
    name = (person.name or "").strip()
    return name.split()[0] if name else "A volunteer"


def _one_or_none(instance: Model, accessor: str) -> Any:
    """A reverse one-to-one (circle, help request, contribution), or None when there is none.

    ``select_related`` caches a missing one as None, but reading it through Django's descriptor
    raises (and formats) DoesNotExist every time: a few per event, thousands per feed.
    """
    cache = instance._state.fields_cache
    if accessor in cache:
        return cache[accessor]
    try:
        return getattr(instance, accessor)
    except ObjectDoesNotExist:
        return None


def _circle_of(shift: Shift) -> Circle | None:
    circle: Circle | None = _one_or_none(shift.roster, "circle")
    return circle


def _help_request_of(shift: Shift) -> HelpRequest | None:
    help_request: HelpRequest | None = _one_or_none(shift, "help_request")
    return help_request


def _contribution(signup: Signup) -> Contribution | None:
    contribution: Contribution | None = _one_or_none(signup, "contribution")
    return contribution


def _dish_of(signup: Signup) -> str:
    contribution = _contribution(signup)
    return contribution.dish if contribution is not None else ""


def _modified_at(shift: Shift, signups: Iterable[Signup]) -> datetime:
    """When what an event shows last changed (its DTSTAMP and LAST-MODIFIED; never now())."""
    moments = [shift.updated_at, shift.roster.updated_at]
    circle = _circle_of(shift)
    if circle is not None:
        moments.append(circle.updated_at)
    for signup in signups:
        moments.append(signup.updated_at)
        if signup.cancelled_at is not None:
            moments.append(signup.cancelled_at)
        contribution = _contribution(signup)
        if contribution is not None:
            moments.append(contribution.updated_at)
    return max(moments)


class _AddressRule:
    """``practical.selectors.address_visible_to``, asked once per circle per render."""

    def __init__(self, person: Person, now: datetime) -> None:
        self.person = person
        self.now = now
        self.answers: dict[int, bool] = {}
        # Circles whose address actually went into a LOCATION: the family sees who was shown it.
        self.shown: dict[int, Circle] = {}

    def __call__(self, circle: Circle) -> bool:
        if circle.pk not in self.answers:
            self.answers[circle.pk] = address_visible_to(circle=circle, person=self.person, at=self.now)
        return self.answers[circle.pk]


def _location(shift: Shift, *, show_address: bool, address_rule: _AddressRule) -> str:
    circle = _circle_of(shift)
    if show_address and circle is not None and circle.address:
        address_rule.shown[circle.pk] = circle
        return circle.address
    return shift.location or shift.call_link


def _lines(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def _kind_line(shift: Shift) -> str:
    help_request = _help_request_of(shift)
    if help_request is None:
        return ""
    return f"Help needed: {help_request.get_kind_display()}"


def _signup_event(signup: Signup, *, address_rule: _AddressRule, alarms: list[timedelta]) -> EventData:
    """One person's commitment; the same event in their feed and in the single download."""
    shift = signup.shift
    cancelled = signup.status == Signup.Status.CANCELLED or shift.status == Shift.Status.CANCELLED
    if cancelled:
        status = "CANCELLED"
    elif signup.status == Signup.Status.WAITLISTED:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    circle = _circle_of(shift)
    # Only a place actually held opens the family's address, and only when their rule says so.
    show_address = (
        circle is not None
        and not cancelled
        and signup.status == Signup.Status.CONFIRMED
        and address_rule(circle)
    )
    dish = _dish_of(signup)
    summary = f"{shift.title} · {circle.name}" if circle is not None else shift.title
    description = _lines(
        _kind_line(shift),
        "You are on the waitlist: we will tell you if a place frees up." if status == "TENTATIVE" else "",
        f"You are bringing: {dish}" if dish else "",
        f"Notes: {shift.notes}" if shift.notes else "",
        f"Call link: {shift.call_link}" if shift.call_link else "",
        f"Open in Village: {settings.SITE_URL}/#/commitments/{signup.pk}",
    )
    return EventData(
        uid=f"signup-{signup.pk}@village",
        summary=summary,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        time_zone=shift.roster.time_zone,
        all_day=shift.is_flexible,
        status=status,
        sequence=shift.sequence + signup.sequence,
        modified_at=_modified_at(shift, [signup]),
        description=description,
        url=f"{settings.SITE_URL}/#/commitments/{signup.pk}",
        location=_location(shift, show_address=show_address, address_rule=address_rule),
        alarms=alarms if status != "CANCELLED" else (),
    )


def _shift_event(shift: Shift, *, address_rule: _AddressRule, names: str) -> EventData:
    """A shift in a circle's or roster's feed (the coordinators' view)."""
    circle = _circle_of(shift)
    cancelled = shift.status == Shift.Status.CANCELLED
    every: list[Signup] = list(shift.prefetched_signups)  # type: ignore[attr-defined]
    coming = [s for s in every if s.status in COMING]
    if names == "first":
        people = [
            f"{_first_name(s.person)} (bringing {_dish_of(s)})" if _dish_of(s) else _first_name(s.person)
            for s in coming
        ]
    else:
        people = [
            f"{s.person.name} (bringing {_dish_of(s)})" if _dish_of(s) else s.person.name for s in coming
        ]
    open_places = max(shift.capacity - shift.filled, 0)
    description = _lines(
        _kind_line(shift),
        f"Filled: {shift.filled} of {shift.capacity}",
        f"Coming: {', '.join(people)}" if people else "Nobody has signed up yet.",
        f"Open places: {open_places}" if open_places and not cancelled else "",
        f"Notes: {shift.notes}" if shift.notes else "",
        f"Call link: {shift.call_link}" if shift.call_link else "",
        f"Open in Village: {settings.SITE_URL}/#/shifts/{shift.pk}",
    )
    return EventData(
        uid=f"shift-{shift.pk}@village",
        summary=f"{shift.title} ({shift.filled}/{shift.capacity})",
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        time_zone=shift.roster.time_zone,
        all_day=shift.is_flexible,
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=shift.sequence,
        modified_at=_modified_at(shift, every),
        description=description,
        url=f"{settings.SITE_URL}/#/shifts/{shift.pk}",
        location=_location(
            shift,
            show_address=circle is not None and not cancelled and address_rule(circle),
            address_rule=address_rule,
        ),
    )


_SIGNUP_RELATED = ("shift__roster__circle", "shift__help_request", "contribution")
# What a person's feed reads of each row (the query-count tests catch a column missing here):
# the other columns, JSON among them, cost more to load than the events cost to build.
_SIGNUP_COLUMNS = (
    *("person_id", "status", "sequence", "updated_at", "cancelled_at"),
    *("shift__roster_id", "shift__title", "shift__starts_at", "shift__ends_at", "shift__is_flexible"),
    *("shift__location", "shift__call_link", "shift__notes", "shift__status", "shift__sequence"),
    *("shift__updated_at", "shift__help_request__kind", "contribution__dish", "contribution__updated_at"),
)


def _person_events(*, person: Person, now: datetime, rule: _AddressRule) -> list[EventData]:
    # The rosters (with their circles) are read once, not joined into every row: a person's 500
    # commitments sit in a handful of rosters, and building 500 copies of each roster and circle
    # was most of the time spent reading the rows.
    signups = list(
        _person_rows(person=person, now=now)
        .select_related("shift__help_request", "contribution")
        .only(*_SIGNUP_COLUMNS)
        .order_by("shift__starts_at", "pk")
    )
    roster_ids = {signup.shift.roster_id for signup in signups}
    rosters = Roster.objects.select_related("circle").in_bulk(roster_ids) if roster_ids else {}
    kept = []
    for signup in signups:
        roster = rosters.get(signup.shift.roster_id)
        if roster is None:  # deleted between the two reads, and its sign-ups with it
            continue
        Shift.roster.field.set_cached_value(signup.shift, roster)
        kept.append(signup)
    alarms = reminder_lead_times_for(person=person)
    return [_signup_event(s, address_rule=rule, alarms=alarms) for s in kept]


def _roster_events(*, roster: Roster, now: datetime, names: str, rule: _AddressRule) -> list[EventData]:
    signups = Signup.objects.select_related("person", "contribution").order_by("created_at", "pk")
    shifts = (
        _shift_rows(roster_id=roster.pk, now=now)
        .select_related("roster__circle", "help_request")
        .prefetch_related(Prefetch("signups", queryset=signups, to_attr="prefetched_signups"))
        .order_by("starts_at", "pk")
    )
    return [_shift_event(s, address_rule=rule, names=names) for s in shifts]


@dataclass(frozen=True)
class Rendered:
    body: bytes
    # Circles whose address is in the file, so the caller can record that it was shown.
    addresses_shown: list[Circle]


def feed_render(*, token: FeedToken, subject: Circle | Roster | Person, now: datetime) -> Rendered:
    """The whole feed as iCalendar bytes; the same rows always give the same bytes."""
    rule = _AddressRule(token.owner, now)
    if isinstance(subject, Circle):
        name = f"{subject.name} · Village"
        events = _roster_events(roster=subject.roster, now=now, names="first", rule=rule)
    elif isinstance(subject, Roster):
        name = f"{subject.name} · Village"
        events = _roster_events(roster=subject, now=now, names="full", rule=rule)
    else:
        name = "My Village commitments"
        events = _person_events(person=subject, now=now, rule=rule)
    calendar = build_calendar(
        name=name, events=events, feed_uid=f"feed-{token.scope}-{token.scope_id}@village"
    )
    return Rendered(body=calendar.to_ical(), addresses_shown=list(rule.shown.values()))


def signup_render(*, signup: Signup, person: Person, now: datetime) -> Rendered:
    """One commitment as ``person`` may see it, as a METHOD:PUBLISH file (same UID as the feed)."""
    signup = Signup.objects.select_related(*_SIGNUP_RELATED).get(pk=signup.pk)
    rule = _AddressRule(person, now)
    event = _signup_event(signup, address_rule=rule, alarms=reminder_lead_times_for(person=person))
    calendar = build_calendar(name=event.summary, events=[event], method="PUBLISH")
    return Rendered(body=calendar.to_ical(), addresses_shown=list(rule.shown.values()))
