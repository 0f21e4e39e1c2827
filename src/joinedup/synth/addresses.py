"""Addresses: streets of each neighbourhood with house numbers and postcodes, and places elsewhere."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.reference import Lsoas
from joinedup.synth import names
from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import NO_DATE
from joinedup.synth.life import LEFT_BOROUGH
from joinedup.synth.places import ELSEWHERE, LOCALITY_POSTAL, UNIT_LETTERS
from joinedup.synth.rng import stream
from joinedup.synth.table import Table, rank_within_groups, weighted_choice

HOUSES_PER_STREET = 40
HOUSES_PER_POSTCODE = 14
FLAT_SHARE = 0.08

Strings = npt.NDArray[np.str_]


def _street_names(rng: np.random.Generator, count: int) -> Strings:
    stems, suffixes = names.street_stems(), names.street_suffixes()
    stem = np.asarray(stems.names)[weighted_choice(rng, stems.probabilities, count)]
    suffix = np.asarray(suffixes.names)[weighted_choice(rng, suffixes.probabilities, count)]
    return np.char.add(np.char.add(stem, " "), suffix)


def _units(rng: np.random.Generator, count: int) -> Strings:
    letters = np.array(list(UNIT_LETTERS))
    return np.char.add(
        letters[rng.integers(0, len(letters), count)], letters[rng.integers(0, len(letters), count)]
    )


def _first_lines(
    rng: np.random.Generator, numbers: npt.NDArray[np.int64], streets: Strings
) -> Strings:
    line = np.char.add(np.char.add(numbers.astype(str), " "), streets)
    flat = rng.random(len(numbers)) < FLAT_SHARE
    flat_number = rng.integers(1, 9, len(numbers)).astype(str)
    return np.where(
        flat, np.char.add(np.char.add(np.char.add("Flat ", flat_number), ", "), line), line
    )


def in_borough(rng: np.random.Generator, lsoas: Lsoas, lsoa: npt.NDArray[np.int64]) -> Table:
    """One address for each entry of ``lsoa``, on streets laid out within each neighbourhood."""
    order = np.argsort(lsoa, kind="stable")
    sorted_lsoa = lsoa[order]
    rank = rank_within_groups(sorted_lsoa)
    street_in_lsoa = rank // HOUSES_PER_STREET
    streets_per_lsoa = np.zeros(len(lsoas), dtype=np.int64)
    np.maximum.at(streets_per_lsoa, sorted_lsoa, street_in_lsoa + 1)
    street_offset = np.concatenate([[0], np.cumsum(streets_per_lsoa)[:-1]])
    street = street_offset[sorted_lsoa] + street_in_lsoa
    street_lsoa = np.repeat(np.arange(len(lsoas)), streets_per_lsoa)
    street_name = _street_names(rng, len(street_lsoa))
    sector = np.empty(len(street_lsoa), dtype=object)
    town = np.empty(len(lsoas), dtype=object)
    for index, locality in enumerate(lsoas.localities):
        town[index], sectors = LOCALITY_POSTAL[locality]
        here = np.flatnonzero(street_lsoa == index)
        sector[here] = np.asarray(sectors, dtype=object)[rng.integers(0, len(sectors), len(here))]
    house = rank % HOUSES_PER_STREET
    postcode_cell = (
        street * (HOUSES_PER_STREET // HOUSES_PER_POSTCODE + 1) + house // HOUSES_PER_POSTCODE
    )
    unit = _units(rng, int(postcode_cell.max()) + 1 if len(postcode_cell) else 0)
    result = np.empty(len(lsoa), dtype=np.int64)
    result[order] = np.arange(len(lsoa))
    line = _first_lines(rng, house + 1, street_name[street])
    postcode = np.char.add(sector[street].astype(str), unit[postcode_cell])
    return Table(
        {
            "lsoa": sorted_lsoa,
            "line1": line,
            "town": town[sorted_lsoa].astype(str),
            "postcode": postcode,
        }
    ).take(result)


def elsewhere(rng: np.random.Generator, count: int) -> Table:
    """Addresses outside the borough, for residents who leave."""
    place = rng.integers(0, len(ELSEWHERE), count)
    towns = np.array([t for t, _ in ELSEWHERE])
    sectors = np.array([s for _, s in ELSEWHERE])
    numbers = rng.integers(1, 200, count)
    return Table(
        {
            "lsoa": np.full(count, LEFT_BOROUGH, dtype=np.int64),
            "line1": _first_lines(rng, numbers, _street_names(rng, count)),
            "town": towns[place],
            "postcode": np.char.add(sectors[place], _units(rng, count)),
        }
    )


def assign_addresses(config: SynthConfig, lsoas: Lsoas, people: Table) -> tuple[Table, Table]:
    """An address for each household before its move and, if it moved, after.

    Returns the address register and the people with ``address_before`` and ``address_after``.
    """
    rng = stream(config.seed, "addresses")
    household = people["household"]
    households = int(household.max()) + 1
    first_member = np.full(households, -1, dtype=np.int64)
    first_member[household[::-1]] = np.arange(people.rows)[::-1]
    home_lsoa = people["lsoa"][first_member]
    moves = people["move_day"][first_member] != NO_DATE
    destination = people["moved_to_lsoa"][first_member]
    moving_within = np.flatnonzero(moves & (destination != LEFT_BOROUGH))
    leaving = np.flatnonzero(moves & (destination == LEFT_BOROUGH))
    local = in_borough(rng, lsoas, np.concatenate([home_lsoa, destination[moving_within]]))
    away = elsewhere(rng, len(leaving))
    register = Table.concat([local, away])
    before = np.arange(households, dtype=np.int64)
    after = before.copy()
    after[moving_within] = households + np.arange(len(moving_within))
    after[leaving] = local.rows + np.arange(len(leaving))
    # Babies born after their household moved have only the new address.
    born_after_move = moves[household] & (people["move_day"] == NO_DATE)
    return register, people.with_columns(
        address_before=np.where(born_after_move, after[household], before[household]),
        address_after=after[household],
    )
