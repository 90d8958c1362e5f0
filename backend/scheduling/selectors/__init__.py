"""Reads for the scheduling engine. Who may do what on a roster is decided here, once.

``access``: roles and the one-object lookups that answer 404; ``lists``: the engine's lists.
Everything is importable from ``scheduling.selectors``."""

from __future__ import annotations

from scheduling.selectors.access import (
    ACTIVE_STATUSES,
    HELD_STATUSES,
    RosterRole,
    open_swap_for_signup,
    roster_role,
    roster_visible_to,
    rosters_visible_to,
    shift_by_id,
    shift_visible_to,
    signup_visible_to,
    swap_visible_to,
)
from scheduling.selectors.lists import (
    COMMITMENT_ROW,
    GAPS_DEFAULT_DAYS,
    GAPS_MAX_DAYS,
    SHIFT_ROW,
    attach_qualifications,
    commitment_page,
    commitments_for,
    gaps_for_coordinator,
    open_shifts,
    open_swaps_for_roster,
    overlapping_commitments,
    qualifications_by_shift,
    rosters_coordinated_by,
    shift_page,
    shifts_for_roster,
    signups_for_shift,
)

__all__ = [
    "ACTIVE_STATUSES",
    "COMMITMENT_ROW",
    "GAPS_DEFAULT_DAYS",
    "GAPS_MAX_DAYS",
    "HELD_STATUSES",
    "SHIFT_ROW",
    "RosterRole",
    "attach_qualifications",
    "commitment_page",
    "commitments_for",
    "gaps_for_coordinator",
    "open_shifts",
    "open_swap_for_signup",
    "open_swaps_for_roster",
    "overlapping_commitments",
    "qualifications_by_shift",
    "roster_role",
    "roster_visible_to",
    "rosters_coordinated_by",
    "rosters_visible_to",
    "shift_by_id",
    "shift_page",
    "shift_visible_to",
    "shifts_for_roster",
    "signup_visible_to",
    "signups_for_shift",
    "swap_visible_to",
]
