"""The UK90 BMI reference (LMS values by sex and age), for code that works in arrays.

The analytic zone computes z-scores in SQL (analytics/growth.py); the synthetic borough draws
children's BMI from the same reference here, so that a child generated at a z-score is measured
back at it.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from joinedup.reference.files import read_reference_csv

Floats = npt.NDArray[np.float64]


@cache
def _table(sex: str) -> tuple[Floats, Floats, Floats, Floats]:
    rows = [r for r in read_reference_csv("uk90_bmi_lms.csv") if r["sex"] == sex]
    rows.sort(key=lambda r: float(r["age_years"]))
    columns = ("age_years", "l", "m", "s")
    age, power, median, spread = (np.array([float(r[c]) for r in rows]) for c in columns)
    return age, power, median, spread


def bmi_lms(female: npt.NDArray[np.bool_], age_years: Floats) -> tuple[Floats, Floats, Floats]:
    """L, M and S of the UK90 BMI reference at each child's age, linearly interpolated."""
    results = [np.empty(len(age_years)) for _ in range(3)]
    for sex, chosen in (("F", female), ("M", ~female)):
        age, *curves = _table(sex)
        for result, curve in zip(results, curves, strict=True):
            result[chosen] = np.interp(age_years[chosen], age, curve)
    return results[0], results[1], results[2]


def bmi_at_z(female: npt.NDArray[np.bool_], age_years: Floats, z: Floats) -> Floats:
    """The BMI at z-score ``z`` for each child (the LMS transform inverted)."""
    power, median, spread = bmi_lms(female, age_years)
    # The curve exists only while 1 + L*S*z > 0: far tails are held just inside it.
    z = np.minimum(z, 0.95 / np.abs(power * spread))
    bmi: Floats = median * (1 + power * spread * z) ** (1 / power)
    return bmi
