"""GP registrations: a practice for each resident, changes of practice, and deregistration."""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from joinedup.reference import Lsoas, read_reference_csv
from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import NO_DATE
from joinedup.synth.life import LEFT_BOROUGH
from joinedup.synth.params import Params
from joinedup.synth.places import PRACTICE_LOCALITIES
from joinedup.synth.rng import stream
from joinedup.synth.table import Table

LOCAL_PREFERENCE = 6.0
DEREGISTRATION_REASONS = {"moved": "Left practice area", "death": "Death", "change": "Transferred"}


@cache
def practices() -> tuple[tuple[str, ...], tuple[str, ...], npt.NDArray[np.float64]]:
    """Codes, names and list sizes of the borough's practices."""
    rows = read_reference_csv("chorley_gp_practices.csv")
    rows = [r for r in rows if r["practice_code"] in PRACTICE_LOCALITIES]
    return (
        tuple(r["practice_code"] for r in rows),
        tuple(r["practice_name"] for r in rows),
        np.array([float(r["registered_patients_2021_01"]) for r in rows]),
    )


def _choice_by_lsoa(lsoas: Lsoas) -> npt.NDArray[np.float64]:
    """Cumulative probability of each practice for residents of each LSOA (list size x locality)."""
    codes, _, sizes = practices()
    weights = np.array(
        [
            [
                size * (LOCAL_PREFERENCE if locality in PRACTICE_LOCALITIES[code] else 1.0)
                for code, size in zip(codes, sizes, strict=True)
            ]
            for locality in lsoas.localities
        ]
    )
    cumulative = np.cumsum(weights, axis=1)
    return np.asarray(cumulative / cumulative[:, -1:], dtype=np.float64)


def _pick(
    rng: np.random.Generator, cumulative: npt.NDArray[np.float64], lsoa: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    chosen = (rng.random(len(lsoa))[:, None] > cumulative[lsoa]).sum(axis=1)
    return np.asarray(np.minimum(chosen, cumulative.shape[1] - 1), dtype=np.int64)


def build_registrations(config: SynthConfig, params: Params, lsoas: Lsoas, people: Table) -> Table:
    """One or two registrations per registered resident, as the practices' systems hold them."""
    rng = stream(config.seed, "registrations")
    life = params.section("life")
    cumulative = _choice_by_lsoa(lsoas)
    household = people["household"]
    registered = rng.random(int(household.max()) + 1)[household] < life["gp_registered_share"]
    family_practice = _pick(rng, cumulative, people["lsoa"])
    # Households register together: everyone takes the first member's practice.
    first_member = np.full(int(household.max()) + 1, -1, dtype=np.int64)
    first_member[household[::-1]] = np.arange(people.rows)[::-1]
    practice = family_practice[first_member[household]]
    start = people["start_day"].astype(np.int64)
    newcomer = people["origin"] != 0
    registered_on = np.where(
        newcomer,
        start + rng.integers(7, 90, people.rows),
        np.maximum(people["birth_day"], start - rng.integers(30, 20 * 365, people.rows)),
    )
    moves = people["move_day"] != NO_DATE
    within = moves & (people["moved_to_lsoa"] != LEFT_BOROUGH)
    change_on_move = within & (rng.random(people.rows) < life["practice_change_on_move"])
    switch_years = rng.exponential(1.0 / life["practice_change_rate"], people.rows)
    switch_day = start + (switch_years * 365.25).astype(np.int64)
    changes = np.where(
        change_on_move, people["move_day"] + rng.integers(7, 90, people.rows), switch_day
    )
    changes_practice = (
        registered
        & (changes < np.minimum(people["end_day"], config.after_last_day))
        & (changes > registered_on)
    )
    left = moves & (people["moved_to_lsoa"] == LEFT_BOROUGH)
    ghost = rng.random(people.rows) < life["ghost_registration_share"]
    ends = np.where(
        people["death_day"] != NO_DATE,
        people["death_day"],
        np.where(left & ~ghost, people["move_day"] + rng.integers(14, 120, people.rows), NO_DATE),
    )
    ends = np.where(ends >= config.after_last_day, NO_DATE, ends)
    reason = np.where(
        people["death_day"] != NO_DATE, "death", np.where(ends != NO_DATE, "moved", "")
    )
    new_lsoa = np.where(within, people["moved_to_lsoa"], people["lsoa"])
    next_practice = (practice + 1 + _pick(rng, cumulative, new_lsoa)) % cumulative.shape[1]
    next_practice = np.where(
        next_practice == practice, (practice + 1) % cumulative.shape[1], next_practice
    )

    # A newcomer who dies or leaves before getting round to registering never appears on a list.
    registered &= registered_on < np.minimum(people["end_day"], config.after_last_day)
    who = np.flatnonzero(registered)
    movers = np.flatnonzero(changes_practice)
    first = Table(
        {
            "person": who,
            "practice": practice[who],
            "registered_on": registered_on[who],
            "deregistered_on": np.where(changes_practice[who], changes[who], ends[who]),
            "reason": np.where(changes_practice[who], "change", reason[who]),
        }
    )
    second = Table(
        {
            "person": movers,
            "practice": next_practice[movers],
            "registered_on": changes[movers],
            "deregistered_on": ends[movers],
            "reason": reason[movers],
        }
    )
    table = Table.concat([first, second])
    order = np.lexsort((table["registered_on"], table["person"]))
    table = table.take(order)
    patient_id = _patient_ids(rng, table["practice"])
    return table.with_columns(patient_id=patient_id)


def _patient_ids(
    rng: np.random.Generator, practice: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Practice-local patient numbers, unique within each practice, in no meaningful order."""
    scramble = rng.permutation(len(practice))
    order = np.lexsort((scramble, practice))
    ids = np.empty(len(practice), dtype=np.int64)
    starts = np.searchsorted(practice[order], practice[order], side="left")
    ids[order] = 100_001 + np.arange(len(practice)) - starts
    return ids


def registration_on(
    registrations: Table, person: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Row of the registration in force for each (person, day), or -1 where none was."""
    first = np.searchsorted(registrations["person"], person, side="left")
    last = np.searchsorted(registrations["person"], person, side="right")
    result = np.full(len(person), -1, dtype=np.int64)
    for offset in (0, 1):
        row = first + offset
        valid = row < last
        safe = np.where(valid, row, 0)
        ends = registrations["deregistered_on"][safe]
        active = valid & (registrations["registered_on"][safe] <= day)
        active &= (ends == NO_DATE) | (day < ends)
        result = np.where(active, safe, result)
    return result
