"""Coded long-term conditions: present at the start of the period by prevalence, or diagnosed in it."""

from __future__ import annotations

import numpy as np

from joinedup.reference import Lsoas
from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import age_in_years
from joinedup.synth.params import CONDITION_AGES, Params, deprivation_factor
from joinedup.synth.rng import stream
from joinedup.synth.table import Table

HEALTH_NEED_WEIGHT = 0.5


def _prevalence(
    condition_prevalence: np.ndarray, child_factor: float, ages: np.ndarray
) -> np.ndarray:
    adult = np.interp(ages, CONDITION_AGES, condition_prevalence)
    return np.asarray(np.where(ages < 18, condition_prevalence[0] * child_factor, adult))


def build_conditions(
    config: SynthConfig, params: Params, lsoas: Lsoas, people: Table, needs: Table
) -> Table:
    """One row per resident and condition they have, with the day it was first recorded."""
    rng = stream(config.seed, "conditions")
    start, stop = people["start_day"], people["end_day"]
    age_then = age_in_years(people["birth_day"], start)
    age_later = age_in_years(people["birth_day"], np.maximum(stop - 1, start))
    need = needs["health_need"] ** HEALTH_NEED_WEIGHT
    need = need / need.mean()
    rows = []
    for index, condition in enumerate(params.conditions):
        factor = (
            deprivation_factor(condition.deprivation_ratio, lsoas.imd2019_decile[people["lsoa"]])
            * need
        )
        before = np.minimum(
            _prevalence(condition.prevalence, condition.child_factor, age_then) * factor, 0.95
        )
        after = np.minimum(
            _prevalence(condition.prevalence, condition.child_factor, age_later) * factor, 0.95
        )
        draw = rng.random(people.rows)
        had = draw < before
        onset = ~had & (draw < np.maximum(after, before))
        since = np.maximum(people["birth_day"] + 365, start - 20 * 365)
        recorded = np.where(
            had,
            since + (rng.random(people.rows) * np.maximum(start - since, 1)).astype(np.int64),
            start + (rng.random(people.rows) * (stop - start)).astype(np.int64),
        )
        recorded = np.clip(recorded, people["birth_day"], stop - 1)
        who = np.flatnonzero(had | onset)
        rows.append(
            Table(
                {
                    "person": who,
                    "condition": np.full(len(who), index, dtype=np.int16),
                    "day": recorded[who].astype(np.int32),
                }
            )
        )
    table = Table.concat(rows)
    return table.take(np.lexsort((table["condition"], table["person"])))
