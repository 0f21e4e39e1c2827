"""Five years of life: arrivals, moves in and out of the borough, deaths, births and marriages."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.reference import Lsoas
from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import NO_DATE, age_in_years, years_of
from joinedup.synth.params import Params, deprivation_factor
from joinedup.synth.residents import birth_days, draw_forenames, draw_surnames
from joinedup.synth.rng import stream
from joinedup.synth.table import Table, weighted_choice

LEFT_BOROUGH = -1
ORIGIN_RESIDENT, ORIGIN_BORN, ORIGIN_ARRIVED = 0, 1, 2
DAYS_PER_YEAR = 365.25


def _exponential_days(
    rng: np.random.Generator, yearly_rate: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """Days until an event that happens at ``yearly_rate`` (a large number where the rate is 0)."""
    safe = np.maximum(yearly_rate, 1e-12)
    return np.minimum(rng.exponential(1.0 / safe) * DAYS_PER_YEAR, 1e6).astype(np.int64)


def _household_weights(lsoas: Lsoas) -> npt.NDArray[np.float64]:
    return np.asarray(lsoas.households / lsoas.households.sum(), dtype=np.float64)


def add_arrivals(config: SynthConfig, params: Params, lsoas: Lsoas, people: Table) -> Table:
    """Households arriving from outside, shaped like the borough's own households."""
    rng = stream(config.seed, "arrivals")
    households = int(people["household"].max()) + 1
    expected = params.section("life")["arrival_rate"] * households * config.years
    templates = np.sort(rng.choice(households, size=int(rng.poisson(expected)), replace=True))
    member_order = np.argsort(people["household"], kind="stable")
    sorted_households = people["household"][member_order]
    first = np.searchsorted(sorted_households, templates, side="left")
    last = np.searchsorted(sorted_households, templates, side="right")
    sizes = last - first
    members = member_order[
        np.concatenate([np.arange(a, b) for a, b in zip(first, last, strict=True)])
    ]
    new_household = np.repeat(households + np.arange(len(templates)), sizes)
    arrival = np.repeat(
        rng.integers(config.first_day + 1, config.after_last_day, len(templates)), sizes
    ).astype(np.int32)
    ages = age_in_years(people["birth_day"][members], config.first_day)
    born = birth_days(rng, ages, 0) + arrival
    family_surname = draw_surnames(rng, len(templates))
    lsoa = np.repeat(weighted_choice(rng, _household_weights(lsoas), len(templates)), sizes)
    arrivals = people.take(members).with_columns(
        lsoa=lsoa,
        birth_day=born.astype(np.int32),
        forename=draw_forenames(rng, people["female"][members], years_of(born)),
        surname=np.repeat(family_surname, sizes),
        household=new_household,
        # Arriving couples come already settled: no marriages among them in the period.
        partner=np.full(len(members), -1, dtype=np.int64),
        cohabiting_unmarried=np.zeros(len(members), dtype=bool),
        start_day=arrival,
        origin=np.full(len(members), ORIGIN_ARRIVED, dtype=np.int8),
    )
    residents = people.with_columns(
        start_day=np.full(people.rows, config.first_day, dtype=np.int32),
        origin=np.zeros(people.rows, dtype=np.int8),
    )
    return Table.concat([residents, arrivals])


def add_moves(config: SynthConfig, params: Params, lsoas: Lsoas, people: Table) -> Table:
    """At most one move per household in the period; some leave the borough."""
    rng = stream(config.seed, "moves")
    life = params.section("life")
    households = int(people["household"].max()) + 1
    household_start = np.full(households, config.first_day, dtype=np.int64)
    np.maximum.at(household_start, people["household"], people["start_day"])
    move = (
        household_start
        + 1
        + _exponential_days(rng, np.full(households, life["household_move_rate"]))
    )
    moves = move < config.after_last_day
    leaves = rng.random(households) < life["share_of_moves_leaving"]
    destination = weighted_choice(rng, _household_weights(lsoas), households)
    destination = np.where(leaves, LEFT_BOROUGH, destination)
    h = people["household"]
    return people.with_columns(
        move_day=np.where(moves[h], move[h], NO_DATE).astype(np.int32),
        moved_to_lsoa=np.where(moves[h], destination[h], people["lsoa"]),
    )


def leaving_day(config: SynthConfig, people: Table) -> npt.NDArray[np.int64]:
    leaves = (people["move_day"] != NO_DATE) & (people["moved_to_lsoa"] == LEFT_BOROUGH)
    return np.where(leaves, people["move_day"], config.after_last_day).astype(np.int64)


def add_deaths(config: SynthConfig, params: Params, lsoas: Lsoas, people: Table) -> Table:
    """Death dates from a Gompertz hazard at mid-period age, graded by deprivation."""
    rng = stream(config.seed, "deaths")
    life = params.section("life")
    mid_age = age_in_years(people["birth_day"], people["start_day"]) + config.years / 2
    q = life["gompertz_a"] * np.exp(life["gompertz_b"] * mid_age)
    q = q * deprivation_factor(life["deprivation_ratio"], lsoas.imd2019_decile[people["lsoa"]])
    hazard = -np.log1p(-np.minimum(q, life["max_annual_death_probability"]))
    death = people["start_day"] + _exponential_days(rng, hazard)
    dies = death < np.minimum(leaving_day(config, people), config.after_last_day)
    return people.with_columns(death_day=np.where(dies, death, NO_DATE).astype(np.int32))


def end_day(config: SynthConfig, people: Table) -> npt.NDArray[np.int32]:
    """First day a resident is no longer in the borough (death, leaving or end of period)."""
    death = np.where(people["death_day"] == NO_DATE, config.after_last_day, people["death_day"])
    return np.minimum(death, leaving_day(config, people)).astype(np.int32)


def add_births(config: SynthConfig, params: Params, people: Table) -> Table:
    """Babies born to women of 18-44 while they live here, into their mother's household."""
    rng = stream(config.seed, "births")
    age = age_in_years(people["birth_day"], people["start_day"])
    mothers = np.flatnonzero(people["female"] & (age >= 18) & (age <= 44))
    start, stop = people["start_day"][mothers], end_day(config, people)[mothers]
    exposure = np.maximum(stop - start, 0) / DAYS_PER_YEAR
    babies = np.minimum(rng.poisson(params.section("life")["fertility_rate"] * exposure), 3)
    mother = np.repeat(mothers, babies)
    born = (start.repeat(babies) + rng.random(len(mother)) * (stop - start).repeat(babies)).astype(
        np.int32
    )
    female = rng.random(len(mother)) < 0.488
    father = people["partner"][mother]
    moved = (people["move_day"][mother] != NO_DATE) & (born >= people["move_day"][mother])
    lsoa = np.where(moved, people["moved_to_lsoa"][mother], people["lsoa"][mother])
    family_surname = np.where(
        father >= 0, people["surname"][np.maximum(father, 0)], people["surname"][mother]
    )
    babies_table = people.take(mother).with_columns(
        lsoa=np.where(lsoa == LEFT_BOROUGH, people["lsoa"][mother], lsoa),
        female=female,
        birth_day=born,
        forename=draw_forenames(rng, female, years_of(born)),
        surname=family_surname,
        partner=np.full(len(mother), -1, dtype=np.int64),
        cohabiting_unmarried=np.zeros(len(mother), dtype=bool),
        household_reference_person=np.zeros(len(mother), dtype=bool),
        start_day=born,
        origin=np.full(len(mother), ORIGIN_BORN, dtype=np.int8),
        move_day=np.where(moved, NO_DATE, people["move_day"][mother]).astype(np.int32),
        moved_to_lsoa=np.where(moved, lsoa, people["moved_to_lsoa"][mother]),
        death_day=np.full(len(mother), NO_DATE, dtype=np.int32),
        mother=mother,
    )
    with_mother = people.with_columns(mother=np.full(people.rows, -1, dtype=np.int64))
    return Table.concat([with_mother, babies_table])


def add_marriages(config: SynthConfig, params: Params, people: Table) -> Table:
    """Cohabiting women who marry in the period take their partner's surname from that day."""
    rng = stream(config.seed, "marriages")
    rate = np.where(people["cohabiting_unmarried"], params.section("life")["marriage_rate"], 0.0)
    day = people["start_day"] + _exponential_days(rng, rate)
    marries = people["cohabiting_unmarried"] & (day < end_day(config, people))
    partner_surname = people["surname"][np.maximum(people["partner"], 0)]
    return people.with_columns(
        name_change_day=np.where(marries, day, NO_DATE).astype(np.int32),
        surname_after=np.where(marries, partner_surname, people["surname"]),
    )


def live_five_years(config: SynthConfig, params: Params, lsoas: Lsoas, residents: Table) -> Table:
    """Every resident who lived in the borough at any time in the period, with their life events."""
    people = add_arrivals(config, params, lsoas, residents)
    people = add_moves(config, params, lsoas, people)
    people = add_deaths(config, params, lsoas, people)
    people = add_births(config, params, people)
    people = add_marriages(config, params, people)
    return people.with_columns(end_day=end_day(config, people))
