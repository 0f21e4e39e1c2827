"""The generator's parameters, read from ``params.toml`` (each rate beside its public source)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, fields
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def deprivation_factor(ratio: float, decile: npt.NDArray[np.int64]) -> FloatArray:
    """Relative rate by IMD decile: ``ratio`` times higher in decile 1 than in decile 10.

    Spread geometrically across deciles and scaled so that the mean over the ten deciles (the
    national average, since deciles are national tenths) is 1.
    """
    steps = (10 - np.arange(1, 11)) / 9.0
    mean = float(np.mean(ratio**steps))
    return np.asarray(ratio ** ((10 - decile) / 9.0) / mean, dtype=np.float64)


def banded(bounds: FloatArray, values: FloatArray, ages: npt.NDArray[np.int32]) -> FloatArray:
    """The value of the band each age falls in; ages below the first bound get 0."""
    band = np.searchsorted(bounds, ages, side="right") - 1
    return np.where(band >= 0, values[np.clip(band, 0, None)], 0.0)


@dataclass(frozen=True)
class ServiceRates:
    """Use of one service: rates by age band and sex, and how they vary between residents."""

    name: str
    source: str
    ages: FloatArray
    female: FloatArray
    male: FloatArray
    deprivation_ratio: float
    heterogeneity_shape: float
    complex_multiplier: float
    eligible: str = "everyone"
    types: dict[str, float] = field(default_factory=dict)
    living_alone_multiplier: float = 1.0

    def base_rate(self, ages: npt.NDArray[np.int32], female: npt.NDArray[np.bool_]) -> FloatArray:
        return np.where(
            female, banded(self.ages, self.female, ages), banded(self.ages, self.male, ages)
        )


@dataclass(frozen=True)
class Noise:
    """Shares of a partner's person records carrying each kind of identifier error."""

    forename_typo: float
    nickname: float
    surname_typo: float
    surname_stale: float
    hyphenated_surname: float
    dob_swap_day_month: float
    dob_typo: float
    dob_missing: float
    nhs_missing: float
    nhs_typo: float
    postcode_typo: float
    address_stale: float
    duplicate_record: float

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Condition:
    key: str
    code: str
    term: str
    prevalence: FloatArray
    deprivation_ratio: float
    child_factor: float


CONDITION_AGES = np.array([18, 45, 65, 75, 85], dtype=np.float64)


@dataclass(frozen=True)
class Params:
    raw: dict[str, Any]
    services: dict[str, ServiceRates]
    conditions: tuple[Condition, ...]

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw[name]
        assert isinstance(value, dict)
        return value

    def noise(self, partner: str) -> Noise:
        merged = dict(self.raw["noise"]["default"])
        merged.update(self.raw["noise"].get(partner, {}))
        return Noise(**{k: float(v) for k, v in merged.items()})

    def intervention_date(self, key: str) -> dt.date:
        return dt.date.fromisoformat(self.section("intervention")[key])


def _service(name: str, spec: dict[str, Any]) -> ServiceRates:
    return ServiceRates(
        name=name,
        source=spec["source"],
        ages=np.array(spec["ages"], dtype=np.float64),
        female=np.array(spec["f"], dtype=np.float64),
        male=np.array(spec["m"], dtype=np.float64),
        deprivation_ratio=float(spec["deprivation_ratio"]),
        heterogeneity_shape=float(spec["heterogeneity_shape"]),
        complex_multiplier=float(spec["complex_multiplier"]),
        eligible=spec.get("eligible", "everyone"),
        types={k: float(v) for k, v in spec.get("types", {}).items()},
        living_alone_multiplier=float(spec.get("living_alone_multiplier", 1.0)),
    )


def _condition(key: str, spec: dict[str, Any]) -> Condition:
    return Condition(
        key=key,
        code=spec["code"],
        term=spec["term"],
        prevalence=np.array(spec["prevalence"], dtype=np.float64),
        deprivation_ratio=float(spec["deprivation_ratio"]),
        child_factor=float(spec["child_factor"]),
    )


@cache
def load_params() -> Params:
    """The packaged parameters. Every section carries a ``source`` naming its public basis."""
    with files("joinedup.synth").joinpath("params.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    return Params(
        raw=raw,
        services={name: _service(name, spec) for name, spec in raw["services"].items()},
        conditions=tuple(_condition(k, v) for k, v in raw["conditions"]["codes"].items()),
    )
