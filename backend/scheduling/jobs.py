"""Periodic notifications decided from the schedule's state: gap alerts and the weekly digest.

Both work from the database ("everything due by now not done yet"), so a run after downtime
catches up, and both are keyed so running twice sends nothing twice (registered in
``SchedulingConfig.ready`` with ``notifications.scheduler.register_periodic_job``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, Sum

from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from notifications.models import Notification
from notifications.selectors import preferences_get
from notifications.services import notification_create
from scheduling.eligibility import claim_refusal
from scheduling.models import Roster, RosterMembership, Shift, Signup
from scheduling.notify import GAP_ALERT, WEEKLY_DIGEST, local_time, roster_coordinators, roster_people
from scheduling.selectors import ACTIVE_STATUSES, HELD_STATUSES, overlapping_commitments

# Places still open this close to their start are a gap: the nearest threshold a shift is
# within decides its alert, so a shift seen first at 30 h gets the 48 h alert, then the 24 h one.
GAP_THRESHOLDS: tuple[timedelta, ...] = (timedelta(hours=48), timedelta(hours=24))
GAP_ALERT_EVERY = timedelta(minutes=5)
# Free volunteers asked per shift per threshold: enough to fill a place, never the whole roster.
GAP_ALERT_MAX_VOLUNTEERS = 5
# Volunteers who helped least lately are asked first, so the same few are not always asked.
GAP_FAIRNESS_WINDOW = timedelta(days=30)

DIGEST_EVERY = timedelta(hours=1)
DIGEST_HORIZON = timedelta(days=7)
DIGEST_MAX_LISTED = 5


def _threshold_for(starts_in: timedelta) -> timedelta | None:
    within = [t for t in GAP_THRESHOLDS if starts_in <= t]
    return min(within) if within else None


def _hours(threshold: timedelta) -> int:
    return int(threshold.total_seconds() // 3600)


def gap_volunteers(*, shift: Shift, now: datetime, limit: int | None = None) -> list[Person]:
    """Volunteers of the roster free to take a place: eligible (``claim_refusal`` None, so a
    paused circle asks nobody), no overlapping commitment, not opted out of gap alerts, fewest
    commitments in the last 30 days first; at most ``limit``."""
    limit = GAP_ALERT_MAX_VOLUNTEERS if limit is None else limit
    roster = shift.roster
    members = roster_people(roster, Role.VOLUNTEER)
    coordinator_ids = [p.pk for p in roster_coordinators(roster)]
    on_shift = Signup.objects.filter(shift=shift, status__in=ACTIVE_STATUSES).values("person_id")
    recent_ids = (
        Signup.objects.filter(
            status__in=(*HELD_STATUSES, Signup.Status.COMPLETED, Signup.Status.NO_SHOW),
            shift__starts_at__gte=now - GAP_FAIRNESS_WINDOW,
            shift__starts_at__lt=now + GAP_FAIRNESS_WINDOW,
        )
        .values("person_id")
        .annotate(n=Count("pk"))
    )
    recent = {row["person_id"]: row["n"] for row in recent_ids}
    candidates = list(
        Person.objects.filter(members, is_active=True)
        .exclude(pk__in=on_shift)
        .exclude(pk__in=coordinator_ids)
        .distinct()
        .order_by("pk")
    )
    candidates.sort(key=lambda p: (recent.get(p.pk, 0), p.pk))
    chosen: list[Person] = []
    for person in candidates:
        if GAP_ALERT in (preferences_get(person=person).disabled_kinds or []):
            continue
        if claim_refusal(shift=shift, person=person) is not None:
            continue
        if (
            not shift.is_flexible
            and overlapping_commitments(
                person=person, starts_at=shift.starts_at, ends_at=shift.ends_at, exclude_shift=shift
            ).exists()
        ):
            continue
        chosen.append(person)
        if len(chosen) >= limit:
            break
    return chosen


def gap_alerts_send(now: datetime) -> int:
    """Alert coordinators and a few free volunteers about places still open close to the start.

    Once per shift per threshold: the keys are ``gap:<shift>:<hours>:<person>`` and a shift
    whose alert for that threshold exists is skipped, so a later sweep never widens the circle
    of people asked. Returns how many people were alerted.
    """
    horizon = max(GAP_THRESHOLDS)
    shifts = Shift.objects.filter(
        status=Shift.Status.SCHEDULED,
        filled__lt=F("capacity"),
        starts_at__gt=now,
        starts_at__lte=now + horizon,
    ).select_related("roster")
    told = 0
    for shift in shifts.order_by("starts_at", "pk"):
        threshold = _threshold_for(shift.starts_at - now)
        if threshold is None:
            continue
        prefix = f"gap:{shift.pk}:{_hours(threshold)}:"
        if Notification.objects.filter(key__startswith=prefix).exists():
            continue
        open_places = shift.capacity - shift.filled
        coordinators = roster_coordinators(shift.roster)
        volunteers = gap_volunteers(shift=shift, now=now)
        for person, for_coordinator in [
            *((c, True) for c in coordinators),
            *((v, False) for v in volunteers),
        ]:
            notification_create(
                recipient=person,
                kind=GAP_ALERT,
                template=f"scheduling/{GAP_ALERT}",
                context={
                    "shift_id": shift.pk,
                    "roster_id": shift.roster_id,
                    "title": shift.title,
                    "roster_name": shift.roster.name,
                    "starts_at_local": local_time(shift.starts_at, roster=shift.roster, person=person),
                    "ends_at_local": local_time(shift.ends_at, roster=shift.roster, person=person, fmt="H:i"),
                    "is_flexible": shift.is_flexible,
                    "time_zone": shift.roster.time_zone,
                    "open_places": open_places,
                    "threshold_hours": _hours(threshold),
                    "for_coordinator": for_coordinator,
                },
                key=f"{prefix}{person.pk}",
            )
            told += 1
    return told


# --- weekly digest -------------------------------------------------------------------------------


def coordinated_rosters(person: Person) -> list[Roster]:
    """Rosters the person coordinates (same rule as ``notify.roster_coordinators``), by name."""
    active = MembershipStatus.ACTIVE
    own = RosterMembership.objects.filter(person=person, role=Role.COORDINATOR, status=active).values(
        "roster_id"
    )
    orgs = OrganisationMembership.objects.filter(person=person, role=Role.COORDINATOR, status=active).values(
        "organisation_id"
    )
    return list(
        Roster.objects.filter(Q(pk__in=own) | Q(kind=Roster.Kind.DUTY, organisation_id__in=orgs)).order_by(
            "name", "pk"
        )
    )


def _digest_rosters(person: Person, now: datetime) -> list[dict[str, Any]]:
    summaries: list[dict[str, Any]] = []
    for roster in coordinated_rosters(person):
        shifts = Shift.objects.filter(
            roster=roster,
            status=Shift.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lt=now + DIGEST_HORIZON,
        )
        totals = shifts.aggregate(n=Count("pk"), capacity=Sum("capacity"), filled=Sum("filled"))
        if not totals["n"]:
            continue
        open_shifts = list(shifts.filter(filled__lt=F("capacity")).order_by("starts_at", "pk"))
        capacity, filled = totals["capacity"] or 0, totals["filled"] or 0
        summaries.append(
            {
                "id": roster.pk,
                "name": roster.name,
                "shifts": totals["n"],
                "capacity": capacity,
                "filled": filled,
                "fill_rate": round(100 * filled / capacity) if capacity else 100,
                "open_places": capacity - filled,
                "open": [
                    {
                        "title": s.title,
                        "starts_at_local": local_time(s.starts_at, roster=roster, person=person),
                        "open": s.capacity - s.filled,
                    }
                    for s in open_shifts[:DIGEST_MAX_LISTED]
                ],
                "more": max(len(open_shifts) - DIGEST_MAX_LISTED, 0),
            }
        )
    return summaries


def _digest_week(now: datetime) -> str:
    year, week, _ = now.astimezone(UTC).isocalendar()
    return f"digest:{year}-W{week:02d}:"


def digest_key(person: Person, now: datetime) -> str:
    return f"{_digest_week(now)}{person.pk}"


def weekly_digests_send(now: datetime) -> int:
    """Each coordinator's week ahead (per roster: shifts, open places, fill rate), once per ISO week.

    The first run in a week sends it, so a run after downtime catches up; the key (ISO week and
    person) keeps every later run that week quiet. People who turned the digest off
    (``digest_weekly``) or have nothing scheduled get nothing. Returns how many were written.
    """
    active = MembershipStatus.ACTIVE
    coordinators = Person.objects.filter(
        Q(roster_memberships__role=Role.COORDINATOR, roster_memberships__status=active)
        | Q(organisation_memberships__role=Role.COORDINATOR, organisation_memberships__status=active),
        is_active=True,
    ).distinct()
    # One read for the week's sent digests, so an hourly run costs little once they are out.
    done = set(Notification.objects.filter(key__startswith=_digest_week(now)).values_list("key", flat=True))
    sent = 0
    for person in coordinators.order_by("pk"):
        key = digest_key(person, now)
        if key in done:
            continue
        if not preferences_get(person=person).digest_weekly:
            continue
        rosters = _digest_rosters(person, now)
        if not rosters:
            continue
        notification_create(
            recipient=person,
            kind=WEEKLY_DIGEST,
            template=f"scheduling/{WEEKLY_DIGEST}",
            context={
                "rosters": rosters,
                "open_total": sum(r["open_places"] for r in rosters),
            },
            key=key,
        )
        sent += 1
    return sent
