"""Who is told what when the schedule changes: one function per event.

Services call these inside their transaction, so a notification is decided together with the
change it reports (the notifications outbox writes its row in the same transaction and delivers
after commit). For now they are deliberate no-ops: the notifications engineer fills them in with
``notifications.services.notification_create(...)`` without changing any caller.
"""

from __future__ import annotations

from accounts.models import Person
from scheduling.models import Shift, Signup, SwapOffer


def signup_confirmed(*, signup: Signup, actor: Person | None) -> None:
    """A place is held: tell the volunteer (and, when a coordinator assigned it, that it was them)."""


def signup_cancelled(*, signup: Signup, actor: Person | None, reason: str = "") -> None:
    """A place was given up or taken away: tell the volunteer and the roster's coordinators."""


def signup_cancel_requested(*, signup: Signup, reason: str = "") -> None:
    """A volunteer asked to cancel after the cut-off: the coordinators must decide."""


def waitlist_offered(*, signup: Signup) -> None:
    """A freed place is held for this waitlisted volunteer until ``signup.offer_expires_at``."""


def waitlist_offer_expired(*, signup: Signup) -> None:
    """The volunteer did not answer in time; the place moved on to the next in line."""


def swap_offered(*, swap: SwapOffer) -> None:
    """A volunteer offers their place: tell eligible members of the roster."""


def swap_taken(*, swap: SwapOffer) -> None:
    """Someone took the offered place: tell the one who offered it and the coordinators."""


def shift_changed(*, shift: Shift, changed: list[str]) -> None:
    """Time, place or details of a shift changed: tell everyone holding or waiting for a place."""


def shift_cancelled(*, shift: Shift, signups: list[Signup]) -> None:
    """The shift will not happen: tell everyone who held or waited for a place on it."""
