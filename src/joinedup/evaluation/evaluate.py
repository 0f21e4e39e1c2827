"""Run an impact evaluation: the groups, the panel, the estimates, the checks and the placebos.

>>> result = evaluate(home)  # the team's referrals against the control area  # doctest: +SKIP
>>> result.primary.rate_ratio.value  # doctest: +SKIP
0.71
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from joinedup.analytics import provenance
from joinedup.analytics.base import Snapshot, open_base, snapshot
from joinedup.analytics.disclosure import RULE
from joinedup.analytics.stats import Estimate
from joinedup.evaluation.cohort import Cohort, build_cohort
from joinedup.evaluation.design import (
    Design,
    Group,
    Kind,
    comparison_group,
    control_localities,
    intervention_group,
    localities_to_avoid,
)
from joinedup.evaluation.did import Arm, arm, contains, rate_difference, rate_ratio
from joinedup.evaluation.panel import OUTCOMES, Panel, build_panel
from joinedup.evaluation.trends import TrendCheck, event_study, parallel_trends, quarterly_use

PRIMARY = "ae_attendance"


@dataclass(frozen=True)
class Cell:
    """A group's weighted events and person-years in one window."""

    events: float
    person_years: float


@dataclass(frozen=True)
class OutcomeResult:
    kind: str
    label: str
    rate_ratio: Estimate
    difference: Estimate  # events per person-year
    cells: dict[str, Cell]  # intervention_before, intervention_after, comparison_...
    avoided: float | None  # events the intervention group did not have in the after-window


@dataclass(frozen=True)
class Placebo:
    """A comparison where nothing happened: its interval should hold 1."""

    name: str
    description: str
    rate_ratio: Estimate
    intervention_people: int
    comparison_people: int

    @property
    def no_effect(self) -> bool | None:
        return contains(self.rate_ratio, 1.0)


@dataclass(frozen=True)
class Evaluation:
    design: Design
    snapshot: Snapshot
    cohort: Cohort
    outcomes: list[OutcomeResult]
    trends: TrendCheck
    event_study: list[tuple[int, Estimate]]
    quarterly: dict[str, list[tuple[float, float]]]  # A&E events, person-years
    placebo_date: Placebo
    placebo_area: Placebo | None

    @property
    def primary(self) -> OutcomeResult:
        return next(o for o in self.outcomes if o.kind == PRIMARY)


def default_design() -> Design:
    """The synthetic borough's question: the team's referrals against the control area."""
    return Design(intervention_group(None), comparison_group(None))


def evaluate(home: Path, design: Design | None = None) -> Evaluation:
    """Evaluate ``design`` (by default :func:`default_design`) on the current data snapshot,
    and note the run in the provenance log."""
    design = design or default_design()
    connection = open_base(home)
    try:
        result = _evaluate(connection, design)
    finally:
        connection.close()
    provenance.record(
        home,
        {
            "kind": "evaluation",
            "intervention": design.intervention.label,
            "comparison": design.comparison.label,
            "windows": [design.windows.months_before, design.windows.months_after],
            "snapshot": result.snapshot.record(),
            "disclosure_rule": RULE.version,
        },
    )
    return result


def _evaluate(connection: duckdb.DuckDBPyConnection, design: Design) -> Evaluation:
    cohort = build_cohort(connection, design)
    panel = build_panel(connection, design.windows)
    quarters = design.windows.quarters
    before, after = _before_after(quarters)
    outcomes = [_outcome(panel, kind, label, before, after) for kind, label in OUTCOMES]
    return Evaluation(
        design=design,
        snapshot=snapshot(connection),
        cohort=cohort,
        outcomes=outcomes,
        trends=parallel_trends(panel, PRIMARY, quarters),
        event_study=event_study(panel, PRIMARY, quarters),
        quarterly={
            "intervention": quarterly_use(panel, PRIMARY, True, quarters),
            "comparison": quarterly_use(panel, PRIMARY, False, quarters),
        },
        placebo_date=_placebo_date(panel, cohort, before),
        placebo_area=_placebo_area(connection, design),
    )


def _before_after(quarters: range) -> tuple[list[int], list[int]]:
    return [q for q in quarters if q < 0], [q for q in quarters if q >= 0]


def _outcome(
    panel: Panel, kind: str, label: str, before: list[int], after: list[int]
) -> OutcomeResult:
    treated, untreated = (
        arm(panel, kind, True, before, after),
        arm(panel, kind, False, before, after),
    )
    ratio = rate_ratio(treated, untreated)
    return OutcomeResult(
        kind,
        label,
        ratio,
        rate_difference(treated, untreated),
        _cells(treated, untreated),
        _avoided(treated, ratio),
    )


def _cells(treated: Arm, untreated: Arm) -> dict[str, Cell]:
    cells = {}
    for name, group in (("intervention", treated), ("comparison", untreated)):
        for window, sums in (("before", group.before), ("after", group.after)):
            cells[f"{name}_{window}"] = Cell(float(sums.events.sum()), float(sums.years.sum()))
    return cells


def _avoided(treated: Arm, ratio: Estimate) -> float | None:
    """Events the intervention group would have had at the comparison's trend, less those it had."""
    if ratio.value is None or ratio.value <= 0:
        return None
    observed = float(treated.after.events.sum())
    return observed / ratio.value - observed


def _placebo_date(panel: Panel, cohort: Cohort, before: list[int]) -> Placebo:
    """The index moved back half the before-window: both placebo windows lie before any effect,
    and after the year the comparison group was chosen on."""
    half = len(before) // 2
    early, late = before[:half], before[half:]
    months = 3 * half
    ratio = rate_ratio(
        arm(panel, PRIMARY, True, early, late), arm(panel, PRIMARY, False, early, late)
    )
    return Placebo(
        "placebo date",
        f"The index date moved {months} months earlier, comparing the {months} months before it "
        f"with the {months} months after it, all before the real index date.",
        ratio,
        cohort.intervention_people,
        cohort.comparison_people,
    )


def _placebo_area(connection: duckdb.DuckDBPyConnection, design: Design) -> Placebo | None:
    """The control area as if it had the intervention, against the other localities with none."""
    placebo_localities = (
        design.comparison.localities
        if design.comparison.kind is Kind.AREA
        else control_localities()
    )
    busy = set(localities_to_avoid(design.intervention)) | set(placebo_localities)
    others = tuple(
        name
        for (name,) in connection.execute(
            "SELECT DISTINCT locality FROM areas ORDER BY 1"
        ).fetchall()
        if name not in busy
    )
    if not others:
        return None
    placebo = replace(
        design,
        intervention=Group(Kind.AREA, placebo_localities),
        comparison=Group(Kind.AREA, others),
    )
    cohort = build_cohort(connection, placebo)
    panel = build_panel(connection, placebo.windows)
    before, after = _before_after(placebo.windows.quarters)
    ratio = rate_ratio(
        arm(panel, PRIMARY, True, before, after), arm(panel, PRIMARY, False, before, after)
    )
    return Placebo(
        "placebo area",
        f"Eligible-looking residents of {', '.join(placebo_localities)} (no intervention) against "
        f"those of {', '.join(others)} (no intervention either).",
        ratio,
        cohort.intervention_people,
        cohort.comparison_people,
    )
