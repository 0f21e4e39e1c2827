"""Two places side by side, and an area beside the borough as one chart.

Two areas differ significantly on an indicator when their 95% confidence intervals do not
overlap. The test is conservative: intervals that do not overlap mark a difference significant at
well beyond the 5% level, while intervals that overlap a little can still hide a real difference,
so "no significant difference" means the data cannot tell, not that the places are the same.
It needs nothing beyond the intervals the profiles publish, so a reader can check every verdict
from the figures printed beside it. An area against the borough is the profiles' own comparison
(``joinedup.analytics.profiles``: the borough's value outside the area's interval).
"""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.analytics import charts, stats
from joinedup.analytics.profiles import AreaProfile, Figure, Indicator
from joinedup.web.dashboard.localities import Line, Localities, line

METHOD = (
    "Two places differ significantly when their 95% confidence intervals do not overlap. This "
    "is conservative: intervals that overlap slightly can still hide a real difference. Counts "
    "and deprivation deciles have no interval and are not compared."
)
SPINE_UNIT = "% of the borough's value (borough = 100)"


def compare_figures(first: Figure, second: Figure) -> stats.Comparison:
    """``higher`` or ``lower`` when the first figure's interval lies wholly above or below the
    second's, ``similar`` when they overlap, ``not compared`` when either has no interval."""
    if first.lower is None or first.upper is None or second.lower is None or second.upper is None:
        return "not compared"
    if first.lower > second.upper:
        return "higher"
    if first.upper < second.lower:
        return "lower"
    return "similar"


@dataclass(frozen=True)
class Pair:
    """One indicator of two places, with what the intervals say of their difference."""

    indicator: Indicator
    first: Line
    second: Line
    difference: stats.Comparison

    def verdict(self, first_name: str) -> str:
        if not self.indicator.compared:
            return ""
        return {
            "higher": f"{first_name} significantly higher",
            "lower": f"{first_name} significantly lower",
            "similar": "no significant difference",
        }.get(self.difference, "not compared")


def pairs(found: Localities, first: AreaProfile, second: AreaProfile) -> list[Pair]:
    result = []
    for indicator in found.profiles.indicators:
        difference: stats.Comparison = "not compared"
        if indicator.compared:
            difference = compare_figures(
                first.figures[indicator.key], second.figures[indicator.key]
            )
        result.append(
            Pair(
                indicator,
                line(found, first, indicator),
                line(found, second, indicator),
                difference,
            )
        )
    return result


def _indexed(figure: Figure, borough: Figure) -> tuple[float, float, float] | None:
    """The figure and its interval as percentages of the borough's value."""
    if figure.value is None or figure.lower is None or figure.upper is None:
        return None
    if not borough.value:
        return None
    scale = 100 / borough.value
    return figure.value * scale, figure.lower * scale, figure.upper * scale


def spine_svg(found: Localities, area: AreaProfile) -> str:
    """Every indicator with an interval as a percentage of the borough's value, the borough a
    line at 100: one chart across indicators of different units, each bar shaded by how it
    compares (scaling by the borough's value keeps the profiles' own comparison)."""
    borough = found.profiles.borough.figures
    rows = [
        (i.title, _indexed(area.figures[i.key], borough[i.key]))
        for i in found.profiles.indicators
        if i.compared
    ]
    return charts.bar_chart_svg(
        rows,
        100.0,
        f"{area.name} beside the borough, {found.profiles.year}",
        SPINE_UNIT,
        decimals=1,
    )


def pair_svg(found: Localities, first: AreaProfile, second: AreaProfile) -> str:
    """The two places' indicators with intervals as percentages of the borough's value, each
    indicator's two bars together, so that overlapping whiskers can be seen."""
    borough = found.profiles.borough.figures
    rows = [
        (f"{i.title}: {area.name}", _indexed(area.figures[i.key], borough[i.key]))
        for i in found.profiles.indicators
        if i.compared
        for area in (first, second)
    ]
    return charts.bar_chart_svg(
        rows,
        100.0,
        f"{first.name} and {second.name} beside the borough, {found.profiles.year}",
        SPINE_UNIT,
        decimals=1,
    )
