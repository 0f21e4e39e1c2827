"""The dashboard's figures from the web app's own records: referrals, cases and PAM change.

Counted in the database (GROUP BY month), then through disclosure control. Figures that add up
to the same total (cases closed by outcome and by month) are one crosstab, protected as a whole,
so that no hidden count can be worked out by taking one table from the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from joinedup.analytics import disclosure
from joinedup.web.cases.measures import change
from joinedup.web.cases.models import Case, ClosureOutcome, PamAssessment
from joinedup.web.cases.outcomes import of_team
from joinedup.web.dashboard.figures import Figure, Point, Trace
from joinedup.web.dashboard.periods import Period, months_to
from joinedup.web.referrals.models import Referral


def _moment(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the hub's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _month_label(moment: dt.datetime | dt.date, months: Sequence[Period]) -> str | None:
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    return next((m.label for m in months if m.start <= day <= m.end), None)


def _trace(definition: str, linkage: str, now: dt.datetime) -> Trace:
    return Trace(
        definition=definition,
        snapshot=f"the web app's records at {timezone.localtime(now):%Y-%m-%d %H:%M}",
        linkage_model=linkage,
    )


def referrals_received(months: Sequence[Period], linkage: str, now: dt.datetime) -> Figure:
    """Standard referrals by the month they were sent: one table, so the total adds up."""
    rows = (
        Referral.objects.filter(submitted_at__gte=_moment(months[0].start))
        .annotate(month=TruncMonth("submitted_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, int] = defaultdict(int)
    for month, n in rows:
        if (label := _month_label(timezone.localtime(month), months)) is not None:
            counts[label] += n
    labels = [m.label for m in months]
    table = disclosure.publish(disclosure.Table(counts, labels))
    return Figure(
        key="referrals",
        title="Referrals received",
        unit="referrals",
        value=table.total,
        value_label=f"in the last {len(months)} months",
        meaning="Standard referrals sent to the Integrated Action Team by any agency, whatever "
        "triage decided, counted in the month they were sent.",
        trend=tuple(Point(label, table.cells[label]) for label in labels),
        trace=_trace(
            "every standard referral, by the month it was sent (referrals: submitted_at)",
            linkage,
            now,
        ),
    )


def cases_open(months: Sequence[Period], linkage: str, now: dt.datetime) -> Figure:
    """Cases open at each month's end (a count of a different day each): one query."""
    ends = [_moment(m.end + dt.timedelta(days=1)) for m in months[:-1]] + [now]
    open_at = {
        f"m{i}": Count(
            "pk", filter=Q(opened_at__lt=end) & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        )
        for i, end in enumerate(ends)
    }
    found = Case.objects.aggregate(**open_at)
    sizes = [disclosure.publish(disclosure.Count(found[f"m{i}"])) for i in range(len(ends))]
    return Figure(
        key="cases-open",
        title="Integrated Action Team cases open",
        unit="cases",
        value=sizes[-1],
        value_label="now",
        meaning="Cases the Integrated Action Team holds open: now, and at the end of each month.",
        trend=tuple(Point(m.label, size) for m, size in zip(months, sizes, strict=True)),
        trace=_trace("cases open at each month's end (cases: opened_at, closed_at)", linkage, now),
    )


def cases_closed(months: Sequence[Period], linkage: str, now: dt.datetime) -> Figure:
    """Cases closed by outcome and by month, as one crosstab protected as a whole."""
    rows = (
        Case.objects.filter(closed_at__gte=_moment(months[0].start))
        .annotate(month=TruncMonth("closed_at"))
        .values_list("outcome", "month")
        .annotate(n=Count("pk"))
    )
    outcomes = {choice.value: choice.label for choice in ClosureOutcome}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for outcome, month, n in rows:
        label = _month_label(timezone.localtime(month), months)
        if label is not None:
            counts[(outcomes.get(outcome, "Not recorded"), label)] += n
    labels = [m.label for m in months]
    rows_order = [*outcomes.values(), *({o for o, _ in counts} - set(outcomes.values()))]
    table = disclosure.publish(disclosure.Crosstab(counts, rows_order, labels))
    return Figure(
        key="cases-closed",
        title="Integrated Action Team cases closed, with their outcomes",
        unit="cases",
        value=table.grand_total,
        value_label=f"in the last {len(months)} months",
        meaning="Cases closed, by the month they closed and the outcome recorded at closing.",
        trend=tuple(Point(label, table.column_totals[label]) for label in labels),
        trace=_trace(
            "cases closed, outcome by month of closing, as one table (cases: closed_at, outcome)",
            linkage,
            now,
        ),
        breakdown=tuple(Point(o, table.row_totals[o]) for o in rows_order),
        breakdown_title="Outcome at closing",
    )


def pam_change(months: Sequence[Period], linkage: str, now: dt.datetime) -> Figure:
    """The mean change in PAM score, baseline to latest, over the cases with a follow-up by each
    month's end; a mean only of 8 or more cases."""
    scores = PamAssessment.objects.order_by("case_id", "assessed_on", "recorded_at").values_list(
        "case_id", "assessed_on", "score"
    )
    by_case: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for case_id, assessed_on, score in scores:
        by_case[case_id].append((assessed_on, score))
    means = [_mean_change(by_case, m.end) for m in months]
    team = of_team()
    return Figure(
        key="pam-change",
        title="Change in Patient Activation Measure (PAM) score",
        unit="PAM score points",
        value=_mean_change(by_case, timezone.localdate(now)),
        value_label="mean change, baseline to latest",
        meaning="For every case with a PAM baseline and a follow-up, the latest PAM score minus "
        "the first; the mean over those cases. Each month's point counts the assessments made "
        "by its end.",
        trend=tuple(Point(m.label, mean) for m, mean in zip(months, means, strict=True)),
        trace=_trace(
            "PAM score, first and latest assessment of each case (PAM assessments: score, "
            "assessed_on), mean over cases with two or more",
            linkage,
            now,
        ),
        breakdown=(
            *(Point(label, cell) for label, cell in team.pam.cells.items()),
            Point("Cases with a baseline and a follow-up", team.pam.total),
        ),
        breakdown_title="PAM level, baseline to latest",
        breakdown_unit="cases",
    )


def _mean_change(
    by_case: dict[int, list[tuple[dt.date, Decimal]]], by: dt.date
) -> disclosure.Controlled[float]:
    changes = [
        found.difference
        for assessments in by_case.values()
        if (found := change([score for on, score in assessments if on <= by])) is not None
    ]
    mean = float(sum(changes, Decimal(0)) / len(changes)) if changes else 0.0
    return disclosure.publish(disclosure.StatisticOf(len(changes), mean))


def web_figures(linkage: str, now: dt.datetime | None = None) -> list[Figure]:
    moment = now or timezone.now()
    months = months_to(timezone.localdate(moment))
    return [
        referrals_received(months, linkage, moment),
        cases_open(months, linkage, moment),
        cases_closed(months, linkage, moment),
        pam_change(months, linkage, moment),
    ]
