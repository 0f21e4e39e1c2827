"""Outcome measures per case (baseline to latest) and across the team, the latter only through
disclosure control: counts of 1 to 7 hidden, others rounded to 5, and a mean only of 8 or
more cases (``joinedup.analytics.disclosure``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from joinedup.analytics import disclosure
from joinedup.web.cases.measures import Change, Direction, change, swemwbs_metric
from joinedup.web.cases.models import Case, PamAssessment, SwemwbsAssessment

PAM_ROWS = {
    Direction.ROSE: "Moved up one or more PAM levels",
    Direction.SAME: "Stayed at the same level",
    Direction.FELL: "Moved down one or more levels",
}
SWEMWBS_ROWS = {
    Direction.ROSE: "Wellbeing score rose",
    Direction.SAME: "No change",
    Direction.FELL: "Wellbeing score fell",
}


@dataclass(frozen=True)
class CaseOutcomes:
    """One case's measures, oldest first, and the change in each from baseline to latest."""

    pam: list[PamAssessment]
    swemwbs: list[SwemwbsAssessment]
    pam_level: Change[int] | None
    pam_score: Change[Decimal] | None
    wellbeing: Change[float] | None


def of_case(case: Case) -> CaseOutcomes:
    pam = list(case.pam_assessments.select_related("assessor"))
    swemwbs = list(case.swemwbs_assessments.select_related("assessor"))
    return CaseOutcomes(
        pam=pam,
        swemwbs=swemwbs,
        pam_level=change([a.level for a in pam]),
        pam_score=change([a.score for a in pam]),
        wellbeing=change([a.metric for a in swemwbs]),
    )


@dataclass(frozen=True)
class TeamOutcomes:
    pam: disclosure.ControlledTable[str]
    swemwbs: disclosure.ControlledTable[str]
    mean_wellbeing_change: disclosure.Controlled[float]
    rule: str = disclosure.RULE.version


def _by_case(rows: list[tuple[int, float]]) -> dict[int, list[float]]:
    values: dict[int, list[float]] = defaultdict(list)
    for case_id, value in rows:
        values[case_id].append(value)
    return values


def _directions(changes: list[Change[float]], labels: dict[Direction, str]) -> dict[str, int]:
    counts = {label: 0 for label in labels.values()}
    for each in changes:
        counts[labels[each.direction]] += 1
    return counts


def of_team() -> TeamOutcomes:
    """Every case with a baseline and a follow-up, open or closed: controlled figures only."""
    ordering = ("case_id", "assessed_on", "recorded_at")
    pam = _by_case(
        [
            (c, float(level))
            for c, level in PamAssessment.objects.order_by(*ordering).values_list(
                "case_id", "level"
            )
        ]
    )
    wellbeing = _by_case(
        [
            (c, swemwbs_metric(raw))
            for c, raw in SwemwbsAssessment.objects.order_by(*ordering).values_list(
                "case_id", "raw_total"
            )
        ]
    )
    pam_changes = [c for c in map(change, pam.values()) if c is not None]
    wellbeing_changes = [c for c in map(change, wellbeing.values()) if c is not None]
    return TeamOutcomes(
        pam=disclosure.publish(
            disclosure.Table(_directions(pam_changes, PAM_ROWS), list(PAM_ROWS.values()))
        ),
        swemwbs=disclosure.publish(
            disclosure.Table(
                _directions(wellbeing_changes, SWEMWBS_ROWS), list(SWEMWBS_ROWS.values())
            )
        ),
        mean_wellbeing_change=disclosure.publish(
            disclosure.Summary(
                [c.difference for c in wellbeing_changes], disclosure.Statistic.MEAN, decimals=2
            )
        ),
    )
