"""One function per schedule event: who is told what, inside the change's transaction."""

from __future__ import annotations

from accounts.models import MembershipStatus, Person, Role
from notifications.selectors import preferences_read_once
from notifications.services import (
    notification_cancel,
)
from scheduling.models import Shift, Signup, SwapOffer
from scheduling.notify.common import (
    _PLACE_FIELDS,
    _TIME_FIELDS,
    SHIFT_CANCELLED,
    SHIFT_CHANGED,
    SIGNUP_CANCEL_REQUESTED,
    SIGNUP_CANCELLED,
    SIGNUP_CONFIRMED,
    SWAP_OFFER_MAX_MEMBERS,
    SWAP_OFFERED,
    SWAP_TAKEN,
    WAITLIST_OFFER_EXPIRED,
    WAITLIST_OFFERED,
    _people,
    _stamp,
    _tell,
    commitment_attachments,
    local_time,
    roster_coordinators,
)
from scheduling.notify.reminders import (
    reminders_cancel,
    reminders_schedule,
)


@preferences_read_once()
def signup_confirmed(*, signup: Signup, actor: Person | None) -> None:
    """A place is held: tell the volunteer (and, when a coordinator assigned it, that it was them).

    The volunteer gets the commitment's calendar file attached and reminders at their lead
    times; the roster's coordinators (for a circle, the family) hear who took the place, except
    the one who assigned it.
    """
    shift, person = signup.shift, signup.person
    assigned_by = actor.name if actor is not None and actor.pk != person.pk else ""
    _tell(
        person=person,
        kind=SIGNUP_CONFIRMED,
        key=f"{SIGNUP_CONFIRMED}:{signup.pk}:{signup.sequence}:{person.pk}",
        shift=shift,
        extra={"signup_id": signup.pk, "for_coordinator": False, "assigned_by": assigned_by},
        attachments=commitment_attachments(signup),
    )
    skip = {person.pk, actor.pk if actor is not None else None}
    for coordinator in roster_coordinators(shift.roster):
        if coordinator.pk in skip:
            continue
        _tell(
            person=coordinator,
            kind=SIGNUP_CONFIRMED,
            key=f"{SIGNUP_CONFIRMED}:{signup.pk}:{signup.sequence}:{coordinator.pk}",
            shift=shift,
            extra={"signup_id": signup.pk, "for_coordinator": True, "volunteer_name": person.name},
        )
    reminders_schedule(signup=signup)


@preferences_read_once()
def signup_cancelled(*, signup: Signup, actor: Person | None, reason: str = "") -> None:
    """A place was given up or taken away: tell the volunteer and the roster's coordinators.

    Nobody is told what they did themselves; the place's reminders are cancelled.
    """
    reminders_cancel(signup=signup)
    shift, person = signup.shift, signup.person
    actor_id = actor.pk if actor is not None else None
    swapped = reason == "Swapped"
    recipients = [person, *[c for c in roster_coordinators(shift.roster) if c.pk != person.pk]]
    for recipient in recipients:
        if recipient.pk == actor_id or (swapped and recipient.pk != person.pk):
            # The coordinators hear about a swap once, from swap_taken.
            continue
        _tell(
            person=recipient,
            kind=SIGNUP_CANCELLED,
            key=f"{SIGNUP_CANCELLED}:{signup.pk}:{signup.sequence}:{recipient.pk}",
            shift=shift,
            extra={
                "signup_id": signup.pk,
                "for_coordinator": recipient.pk != person.pk,
                "volunteer_name": person.name,
                "by_coordinator": actor_id is not None and actor_id != person.pk,
                "reason": reason,
            },
        )


@preferences_read_once()
def signup_cancel_requested(*, signup: Signup, reason: str = "") -> None:
    """A volunteer asked to cancel after the cut-off: the coordinators must decide."""
    shift = signup.shift
    for coordinator in roster_coordinators(shift.roster):
        if coordinator.pk == signup.person_id:
            continue
        _tell(
            person=coordinator,
            kind=SIGNUP_CANCEL_REQUESTED,
            key=f"{SIGNUP_CANCEL_REQUESTED}:{signup.pk}:{_stamp(signup.cancel_requested_at)}:{coordinator.pk}",
            shift=shift,
            extra={"signup_id": signup.pk, "volunteer_name": signup.person.name, "reason": reason},
        )


@preferences_read_once()
def waitlist_offered(*, signup: Signup) -> None:
    """A freed place is held for this waitlisted volunteer until ``signup.offer_expires_at``."""
    shift, person = signup.shift, signup.person
    expires = signup.offer_expires_at
    _tell(
        person=person,
        kind=WAITLIST_OFFERED,
        key=f"{WAITLIST_OFFERED}:{signup.pk}:{signup.sequence}",
        shift=shift,
        extra={
            "signup_id": signup.pk,
            "expires_at_local": local_time(expires, roster=shift.roster, person=person) if expires else "",
        },
    )


@preferences_read_once()
def waitlist_offer_expired(*, signup: Signup) -> None:
    """The volunteer did not answer in time; the place moved on to the next in line."""
    _tell(
        person=signup.person,
        kind=WAITLIST_OFFER_EXPIRED,
        key=f"{WAITLIST_OFFER_EXPIRED}:{signup.pk}:{signup.sequence}",
        shift=signup.shift,
        extra={"signup_id": signup.pk},
    )


def swap_offer_candidates(swap: SwapOffer, *, limit: int | None = None) -> list[Person]:
    """Members of the roster (not its coordinators) who could take the place, fewest places held first."""
    from scheduling.eligibility import claim_refusal  # eligibility imports selectors; keep notify light

    shift = swap.signup.shift
    holders = Signup.objects.filter(shift=shift, status__in=("confirmed", "waitlisted", "offered"))
    members = (
        Person.objects.filter(
            is_active=True,
            roster_memberships__roster=shift.roster,
            roster_memberships__role=Role.VOLUNTEER,
            roster_memberships__status=MembershipStatus.ACTIVE,
        )
        .exclude(pk__in=holders.values("person_id"))
        .distinct()
        .order_by("pk")
    )
    limit = SWAP_OFFER_MAX_MEMBERS if limit is None else limit
    chosen: list[Person] = []
    for member in members:
        if claim_refusal(shift=shift, person=member) is None:
            chosen.append(member)
        if len(chosen) >= limit:
            break
    return chosen


@preferences_read_once()
def swap_offered(*, swap: SwapOffer) -> None:
    """A volunteer offers their place: tell eligible members of the roster.

    The coordinators, and at most ``SWAP_OFFER_MAX_MEMBERS`` eligible volunteers of the roster
    who hold no place on the shift (so a big organisation is not flooded).
    """
    signup = swap.signup
    shift, offerer = signup.shift, signup.person
    coordinators = [c for c in roster_coordinators(shift.roster) if c.pk != offerer.pk]
    coordinator_ids = {c.pk for c in coordinators}
    members = [m for m in swap_offer_candidates(swap) if m.pk not in coordinator_ids]
    for recipient in [*coordinators, *members]:
        _tell(
            person=recipient,
            kind=SWAP_OFFERED,
            key=f"{SWAP_OFFERED}:{swap.pk}:{recipient.pk}",
            shift=shift,
            extra={
                "swap_id": swap.pk,
                "offered_by": offerer.name,
                "for_coordinator": recipient.pk in coordinator_ids,
            },
        )


@preferences_read_once()
def swap_taken(*, swap: SwapOffer) -> None:
    """Someone took the offered place: tell the one who offered it and the coordinators.

    The taker hears it from ``signup_confirmed`` (with the calendar file), so this tells the
    one who offered it (their place is released) and the coordinators (who holds it now).
    """
    signup = swap.signup
    shift, offerer, taker = signup.shift, signup.person, swap.taken_by
    taker_name = taker.name if taker is not None else ""
    recipients = [offerer, *[c for c in roster_coordinators(shift.roster) if c.pk != offerer.pk]]
    for recipient in recipients:
        if taker is not None and recipient.pk == taker.pk:
            continue
        _tell(
            person=recipient,
            kind=SWAP_TAKEN,
            key=f"{SWAP_TAKEN}:{swap.pk}:{recipient.pk}",
            shift=shift,
            extra={
                "signup_id": signup.pk,
                "for_coordinator": recipient.pk != offerer.pk,
                "offered_by": offerer.name,
                "taken_by": taker_name,
            },
        )


@preferences_read_once()
def shift_changed(*, shift: Shift, changed: list[str]) -> None:
    """Time, place or details of a shift changed: tell everyone holding or waiting for a place.

    Only a change of time or place is news (a new title or note is not worth a message): the
    holders, the waitlist and the coordinators hear it, keyed by the shift's sequence. A new
    time cancels the holders' reminders and schedules them for the new time.
    """
    time_changed = bool(_TIME_FIELDS.intersection(changed))
    if not time_changed and not _PLACE_FIELDS.intersection(changed):
        return
    signups = list(
        Signup.objects.filter(shift=shift, status__in=("confirmed", "waitlisted", "offered"))
        .select_related("person")
        .order_by("pk")
    )
    by_person = {s.person_id: s for s in signups}
    if time_changed:
        for signup in signups:
            signup.shift = shift
            reminders_cancel(signup=signup)
            if signup.status == Signup.Status.CONFIRMED:
                reminders_schedule(signup=signup)
    recipients = [*_people(signups)]
    recipients += [c for c in roster_coordinators(shift.roster) if c.pk not in by_person]
    for recipient in recipients:
        held = by_person.get(recipient.pk)
        _tell(
            person=recipient,
            kind=SHIFT_CHANGED,
            key=f"{SHIFT_CHANGED}:{shift.pk}:{shift.sequence}:{recipient.pk}",
            shift=shift,
            extra={
                "signup_id": held.pk if held is not None else None,
                "for_coordinator": held is None,
                "time_changed": time_changed,
                "place_changed": bool(_PLACE_FIELDS.intersection(changed)),
                "location": shift.location,
                "call_link": shift.call_link,
            },
        )


@preferences_read_once()
def shift_cancelled(*, shift: Shift, signups: list[Signup]) -> None:
    """The shift will not happen: tell everyone who held or waited for a place on it."""
    for signup in signups:
        reminders_cancel(signup=signup)
    notification_cancel(key_prefix=f"gap:{shift.pk}:")
    for signup in signups:
        _tell(
            person=signup.person,
            kind=SHIFT_CANCELLED,
            key=f"{SHIFT_CANCELLED}:{shift.pk}:{signup.person_id}",
            shift=shift,
            extra={"signup_id": signup.pk},
        )
