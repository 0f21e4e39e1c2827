"""The residents at the start of the period: placed on real LSOAs, in households, with names."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.reference import Lsoas, read_reference_csv
from joinedup.reference.geography import AGE6_LOWER_BOUNDS
from joinedup.synth import names
from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import years_of
from joinedup.synth.params import Params, banded
from joinedup.synth.rng import stream
from joinedup.synth.table import Table, rank_within_groups, weighted_choice

BOROUGH_CODE = "E07000118"
ADULT_AGE = 18


def single_year_age_distribution() -> npt.NDArray[np.float64]:
    """Share of the borough's residents at each age 0-100 (Census 2021)."""
    rows = read_reference_csv("chorley_wards_census2021_single_year_age.csv")
    counts = np.zeros(101)
    for row in rows:
        if row["geography_code"] == BOROUGH_CODE:
            counts[int(row["age"])] = float(row["usual_residents"])
    return np.asarray(counts / counts.sum(), dtype=np.float64)


def draw_ages(
    rng: np.random.Generator, lsoas: Lsoas, scale: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """LSOA and age of every resident: LSOA-by-band counts exact, ages within band from the borough."""
    counts = np.rint(lsoas.residents_by_age6 * scale).astype(np.int64)
    cells = np.repeat(np.arange(counts.size), counts.ravel())
    lsoa, band = cells // counts.shape[1], cells % counts.shape[1]
    share = single_year_age_distribution()
    bounds = (*AGE6_LOWER_BOUNDS, 101)
    ages = np.empty(len(cells), dtype=np.int32)
    for b in range(len(AGE6_LOWER_BOUNDS)):
        in_band = band == b
        within = share[bounds[b] : bounds[b + 1]]
        ages[in_band] = bounds[b] + weighted_choice(rng, within, int(in_band.sum()))
    return lsoa, ages


def female_share(params: Params, ages: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
    table = params.section("population")["female_share"]
    bounds = np.array([float(k) for k in table])
    return banded(bounds, np.array([float(v) for v in table.values()]), ages)


def draw_forenames(
    rng: np.random.Generator, female: npt.NDArray[np.bool_], birth_years: npt.NDArray[np.int32]
) -> npt.NDArray[np.object_]:
    """Forenames popular for each resident's sex and era of birth."""
    era_index = names.era_of_birth_year(birth_years)
    result = np.empty(len(female), dtype=object)
    for sex_is_female, sex in ((True, "F"), (False, "M")):
        for index, era in enumerate(names.ERAS):
            who = np.flatnonzero((female == sex_is_female) & (era_index == index))
            catalogue = names.forenames(sex, era)
            picks = weighted_choice(rng, catalogue.probabilities, len(who))
            result[who] = np.asarray(catalogue.names, dtype=object)[picks]
    return result


def draw_surnames(rng: np.random.Generator, count: int) -> npt.NDArray[np.object_]:
    catalogue = names.surnames()
    picks = weighted_choice(rng, catalogue.probabilities, count)
    return np.asarray(catalogue.names, dtype=object)[picks]


def birth_days(
    rng: np.random.Generator, ages: npt.NDArray[np.int32], on_day: int
) -> npt.NDArray[np.int32]:
    """A birth date for each age in completed years on ``on_day``."""
    offset = (ages * 365.25 + rng.random(len(ages)) * 365.0).astype(np.int32)
    return (on_day - offset - 1).astype(np.int32)


def _pair_couples(
    rng: np.random.Generator,
    lsoa: npt.NDArray[np.int64],
    ages: npt.NDArray[np.int32],
    female: npt.NDArray[np.bool_],
    candidate: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs (woman, man) of candidates in the same LSOA with similar ages."""
    noisy_age = ages + rng.normal(0.0, 3.0, len(ages))
    keyed = []
    for sex in (True, False):
        who = np.flatnonzero(candidate & (female == sex))
        order = who[np.lexsort((noisy_age[who], lsoa[who]))]
        keyed.append((order, lsoa[order] * 1_000_000 + rank_within_groups(lsoa[order])))
    (women, women_key), (men, men_key) = keyed
    _, at_women, at_men = np.intersect1d(women_key, men_key, return_indices=True)
    return women[at_women], men[at_men]


def _assign_dependants(
    rng: np.random.Generator,
    lsoa: npt.NDArray[np.int64],
    ages: npt.NDArray[np.int32],
    household: npt.NDArray[np.int64],
    dependants: npt.NDArray[np.int64],
    parents: npt.NDArray[np.int64],
) -> None:
    """Put each dependant in the household of an adult of parental age in the same LSOA."""
    # A random fraction of a year spreads dependants over all parents of the same age.
    parent_age = ages[parents] + rng.random(len(parents))
    order = parents[np.lexsort((parent_age, lsoa[parents]))]
    parent_key = np.sort(lsoa[parents] * 1000.0 + parent_age)
    target = lsoa[dependants] * 1000.0 + ages[dependants] + rng.uniform(22, 38, len(dependants))
    # A few places either side, so that no one parent collects every child whose ideal parent
    # age lies beyond the LSOA's oldest parent.
    position = np.searchsorted(parent_key, target) + rng.integers(-6, 1, len(dependants))
    first = np.searchsorted(lsoa[order], lsoa[dependants], side="left")
    last = np.searchsorted(lsoa[order], lsoa[dependants], side="right") - 1
    has_parent = last >= first
    position = np.clip(position, first, np.maximum(last, first))
    household[dependants[has_parent]] = household[order[position[has_parent]]]


def _join_households(
    rng: np.random.Generator,
    lsoa: npt.NDArray[np.int64],
    household: npt.NDArray[np.int64],
    sharers: npt.NDArray[np.int64],
) -> None:
    """Each adult who shares (a lodger, a grown-up relative, a house-mate) joins a household
    chosen at random in the same LSOA."""
    hosts = np.flatnonzero(household >= 0)
    hosts = hosts[np.argsort(lsoa[hosts], kind="stable")]
    first = np.searchsorted(lsoa[hosts], lsoa[sharers], side="left")
    last = np.searchsorted(lsoa[hosts], lsoa[sharers], side="right")
    found = last > first
    pick = first + (rng.random(len(sharers)) * (last - first)).astype(np.int64)
    household[sharers[found]] = household[hosts[pick[found]]]


def build_residents(config: SynthConfig, params: Params, lsoas: Lsoas) -> Table:
    """Residents on the first day, in households, with names as on that day."""
    rng = stream(config.seed, "residents")
    population = params.section("population")
    lsoa, ages = draw_ages(rng, lsoas, config.scale)
    count = len(ages)
    female = rng.random(count) < female_share(params, ages)
    born = birth_days(rng, ages, config.first_day)
    adult = ages >= ADULT_AGE
    at_home = (~adult) | ((ages < 25) & (rng.random(count) < population["young_adults_at_home"]))
    widowhood = np.where(ages < 75, 1.0, np.where(ages < 85, 0.65, 0.35))
    candidate = (~at_home) & (ages >= 20)
    candidate &= rng.random(count) < population["couple_share"] * widowhood
    women, men = _pair_couples(rng, lsoa, ages, female, candidate)

    household = np.full(count, -1, dtype=np.int64)
    household[women] = np.arange(len(women))
    household[men] = np.arange(len(men))
    unpaired = (~at_home) & (household < 0)
    sharing = unpaired & (
        rng.random(count) < np.interp(ages, [18, 35, 65, 85], population["single_adults_sharing"])
    )
    singles = np.flatnonzero(unpaired & ~sharing)
    household[singles] = len(women) + np.arange(len(singles))
    parents = np.flatnonzero((household >= 0) & (ages < 65) & (female | (rng.random(count) < 0.1)))
    _assign_dependants(rng, lsoa, ages, household, np.flatnonzero(at_home), parents)
    sharers = np.flatnonzero(sharing)
    _join_households(rng, lsoa, household, sharers)
    orphans = np.flatnonzero(household < 0)
    household[orphans] = int(household.max()) + 1 + np.arange(len(orphans))

    family_surname = draw_surnames(rng, int(household.max()) + 1)
    surname = family_surname[household]
    # A lodger or house-mate is not of the family: each keeps a surname of their own.
    surname[sharers] = draw_surnames(rng, len(sharers))
    married = rng.random(len(women)) < population["married_share"]
    surname[women[~married]] = draw_surnames(rng, int((~married).sum()))
    partner = np.full(count, -1, dtype=np.int64)
    partner[women], partner[men] = men, women
    reference_person = _reference_people(household, ages)

    return Table(
        {
            "lsoa": lsoa,
            "female": female,
            "birth_day": born,
            "forename": draw_forenames(rng, female, years_of(born)),
            "surname": surname,
            "household": household,
            "partner": partner,
            "cohabiting_unmarried": np.isin(np.arange(count), women[~married]),
            "household_reference_person": reference_person,
        }
    )


def _reference_people(
    household: npt.NDArray[np.int64], ages: npt.NDArray[np.int32]
) -> npt.NDArray[np.bool_]:
    """The oldest member of each household (the census 'household reference person', simplified)."""
    order = np.lexsort((-ages, household))
    first_of_household = np.ones(len(order), dtype=bool)
    first_of_household[1:] = household[order][1:] != household[order][:-1]
    flag = np.zeros(len(order), dtype=bool)
    flag[order[first_of_household]] = True
    return flag
