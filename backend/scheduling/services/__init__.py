"""Writes of the scheduling engine (see each module's docstring for the rules it keeps).

Import from here: ``from scheduling.services import signup_claim``.

Decisions the engine makes everywhere:

- ``Shift.filled`` counts held places: confirmed sign-ups plus offers held for a waitlisted
  person. Completed and no-show keep their place counted. A place is only taken by a conditional
  UPDATE (``filled < capacity``); every write touching a shift and its sign-ups locks the shift
  row first (fixed order, no deadlocks).
- A freed place never becomes free to all while someone waits: it is offered to the head of the
  waitlist in the same transaction (hold ``WAITLIST_OFFER_HOLD``, never past the shift's start);
  ``waitlist_offers_expire`` (every minute) passes lapsed offers on.
- Overlaps count held places (confirmed, offered) of scheduled, timed shifts on every roster;
  flexible windows ("any time this week") never overlap. Near misses within ``OVERLAP_GRACE``
  are warnings.
- Cancel cut-off (``Roster.cancel_cutoff``): inside it a volunteer's cancel of a confirmed place
  is recorded as a request (``cancel_requested_at``, HTTP 202) and the place stays theirs until a
  coordinator cancels it (approval) or declines the request.
- Permissions: no role on the roster → 404 (privacy); a role but not allowed → 403.
"""

from __future__ import annotations

from scheduling.services.shifts import (
    roster_create,
    roster_update,
    series_create,
    series_update,
    shift_cancel,
    shift_create,
    shift_update,
)
from scheduling.services.signups import (
    FULL_MESSAGE,
    ClaimResult,
    signup_assign,
    signup_cancel,
    signup_cancel_decline,
    signup_claim,
    signup_mark,
    signup_unassign,
)
from scheduling.services.swaps import swap_accept, swap_offer, swap_withdraw
from scheduling.services.waitlist import (
    offer_freed_places,
    signup_accept_offer,
    signup_decline_offer,
    waitlist_offers_expire,
)

__all__ = [
    "FULL_MESSAGE",
    "ClaimResult",
    "offer_freed_places",
    "roster_create",
    "roster_update",
    "series_create",
    "series_update",
    "shift_cancel",
    "shift_create",
    "shift_update",
    "signup_accept_offer",
    "signup_assign",
    "signup_cancel",
    "signup_cancel_decline",
    "signup_claim",
    "signup_decline_offer",
    "signup_mark",
    "signup_unassign",
    "swap_accept",
    "swap_offer",
    "swap_withdraw",
    "waitlist_offers_expire",
]
