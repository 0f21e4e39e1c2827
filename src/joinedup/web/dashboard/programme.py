"""The dashboard's figures about the programme: actions and risks by status, funding per grant.

Actions and risks count no residents, but the dashboard keeps one rule for every count it shows,
so these too go through disclosure control; the action log and the risk register give the exact
lists to those who manage them. Money counts nobody and is shown as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Max
from django.utils import timezone

from joinedup.analytics import disclosure
from joinedup.web.dashboard.figures import NO_RESIDENTS, Figure, Point, Trace
from joinedup.web.dashboard.periods import Period, quarter_end, quarters_to
from joinedup.web.programme import charts, scoring
from joinedup.web.programme.models import ActionLogEntry, ActionStatus, Grant, Risk

EARLIER = "Earlier"


def _trace(definition: str, now: dt.datetime) -> Trace:
    return Trace(
        definition=definition,
        snapshot=f"the programme's records at {timezone.localtime(now):%Y-%m-%d %H:%M}",
        linkage_model=NO_RESIDENTS,
    )


def _quarter_of(day: dt.date, quarters: Sequence[Period]) -> str:
    return next((q.label for q in quarters if q.start <= day <= q.end), EARLIER)


def actions(now: dt.datetime) -> Figure:
    """Actions by status and by the quarter they were raised, as one crosstab."""
    latest = ActionLogEntry.objects.aggregate(on=Max("raised_at__date"))["on"]
    quarters = quarters_to(quarter_end(latest or timezone.localdate(now)))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    rows = ActionLogEntry.objects.values_list("status", "raised_at__date").annotate(n=Count("pk"))
    statuses = {choice.value: choice.label for choice in ActionStatus}
    for status, raised_on, n in rows:
        counts[(statuses[status], _quarter_of(raised_on, quarters))] += n
    columns = [EARLIER, *(q.label for q in quarters)]
    table = disclosure.publish(disclosure.Crosstab(counts, list(statuses.values()), columns))
    return Figure(
        key="actions",
        title="Programme actions by status",
        unit="actions",
        value=table.grand_total,
        value_label="in the action log",
        meaning="Actions in the action log of the partnership's meetings, by status; the trend "
        "counts the actions raised in each quarter, up to the latest meeting.",
        trend=tuple(Point(q.label, table.column_totals[q.label]) for q in quarters),
        trace=_trace("the action log, status by quarter raised, as one table", now),
        breakdown=tuple(Point(label, table.row_totals[label]) for label in statuses.values()),
        breakdown_title="Status",
    )


def risks(now: dt.datetime) -> Figure:
    """Risks by RAG rating now; the trend counts the red risks at each quarter's end."""
    register = list(Risk.objects.prefetch_related("history"))
    by_rag = {scoring.RAG_LABELS[rag]: 0 for rag in ("red", "amber", "green")}
    for risk in register:
        by_rag[risk.rag_label] += 1
    table = disclosure.publish(disclosure.Table(by_rag, list(by_rag)))
    quarters = quarters_to(timezone.localdate(now))
    red = [
        disclosure.publish(disclosure.Count(sum(_red_on(risk, q.end) for risk in register)))
        for q in quarters
    ]
    return Figure(
        key="risks",
        title="Programme risks rated red",
        unit="risks",
        value=table.cells[scoring.RAG_LABELS["red"]],
        value_label="on the risk register now",
        meaning="Risks on the programme's risk register by RAG rating (likelihood times impact: "
        f"red from {scoring.RED_FROM}, amber from {scoring.AMBER_FROM}); the trend counts those "
        "rated red at the end of each quarter, from each risk's score history.",
        trend=tuple(Point(q.label, n) for q, n in zip(quarters, red, strict=True)),
        trace=_trace("the risk register and its score history, RAG from likelihood x impact", now),
        breakdown=tuple(Point(label, cell) for label, cell in table.cells.items()),
        breakdown_title="RAG rating",
    )


def _red_on(risk: Risk, day: dt.date) -> bool:
    """Whether ``risk`` was rated red at the end of ``day``; a risk with no history counts with
    its score now, one whose history starts later had not been raised."""
    history = sorted(risk.history.all(), key=lambda change: change.changed_at)
    if not history:
        return risk.rag == "red"
    known = [c for c in history if timezone.localdate(c.changed_at) <= day]
    if not known:
        return False
    last = known[-1]
    return scoring.rag(scoring.score(last.new_likelihood, last.new_impact)) == "red"


def funding(now: dt.datetime) -> list[Figure]:
    """Each grant: spent and forecast by its deadline against the award, month by month."""
    return [_grant(grant, now) for grant in Grant.objects.prefetch_related("spend")]


def _grant(grant: Grant, now: dt.datetime) -> Figure:
    summary = charts.spend_summary(grant)
    committed = summary.actual + summary.forecast_by_deadline
    return Figure(
        key=f"grant-{grant.pk}",
        title=f"Funding against forecast: {grant.name}",
        unit="£",
        value=committed,
        value_label=f"spent or forecast by {grant.spend_by.isoformat()}, of "
        f"£{grant.amount:,.0f} from {grant.funder}",
        meaning="Money spent and forecast to be spent by the grant's spend-by date, against the "
        "award. The trend is the running total of spend, actual and forecast, month by month.",
        trend=tuple(Point(m.month.strftime("%b %Y"), m.cumulative) for m in summary.months),
        trace=_trace("the grant's spend lines, actual and forecast, by month", now),
        breakdown=(
            Point("Award", summary.amount),
            Point("Spent", summary.actual),
            Point("Forecast by the deadline", summary.forecast_by_deadline),
            Point("Forecast after the deadline", summary.forecast_after_deadline),
            Point("Unspent at the deadline", summary.unspent_at_deadline),
        ),
        breakdown_title="Money",
    )


def programme_figures(now: dt.datetime | None = None) -> list[Figure]:
    moment = now or timezone.now()
    return [actions(moment), risks(moment), *funding(moment)]
