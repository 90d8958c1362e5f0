"""Fair auto-fill with OR-Tools: the LP relaxation bounds coverage, CP-SAT searches and balances."""

from rosters.solver.inputs import PersonIn, ShiftIn, SolveResult, Unfilled, _Context, when
from rosters.solver.stages import solve

__all__ = ["PersonIn", "ShiftIn", "SolveResult", "Unfilled", "_Context", "solve", "when"]
