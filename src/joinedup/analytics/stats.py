"""Indicator values with 95% confidence intervals, computed and compared the way Fingertips does.

The methods are those of OHID's public health technical guidance (formerly PHE's "Technical Guide:
Confidence Intervals" and APHO Technical Briefing 3):

- proportions: Wilson score interval;
- counts and crude rates: Byar's approximation for counts of 10 or more, the exact Poisson
  (chi-squared) interval below 10 (Byar is within 0.2% of exact from 10 on);
- directly standardised rates (DSRs): Dobson's method, not published from fewer than 10 events;
- comparison with a benchmark: significantly higher or lower when the benchmark lies outside the
  area's interval.

Disclosure control. The counts given here are those disclosure control published
(:mod:`joinedup.analytics.disclosure`): rounded, or redacted, which arrives as ``None``. A redacted
count gives an :class:`Estimate` with no value and no interval; it is never replaced by a guess
(zero, the middle of "1 to 7") nor looked up unredacted, so no interval is ever made from a raw
small count. Rounded counts are used as given; their intervals slightly understate the
uncertainty that rounding adds.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import numpy.typing as npt

from joinedup.reference.files import read_reference_csv

WILSON = "Wilson score"
BYAR = "Byar"
EXACT_POISSON = "exact Poisson (chi-squared)"
DOBSON = "Dobson"

BYAR_MIN_COUNT = 10  # the technical guidance switches from exact to Byar here
DSR_MIN_COUNT = 10  # Fingertips publishes no DSR from fewer events (Morris et al. 2018)

REDACTED = "a count was redacted by disclosure control"
NO_DENOMINATOR = "the denominator is zero"
TOO_FEW_EVENTS = f"fewer than {DSR_MIN_COUNT} events"
EMPTY_AGE_BAND = "an age band has no population: merge it with its neighbour"

ESP2013_FILE = "esp2013.csv"

Comparison = Literal["higher", "lower", "similar", "not compared"]


@dataclass(frozen=True)
class Estimate:
    """A value with its confidence interval, or none of the three when it was not computed.

    ``method`` names how the interval was made; ``reason`` says why nothing was computed.
    """

    value: float | None
    lower: float | None
    upper: float | None
    method: str
    reason: str | None = None

    def __post_init__(self) -> None:
        bounds = (self.value, self.lower, self.upper)
        if all(x is None for x in bounds):
            return
        if self.value is None or self.lower is None or self.upper is None:
            raise ValueError("an estimate has a value and both bounds, or none of them")
        if not self.lower <= self.value <= self.upper:
            raise ValueError("an estimate's bounds must enclose its value")

    @property
    def computed(self) -> bool:
        return self.value is not None


def not_computed(method: str, reason: str) -> Estimate:
    return Estimate(None, None, None, method, reason)


def z_score(confidence: float) -> float:
    """The two-sided standard normal quantile: 1.959964 for 95%."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1, e.g. 0.95")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _count(count: int, what: str = "a count") -> int:
    # operator.index refuses floats: a fractional count means a rate was passed by mistake.
    value = operator.index(count)
    if value < 0:
        raise ValueError(f"{what} cannot be negative")
    return value


# Proportions


def wilson_interval(
    successes: int | None, trials: int | None, confidence: float = 0.95
) -> Estimate:
    """The proportion ``successes / trials`` with its Wilson score interval.

    >>> e = wilson_interval(10, 100)
    >>> round(e.lower, 4), round(e.upper, 4)
    (0.0552, 0.1744)
    """
    z = z_score(confidence)
    if successes is None or trials is None:
        return not_computed(WILSON, REDACTED)
    k, n = _count(successes), _count(trials, "trials")
    if k > n:
        raise ValueError("successes cannot exceed trials")
    if n == 0:
        return not_computed(WILSON, NO_DENOMINATOR)
    p = k / n
    lower, upper = _wilson_bounds(p, n, z)
    return Estimate(p, lower, upper, WILSON)


def _wilson_bounds(p: float, n: int, z: float) -> tuple[float, float]:
    centre = 2 * n * p + z * z
    spread = z * math.sqrt(z * z + 4 * n * p * (1 - p))
    denominator = 2 * (n + z * z)
    # Clamped because rounding can push a bound a hair past 0, 1 or p itself at the extremes.
    lower = min(max((centre - spread) / denominator, 0.0), p)
    upper = max(min((centre + spread) / denominator, 1.0), p)
    return lower, upper


# Counts and crude rates


def byar_interval(count: int | None, confidence: float = 0.95) -> Estimate:
    """A Poisson count with Byar's approximate interval.

    Byar's lower bound is undefined at 0, so a count of 0 gets the exact interval: lower 0,
    upper -ln((1 - confidence) / 2), 3.689 at 95%.

    >>> e = byar_interval(10)
    >>> round(e.lower, 2), round(e.upper, 2)
    (4.79, 18.39)
    """
    z = z_score(confidence)
    if count is None:
        return not_computed(BYAR, REDACTED)
    observed = _count(count)
    if observed == 0:
        return exact_poisson_interval(0, confidence)
    lower = observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    above = observed + 1
    upper = above * (1 - 1 / (9 * above) + z / (3 * math.sqrt(above))) ** 3
    return Estimate(float(observed), max(lower, 0.0), upper, BYAR)


def exact_poisson_interval(count: int | None, confidence: float = 0.95) -> Estimate:
    """A Poisson count with its exact interval, half the chi-squared quantiles on 2O and 2O+2
    degrees of freedom, found here by solving the Poisson tail equations."""
    z_score(confidence)  # refuses a confidence outside (0, 1)
    alpha = 1 - confidence
    if count is None:
        return not_computed(EXACT_POISSON, REDACTED)
    observed = _count(count)
    # lower: the mean at which P(X >= O) = alpha/2; upper: the mean at which P(X <= O) = alpha/2.
    lower = 0.0 if observed == 0 else _solve_mean(observed - 1, 1 - alpha / 2)
    upper = _solve_mean(observed, alpha / 2)
    return Estimate(float(observed), lower, upper, EXACT_POISSON)


def poisson_interval(count: int | None, confidence: float = 0.95) -> Estimate:
    """A count's interval by the technical guidance's rule: exact below 10, Byar from 10."""
    if count is not None and _count(count) < BYAR_MIN_COUNT:
        return exact_poisson_interval(count, confidence)
    return byar_interval(count, confidence)


def rate_interval(
    count: int | None, population: float | None, per: float = 1000, confidence: float = 0.95
) -> Estimate:
    """The crude rate ``count / population * per`` with the count's Poisson interval, scaled."""
    counted = poisson_interval(count, confidence)
    if population is None or not counted.computed:
        return not_computed(counted.method, REDACTED)
    if population < 0:
        raise ValueError("a population cannot be negative")
    if population == 0:
        return not_computed(counted.method, NO_DENOMINATOR)
    return _scaled(counted, per / population)


def _scaled(estimate: Estimate, factor: float) -> Estimate:
    assert estimate.value is not None and estimate.lower is not None and estimate.upper is not None
    return Estimate(
        estimate.value * factor, estimate.lower * factor, estimate.upper * factor, estimate.method
    )


def _poisson_cdf(count: int, mean: float) -> float:
    """P(X <= count) for X ~ Poisson(mean), summed in logs so large counts do not overflow."""
    if mean == 0:
        return 1.0
    # Terms more than 40 standard deviations below the mean are below e^-800: skip them.
    first = max(0, math.floor(mean - 40 * math.sqrt(mean) - 40))
    if first > count:
        return 0.0
    k = np.arange(first, count + 1, dtype=np.float64)
    log_factorials = math.lgamma(first + 1) + np.concatenate(([0.0], np.cumsum(np.log(k[1:]))))
    log_terms = k * math.log(mean) - mean - log_factorials
    peak = float(log_terms.max())
    return min(1.0, math.exp(peak) * float(np.exp(log_terms - peak).sum()))


def _solve_mean(count: int, cdf_target: float) -> float:
    """The Poisson mean at which P(X <= count) equals ``cdf_target`` (the CDF falls as it grows)."""
    low, high = 0.0, count + 10.0 * math.sqrt(count + 1) + 20.0
    while _poisson_cdf(count, high) > cdf_target:
        low, high = high, 2 * high
    for _ in range(200):
        middle = (low + high) / 2
        if _poisson_cdf(count, middle) > cdf_target:
            low = middle
        else:
            high = middle
        if high - low <= 1e-13 * high:
            break
    return (low + high) / 2


# Directly standardised rates


def load_esp2013() -> dict[str, int]:
    """The 2013 European Standard Population: age band (``0-4`` … ``90+``) → weight, in age
    order, summing to 100,000 (Eurostat 2013; see reference/data/SOURCES.md)."""
    rows = read_reference_csv(ESP2013_FILE)
    return {row["age_band"]: int(row["standard_population"]) for row in rows}


def directly_standardised_rate(
    counts_by_age: Mapping[str, int | None],
    population_by_age: Mapping[str, float | None],
    standard_by_age: Mapping[str, float],
    per: float = 100_000,
    confidence: float = 0.95,
) -> Estimate:
    """The directly standardised rate per ``per`` with Dobson's confidence interval.

    The three mappings are keyed by the same age bands (for example those of
    :func:`load_esp2013`). Not computed when a count or population is redacted, when the area
    has fewer than 10 events in all, or when an age band has no population (merge bands: an
    age-specific rate over nobody is undefined).
    """
    bands = _same_bands(counts_by_age, population_by_age, standard_by_age)
    z_score(confidence)  # refuses a confidence outside (0, 1) before any early return
    counts = [counts_by_age[band] for band in bands]
    populations = [population_by_age[band] for band in bands]
    if any(c is None for c in counts) or any(p is None for p in populations):
        return not_computed(DOBSON, REDACTED)
    observed = np.array([_count(c) for c in counts if c is not None], dtype=np.float64)
    at_risk = np.array([p for p in populations if p is not None], dtype=np.float64)
    if (at_risk < 0).any():
        raise ValueError("a population cannot be negative")
    if (at_risk == 0).any():
        return not_computed(DOBSON, EMPTY_AGE_BAND)
    if observed.sum() < DSR_MIN_COUNT:
        return not_computed(DOBSON, TOO_FEW_EVENTS)
    weights = np.array([standard_by_age[band] for band in bands], dtype=np.float64)
    return _dobson(observed, at_risk, weights / weights.sum(), per, confidence)


def _same_bands(*by_age: Mapping[str, object]) -> list[str]:
    bands = list(by_age[0])
    if any(set(mapping) != set(bands) for mapping in by_age[1:]):
        raise ValueError("counts, populations and standard must have the same age bands")
    return bands


def _dobson(
    observed: npt.NDArray[np.float64],
    at_risk: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    per: float,
    confidence: float,
) -> Estimate:
    # Dobson et al. (1991): the DSR's interval is the total count's Poisson interval, mapped onto
    # the rate scale through the DSR's variance per event.
    rate = per * float((weights * observed / at_risk).sum())
    variance = per**2 * float((weights**2 * observed / at_risk**2).sum())
    total = float(observed.sum())
    total_interval = poisson_interval(int(total), confidence)
    assert total_interval.lower is not None and total_interval.upper is not None
    step = math.sqrt(variance / total)
    lower = rate + step * (total_interval.lower - total)
    upper = rate + step * (total_interval.upper - total)
    return Estimate(rate, max(lower, 0.0), upper, f"{DOBSON} ({total_interval.method})")


# Comparison


def compare_to_benchmark(estimate: Estimate, benchmark: float | None) -> Comparison:
    """``higher`` or ``lower`` when the benchmark lies outside the estimate's interval (a
    significant difference at the interval's confidence level), else ``similar``; ``not
    compared`` when either side is missing. Says nothing of better or worse: that is the
    indicator's polarity, which the caller knows."""
    if benchmark is None or estimate.lower is None or estimate.upper is None:
        return "not compared"
    if estimate.lower > benchmark:
        return "higher"
    if estimate.upper < benchmark:
        return "lower"
    return "similar"
