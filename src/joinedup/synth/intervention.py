"""The planted intervention: an Integrated Action Team takes referrals of high-need residents in
its localities from a start date, and their later A&E use falls by a known ratio. A comparison
locality gets no intervention: the control area."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.reference import Lsoas
from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import NO_DATE, age_in_years, day_number
from joinedup.synth.params import Params, deprivation_factor
from joinedup.synth.rng import stream
from joinedup.synth.table import Table

ARM_NONE, ARM_INTERVENTION, ARM_CONTROL = 0, 1, 2


def locality_arm(params: Params, lsoas: Lsoas) -> npt.NDArray[np.int8]:
    """For each LSOA: in the intervention localities, in the control area, or neither."""
    section = params.section("intervention")
    arm = np.zeros(len(lsoas), dtype=np.int8)
    for index, locality in enumerate(lsoas.localities):
        if locality in section["localities"]:
            arm[index] = ARM_INTERVENTION
        elif locality in section["control_area"]:
            arm[index] = ARM_CONTROL
    return arm


def expected_ae_rate(
    params: Params, lsoas: Lsoas, people: Table, multiplier: npt.NDArray[np.float64], on_day: int
) -> npt.NDArray[np.float64]:
    service = params.services["ae_attendance"]
    age = age_in_years(people["birth_day"], on_day)
    base = service.base_rate(age, people["female"])
    deprivation = deprivation_factor(
        service.deprivation_ratio, lsoas.imd2019_decile[people["lsoa"]]
    )
    return np.asarray(base * deprivation * multiplier, dtype=np.float64)


def select_referrals(
    config: SynthConfig,
    params: Params,
    lsoas: Lsoas,
    people: Table,
    needs: Table,
    ae_multiplier: npt.NDArray[np.float64],
) -> Table:
    """Who is eligible, in which arm, and (for the intervention arm) the day of referral."""
    rng = stream(config.seed, "intervention")
    section = params.section("intervention")
    opens = day_number(params.intervention_date("start_date"))
    closes = day_number(params.intervention_date("end_date"))
    arm = locality_arm(params, lsoas)[people["lsoa"]]
    present = (people["start_day"] <= opens) & (people["end_day"] > opens)
    adult = age_in_years(people["birth_day"], opens) >= 18
    high_use = (
        expected_ae_rate(params, lsoas, people, ae_multiplier, opens)
        >= section["eligible_min_ae_rate"]
    )
    eligible = present & adult & (needs["complex_needs"] | high_use) & (arm != ARM_NONE)
    referral_day = rng.integers(opens, closes + 1, people.rows)
    referred = (
        eligible
        & (arm == ARM_INTERVENTION)
        & (rng.random(people.rows) < section["referred_share"])
        & (referral_day < people["end_day"])
    )
    return Table(
        {
            "eligible": eligible,
            "arm": np.where(eligible, arm, ARM_NONE).astype(np.int8),
            "referral_day": np.where(referred, referral_day, NO_DATE).astype(np.int32),
        }
    )
