"""Outcome measures: the Patient Activation Measure (PAM) and SWEMWBS, and the change in each.

**PAM.** The Patient Activation Measure is licensed (Insignia Health): the level (1-4) and the
score (0-100) are what the licensed PAM tool gave when the person answered it. JoinedUp records
them as given and never computes, checks or estimates a PAM level or score.

**SWEMWBS.** The Short Warwick-Edinburgh Mental Wellbeing Scale has seven statements, each
answered 1 (none of the time) to 5 (all of the time). The raw total (7-35) is turned into a
metric score with the published conversion table below: this is the only copy of it.

Source of the table: Stewart-Brown S, Tennant A, Tennant R, Platt S, Parkinson J, Weich S.
"Internal construct validity of the Warwick-Edinburgh Mental Well-being Scale (WEMWBS): a Rasch
analysis using data from the Scottish Health Education Population Survey". Health and Quality
of Life Outcomes 2009; 7:15. doi:10.1186/1477-7525-7-15; the SWEMWBS raw score to metric score
conversion table published by Warwick Medical School, University of Warwick (WEMWBS scoring
guidance). SWEMWBS is © NHS Health Scotland, University of Warwick and University of Edinburgh,
2008; a partnership using it registers with Warwick Medical School.

Baseline is a case's earliest assessment (by date), latest its most recent one: the change is
latest minus baseline, and there is a change only once there are two assessments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

SWEMWBS_ITEMS = 7
SWEMWBS_ANSWERS = range(1, 6)  # 1 = none of the time ... 5 = all of the time
SWEMWBS_LOWEST, SWEMWBS_HIGHEST = 7, 35

# Raw total (7-35) -> metric score, from the published SWEMWBS conversion table (source above).
SWEMWBS_METRIC: dict[int, float] = {
    7: 7.00,
    8: 9.51,
    9: 11.25,
    10: 12.40,
    11: 13.33,
    12: 14.08,
    13: 14.75,
    14: 15.32,
    15: 15.84,
    16: 16.36,
    17: 16.88,
    18: 17.43,
    19: 17.98,
    20: 18.59,
    21: 19.25,
    22: 19.98,
    23: 20.73,
    24: 21.54,
    25: 22.35,
    26: 23.21,
    27: 24.11,
    28: 25.03,
    29: 26.02,
    30: 27.03,
    31: 28.13,
    32: 29.31,
    33: 30.70,
    34: 32.55,
    35: 35.00,
}

# Short names of the seven statements, for labels; the wording itself is on the licensed form.
SWEMWBS_ITEM_NAMES = (
    "Feeling optimistic about the future",
    "Feeling useful",
    "Feeling relaxed",
    "Dealing with problems well",
    "Thinking clearly",
    "Feeling close to other people",
    "Able to make up my own mind about things",
)

PAM_LEVELS = range(1, 5)


def swemwbs_raw(answers: Sequence[int]) -> int:
    """The raw total of seven answers of 1 to 5.

    >>> swemwbs_raw([3, 3, 3, 3, 3, 3, 3])
    21
    """
    if len(answers) != SWEMWBS_ITEMS:
        raise ValueError(f"SWEMWBS has {SWEMWBS_ITEMS} answers, not {len(answers)}")
    for answer in answers:
        if isinstance(answer, bool) or not isinstance(answer, int) or answer not in SWEMWBS_ANSWERS:
            raise ValueError("each SWEMWBS answer is a whole number from 1 to 5")
    return sum(answers)


def swemwbs_metric(raw_total: int) -> float:
    """The metric score for a raw total, from the conversion table.

    >>> swemwbs_metric(7), swemwbs_metric(21), swemwbs_metric(35)
    (7.0, 19.25, 35.0)
    """
    if isinstance(raw_total, bool) or raw_total not in SWEMWBS_METRIC:
        raise ValueError(
            f"a SWEMWBS raw total is a whole number from {SWEMWBS_LOWEST} to {SWEMWBS_HIGHEST}"
        )
    return SWEMWBS_METRIC[raw_total]


class Direction(StrEnum):
    ROSE = "rose"
    FELL = "fell"
    SAME = "same"

    @property
    def label(self) -> str:
        return {"rose": "Rose", "fell": "Fell", "same": "No change"}[self.value]


T = TypeVar("T", int, float, Decimal)


@dataclass(frozen=True)
class Change(Generic[T]):
    """Baseline to latest of one measure on one case."""

    baseline: T
    latest: T

    @property
    def difference(self) -> T:
        return self.latest - self.baseline

    @property
    def direction(self) -> Direction:
        if self.latest > self.baseline:
            return Direction.ROSE
        if self.latest < self.baseline:
            return Direction.FELL
        return Direction.SAME


def change(values: Sequence[T]) -> Change[T] | None:
    """The change from the first to the last of values in date order; None until there are two.

    >>> change([2, 3, 4]).direction, change([2]) is None
    (<Direction.ROSE: 'rose'>, True)
    """
    if len(values) < 2:
        return None
    return Change(values[0], values[-1])
