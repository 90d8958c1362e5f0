"""The coverage model as plain integer rows, built once and handed to both the LP relaxation
(GLOP, the bound) and CP-SAT (the search), so bound and search can never disagree on a rule.

Variables: one 0/1 per (shift, person) pair that passes every static rule, then one shortfall
per (shift, still-needed qualification). Each row is sum(coef·var) <= upper.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from rosters.rules import iso_week
from rosters.solver.inputs import _Context

Pair = tuple[int, int]  # (shift id, person id)


@dataclass(frozen=True)
class Row:
    terms: tuple[tuple[int, int], ...]  # (variable index, coefficient)
    upper: int
    at_most_one: bool = False


@dataclass(frozen=True)
class Shortfall:
    shift_id: int
    qualification_id: int
    need: int
    holders: tuple[int, ...]  # pair variables of the candidates who hold the qualification


@dataclass
class Model:
    pairs: list[Pair]
    shortfalls: list[Shortfall] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    # person id -> pair variables, for the fairness stage
    by_person: dict[int, list[int]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.pairs) + len(self.shortfalls)

    def values(self, chosen: set[Pair]) -> list[int]:
        """Every variable's value for an assignment, shortfalls at their least."""
        picks = [1 if pair in chosen else 0 for pair in self.pairs]
        unmet = [max(0, s.need - sum(picks[v] for v in s.holders)) for s in self.shortfalls]
        return picks + unmet

    def satisfied(self, chosen: set[Pair]) -> bool:
        if not chosen <= set(self.pairs):
            return False
        values = self.values(chosen)
        return all(sum(c * values[v] for v, c in row.terms) <= row.upper for row in self.rows)


def build(ctx: _Context, candidates: dict[int, list[int]]) -> Model:
    """The rows for capacity, per-place requirements, conflicts and weekly limits.

    Rows implied by others are left out rather than left to presolve (the fairness stage runs
    without presolve): a conflict clique inside a week the person can take only one more shift
    in, a shift count row no larger than its cap, an hours row the count cap already keeps under.
    """
    pairs = [(shift.id, pid) for shift in ctx.shifts for pid in candidates[shift.id]]
    model = Model(pairs=pairs)
    index = {pair: i for i, pair in enumerate(pairs)}
    for shift in ctx.shifts:
        chosen = [index[shift.id, pid] for pid in candidates[shift.id]]
        if not chosen:
            continue
        # Per-place requirements: the places still needed for a qualification must stay
        # reachable, so after filling, sum of unmet needs <= places left open.
        unmet = []
        for qid, need in shift.needs.items():
            if need <= 0:
                continue
            holders = tuple(
                index[shift.id, pid]
                for pid in candidates[shift.id]
                if ctx.people_by_id[pid].holds(qid, shift.starts_at)
            )
            var = model.size
            model.shortfalls.append(Shortfall(shift.id, qid, need, holders))
            # short >= need - sum(holders)
            model.rows.append(Row(((var, -1), *((h, -1) for h in holders)), -need))
            unmet.append(var)
        terms = tuple((v, 1) for v in (*chosen, *unmet))
        model.rows.append(Row(terms, shift.open_places, at_most_one=shift.open_places == 1 and not unmet))
    by_person: dict[int, list[int]] = defaultdict(list)
    for i, (_, pid) in enumerate(pairs):
        by_person[pid].append(i)
    model.by_person = dict(by_person)
    for pid, variables in by_person.items():
        _person_rows(ctx, model, pid, variables)
    return model


def _person_rows(ctx: _Context, model: Model, pid: int, variables: list[int]) -> None:
    person = ctx.people_by_id[pid]
    limits = person.limits
    shift_of = {v: ctx.shift_by_id[model.pairs[v][0]] for v in variables}
    weeks: dict[tuple[int, int], list[int]] = defaultdict(list)
    for v in variables:
        weeks[iso_week(shift_of[v].starts_at, person.time_zone)].append(v)
    single_weeks: set[tuple[int, int]] = set()
    week_of = {v: week for week, vs in weeks.items() for v in vs}
    for week, week_vars in weeks.items():
        count, minutes = ctx.by_person_week[pid].get(week, (0, 0))
        cap = len(week_vars)
        if limits.max_shifts_per_week is not None:
            cap = min(cap, limits.max_shifts_per_week - count)
            if cap < len(week_vars):
                model.rows.append(Row(tuple((v, 1) for v in week_vars), cap, at_most_one=cap == 1))
                if cap == 1:
                    single_weeks.add(week)
        if limits.max_minutes_per_week is not None:
            left = limits.max_minutes_per_week - minutes
            longest = sorted((shift_of[v].minutes for v in week_vars), reverse=True)[:cap]
            if sum(longest) > left:
                model.rows.append(Row(tuple((v, shift_of[v].minutes) for v in week_vars), left))
    # Conflicts (overlap or too little rest) form an interval graph on [start, end + rest): its
    # maximal cliques are the sets alive at each start, one at-most-one each (a tight LP).
    reach = timedelta(minutes=limits.min_rest_minutes)
    alive: list[int] = []
    cliques: list[list[int]] = []
    for v in sorted(variables, key=lambda v: (shift_of[v].starts_at, v)):
        start = shift_of[v].starts_at
        still = [o for o in alive if shift_of[o].ends_at + reach > start]
        if len(still) < len(alive) and len(alive) > 1:
            cliques.append(alive)  # a maximal clique just closed
        alive = [*still, v]
    if len(alive) > 1:
        cliques.append(alive)
    for clique in cliques:
        if len({week_of[v] for v in clique}) == 1 and week_of[clique[0]] in single_weeks:
            continue
        model.rows.append(Row(tuple((v, 1) for v in clique), 1, at_most_one=True))


def to_cp_sat(model: Model) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    cp = cp_model.CpModel()
    variables = [cp.new_bool_var(f"x{i}") for i in range(len(model.pairs))]
    variables += [cp.new_int_var(0, s.need, f"short{i}") for i, s in enumerate(model.shortfalls)]
    for row in model.rows:
        if row.at_most_one:
            cp.add_at_most_one(variables[v] for v, _ in row.terms)
        else:
            cp.add(
                cp_model.LinearExpr.weighted_sum(
                    [variables[v] for v, _ in row.terms], [c for _, c in row.terms]
                )
                <= row.upper
            )
    return cp, variables


def hint(cp: cp_model.CpModel, variables: list[cp_model.IntVar], model: Model, chosen: set[Pair]) -> None:
    """Hint every variable, so CP-SAT takes the answer as its first solution straight away."""
    for var, value in zip(variables, model.values(chosen), strict=True):
        cp.add_hint(var, value)


@dataclass(frozen=True)
class Relaxation:
    bound: int  # no assignment fills more places than this
    chosen: set[Pair]  # the LP optimum's pairs at 1 (an answer when it is integral and satisfies every row)


def relax(
    model: Model, *, seconds: float, prefer: set[Pair] | frozenset[Pair] = frozenset()
) -> Relaxation | None:
    """The LP relaxation of coverage, by GLOP: a proven bound in about a second, and an optimal
    vertex that on assignment models like this one is usually integral, so an answer as it
    stands. Among the fullest vertices it takes one keeping most of ``prefer`` (the balanced
    least-loaded fill). None when GLOP does not reach optimality (only CP-SAT's bound counts)."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return None
    infinity = lp.infinity()
    xs = [lp.NumVar(0.0, 1.0, "") for _ in model.pairs]
    xs += [lp.NumVar(0.0, float(s.need), "") for s in model.shortfalls]
    for row in model.rows:
        constraint = lp.Constraint(-infinity, float(row.upper))
        for v, c in row.terms:
            constraint.SetCoefficient(xs[v], float(c))
    # One solve for both: a place filled weighs more than every preference together. The
    # optimum is then at least weight × (the LP's most places), so dividing by the weight bounds
    # coverage (at worst by one more than a coverage-only solve would, never less).
    weight = float(len(prefer) + 1)
    objective = lp.Objective()
    for pair, x in zip(model.pairs, xs, strict=False):
        objective.SetCoefficient(x, weight + (1.0 if pair in prefer else 0.0))
    objective.SetMaximization()
    lp.SetTimeLimit(max(1, int(seconds * 1000)))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    # Rounding the reported optimum up by a little can only loosen the bound, never break it.
    bound = math.floor(objective.Value() / weight + 1e-4)
    chosen = {pair for pair, x in zip(model.pairs, xs, strict=False) if x.solution_value() > 0.5}
    return Relaxation(bound=bound, chosen=chosen)
