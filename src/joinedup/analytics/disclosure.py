"""Disclosure control: the one door out of the analytic zone.

Every figure about residents that leaves the analytic zone (a file, a chart, a dashboard tile, an
API answer) goes through :func:`publish`, and nothing else. The ``control_*`` functions are what
:func:`publish` does, one rule each, public so that each rule can be read and tested on its own.
The rule is :data:`RULE`; record ``RULE.version`` with every release. docs/disclosure-control.md
explains it for analysts and the information governance lead.

- A count of 1 to 7 is hidden; every other count is rounded to the nearest 5 (half up). A true
  zero is published as 0: 0 rounds to 0, and hiding every zero would hide most of a sparse table.
- In a table, secondary suppression hides more cells until no small count can be worked out
  from the totals, even by someone who knows the true totals from elsewhere, unless those totals
  give it away on their own. A total is published only when its line has no hidden cell, and it
  is then the sum of the published cells: a table adds up, and no total tells anything more.
  Figures that could be subtracted from one another (everyone, and the over-18s, by area) belong
  in one crosstab, which is protected as a whole; two tables are each protected on their own.
- Rates and percentages are made from the controlled counts, never the raw ones, and are hidden
  when either count is hidden, or when they say "none" or "all" of a small group.
- A statistic (min, max, mean, median) of 7 or fewer people is not published.
- A hidden figure is a :class:`Controlled` with no value, shown as ``[c]`` everywhere (``[z]``
  when there is nothing to divide by). Its ``reason`` is for the audit trail only: it tells a
  small count from a secondary suppression, so it must never be published.

Example::

    >>> publish(Count(12)).export()
    10
    >>> publish(Count(3)).export()
    '[c]'
"""

from __future__ import annotations

import heapq
import math
import operator
import statistics
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)
N = TypeVar("N", int, float)

Cell = tuple[int, int]
Grid = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
Counts = TypeVar("Counts", int, Grid)  # one count, or a whole grid at once, under the same rule


@dataclass(frozen=True)
class Rule:
    """The disclosure control JoinedUp applies; change a number here and change the version."""

    version: str
    smallest_shown_count: int = 8
    rounding_base: int = 5
    smallest_group_for_statistics: int = 8
    smallest_group_for_all_or_none: int = 50
    hidden_symbol: str = "[c]"
    not_applicable_symbol: str = "[z]"


RULE = Rule(
    version="JoinedUp SDC v1: redact 1-7, round to 5, secondary suppression; "
    "statistics of 8+ people only; no 0% or 100% of fewer than 50"
)


class Reason(StrEnum):
    """Why a figure is, or is not, published. For the audit trail, never for publication."""

    PUBLISHED = "published"
    SMALL_COUNT = "a count too small to publish"
    SECONDARY = "hidden so that a small count cannot be worked out from the totals"
    HIDDEN_CELLS = "a total of a line with hidden cells"
    HIDDEN_PART = "made from a hidden count"
    SMALL_GROUP = "a statistic of too few people"
    ALL_OR_NONE = "none or all of a small group"
    NO_DENOMINATOR = "nothing to divide by"


@dataclass(frozen=True, slots=True)
class Controlled(Generic[N]):
    """A figure after disclosure control: a value when published, none when hidden."""

    value: N | None
    reason: Reason = Reason.PUBLISHED

    def __post_init__(self) -> None:
        if (self.value is None) != (self.reason is not Reason.PUBLISHED):
            raise ValueError("a controlled figure has a value exactly when it is published")

    @property
    def redacted(self) -> bool:
        return self.value is None

    @property
    def display(self) -> str:
        if self.value is not None:
            return str(self.value)
        if self.reason is Reason.NO_DENOMINATOR:
            return RULE.not_applicable_symbol
        return RULE.hidden_symbol

    def export(self) -> N | str:
        """The cell for CSV, Excel and JSON alike: the number, or the symbol (never blank)."""
        return self.display if self.value is None else self.value

    def __str__(self) -> str:
        return self.display


def control_count(n: int) -> Controlled[int]:
    """One count: 1 to 7 hidden, anything else rounded to the nearest 5.

    >>> control_count(0).display, control_count(7).display, control_count(13).display
    ('0', '[c]', '15')
    """
    count = _whole_count(n)
    if _is_small(count):
        return Controlled(None, Reason.SMALL_COUNT)
    return Controlled(_rounded(count))


def _whole_count(n: int) -> int:
    # operator.index takes numpy integers too, and refuses floats; a bool is not a count.
    if isinstance(n, bool):
        raise TypeError("disclosure control takes counts, not true/false")
    count = operator.index(n)
    if count < 0:
        raise ValueError("disclosure control takes counts of 0 or more")
    return count


@overload
def _is_small(count: int) -> bool: ...
@overload
def _is_small(count: Grid) -> Mask: ...
def _is_small(count: int | Grid) -> bool | Mask:
    return (count > 0) & (count < RULE.smallest_shown_count)


def _rounded(count: Counts) -> Counts:
    base = RULE.rounding_base
    return base * ((count + base // 2) // base)


# Tables ---------------------------------------------------------------------------------------
#
# A table is a grid of counts. A 1-D table is a single row with a known total. In a crosstab every
# row and column of two or more cells has a known total; a line of one cell has none of its own.


def _suppress(counts: Grid) -> tuple[Mask, Mask]:
    """The small counts (primary), and every hidden cell (primary and secondary)."""
    primary = _is_small(counts)
    hidden = primary.copy()
    while True:
        _complete_lines(counts, hidden)
        if not _protect(counts, primary, hidden):
            return primary, hidden


def _complete_lines(counts: Grid, hidden: Mask) -> None:
    """Until no line holds exactly one hidden cell, hide the smallest other cell of each such line
    (the first in order among equals)."""
    changed = True
    while changed:
        changed = False
        for axis in (1, 0):  # rows, then columns
            if counts.shape[axis] < 2:
                continue
            once = hidden.sum(axis=axis) == 1
            smallest = np.where(hidden, np.iinfo(np.int64).max, counts).argmin(axis=axis)
            for line in np.flatnonzero(once):
                hidden[(line, smallest[line]) if axis == 1 else (smallest[line], line)] = True
            changed |= bool(once.any())


# Two hidden cells a line are not enough on their own. Someone who knows the true totals from
# elsewhere can still pin a small count when the cells around it sit at the edge of what they
# could be (a 7; a 12 published as 10; a published 0, which is exact). So each small count is
# also checked as that person would: they know that a published v is v-2 to v+2 and at least 8
# (0 when v is 0), that a small count is 1 to 7 and any other hidden cell at least 0. A small
# count can be one more or one less only if other cells shift with it round a cycle of rows and
# columns, each within what it could be: a reachability question on the graph of rows (which a
# cell that can rise joins to its column) and columns (which a cell that can fall joins to its
# row). When no cycle exists, the cheapest cells to hide that make one are hidden. Hiding only
# widens what a cell could be, so nothing protected is pinned again by a later step.


def _protect(counts: Grid, primary: Mask, hidden: Mask) -> bool:
    """Hide cells until no small count is pinned; whether anything was hidden."""
    changed = False
    rise, fall = _room(counts, primary, hidden)
    for a, b in np.argwhere(primary):
        cell = (int(a), int(b))
        if _can_shift(counts, rise, fall, cell):
            continue
        opening = _cheapest_opening(counts, rise, fall, hidden, cell)
        for other in opening:
            hidden[other] = True
        if opening:
            rise, fall = _room(counts, primary, hidden)
            changed = True
    return changed


def _room(counts: Grid, primary: Mask, hidden: Mask) -> tuple[Mask, Mask]:
    """Which cells could, to someone who knows the rule, be one more; and which one less."""
    half = RULE.rounding_base // 2
    shown = _rounded(counts)
    lowest = np.maximum(RULE.smallest_shown_count, shown - half)
    rise = np.where(hidden, True, (shown > 0) & (counts < shown + half))
    fall = np.where(hidden, counts > 0, (shown > 0) & (counts > lowest))
    rise[primary] = counts[primary] < RULE.smallest_shown_count - 1
    fall[primary] = counts[primary] > 1
    return rise, fall


def _free_lines(counts: Grid) -> tuple[bool, bool]:
    """Whether rows, and whether columns, lack a total of their own (a line of one cell)."""
    rows, columns = counts.shape
    return columns < 2 and rows > 1, rows < 2


def _can_shift(counts: Grid, rise: Mask, fall: Mask, cell: Cell) -> bool:
    """Whether the small count at ``cell`` could be one more, or one less, given everything else."""
    rise, fall = rise.copy(), fall.copy()
    rise[cell] = fall[cell] = False  # it cannot shift to balance itself
    row, column = np.zeros(counts.shape[0], bool), np.zeros(counts.shape[1], bool)
    row[cell[0]] = column[cell[1]] = True
    if counts[cell] < RULE.smallest_shown_count - 1:
        rows, _ = _reachable(counts, rise, fall, np.zeros_like(row), column)
        if rows[cell[0]]:
            return True
    if counts[cell] > 1:
        _, columns = _reachable(counts, rise, fall, row, np.zeros_like(column))
        return bool(columns[cell[1]])
    return False


def _reachable(
    counts: Grid, rise: Mask, fall: Mask, rows: Mask, columns: Mask
) -> tuple[Mask, Mask]:
    """The rows and columns reachable from these, rising from row to column, falling back."""
    free_rows, free_columns = _free_lines(counts)
    while True:
        rows = np.full_like(rows, rows.any()) if free_rows else rows
        columns = np.full_like(columns, columns.any()) if free_columns else columns
        more_columns = columns | rise[rows].any(axis=0)
        more_rows = rows | fall[:, more_columns].any(axis=1)
        if (more_rows == rows).all() and (more_columns == columns).all():
            return rows, columns
        rows, columns = more_rows, more_columns


@dataclass(frozen=True)
class _Step:
    source: int
    target: int
    cell: Cell
    cost: int  # 0 when the cell can shift this way already; else the price of hiding it


def _cheapest_opening(counts: Grid, rise: Mask, fall: Mask, hidden: Mask, cell: Cell) -> list[Cell]:
    """The cheapest cells to hide so that the small count at ``cell`` can shift, if any can.

    Hiding a cell costs its count plus one, so small cells go first and fewer cells beat more."""
    graph = _shift_graph(counts, rise, fall, hidden)
    row, column = _nodes(counts, cell)
    routes = []
    if counts[cell] < RULE.smallest_shown_count - 1:
        routes.append(_cheapest_path(graph, column, row, cell))
    if counts[cell] > 1:
        routes.append(_cheapest_path(graph, row, column, cell))
    found = [route for route in routes if route is not None]
    if not found:
        return []  # pinned by the totals alone: nothing hidden here could change that
    cheapest = min(found, key=lambda route: sum(step.cost for step in route))
    return [step.cell for step in cheapest if step.cost]


def _nodes(counts: Grid, cell: Cell) -> tuple[int, int]:
    """A cell's row and column node; every line without a total of its own is one shared node."""
    rows, columns = counts.shape
    free_rows, free_columns = _free_lines(counts)
    free = rows + columns
    return (free if free_rows else cell[0], free if free_columns else rows + cell[1])


def _shift_graph(counts: Grid, rise: Mask, fall: Mask, hidden: Mask) -> dict[int, list[_Step]]:
    graph: dict[int, list[_Step]] = {}
    for a, b in np.ndindex(counts.shape):
        cell = (a, b)
        row, column = _nodes(counts, cell)
        price = 0 if hidden[cell] else int(counts[cell]) + 1
        if rise[cell] or price:
            graph.setdefault(row, []).append(_Step(row, column, cell, 0 if rise[cell] else price))
        if fall[cell] or (price and counts[cell] > 0):
            graph.setdefault(column, []).append(
                _Step(column, row, cell, 0 if fall[cell] else price)
            )
    return graph


def _cheapest_path(
    graph: dict[int, list[_Step]], source: int, target: int, avoid: Cell
) -> list[_Step] | None:
    """Dijkstra; ties go to the lower node number, so the same table gives the same path."""
    best = {source: 0}
    came: dict[int, _Step] = {}
    queue = [(0, source)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == target:
            return _path_to(came, source, target)
        if cost > best[node]:
            continue
        for step in graph.get(node, []):
            if step.cell != avoid and cost + step.cost < best.get(step.target, math.inf):
                best[step.target] = cost + step.cost
                came[step.target] = step
                heapq.heappush(queue, (cost + step.cost, step.target))
    return None


def _path_to(came: dict[int, _Step], source: int, target: int) -> list[_Step]:
    path = []
    node = target
    while node != source:
        path.append(came[node])
        node = came[node].source
    return path


def _figure(counts: Grid, cell: Cell, primary: Mask, hidden: Mask) -> Controlled[int]:
    if primary[cell]:
        return Controlled(None, Reason.SMALL_COUNT)
    if hidden[cell]:
        return Controlled(None, Reason.SECONDARY)
    return control_count(int(counts[cell]))


def _total(figures: Iterable[Controlled[int]]) -> Controlled[int]:
    values = [figure.value for figure in figures]
    if any(value is None for value in values):
        return Controlled(None, Reason.HIDDEN_CELLS)
    return Controlled(sum(value for value in values if value is not None))


@dataclass(frozen=True)
class ControlledTable(Generic[K]):
    """A 1-D table after disclosure control: its cells in order, and its total."""

    cells: Mapping[K, Controlled[int]]
    total: Controlled[int]
    rule: Rule = RULE

    def export_rows(self, total_label: str = "Total") -> list[list[object]]:
        rows: list[list[object]] = [[label, cell.export()] for label, cell in self.cells.items()]
        return [*rows, [total_label, self.total.export()]]


@dataclass(frozen=True)
class ControlledCrosstab(Generic[R, C]):
    """A 2-D table after disclosure control, with its row, column and grand totals."""

    rows: tuple[R, ...]
    columns: tuple[C, ...]
    cells: Mapping[tuple[R, C], Controlled[int]]
    row_totals: Mapping[R, Controlled[int]]
    column_totals: Mapping[C, Controlled[int]]
    grand_total: Controlled[int]
    rule: Rule = RULE

    def export_rows(self, corner: str = "", total_label: str = "Total") -> list[list[object]]:
        """A header, a line per row with its total, and a line of column totals."""
        lines: list[list[object]] = [[corner, *self.columns, total_label]]
        for row in self.rows:
            cells = [self.cells[(row, column)].export() for column in self.columns]
            lines.append([row, *cells, self.row_totals[row].export()])
        totals = [self.column_totals[column].export() for column in self.columns]
        return [*lines, [total_label, *totals, self.grand_total.export()]]


def control_crosstab(
    counts: Mapping[tuple[R, C], int],
    rows: Sequence[R] | None = None,
    columns: Sequence[C] | None = None,
) -> ControlledCrosstab[R, C]:
    """A 2-D table of counts, keyed (row, column), with its totals controlled.

    A missing (row, column) is a count of 0, as a SQL ``GROUP BY`` leaves it out. ``rows`` and
    ``columns`` fix the order and include lines with no counts at all; by default labels come in
    the order they first appear. Ties between equally small cells are broken by that order, so the
    same table in the same order always gives the same result.

    >>> table = control_crosstab({("A", "x"): 3, ("A", "y"): 20, ("B", "x"): 20, ("B", "y"): 20})
    >>> [line[1:] for line in table.export_rows()]
    [['x', 'y', 'Total'], ['[c]', '[c]', '[c]'], ['[c]', '[c]', '[c]'], ['[c]', '[c]', '[c]']]
    """
    row_labels = _labels(rows, (row for row, _ in counts))
    column_labels = _labels(columns, (column for _, column in counts))
    if not set(counts) <= {(r, c) for r in row_labels for c in column_labels}:
        raise ValueError("a count's row or column is not among the rows and columns given")
    grid = [[_whole_count(counts.get((r, c), 0)) for c in column_labels] for r in row_labels]
    array = np.array(grid, dtype=np.int64).reshape(len(row_labels), len(column_labels))
    primary, hidden = _suppress(array) if array.size else (array > 0, array > 0)
    figures = [
        [_figure(array, (i, j), primary, hidden) for j in range(len(column_labels))]
        for i in range(len(row_labels))
    ]
    by_column = [[line[j] for line in figures] for j in range(len(column_labels))]
    return ControlledCrosstab(
        rows=row_labels,
        columns=column_labels,
        cells={
            (r, c): figures[i][j]
            for i, r in enumerate(row_labels)
            for j, c in enumerate(column_labels)
        },
        row_totals={r: _total(figures[i]) for i, r in enumerate(row_labels)},
        column_totals={c: _total(by_column[j]) for j, c in enumerate(column_labels)},
        grand_total=_total(figure for line in figures for figure in line),
    )


def control_table(counts: Mapping[K, int], labels: Sequence[K] | None = None) -> ControlledTable[K]:
    """A 1-D table of counts with its total: the crosstab rule on a single row.

    >>> control_table({"A": 3, "B": 40, "C": 52}).export_rows()
    [['A', '[c]'], ['B', '[c]'], ['C', 50], ['Total', '[c]']]
    """
    order = _labels(labels, counts)
    crosstab = control_crosstab({(0, label): n for label, n in counts.items()}, [0], order)
    return ControlledTable(
        {label: crosstab.cells[(0, label)] for label in order}, crosstab.grand_total
    )


def _labels(given: Sequence[K] | None, seen: Iterable[K]) -> tuple[K, ...]:
    if given is None:
        return tuple(dict.fromkeys(seen))
    if len(set(given)) != len(given):
        raise ValueError("a label is given twice")
    return tuple(given)


# Rates, percentages and statistics ------------------------------------------------------------


def control_rate(
    numerator: int | Controlled[int],
    denominator: int | Controlled[int],
    per: int = 1000,
    decimals: int = 1,
) -> Controlled[float]:
    """A rate per ``per`` made from the controlled counts (a raw int is controlled first).

    Hidden when either count is hidden, not applicable (``[z]``) when the denominator is 0, and
    hidden when it says none or all (0, or numerator = denominator) of fewer than
    ``RULE.smallest_group_for_all_or_none``: "none of these 20 residents" is about each of them.

    >>> control_rate(12, 1003).display  # 10 per 1005: rounded counts, not 12 per 1003
    '10.0'
    """
    top, bottom = _controlled(numerator), _controlled(denominator)
    if top.value is None or bottom.value is None:
        return Controlled(None, Reason.HIDDEN_PART)
    if bottom.value == 0:
        return Controlled(None, Reason.NO_DENOMINATOR)
    says_all_or_none = top.value in (0, bottom.value)
    if says_all_or_none and bottom.value < RULE.smallest_group_for_all_or_none:
        return Controlled(None, Reason.ALL_OR_NONE)
    return Controlled(_half_up(Decimal(top.value * per) / Decimal(bottom.value), decimals))


def control_percentage(
    numerator: int | Controlled[int], denominator: int | Controlled[int], decimals: int = 1
) -> Controlled[float]:
    """A percentage, under the rules of :func:`control_rate`.

    >>> control_percentage(20, 40).display, control_percentage(0, 40).display
    ('50.0', '[c]')
    """
    return control_rate(numerator, denominator, per=100, decimals=decimals)


def _controlled(count: int | Controlled[int]) -> Controlled[int]:
    return count if isinstance(count, Controlled) else control_count(count)


def _half_up(value: Decimal, decimals: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


class Statistic(StrEnum):
    MIN = "min"
    MAX = "max"
    MEAN = "mean"
    MEDIAN = "median"


_STATISTICS: dict[Statistic, Callable[[Sequence[float]], float]] = {
    Statistic.MIN: min,
    Statistic.MAX: max,
    Statistic.MEAN: statistics.fmean,
    Statistic.MEDIAN: statistics.median,
}


def control_summary(
    values: Sequence[float], statistic: Statistic, decimals: int = 1
) -> Controlled[float]:
    """A statistic of one value per person, published only for enough people.

    >>> control_summary([70, 71, 72, 80, 81, 85, 90], Statistic.MAX).display
    '[c]'
    """
    if len(values) < RULE.smallest_group_for_statistics:
        return Controlled(None, Reason.SMALL_GROUP)
    return control_statistic(len(values), _STATISTICS[statistic](values), decimals)


def control_statistic(people: int, value: float, decimals: int = 1) -> Controlled[float]:
    """A statistic computed elsewhere (in SQL, say) over ``people`` people.

    >>> control_statistic(8, 41.25).display
    '41.3'
    """
    if _whole_count(people) < RULE.smallest_group_for_statistics:
        return Controlled(None, Reason.SMALL_GROUP)
    if not math.isfinite(value):
        raise ValueError("a statistic to publish must be a finite number")
    return Controlled(_half_up(Decimal(value), decimals))


# The one door ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    n: int


@dataclass(frozen=True)
class Table(Generic[K]):
    counts: Mapping[K, int]
    labels: Sequence[K] | None = None


@dataclass(frozen=True)
class Crosstab(Generic[R, C]):
    counts: Mapping[tuple[R, C], int]
    rows: Sequence[R] | None = None
    columns: Sequence[C] | None = None


@dataclass(frozen=True)
class Rate:
    numerator: int | Controlled[int]
    denominator: int | Controlled[int]
    per: int = 1000
    decimals: int = 1


@dataclass(frozen=True)
class Percentage:
    numerator: int | Controlled[int]
    denominator: int | Controlled[int]
    decimals: int = 1


@dataclass(frozen=True)
class Summary:
    values: Sequence[float]
    statistic: Statistic
    decimals: int = 1


@dataclass(frozen=True)
class StatisticOf:
    people: int
    value: float
    decimals: int = 1


Figure = Count | Table[Any] | Crosstab[Any, Any] | Rate | Percentage | Summary | StatisticOf


@overload
def publish(figure: Count) -> Controlled[int]: ...
@overload
def publish(figure: Table[K]) -> ControlledTable[K]: ...
@overload
def publish(figure: Crosstab[R, C]) -> ControlledCrosstab[R, C]: ...
@overload
def publish(figure: Rate | Percentage | Summary | StatisticOf) -> Controlled[float]: ...
def publish(
    figure: Figure,
) -> Controlled[int] | Controlled[float] | ControlledTable[Any] | ControlledCrosstab[Any, Any]:
    """Disclosure control for a figure that is to leave the analytic zone: the only way out.

    >>> publish(Crosstab({("A", "x"): 30, ("A", "y"): 20})).grand_total.display
    '50'
    """
    match figure:
        case Count(n):
            return control_count(n)
        case Table(counts, labels):
            return control_table(counts, labels)
        case Crosstab(counts, rows, columns):
            return control_crosstab(counts, rows, columns)
        case Rate(numerator, denominator, per, decimals):
            return control_rate(numerator, denominator, per, decimals)
        case Percentage(numerator, denominator, decimals):
            return control_percentage(numerator, denominator, decimals)
        case Summary(values, statistic, decimals):
            return control_summary(values, statistic, decimals)
        case StatisticOf(people, value, decimals):
            return control_statistic(people, value, decimals)
    raise TypeError("publish takes a Count, Table, Crosstab, Rate, Percentage or summary")


def hide_across_lines(
    cells: Mapping[K, Controlled[int]], lines: Sequence[Sequence[K]], sizes: Mapping[K, int]
) -> dict[K, Controlled[int]]:
    """Hide more cells until no line holds exactly one hidden cell.

    Tables published side by side can add up across each other (a ward and its LSOAs, the
    borough and its wards): each such set of cells is a ``line``, and a line with one hidden cell
    gives it away by subtraction. Where one is hidden, one more is: the cell that also mends the
    most other lines, then the smallest (by ``sizes``, the raw counts), then the first; until
    nothing changes. This only ever hides more; it never shows anything already hidden.
    """
    hidden = {key for key, cell in cells.items() if cell.redacted}
    lines_of: dict[K, list[Sequence[K]]] = {}
    for line in lines:
        for key in line:
            lines_of.setdefault(key, []).append(line)

    def exposed(line: Sequence[K]) -> bool:
        return sum(key in hidden for key in line) == 1

    def cost(key: K) -> tuple[int, int]:
        return -sum(exposed(line) for line in lines_of[key]), sizes.get(key, 0)

    changed = True
    while changed:
        changed = False
        for line in filter(exposed, lines):
            shown = [key for key in line if key not in hidden]
            if shown:
                hidden.add(min(shown, key=cost))
                changed = True
    return {
        key: Controlled(None, Reason.SECONDARY) if key in hidden and not cell.redacted else cell
        for key, cell in cells.items()
    }


def table_of(cells: Mapping[K, Controlled[int]]) -> ControlledTable[K]:
    """A 1-D table of cells already controlled, its total the sum of its published cells (hidden
    when any cell is), as :func:`control_table` makes it."""
    return ControlledTable(dict(cells), _total(cells.values()))
