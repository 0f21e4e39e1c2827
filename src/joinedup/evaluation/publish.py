"""An evaluation as published: every figure through disclosure control, as plain data.

Group sizes and event counts are controlled counts (1-7 hidden, others rounded to 5). Estimates
and rates are statistics of the whole group, published only when each group has at least
``RULE.smallest_group_for_statistics`` people; a hidden figure is ``[c]``. Nothing here names a
person.
"""

from __future__ import annotations

from typing import Any

from joinedup.analytics.disclosure import RULE, control_count, control_statistic
from joinedup.analytics.stats import Estimate
from joinedup.evaluation.evaluate import Evaluation, OutcomeResult, Placebo
from joinedup.evaluation.matching import Matching
from joinedup.evaluation.trends import TrendCheck

QUESTION = (
    "Did the use of emergency services by the people the intervention reached change after it, "
    "compared with what happened to similar people it did not reach?"
)


def assumptions(evaluation: Evaluation) -> list[str]:
    """What the estimate takes for granted, in plain words."""
    windows = evaluation.design.windows
    far, near = windows.rule_months
    return [
        "Parallel trends: without the intervention, the intervention group's rates would have "
        "changed by the same proportion as the comparison group's (checked before the index "
        "date below).",
        "No spill-over: the comparison group was not reached by the intervention.",
        "No other change at the index date affected one group and not the other.",
        f"The comparison group was chosen on its use of services {far} to {near} months before "
        "its index date, not in the before-window compared, so that regression to the mean does "
        "not make the comparison group look as if it improved.",
        "People not referred are followed from a date drawn from the referral dates, so both "
        "groups cover the same calendar time.",
        "Linkage is good enough that each person's events are theirs: missed links lose events "
        "equally before and after.",
        "People count only while registered with a GP in the borough; those who leave or die "
        "add the time they were here.",
    ]


def estimate_record(estimate: Estimate, people: int, decimals: int = 3) -> dict[str, Any]:
    """``estimate`` and ``ci95`` as published, or hidden with the reason it was not computed."""
    if estimate.value is None or estimate.lower is None or estimate.upper is None:
        return {"estimate": None, "ci95": None, "not_computed": estimate.reason}
    parts = [
        control_statistic(people, x, decimals)
        for x in (estimate.value, estimate.lower, estimate.upper)
    ]
    return {
        "estimate": parts[0].export(),
        "ci95": [parts[1].export(), parts[2].export()],
        "method": estimate.method,
    }


def quarter_label(quarter: int) -> str:
    """Q-4 to Q-1 before the index date, Q+1 to Q+4 after it."""
    return f"Q{quarter}" if quarter < 0 else f"Q+{quarter + 1}"


def smallest_group(evaluation: Evaluation) -> int:
    return min(evaluation.cohort.intervention_people, evaluation.cohort.comparison_people)


def outcome_record(outcome: OutcomeResult, people: int) -> dict[str, Any]:
    return {
        "label": outcome.label,
        "measure": "rate ratio (difference-in-differences, ratio of ratios)",
        **estimate_record(outcome.rate_ratio, people),
        "absolute_difference_per_person_year": estimate_record(outcome.difference, people),
        "events": {
            name: control_count(round(c.events)).export() for name, c in outcome.cells.items()
        },
        "rate_per_person_year": {
            name: controlled_rate(c.events, c.person_years, people)
            for name, c in outcome.cells.items()
        },
        "avoided_events": None
        if outcome.avoided is None
        else control_statistic(people, outcome.avoided, 0).export(),
    }


def controlled_rate(events: float, person_years: float, people: int) -> float | str:
    """Events per person-year made from the controlled count of events, never the raw one."""
    count = control_count(round(events))
    if count.value is None or person_years <= 0:
        return count.export() if count.value is None else RULE.not_applicable_symbol
    return control_statistic(people, count.value / person_years, 2).export()


def trends_record(check: TrendCheck, people: int) -> dict[str, Any]:
    return {
        "test": "ratio of the groups' yearly trends in the before-window (Poisson, 1 = parallel)",
        **estimate_record(check.slope_ratio_per_year, people),
        "verdict": check.verdict,
        "statement": check.statement,
    }


def placebo_record(placebo: Placebo) -> dict[str, Any]:
    people = min(placebo.intervention_people, placebo.comparison_people)
    return {
        "description": placebo.description,
        "intervention_people": control_count(placebo.intervention_people).export(),
        "comparison_people": control_count(placebo.comparison_people).export(),
        **estimate_record(placebo.rate_ratio, people),
        "no_effect": placebo.no_effect,
    }


def matching_record(matching: Matching) -> dict[str, Any]:
    return {
        "method": "coarsened exact matching (age band, sex, deprivation, and A&E attendances, "
        "emergency admissions and agencies in crisis contact in the rule year)",
        "matched_intervention": control_count(matching.matched_intervention).export(),
        "unmatched_intervention": control_count(matching.unmatched_intervention).export(),
        "pool": control_count(matching.pool).export(),
        "balance": [
            {
                "characteristic": row.label,
                "smd_before": round(row.smd_before, 3),
                "smd_after": round(row.smd_after, 3),
            }
            for row in matching.balance
        ],
    }


def to_record(evaluation: Evaluation) -> dict[str, Any]:
    """The whole evaluation as published (the ``--json`` report)."""
    design, people = evaluation.design, smallest_group(evaluation)
    record: dict[str, Any] = {
        "question": QUESTION,
        "intervention": {
            "group": design.intervention.label,
            "people": control_count(evaluation.cohort.intervention_people).export(),
        },
        "comparison": {
            "group": design.comparison.label,
            "people": control_count(evaluation.cohort.comparison_people).export(),
        },
        "windows_months": {
            "before": design.windows.months_before,
            "after": design.windows.months_after,
        },
        "outcomes": {o.kind: outcome_record(o, people) for o in evaluation.outcomes},
        "parallel_trends": trends_record(evaluation.trends, people),
        "quarterly_ae_rate_per_person_year": {
            "quarters": [quarter_label(q) for q in design.windows.quarters],
            **{
                group: [controlled_rate(events, years, people) for events, years in use]
                for group, use in evaluation.quarterly.items()
            },
        },
        "event_study": [
            {"quarter": q, **estimate_record(e, people)} for q, e in evaluation.event_study
        ],
        "placebo": {
            "date": placebo_record(evaluation.placebo_date),
            "area": None
            if evaluation.placebo_area is None
            else placebo_record(evaluation.placebo_area),
        },
        "assumptions": assumptions(evaluation),
        "snapshot": evaluation.snapshot.record(),
        "disclosure_control": RULE.version,
    }
    if evaluation.cohort.matching is not None:
        record["matching"] = matching_record(evaluation.cohort.matching)
    return record
