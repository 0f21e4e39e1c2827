"""Value for money: the events the evaluation found avoided, priced by the cost-benefit module.

Only outcomes whose rate ratio interval lies wholly below 1 are priced: an effect the data cannot
tell from none saves nothing we can claim. Deadweight defaults to none because the comparison
group already stands for what would have happened anyway; a difference-in-differences estimate
is net of it. The cost-benefit arithmetic itself is :mod:`joinedup.evaluation.costbenefit`'s
``evaluate_value_for_money``; this module only prepares its input and reads its result.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Protocol

from joinedup.analytics.disclosure import RULE
from joinedup.evaluation.evaluate import Evaluation

# Each outcome's unit cost in the reference table (GMCA Unit Cost Database codes).
UNIT_COST_CODES = {
    "ae_attendance": "HE4.0",  # A&E attendance (all scenarios)
    "emergency_admission": "HE7.0.2",  # non-elective hospital admission, per episode
}
COSTBENEFIT_MODULE = "joinedup.evaluation.costbenefit"


class CostBenefit(Protocol):
    """What the report needs of a cost-benefit result."""

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Appraisal:
    """The inputs to value for money, and its result if it could be worked out."""

    avoided_by_code: dict[str, float]
    costs_gbp: float | None
    price_year: str
    deadweight: float
    attribution: float
    optimism_bias: float
    result: CostBenefit | None
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
    costs_gbp: float | None,
    price_year: str = "2024-25",
    deadweight: float = 0.0,
    attribution: float = 1.0,
    optimism_bias: float = 0.1,
) -> Appraisal:
    """Price the avoided events against ``costs_gbp`` when costs are given and the cost-benefit
    module is installed; else say what is missing."""
    avoided = avoided_by_unit_cost(evaluation)
    inputs = (avoided, costs_gbp, price_year, deadweight, attribution, optimism_bias)
    if costs_gbp is None:
        return Appraisal(*inputs, None, "the costs of the work were not given (--costs)")
    try:
        module = importlib.import_module(COSTBENEFIT_MODULE)
    except ImportError:
        return Appraisal(*inputs, None, "the cost-benefit module is not installed")
    result = module.evaluate_value_for_money(
        avoided,
        costs_gbp,
        price_year,
        deadweight=deadweight,
        attribution=attribution,
        optimism_bias=optimism_bias,
    )
    return Appraisal(*inputs, result, None)
