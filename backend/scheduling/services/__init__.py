"""Writes of the scheduling engine (see each module's docstring for the rules it keeps).

Import from here: ``from scheduling.services import signup_claim``.
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
    offer_freed_places,
    signup_accept_offer,
    signup_assign,
    signup_cancel,
    signup_cancel_decline,
    signup_claim,
    signup_decline_offer,
    signup_mark,
    signup_unassign,
    waitlist_offers_expire,
)
from scheduling.services.swaps import swap_accept, swap_offer, swap_withdraw

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
