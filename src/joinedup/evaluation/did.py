"""Difference-in-differences on a person-quarter panel, with person-clustered intervals.

The rate ratio is the ratio of ratios of pooled rates, ``(I_after / I_before) / (C_after /
C_before)``: what a Poisson model with group, period and group-by-period terms estimates. The
absolute difference is ``(I_after - I_before) - (C_after - C_before)`` in events per person-year.
Both intervals are cluster-robust (sandwich) intervals with the person as the cluster: each
person's events before and after are correlated, people are independent. The variance is the
sum over people of each person's influence on the estimate squared (the delta method for a
ratio of sums), times n / (n - 1) in each group.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from joinedup.analytics.stats import Estimate, not_computed, z_score
from joinedup.evaluation.panel import Panel

Floats = npt.NDArray[np.float64]
SANDWICH = "cluster-robust (person) sandwich, delta method"
NO_EVENTS = "a group had no events in a window"
TOO_FEW_PEOPLE = "a group has fewer than two people"


@dataclass(frozen=True)
class Window:
    """Per person: weighted events and person-years in one window."""

    events: Floats
    years: Floats

    @property
    def rate(self) -> float:
        total = float(self.years.sum())
        return float(self.events.sum()) / total if total > 0 else math.nan

    def influence_on_log_rate(self) -> Floats:
        """Each person's share of log(rate)'s deviation: (y - rate * e) / total events."""
        return (self.events - self.rate * self.years) / float(self.events.sum())

    def influence_on_rate(self) -> Floats:
        return (self.events - self.rate * self.years) / float(self.years.sum())


@dataclass(frozen=True)
class Arm:
    """One group's before and after windows."""

    before: Window
    after: Window

    @property
    def people(self) -> int:
        return len(self.before.events)


def arm(
    panel: Panel,
    outcome: str,
    treated: bool,
    before: Iterable[int],
    after: Iterable[int],
) -> Arm:
    """Sum a group's panel rows into each person's before and after windows, weighted."""
    keep = panel.treated == treated
    return Arm(
        _window(panel, outcome, keep, list(before)), _window(panel, outcome, keep, list(after))
    )


def _window(panel: Panel, outcome: str, keep: npt.NDArray[np.bool_], quarters: list[int]) -> Window:
    rows = np.isin(panel.quarter, quarters)
    people = panel.people
    events = np.bincount(panel.person[rows], panel.counts[outcome][rows], minlength=people)
    years = np.bincount(panel.person[rows], panel.years[rows], minlength=people)
    return Window(events[keep] * panel.weight[keep], years[keep] * panel.weight[keep])


def _variance(influence: Floats) -> float:
    n = len(influence)
    return float((influence**2).sum()) * n / (n - 1)


def _usable(*arms: Arm) -> str | None:
    if any(a.people < 2 for a in arms):
        return TOO_FEW_PEOPLE
    windows = [w for a in arms for w in (a.before, a.after)]
    if any(w.events.sum() <= 0 or w.years.sum() <= 0 for w in windows):
        return NO_EVENTS
    return None


def rate_ratio(intervention: Arm, comparison: Arm, confidence: float = 0.95) -> Estimate:
    """The ratio of the intervention's after/before rate ratio to the comparison's."""
    reason = _usable(intervention, comparison)
    if reason:
        return not_computed(SANDWICH, reason)
    log_ratio, variance = 0.0, 0.0
    for group, sign in ((intervention, 1), (comparison, -1)):
        log_ratio += sign * (math.log(group.after.rate) - math.log(group.before.rate))
        variance += _variance(
            group.after.influence_on_log_rate() - group.before.influence_on_log_rate()
        )
    spread = z_score(confidence) * math.sqrt(variance)
    return Estimate(
        math.exp(log_ratio), math.exp(log_ratio - spread), math.exp(log_ratio + spread), SANDWICH
    )


def rate_difference(intervention: Arm, comparison: Arm, confidence: float = 0.95) -> Estimate:
    """The change in the intervention's rate less the comparison's, per person-year."""
    reason = _usable(intervention, comparison)
    if reason:
        return not_computed(SANDWICH, reason)
    difference, variance = 0.0, 0.0
    for group, sign in ((intervention, 1), (comparison, -1)):
        difference += sign * (group.after.rate - group.before.rate)
        variance += _variance(group.after.influence_on_rate() - group.before.influence_on_rate())
    spread = z_score(confidence) * math.sqrt(variance)
    return Estimate(difference, difference - spread, difference + spread, SANDWICH)


def contains(estimate: Estimate, value: float) -> bool | None:
    """Whether the interval holds ``value`` (None when nothing was computed)."""
    if estimate.lower is None or estimate.upper is None:
        return None
    return estimate.lower <= value <= estimate.upper
