"""Reads for rosters: coverage, gaps, and the plain data the rules and the solver work on."""

from __future__ import annotations

from rosters.selectors.coverage import Gap, coverage, gaps, local_range
from rosters.selectors.lookups import (
    RECENT,
    commitments_of,
    is_org_coordinator,
    person_availability,
    person_limits,
    proposal_visible_to,
    proposal_with_assignments,
    qualifications_visible_to,
    roster_for_coordinator,
    still_needed,
    templates_for_roster,
)
from rosters.selectors.solver_input import SolverInput, roster_volunteers, solver_input

__all__ = [
    "RECENT",
    "Gap",
    "SolverInput",
    "commitments_of",
    "coverage",
    "gaps",
    "is_org_coordinator",
    "local_range",
    "person_availability",
    "person_limits",
    "proposal_visible_to",
    "proposal_with_assignments",
    "qualifications_visible_to",
    "roster_for_coordinator",
    "roster_volunteers",
    "solver_input",
    "still_needed",
    "templates_for_roster",
]
