"""An attacker on controlled tables, solved with linear programming (scipy), not with the graph
search the module itself uses: the two must agree for the tests to pass.

The attacker knows the rule and the true totals. A published v is v-2 to v+2 and at least 8
(exactly 0 when v is 0); a small count (primary) is 1 to 7; any other hidden cell is at least 0.
They are told which hidden cells are small counts, which the published table does not say
(every hidden cell is "[c]"): the tests grant the attacker more than a release gives away.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog  # type: ignore[import-untyped]  # scipy ships no types

from joinedup.analytics.disclosure import Controlled, Reason

Cell = tuple[int, int]
Bounds = tuple[float | None, float | None]
SOLVED, UNBOUNDED = 0, 3  # scipy.optimize.linprog status codes
PINNED = 1 - 1e-6  # an LP range narrower than one person pins an integer count

SMALL = (1.0, 7.0)
AT_LEAST_ZERO: Bounds = (0.0, None)


def bounds_of(figure: Controlled[int]) -> Bounds:
    """What the attacker knows of one cell from its published figure."""
    if figure.reason is Reason.SMALL_COUNT:
        return SMALL
    if figure.value is None:
        return AT_LEAST_ZERO
    if figure.value == 0:
        return (0.0, 0.0)
    return (float(max(8, figure.value - 2)), float(figure.value + 2))


def hidden_everything(bounds: Mapping[Cell, Bounds]) -> dict[Cell, Bounds]:
    """What the attacker knows with the true totals and no table at all (but which cells are
    small): the baseline a release must not make worse."""
    return {cell: SMALL if known == SMALL else AT_LEAST_ZERO for cell, known in bounds.items()}


@dataclass(frozen=True)
class TableAttack:
    """The attacker's problem: the true counts (for their totals only) and bounds on each cell."""

    truth: Sequence[Sequence[int]]
    bounds: Mapping[Cell, Bounds]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.truth), len(self.truth[0])

    def range_of(self, cell: Cell) -> tuple[float, float]:
        """The least and greatest the cell can be, given everything the attacker knows."""
        rows, columns = self.shape
        equations, totals = [], []
        # A line of one cell has no total of its own (a 1-D table is one row of several cells).
        for i in range(rows if columns > 1 else 0):
            equations.append(self._line([(i, j) for j in range(columns)]))
            totals.append(sum(self.truth[i]))
        for j in range(columns if rows > 1 else 0):
            equations.append(self._line([(i, j) for i in range(rows)]))
            totals.append(sum(line[j] for line in self.truth))
        equations.append(np.ones(rows * columns))
        totals.append(sum(map(sum, self.truth)))
        order = [self.bounds[(i, j)] for i in range(rows) for j in range(columns)]
        return _solve_range(self._index(cell), rows * columns, equations, totals, order)

    def _index(self, cell: Cell) -> int:
        return cell[0] * self.shape[1] + cell[1]

    def _line(self, cells: list[Cell]) -> np.ndarray:
        row = np.zeros(self.shape[0] * self.shape[1])
        row[[self._index(cell) for cell in cells]] = 1
        return row


def _solve_range(
    variable: int,
    size: int,
    equations: list[np.ndarray],
    totals: list[int],
    bounds: list[Bounds],
    at_least: list[np.ndarray] | None = None,
) -> tuple[float, float]:
    objective = np.zeros(size)
    objective[variable] = 1
    extremes = []
    for sign in (1, -1):
        result = linprog(
            sign * objective,
            A_eq=np.array(equations) if equations else None,
            b_eq=totals or None,
            A_ub=-np.array(at_least) if at_least else None,
            b_ub=np.zeros(len(at_least)) if at_least else None,
            bounds=bounds,
            method="highs",
        )
        # The truth always fits what was published, so an infeasible problem is a broken rule.
        assert result.status in (SOLVED, UNBOUNDED), result.message
        extremes.append(sign * result.fun if result.status == SOLVED else sign * -math.inf)
    return extremes[0], extremes[1]


def difference_range(
    everyone: Sequence[Controlled[int]], subgroup: Sequence[Controlled[int]], area: int
) -> tuple[float, float]:
    """The least and greatest ``everyone - subgroup`` can be in one area, from two 1-D releases,
    knowing that the subgroup is never more than everyone."""
    areas = len(everyone)
    bounds = [bounds_of(figure) for figure in [*everyone, *subgroup]]
    at_least = []  # everyone - subgroup >= 0 in each area
    for k in range(areas):
        row = np.zeros(2 * areas + 1)
        row[k], row[areas + k] = 1, -1
        at_least.append(row)
    # The difference in ``area`` is a variable of its own, tied to the two counts.
    tie = np.zeros(2 * areas + 1)
    tie[area], tie[areas + area], tie[-1] = 1, -1, -1
    return _solve_range(2 * areas, 2 * areas + 1, [tie], [0], [*bounds, (None, None)], at_least)
