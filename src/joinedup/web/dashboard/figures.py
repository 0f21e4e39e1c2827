"""What a dashboard figure is: a title, its value now, its trend, and what it is made from.

Every count in a figure is a :class:`~joinedup.analytics.disclosure.Controlled` made by
``joinedup.analytics.disclosure``; money is the only figure that is not, and it counts nobody.
The trace is what a reader needs to tell where a figure came from: the definition (a cohort's name
and version, or the query), the data snapshot, the linkage model and the disclosure rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from joinedup.analytics.disclosure import RULE, Controlled

Value = Controlled[int] | Controlled[float] | Decimal
NOT_LINKED = "not linked data: the web app's own records"
NO_RESIDENTS = "not applicable: the figure counts no residents"


@dataclass(frozen=True)
class Trace:
    """How a figure is made: the definition, the data, the linkage and the disclosure rule."""

    definition: str
    snapshot: str
    linkage_model: str
    run_id: str = ""
    disclosure_control: str = RULE.version

    def rows(self) -> list[tuple[str, str]]:
        rows = [
            ("Definition", self.definition),
            ("Data snapshot", self.snapshot),
            ("Linkage model", self.linkage_model),
            ("Disclosure control", self.disclosure_control),
        ]
        return [*rows, ("Run", self.run_id)] if self.run_id else rows


@dataclass(frozen=True)
class Point:
    """One period of a trend ("2019 Q4", "Nov 2026"), or one line of a breakdown."""

    label: str
    value: Value


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    unit: str  # "people", "cases", "referrals", "risks", "actions", "PAM score points", "£"
    value: Value
    value_label: str  # what the value is: "on 2019-12-31", "in the last 12 months"
    meaning: str
    trend: tuple[Point, ...]
    trace: Trace
    breakdown: tuple[Point, ...] = field(default=())
    breakdown_title: str = ""
    breakdown_unit: str = ""  # when it differs from the unit

    @property
    def counts(self) -> bool:
        return is_count(self.unit)

    @property
    def breakdown_counts(self) -> bool:
        return is_count(self.breakdown_unit or self.unit)


COUNT_UNITS = frozenset({"people", "cases", "referrals", "risks", "actions"})


def is_count(unit: str) -> bool:
    """Whether figures in this unit are counts, each through disclosure control."""
    return unit in COUNT_UNITS


def display(value: Value) -> str:
    """A value as the page shows it: thousands separated, money in pounds, or the mark."""
    if isinstance(value, Decimal):
        return f"£{value:,.0f}"
    if value.value is None:
        return value.display
    if isinstance(value.value, float):
        return f"{value.value:,.1f}"
    return f"{value.value:,}"


def export(value: Value) -> Any:
    """A value for CSV and Excel: the number, or the disclosure mark (never blank)."""
    if isinstance(value, Decimal):
        return float(value)
    return value.export()


def plotted(value: Value) -> float | None:
    """A value as a chart draws it; None (a gap) when it is hidden."""
    if isinstance(value, Decimal):
        return float(value)
    return None if value.value is None else float(value.value)


EXPORT_HEADER = (
    "Figure",
    "Part",
    "Period or category",
    "Value",
    "Unit",
    "Definition",
    "Data snapshot",
    "Linkage model",
    "Disclosure control",
    "Run",
)


def export_rows(figures: Sequence[Figure]) -> list[list[Any]]:
    """Every figure's value, trend and breakdown, each line with its trace: what downloads hold."""
    rows: list[list[Any]] = []
    for figure in figures:
        trace = figure.trace
        about = [
            trace.definition,
            trace.snapshot,
            trace.linkage_model,
            trace.disclosure_control,
            trace.run_id,
        ]
        unit, breakdown_unit = figure.unit, figure.breakdown_unit or figure.unit
        parts = [("Value", Point(figure.value_label, figure.value), unit)]
        parts += [("Trend", point, unit) for point in figure.trend]
        parts += [("Breakdown", point, breakdown_unit) for point in figure.breakdown]
        for part, point, of in parts:
            rows.append([figure.title, part, point.label, export(point.value), of, *about])
    return rows
