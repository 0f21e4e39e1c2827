"""What the timeline, the grant's spend chart, the heat map and the escalation list show:
plain numbers for server-rendered SVG and tables (no JavaScript)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from joinedup.web.programme import scoring
from joinedup.web.programme.models import Grant, Phase, Risk, SpendKind

CHART_WIDTH = 1000  # SVG user units; the SVG scales to the page
LABEL_WIDTH = 400
ROW_HEIGHT = 24


@dataclass(frozen=True)
class Bar:
    phase: Phase
    y: int
    x: float
    width: float
    # Phases this one depends on that have not ended by the day it starts.
    overlapping: tuple[Phase, ...] = ()


def overlapping_dependencies(phase: Phase) -> tuple[Phase, ...]:
    """The phases ``phase`` waits for that end on or after the day it starts."""
    return tuple(d for d in phase.depends_on.all() if d.end >= phase.start)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    ticks: list[Tick]
    height: int
    first: dt.date | None
    last: dt.date | None


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def timeline(phases: Sequence[Phase]) -> Timeline:
    """Each phase as a bar across the months from the first start to the last end."""
    if not phases:
        return Timeline([], [], ROW_HEIGHT, None, None)
    first = min(p.start for p in phases).replace(day=1)
    last = max(p.end for p in phases)
    span = max((last - first).days + 1, 1)
    scale = (CHART_WIDTH - LABEL_WIDTH) / span

    def x_of(day: dt.date) -> float:
        return round(LABEL_WIDTH + (day - first).days * scale, 1)

    bars = [
        Bar(
            p,
            ROW_HEIGHT * (n + 1),
            x_of(p.start),
            round(max(((p.end - p.start).days + 1) * scale, 2), 1),
            overlapping_dependencies(p),
        )
        for n, p in enumerate(phases)
    ]
    ticks = [Tick(x_of(m), m.strftime("%b %Y")) for m in _month_starts(first, last)]
    return Timeline(bars, ticks, ROW_HEIGHT * (len(phases) + 1) + 8, first, last)


@dataclass(frozen=True)
class SpendMonth:
    month: dt.date
    actual: Decimal
    forecast: Decimal
    cumulative: Decimal
    after_deadline: bool


@dataclass(frozen=True)
class SpendSummary:
    amount: Decimal
    actual: Decimal
    forecast_by_deadline: Decimal
    forecast_after_deadline: Decimal
    unspent_at_deadline: Decimal
    months: list[SpendMonth]

    @property
    def underspends(self) -> bool:
        return self.unspent_at_deadline > 0

    @property
    def overspends(self) -> bool:
        return self.unspent_at_deadline < 0

    @property
    def overspent(self) -> Decimal:
        return max(-self.unspent_at_deadline, Decimal(0))


def spend_summary(grant: Grant) -> SpendSummary:
    """Actual and forecast spend, by month, against the amount and the spend-by date.

    Money is unspent at the deadline when actual spend plus forecast spend dated on or before
    the spend-by date comes to less than the award: forecast dated later does not count.
    """
    lines = list(grant.spend.all())
    actual = sum((s.amount for s in lines if s.kind == SpendKind.ACTUAL), Decimal(0))
    in_time = sum(
        (s.amount for s in lines if s.kind == SpendKind.FORECAST and s.on <= grant.spend_by),
        Decimal(0),
    )
    late = sum(
        (s.amount for s in lines if s.kind == SpendKind.FORECAST and s.on > grant.spend_by),
        Decimal(0),
    )
    months: list[SpendMonth] = []
    if lines:
        running = Decimal(0)
        for month in _month_starts(
            min(s.on for s in lines), max(max(s.on for s in lines), grant.spend_by)
        ):
            this = [s for s in lines if (s.on.year, s.on.month) == (month.year, month.month)]
            a = sum((s.amount for s in this if s.kind == SpendKind.ACTUAL), Decimal(0))
            f = sum((s.amount for s in this if s.kind == SpendKind.FORECAST), Decimal(0))
            running += a + f
            months.append(SpendMonth(month, a, f, running, month > grant.spend_by))
    return SpendSummary(
        grant.amount, actual, in_time, late, grant.amount - actual - in_time, months
    )


@dataclass(frozen=True)
class SpendBar:
    month: SpendMonth
    x: float
    actual_y: float
    actual_height: float
    forecast_y: float
    forecast_height: float


SPEND_HEIGHT = 240
SPEND_WIDTH = 720


def spend_bars(summary: SpendSummary) -> tuple[list[SpendBar], float]:
    """Cumulative spend by month as stacked bars (actual below, forecast above), and the
    y of the award line, on a chart ``SPEND_WIDTH`` by ``SPEND_HEIGHT``."""
    top = max([summary.amount, *(m.cumulative for m in summary.months)]) or Decimal(1)
    scale = float(SPEND_HEIGHT - 20) / float(top)
    width = SPEND_WIDTH / max(len(summary.months), 1)
    bars, actual_so_far = [], Decimal(0)
    for n, month in enumerate(summary.months):
        actual_so_far += month.actual
        a_height = float(actual_so_far) * scale
        f_height = float(month.cumulative - actual_so_far) * scale
        bars.append(
            SpendBar(
                month,
                round(n * width + 4, 1),
                round(SPEND_HEIGHT - a_height, 1),
                round(a_height, 1),
                round(SPEND_HEIGHT - a_height - f_height, 1),
                round(f_height, 1),
            )
        )
    return bars, round(SPEND_HEIGHT - float(summary.amount) * scale, 1)


def heat_map(risks: Iterable[Risk]) -> list[tuple[int, list[tuple[int, int, str]]]]:
    """Rows from likelihood 5 down to 1; in each, (impact, count, rag) for impact 1 to 5."""
    counts: dict[tuple[int, int], int] = {}
    for risk in risks:
        counts[(risk.likelihood, risk.impact)] = counts.get((risk.likelihood, risk.impact), 0) + 1
    return [
        (
            likelihood,
            [
                (impact, counts.get((likelihood, impact), 0), scoring.rag(likelihood * impact))
                for impact in scoring.SCALE
            ],
        )
        for likelihood in reversed(scoring.SCALE)
    ]


def to_escalate(risks: Iterable[Risk], today: dt.date) -> list[tuple[Risk, list[str]]]:
    """Risks for the Executive: a score at or over the escalation score, or a review overdue."""
    escalate = [
        (risk, [reason.text for reason in reasons])
        for risk in risks
        if (reasons := risk.escalation_reasons(today))
    ]
    return sorted(escalate, key=lambda pair: (-pair[0].score, pair[0].review_on))


TREND_WIDTH = 480
TREND_HEIGHT = 120
TREND_MARGIN = 10


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    crossed: bool


@dataclass(frozen=True)
class Trend:
    """A measure's readings as a line, with its threshold, on a chart ``TREND_WIDTH`` by
    ``TREND_HEIGHT``; a reading that could not be shown (hidden) leaves a gap."""

    lines: list[str]  # SVG polyline points, one per unbroken run of readings
    points: list[TrendPoint]
    threshold_y: float


def trend(values: Sequence[float | None], crossed: Sequence[bool], threshold: float) -> Trend:
    known = [v for v in values if v is not None]
    low, high = min([*known, threshold]), max([*known, threshold])
    span = (high - low) or 1.0
    inner = TREND_HEIGHT - 2 * TREND_MARGIN
    step = (TREND_WIDTH - 2 * TREND_MARGIN) / max(len(values) - 1, 1)

    def y_of(value: float) -> float:
        return round(TREND_MARGIN + inner - (value - low) / span * inner, 1)

    lines: list[str] = []
    points: list[TrendPoint] = []
    run: list[str] = []
    for n, (value, beyond) in enumerate(zip(values, crossed, strict=True)):
        if value is None:
            if run:
                lines.append(" ".join(run))
            run = []
            continue
        point = TrendPoint(round(TREND_MARGIN + n * step, 1), y_of(value), beyond)
        points.append(point)
        run.append(f"{point.x},{point.y}")
    if run:
        lines.append(" ".join(run))
    return Trend(lines, points, y_of(threshold))
