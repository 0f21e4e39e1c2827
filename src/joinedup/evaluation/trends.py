"""Were the groups on parallel paths before the index date? And the effect quarter by quarter.

The check fits a log-linear (Poisson) trend to each group's quarterly rates over the before-window
and compares the slopes: their ratio per year, with a person-clustered sandwich interval. An
interval that holds 1 is no evidence against parallel trends (it is not proof of them: a short
window or a small group gives a wide interval, which the verdict says).

The event study gives, for every quarter, the rate ratio against the last quarter before the
index date: leads (before) should sit near 1; lags (after) show the effect as it builds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.analytics.stats import Estimate, not_computed, z_score
from joinedup.evaluation.did import SANDWICH, TOO_FEW_PEOPLE, arm, contains, rate_ratio
from joinedup.evaluation.panel import Panel

Floats = npt.NDArray[np.float64]
PARALLEL = "parallel"
NOT_PARALLEL = "not parallel"
UNKNOWN = "not tested"
WIDE = 1.5  # an interval on the yearly slope ratio wider than 1/1.5 to 1.5 says little


@dataclass(frozen=True)
class TrendCheck:
    slope_ratio_per_year: Estimate
    intervention_slope: float | None  # yearly change in log rate
    comparison_slope: float | None
    verdict: str

    @property
    def statement(self) -> str:
        if self.verdict == PARALLEL:
            wide = (self.slope_ratio_per_year.upper or 0) > WIDE
            return (
                "Before the index date the two groups' rates moved in parallel (the interval "
                "of the ratio of their trends holds 1)"
                + ("; the interval is wide, so this is weak evidence." if wide else ".")
            )
        if self.verdict == NOT_PARALLEL:
            return (
                "Before the index date the groups' rates were on different trends: the "
                "difference-in-differences may be biased; read it with caution."
            )
        return "Parallel trends could not be tested (too few people or events)."


def parallel_trends(panel: Panel, outcome: str, quarters: range) -> TrendCheck:
    """Compare the groups' yearly trends over the ``quarters`` before the index date."""
    before = [q for q in quarters if q < 0]
    fits = [_trend(panel, outcome, treated, before) for treated in (True, False)]
    if any(fit is None for fit in fits) or len(before) < 2:
        return TrendCheck(not_computed(SANDWICH, TOO_FEW_PEOPLE), None, None, UNKNOWN)
    (slope_i, var_i), (slope_c, var_c) = (fit for fit in fits if fit is not None)
    difference, spread = slope_i - slope_c, z_score(0.95) * math.sqrt(var_i + var_c)
    estimate = Estimate(
        math.exp(difference), math.exp(difference - spread), math.exp(difference + spread), SANDWICH
    )
    verdict = PARALLEL if contains(estimate, 1.0) else NOT_PARALLEL
    return TrendCheck(estimate, slope_i, slope_c, verdict)


def _trend(
    panel: Panel, outcome: str, treated: bool, quarters: list[int]
) -> tuple[float, float] | None:
    """The yearly slope of log rate by Poisson regression on quarter, and its clustered variance."""
    rows = (panel.treated[panel.person] == treated) & np.isin(panel.quarter, quarters)
    person = panel.person[rows]
    weight = panel.weight[person]
    time = (panel.quarter[rows] + 0.5) / 4.0  # years from the index date, mid-quarter
    events, years = panel.counts[outcome][rows] * weight, panel.years[rows] * weight
    if len(np.unique(person)) < 2 or events.sum() <= 0:
        return None
    design = np.column_stack([np.ones_like(time), time])
    beta = np.array([math.log(events.sum() / years.sum()), 0.0])
    for _ in range(50):
        mean = years * np.exp(design @ beta)
        bread = design.T @ (design * mean[:, None])
        step = np.linalg.solve(bread, design.T @ (events - mean))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    mean = years * np.exp(design @ beta)
    scores = np.zeros((panel.people, 2))
    np.add.at(scores, person, design * (events - mean)[:, None])
    used = np.unique(person)
    meat = scores[used].T @ scores[used] * len(used) / (len(used) - 1)
    inverse = np.linalg.inv(design.T @ (design * mean[:, None]))
    return float(beta[1]), float((inverse @ meat @ inverse)[1, 1])


def event_study(panel: Panel, outcome: str, quarters: range) -> list[tuple[int, Estimate]]:
    """Each quarter's rate ratio against quarter -1 (the reference, left out)."""
    return [
        (q, rate_ratio(arm(panel, outcome, True, [-1], [q]), arm(panel, outcome, False, [-1], [q])))
        for q in quarters
        if q != -1
    ]


def quarterly_use(
    panel: Panel, outcome: str, treated: bool, quarters: range
) -> list[tuple[float, float]]:
    """A group's weighted events and person-years in each quarter, for the trend chart."""
    keep = panel.treated[panel.person] == treated
    use = []
    for q in quarters:
        rows = keep & (panel.quarter == q)
        weight = panel.weight[panel.person[rows]]
        years = float((panel.years[rows] * weight).sum())
        events = float((panel.counts[outcome][rows] * weight).sum())
        use.append((events, years))
    return use
