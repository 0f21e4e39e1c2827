"""Where the bars, the goal line and the trend line fall on the overview's two SVG charts
(drawn on the server: no JavaScript). The tables beside the charts carry the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from joinedup.web.workforce.coverage import Coverage, MonthPoint

WIDTH = 720
LABEL_WIDTH = 260
BAR_AREA = WIDTH - LABEL_WIDTH - 60  # room on the right for the percentage
ROW = 34
TREND_HEIGHT = 220
TREND_TOP = 12


@dataclass(frozen=True)
class HBar:
    label: str
    percent: int
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list[HBar]
    goal_x: float
    height: int
    x0: int = LABEL_WIDTH


def x_of(percent: float) -> float:
    return round(LABEL_WIDTH + BAR_AREA * percent / 100, 1)


def coverage_bars(lines: Sequence[Coverage], goal_percent: int) -> BarChart:
    """A horizontal bar per organisation, 0 to 100% of its frontline staff, and the goal line."""
    bars = [
        HBar(line.label, line.percent, 8 + n * ROW, round(BAR_AREA * line.share, 1))
        for n, line in enumerate(lines)
    ]
    return BarChart(bars, x_of(goal_percent), 16 + len(lines) * ROW + 16)


@dataclass(frozen=True)
class TrendPoint:
    point: MonthPoint
    x: float
    y: float
    labelled: bool


@dataclass(frozen=True)
class TrendChart:
    points: list[TrendPoint]
    polyline: str
    goal_y: float
    height: int = TREND_HEIGHT


def y_of(percent: float) -> float:
    return round(TREND_TOP + (TREND_HEIGHT - TREND_TOP - 24) * (1 - percent / 100), 1)


def trend_line(trend: Sequence[MonthPoint], goal_percent: int) -> TrendChart:
    """Cumulative coverage by month as a line from left to right, with the goal line across."""
    step = (WIDTH - 80) / max(len(trend) - 1, 1)
    every = max(len(trend) // 8, 1)  # at most about eight month labels
    points = [
        TrendPoint(
            m,
            round(40 + n * step, 1),
            y_of(m.trained * 100 / m.headcount if m.headcount else 0),
            n % every == 0,
        )
        for n, m in enumerate(trend)
    ]
    return TrendChart(points, " ".join(f"{p.x},{p.y}" for p in points), y_of(goal_percent))
