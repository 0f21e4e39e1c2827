"""Use of services: events drawn from each resident's rate over their exposure segments."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.reference import Lsoas
from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import age_in_years
from joinedup.synth.params import Params, ServiceRates, deprivation_factor
from joinedup.synth.rng import stream
from joinedup.synth.table import Table

FloatArray = npt.NDArray[np.float64]


def trend(
    params: Params, service: str, years: npt.NDArray[np.int32], first_year: int
) -> FloatArray:
    growth = params.section("trend")["yearly_growth"].get(service, 0.0)
    return np.asarray((1.0 + growth) ** (years - first_year), dtype=np.float64)


def expected_events(
    config: SynthConfig,
    params: Params,
    lsoas: Lsoas,
    people: Table,
    segments: Table,
    service: ServiceRates,
    multiplier: FloatArray,
) -> FloatArray:
    """Expected count of events of ``service`` in each segment."""
    person = segments["person"]
    middle = ((segments["start"] + segments["end"]) // 2).astype(np.int32)
    age = age_in_years(people["birth_day"][person], middle)
    rate = service.base_rate(age, people["female"][person])
    rate = rate * deprivation_factor(
        service.deprivation_ratio, lsoas.imd2019_decile[segments["lsoa"]]
    )
    rate = rate * trend(params, service.name, segments["year"], config.start.year)
    if service.eligible == "household_reference_person":
        rate = rate * people["household_reference_person"][person]
    days = (segments["end"] - segments["start"]).astype(np.float64)
    return np.asarray(rate * multiplier[person] * days / 365.25, dtype=np.float64)


def draw_events(rng: np.random.Generator, segments: Table, expected: FloatArray) -> Table:
    """Poisson counts per segment and a uniformly random day within it for each event."""
    counts = rng.poisson(expected)
    index = np.repeat(np.arange(segments.rows), counts)
    start, end = segments["start"][index], segments["end"][index]
    day = start + (rng.random(len(index)) * (end - start)).astype(np.int64)
    order = np.lexsort((segments["person"][index], day))
    index, day = index[order], day[order]
    return Table(
        {
            "person": segments["person"][index],
            "day": day.astype(np.int32),
            "lsoa": segments["lsoa"][index],
            "address": segments["address"][index],
        }
    )


def service_events(
    config: SynthConfig,
    params: Params,
    lsoas: Lsoas,
    people: Table,
    segments: Table,
    name: str,
    multiplier: FloatArray,
    after_referral_ratio: float = 1.0,
    part: int | None = None,
) -> Table:
    """Every event of one service over ``segments``, in date order.

    ``part`` numbers a slice of the segments drawn on its own (for extracts streamed in parts).
    """
    service = params.services[name]
    expected = expected_events(config, params, lsoas, people, segments, service, multiplier)
    expected = np.where(segments["after_referral"], expected * after_referral_ratio, expected)
    stream_name = f"events:{name}" if part is None else f"events:{name}:{part}"
    return draw_events(stream(config.seed, stream_name), segments, expected)


def draw_types(
    rng: np.random.Generator, shares: dict[str, float], count: int
) -> npt.NDArray[np.str_]:
    labels = np.array(list(shares))
    probabilities = np.array(list(shares.values()))
    cumulative = np.cumsum(probabilities) / probabilities.sum()
    return labels[
        np.minimum(np.searchsorted(cumulative, rng.random(count), side="right"), len(labels) - 1)
    ]
