"""A figure as its card shows it: the text of each value, the chart and the trace."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from joinedup.web.dashboard.chart import trend_svg
from joinedup.web.dashboard.figures import Figure, display


@dataclass(frozen=True)
class Card:
    figure: Figure
    value: str
    chart: SafeString
    trend: list[tuple[str, str]]
    breakdown: list[tuple[str, str]]
    trace: list[tuple[str, str]]


def card(figure: Figure) -> Card:
    # The SVG is built with xml.etree, which escapes every label: safe to place as it is.
    return Card(
        figure=figure,
        value=display(figure.value),
        chart=mark_safe(trend_svg(figure)),
        trend=[(p.label, display(p.value)) for p in figure.trend],
        breakdown=[(p.label, display(p.value)) for p in figure.breakdown],
        trace=figure.trace.rows(),
    )
