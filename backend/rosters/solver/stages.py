"""Fair auto-fill on plain data (no database here, so it is easy to test), lexicographic in two
stages: first the most places that can be filled (coverage always wins), then, with coverage
fixed at that number, the fairest spread (fairness.py), which evens out the load and prefers
people who did less lately, never over a limit.

Coverage is proven from the LP relaxation (GLOP, about a second here) and searched with CP-SAT
only when neither the least-loaded fill nor the LP's own optimal vertex reaches that bound. On
the benchmark (32,000 candidate pairs) CP-SAT's presolve and first LP alone took 4 s of the
10 s on a loaded 2-core machine and it stopped at 1,548 of 1,568 places; the LP's vertex is
integral there and fills all 1,568, which its own bound proves optimal.

Hard constraints (see model.py): roster membership, every-place qualifications valid at the
shift's start, per-place requirements ({qualification, count}), weekly availability windows and
absences in each person's own zone, no overlap and the person's minimum rest against everything
they hold and against each other, and per-ISO-week limits (shifts and hours) counted with what
they hold.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Callable, Sequence
from statistics import pstdev

from ortools.sat.python import cp_model

from rosters.solver.fairness import balance
from rosters.solver.greedy import greedy
from rosters.solver.inputs import PersonIn, ShiftIn, SolveResult, _Context
from rosters.solver.model import Model, Pair, build, hint, relax, to_cp_sat
from rosters.solver.reasons import explain

# Kept back from the fairness search for the reasons and the figures after it, so the whole
# call stays inside the coordinator's budget.
RESERVE_SECONDS = 0.3


def solve(
    *,
    shifts: Sequence[ShiftIn],
    people: Sequence[PersonIn],
    qualification_names: dict[int, str],
    time_limit: float = 10.0,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
) -> SolveResult:
    """Propose assignments for the open places. Never raises on an impossible instance: it fills
    what it can and explains every place left open. ``status`` is OPTIMAL when coverage is
    proven the most possible (``filled == bound``), FEASIBLE otherwise."""
    started = clock.monotonic()
    deadline = started + time_limit
    ctx = _Context(shifts, people)
    candidates = ctx.candidates()
    model = build(ctx, candidates)
    if progress:
        progress(f"coverage: {len(model.pairs)} candidate pairs, {len(ctx.shifts)} shifts")
    status, chosen, bound = _coverage(ctx, model, candidates, deadline=deadline, workers=workers)
    if progress:
        progress(f"coverage {status} {len(chosen)}/{bound} at {clock.monotonic() - started:.1f} s")
    if model.pairs and deadline - clock.monotonic() > RESERVE_SECONDS + 0.2:
        if progress:
            progress("fairness")
        chosen = balance(ctx, model, chosen, deadline=deadline - RESERVE_SECONDS)
    return _result(ctx, status, chosen, bound, started, qualification_names, optimal=status == "OPTIMAL")


def _simple_bound(ctx: _Context, candidates: dict[int, list[int]]) -> int:
    """A shift takes at most its open places, at most its candidates, and leaves a place empty for
    each needed qualification that too few candidates hold."""
    total = 0
    for shift in ctx.shifts:
        cands = candidates[shift.id]
        missing = 0
        for q, n in shift.needs.items():
            holders = sum(1 for pid in cands if ctx.people_by_id[pid].holds(q, shift.starts_at))
            missing += max(0, n - holders)
        total += max(0, min(len(cands), shift.open_places - missing))
    return total


def _coverage(
    ctx: _Context, model: Model, candidates: dict[int, list[int]], *, deadline: float, workers: int
) -> tuple[str, set[Pair], int]:
    """(status, the fullest assignment found, the proven bound on places filled)."""
    best = greedy(ctx, candidates)
    bound = _simple_bound(ctx, candidates)
    if len(best) >= bound:
        return "OPTIMAL", best, bound
    left = deadline - clock.monotonic()
    relaxation = relax(model, seconds=max(1.0, left * 0.6), prefer=best)
    if relaxation is not None:
        bound = min(bound, relaxation.bound)
        # Trust the LP's vertex only after checking it against every row in whole numbers.
        if len(relaxation.chosen) > len(best) and model.satisfied(relaxation.chosen):
            best = relaxation.chosen
    if len(best) >= bound:
        return "OPTIMAL", best, bound
    cp, variables = to_cp_sat(model)
    coverage = cp_model.LinearExpr.sum(variables[: len(model.pairs)])
    cp.add(coverage <= bound)
    cp.maximize(coverage)
    hint(cp, variables, model, best)
    solver = _solver(workers, seconds=max(1.0, (deadline - clock.monotonic()) * 0.8))
    # Probing is the slowest part of presolve and rarely pays on an assignment model.
    solver.parameters.cp_model_probing_level = 0
    # Inclusion detection between the weekly-limit rows took 30 s of presolve on the benchmark.
    solver.parameters.presolve_inclusion_work_limit = 0
    status = solver.solve(cp)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = min(bound, int(solver.best_objective_bound + 1e-6))
        found = {pair for pair, var in zip(model.pairs, variables, strict=False) if solver.value(var)}
        if len(found) > len(best):
            best = found
    return ("OPTIMAL" if len(best) >= bound else "FEASIBLE"), best, bound


def _solver(workers: int, *, seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = 1

    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    return solver


def _result(
    ctx: _Context,
    status_name: str,
    chosen: set[tuple[int, int]],
    bound: int,
    started: float,
    qualification_names: dict[int, str],
    *,
    optimal: bool,
) -> SolveResult:
    open_total = sum(s.open_places for s in ctx.shifts)
    unfilled = explain(ctx, chosen, qualification_names, optimal=optimal)
    minutes: dict[int, int] = defaultdict(int)
    shift_by_id = ctx.shift_by_id
    for sid, pid in chosen:
        minutes[pid] += shift_by_id[sid].minutes
    hours = [m / 60 for m in minutes.values()]
    fairness = {
        "people_assigned": float(len(hours)),
        "max_hours": max(hours, default=0.0),
        "min_hours": min(hours, default=0.0),
        "stddev_hours": round(pstdev(hours), 3) if len(hours) > 1 else 0.0,
    }
    return SolveResult(
        status=status_name,
        assignments=sorted(chosen),
        open_places=open_total,
        filled=len(chosen),
        bound=max(bound, len(chosen)),
        unfilled=unfilled,
        fairness=fairness,
        seconds=round(clock.monotonic() - started, 3),
    )
