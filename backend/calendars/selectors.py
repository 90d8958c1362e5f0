"""Reads for calendar feeds: which rows make up a feed, its fingerprint, and its events.

The fingerprint (ETag and Last-Modified) is one aggregate query over exactly the rows the feed
is made of, so a poll that changed nothing is answered 304 without rendering. Anything that
changes a feed's bytes must move the fingerprint: row edits (``updated_at``), rows appearing or
disappearing (the count), and the moments when time alone changes the feed — a cancelled event
dropping out after ``CANCELLED_KEPT_FOR``, and the family's address appearing in LOCATION
``ADDRESS_VISIBLE_BEFORE`` a shift and disappearing when it ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, DateTimeField, F, Max, Prefetch, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce

from accounts.models import Person
from calendars.ical import RENDER_VERSION, EventData, build_calendar
from calendars.models import FeedToken
from notifications.selectors import reminder_lead_times
from practical.models import Circle, Contribution, HelpRequest
from practical.selectors import address_visible_to
from scheduling.models import Roster, Shift, Signup
from scheduling.selectors import roster_role

# How long a cancelled commitment stays in a feed as STATUS:CANCELLED. Calendar servers only
# remove an event they see cancelled (or, for some, one that vanished): a month covers the
# slowest poller by far, and then the event leaves the feed for good.
CANCELLED_KEPT_FOR = timedelta(days=30)

_HELD = (Signup.Status.CONFIRMED, Signup.Status.OFFERED, Signup.Status.COMPLETED, Signup.Status.NO_SHOW)
_COMING = (Signup.Status.CONFIRMED, Signup.Status.OFFERED, Signup.Status.COMPLETED)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token_by_secret(*, token: str) -> FeedToken | None:
    """The live token row for a secret from a feed URL, or None (unknown, rotated or revoked)."""
    return (
        FeedToken.objects.select_related("owner")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )


def feed_token_live(*, owner: Person, scope: str, scope_id: int) -> FeedToken | None:
    return FeedToken.objects.filter(
        owner=owner, scope=scope, scope_id=scope_id, revoked_at__isnull=True
    ).first()


def feed_token_ever_issued(*, owner: Person, scope: str, scope_id: int) -> bool:
    return FeedToken.objects.filter(owner=owner, scope=scope, scope_id=scope_id).exists()


def reminder_lead_times_for(*, person: Person) -> list[timedelta]:
    """The person's reminder lead times (notifications decides them), one VALARM each."""
    return reminder_lead_times(person=person)


# --- Access ---------------------------------------------------------------------------------------


def feed_subject(*, token: FeedToken) -> Circle | Roster | Person | None:
    """What the feed shows, if its owner may still see it (else None: the feed answers 404).

    A circle or roster feed belongs to a coordinator; once they stop being one, their old URL
    stops answering, without anyone having to remember to revoke it.
    """
    owner = token.owner
    if not owner.is_active:
        return None
    if token.scope == FeedToken.Scope.PERSON:
        return owner if token.scope_id == owner.pk else None
    if token.scope == FeedToken.Scope.CIRCLE:
        circle = Circle.objects.select_related("roster").filter(pk=token.scope_id).first()
        if circle is None or roster_role(roster=circle.roster, person=owner) != "coordinator":
            return None
        return circle
    roster = Roster.objects.select_related("circle").filter(pk=token.scope_id).first()
    if roster is None or roster_role(roster=roster, person=owner) != "coordinator":
        return None
    return roster


# --- Which rows make up a feed --------------------------------------------------------------------


def _signup_cancelled_on() -> Case:
    """When a person's commitment stopped happening: their own cancel, or the shift's."""
    return Case(
        When(status=Signup.Status.CANCELLED, then=Coalesce("cancelled_at", "updated_at")),
        When(shift__status=Shift.Status.CANCELLED, then=F("shift__updated_at")),
        default=None,
        output_field=DateTimeField(),
    )


def _person_rows(*, person: Person, now: datetime) -> QuerySet[Signup]:
    cutoff = now - CANCELLED_KEPT_FOR
    return (
        Signup.objects.filter(person=person)
        .alias(cancelled_on=_signup_cancelled_on())
        .filter(
            Q(cancelled_on__isnull=True, status__in=(*_HELD, Signup.Status.WAITLISTED))
            | Q(cancelled_on__gte=cutoff)
        )
    )


def _shift_rows(*, roster_id: int, now: datetime) -> QuerySet[Shift]:
    cutoff = now - CANCELLED_KEPT_FOR
    return Shift.objects.filter(roster_id=roster_id).filter(
        ~Q(status=Shift.Status.CANCELLED) | Q(updated_at__gte=cutoff)
    )


# --- Fingerprint ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    etag: str
    last_modified: datetime


def _fingerprint(
    token: FeedToken, counts: tuple[int | None, ...], moments: list[datetime | None]
) -> Fingerprint:
    last_modified = max([token.created_at, *(m for m in moments if m is not None)])
    raw = f"{RENDER_VERSION}|{token.pk}|{counts}|{last_modified.isoformat()}"
    return Fingerprint(etag=f'"{hashlib.sha256(raw.encode()).hexdigest()[:32]}"', last_modified=last_modified)


def feed_fingerprint(*, token: FeedToken, now: datetime) -> Fingerprint:
    """ETag and Last-Modified of a feed, from one aggregate query (no rendering)."""
    cutoff = now - CANCELLED_KEPT_FOR
    soon = now + settings.ADDRESS_VISIBLE_BEFORE
    if token.scope == FeedToken.Scope.PERSON:
        # annotate, not alias: the aggregate reads it (Django then wraps the rows in a subquery).
        rows = Signup.objects.filter(person_id=token.scope_id).annotate(cancelled_on=_signup_cancelled_on())
        visible = Q(cancelled_on__isnull=True, status__in=(*_HELD, Signup.Status.WAITLISTED)) | Q(
            cancelled_on__gte=cutoff
        )
        cancelled_visible = Q(cancelled_on__isnull=False, cancelled_on__gte=cutoff)
        agg = rows.aggregate(
            agg_count=Count("pk", filter=visible),
            # The engine moves statuses and sequences with UPDATEs that leave updated_at alone:
            # these sums and counts are what notices a cancel, an offer or a bumped SEQUENCE.
            agg_waitlisted=Count("pk", filter=visible & Q(status=Signup.Status.WAITLISTED)),
            agg_cancelled=Count("pk", filter=cancelled_visible),
            agg_sequence=Sum("sequence", filter=visible),
            agg_shift_sequence=Sum("shift__sequence", filter=visible),
            agg_signup=Max("updated_at"),
            agg_cancelled_at=Max("cancelled_at"),
            agg_shift=Max("shift__updated_at"),
            agg_roster=Max("shift__roster__updated_at"),
            agg_circle=Max("shift__roster__circle__updated_at"),
            agg_contribution=Max("contribution__updated_at"),
            agg_reminders=Max("person__notification_preference__updated_at"),
            agg_dropped=Max("cancelled_on", filter=Q(cancelled_on__lt=cutoff)),
            agg_opened=Max("shift__starts_at", filter=Q(shift__starts_at__lte=soon)),
            agg_ended=Max("shift__ends_at", filter=Q(shift__ends_at__lte=now)),
        )
        counts: tuple[int | None, ...] = (
            agg["agg_count"],
            agg["agg_waitlisted"],
            agg["agg_cancelled"],
            agg["agg_sequence"],
            agg["agg_shift_sequence"],
        )
        extra: list[datetime | None] = [
            agg["agg_signup"],
            agg["agg_cancelled_at"],
            agg["agg_contribution"],
            agg["agg_reminders"],
        ]
    else:
        if token.scope == FeedToken.Scope.CIRCLE:
            roster_filter = Q(roster__circle__pk=token.scope_id)
        else:
            roster_filter = Q(roster_id=token.scope_id)
        visible = ~Q(status=Shift.Status.CANCELLED) | Q(updated_at__gte=cutoff)
        coming = Q(signups__status__in=_COMING)
        agg = Shift.objects.filter(roster_filter).aggregate(
            agg_count=Count("pk", filter=visible, distinct=True),
            # Sign-ups come and go (and may be deleted), and the engine moves statuses, counters
            # and sequences with UPDATEs that leave updated_at alone: count and sum them.
            agg_signups=Count("signups", distinct=True),
            agg_coming=Count("signups", filter=coming, distinct=True),
            agg_sequence=Sum("sequence"),
            agg_filled=Sum("filled"),
            agg_signup_sequence=Sum("signups__sequence"),
            agg_shift=Max("updated_at"),
            agg_roster=Max("roster__updated_at"),
            agg_circle=Max("roster__circle__updated_at"),
            agg_signup=Max("signups__updated_at"),
            agg_cancelled_at=Max("signups__cancelled_at"),
            agg_contribution=Max("signups__contribution__updated_at"),
            agg_person=Max("signups__person__updated_at"),
            agg_dropped=Max("updated_at", filter=Q(status=Shift.Status.CANCELLED, updated_at__lt=cutoff)),
            agg_opened=Max("starts_at", filter=Q(starts_at__lte=soon)),
            agg_ended=Max("ends_at", filter=Q(ends_at__lte=now)),
        )
        counts = (
            agg["agg_count"],
            agg["agg_signups"],
            agg["agg_coming"],
            agg["agg_sequence"],
            agg["agg_filled"],
            agg["agg_signup_sequence"],
        )
        extra = [agg["agg_signup"], agg["agg_cancelled_at"], agg["agg_contribution"], agg["agg_person"]]
    # Moments when time alone changed the feed (an event dropped out, an address showed or hid).
    dropped = agg["agg_dropped"] + CANCELLED_KEPT_FOR if agg["agg_dropped"] else None
    opened = agg["agg_opened"] - settings.ADDRESS_VISIBLE_BEFORE if agg["agg_opened"] else None
    moments = [
        agg["agg_shift"],
        agg["agg_roster"],
        agg["agg_circle"],
        dropped,
        opened,
        agg["agg_ended"],
        *extra,
    ]
    return _fingerprint(token, counts, moments)


# --- Events -----------------------------------------------------------------------------------


def _first_name(person: Person) -> str:
    name = (person.name or "").strip()
    return name.split()[0] if name else "A volunteer"


def _circle_of(shift: Shift) -> Circle | None:
    try:
        return shift.roster.circle
    except Circle.DoesNotExist:
        return None


def _help_request_of(shift: Shift) -> HelpRequest | None:
    try:
        return shift.help_request
    except HelpRequest.DoesNotExist:
        return None


def _contribution(signup: Signup) -> Contribution | None:
    try:
        return signup.contribution
    except Contribution.DoesNotExist:
        return None


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

    def __call__(self, circle: Circle) -> bool:
        if circle.pk not in self.answers:
            self.answers[circle.pk] = address_visible_to(circle=circle, person=self.person, at=self.now)
        return self.answers[circle.pk]


def _location(shift: Shift, *, show_address: bool) -> str:
    circle = _circle_of(shift)
    if show_address and circle is not None and circle.address:
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
        location=_location(shift, show_address=show_address),
        alarms=alarms if status != "CANCELLED" else (),
    )


def _shift_event(shift: Shift, *, address_rule: _AddressRule, names: str) -> EventData:
    """A shift in a circle's or roster's feed (the coordinators' view)."""
    circle = _circle_of(shift)
    cancelled = shift.status == Shift.Status.CANCELLED
    every: list[Signup] = list(shift.prefetched_signups)  # type: ignore[attr-defined]
    coming = [s for s in every if s.status in _COMING]
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
        location=_location(shift, show_address=circle is not None and not cancelled and address_rule(circle)),
    )


_SIGNUP_RELATED = ("shift__roster__circle", "shift__help_request", "contribution")


def _person_events(*, person: Person, now: datetime) -> list[EventData]:
    signups = (
        _person_rows(person=person, now=now)
        .select_related(*_SIGNUP_RELATED)
        .order_by("shift__starts_at", "pk")
    )
    rule = _AddressRule(person, now)
    alarms = reminder_lead_times_for(person=person)
    return [_signup_event(s, address_rule=rule, alarms=alarms) for s in signups]


def _roster_events(*, roster: Roster, viewer: Person, now: datetime, names: str) -> list[EventData]:
    signups = Signup.objects.select_related("person", "contribution").order_by("created_at", "pk")
    shifts = (
        _shift_rows(roster_id=roster.pk, now=now)
        .select_related("roster__circle", "help_request")
        .prefetch_related(Prefetch("signups", queryset=signups, to_attr="prefetched_signups"))
        .order_by("starts_at", "pk")
    )
    rule = _AddressRule(viewer, now)
    return [_shift_event(s, address_rule=rule, names=names) for s in shifts]


def feed_render(*, token: FeedToken, subject: Circle | Roster | Person, now: datetime) -> bytes:
    """The whole feed as iCalendar bytes; the same rows always give the same bytes."""
    owner = token.owner
    if isinstance(subject, Circle):
        name = f"{subject.name} · Village"
        events = _roster_events(roster=subject.roster, viewer=owner, now=now, names="first")
    elif isinstance(subject, Roster):
        name = f"{subject.name} · Village"
        events = _roster_events(roster=subject, viewer=owner, now=now, names="full")
    else:
        name = "My Village commitments"
        events = _person_events(person=subject, now=now)
    calendar = build_calendar(
        name=name, events=events, feed_uid=f"feed-{token.scope}-{token.scope_id}@village"
    )
    return calendar.to_ical()


def signup_event_data(*, signup: Signup, person: Person, now: datetime) -> EventData:
    """The event of one commitment as ``person`` may see it (same UID as in the holder's feed)."""
    signup = Signup.objects.select_related(*_SIGNUP_RELATED).get(pk=signup.pk)
    return _signup_event(
        signup,
        address_rule=_AddressRule(person, now),
        alarms=reminder_lead_times_for(person=person),
    )


def signup_for_download(*, signup_id: int, person: Person) -> Signup | None:
    """The sign-up if ``person`` holds it or coordinates its roster, else None (answer 404)."""
    signup = Signup.objects.select_related("shift__roster").filter(pk=signup_id).first()
    if signup is None:
        return None
    if signup.person_id == person.pk:
        return signup
    if roster_role(roster=signup.shift.roster, person=person) == "coordinator":
        return signup
    return None
