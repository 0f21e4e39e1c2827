"""Value for money: the events the evaluation found avoided, priced by the cost-benefit module.

Only outcomes whose rate ratio interval lies wholly below 1 are priced: an effect the data cannot
tell from none saves nothing we can claim. Deadweight defaults to none because the comparison
group already stands for what would have happened anyway; a difference-in-differences estimate
is net of it. The cost-benefit arithmetic itself is :mod:`joinedup.evaluation.costbenefit`'s
``evaluate_value_for_money``; this module only prepares its input.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from joinedup.analytics.disclosure import RULE
from joinedup.evaluation.costbenefit import (
    CostBenefitResult,
    evaluate_value_for_money,
    programme_costs,
)
from joinedup.evaluation.evaluate import Evaluation

# Each outcome's unit cost in the reference table (GMCA Unit Cost Database codes).
UNIT_COST_CODES = {
    "ae_attendance": "HE4.0",  # A&E attendance (all scenarios)
    "emergency_admission": "HE7.0.2",  # non-elective hospital admission, per episode
}
PROGRAMME = "programme"  # the programme's own funding and spend, from its programme file


@dataclass(frozen=True)
class Appraisal:
    """The inputs to value for money, and its result if it could be worked out."""

    avoided_by_code: dict[str, float]  # a year
    costs_gbp: float | str | None  # pounds, or PROGRAMME
    price_year: str
    deadweight: float
    attribution: float
    optimism_bias: float
    result: CostBenefitResult | None
    missing: str | None  # why there is no result


def avoided_by_unit_cost(evaluation: Evaluation) -> dict[str, float]:
    """Events avoided in the year after the index date, keyed by unit cost code, for outcomes
    whose whole interval says fewer (none for a group too small to publish a statistic of)."""
    priced: dict[str, float] = {}
    cohort = evaluation.cohort
    if (
        min(cohort.intervention_people, cohort.comparison_people)
        < RULE.smallest_group_for_statistics
    ):
        return priced
    for outcome in evaluation.outcomes:
        upper = outcome.rate_ratio.upper
        code = UNIT_COST_CODES.get(outcome.kind)
        if code and upper is not None and upper < 1 and outcome.avoided:
            priced[code] = round(outcome.avoided, 1)
    return priced


def appraise(
    evaluation: Evaluation,
    costs_gbp: float | str | None,
    price_year: str = "2024-25",
    deadweight: float = 0.0,
    attribution: float = 1.0,
    optimism_bias: float = 0.1,
) -> Appraisal:
    """Price the avoided events against ``costs_gbp`` (pounds, or ``programme``: the
    programme's spend, uprated, over the years it was spent, with the first year's avoided events
    assumed for each of them); without costs, say so."""
    avoided = avoided_by_unit_cost(evaluation)
    inputs = (avoided, costs_gbp, price_year, deadweight, attribution, optimism_bias)
    if costs_gbp is None:
        return Appraisal(*inputs, None, "the costs of the work were not given (--costs)")
    costs: float | list[tuple[int, Decimal]] = (
        programme_costs(price_year).by_appraisal_year()
        if costs_gbp == PROGRAMME
        else float(costs_gbp)
    )
    years = max((year for year, _ in costs), default=1) if isinstance(costs, list) else 1
    result = evaluate_value_for_money(
        avoided,
        costs,
        price_year,
        years,
        deadweight=deadweight,
        attribution=attribution,
        optimism_bias=optimism_bias,
    )
    return Appraisal(*inputs, result, None)
