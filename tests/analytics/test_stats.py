"""Indicator statistics: published values, scipy cross-checks, edges and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats  # type: ignore[import-untyped]  # scipy ships no types

from joinedup.analytics.stats import (
    BYAR,
    EXACT_POISSON,
    NO_DENOMINATOR,
    REDACTED,
    TOO_FEW_EVENTS,
    Estimate,
    byar_interval,
    compare_to_benchmark,
    directly_standardised_rate,
    exact_poisson_interval,
    load_esp2013,
    poisson_interval,
    rate_interval,
    wilson_interval,
    z_score,
)

ESP2013_BANDS = [f"{a}-{a + 4}" for a in range(0, 90, 5)] + ["90+"]


def bounds(estimate: Estimate) -> tuple[float, float]:
    assert estimate.lower is not None and estimate.upper is not None
    return estimate.lower, estimate.upper


def width(estimate: Estimate) -> float:
    lower, upper = bounds(estimate)
    return upper - lower


# Proportions


def test_wilson_for_10_in_100_matches_the_published_example() -> None:
    lower, upper = bounds(wilson_interval(10, 100))
    assert (round(lower, 4), round(upper, 4)) == (0.0552, 0.1744)


@pytest.mark.parametrize(("k", "n"), [(0, 7), (1, 3), (10, 100), (37, 41), (250, 1000), (5, 5)])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_wilson_matches_scipy(k: int, n: int, confidence: float) -> None:
    expected = scipy_stats.binomtest(k, n).proportion_ci(confidence, method="wilson")
    assert bounds(wilson_interval(k, n, confidence)) == pytest.approx(
        (expected.low, expected.high), abs=1e-12
    )


def test_wilson_with_no_events_starts_at_zero() -> None:
    estimate = wilson_interval(0, 50)
    z = z_score(0.95)
    assert (estimate.value, estimate.lower) == (0.0, 0.0)
    assert estimate.upper == pytest.approx(z * z / (50 + z * z))


def test_wilson_when_all_are_events_ends_at_one() -> None:
    estimate = wilson_interval(50, 50)
    assert (estimate.value, estimate.upper) == (1.0, 1.0)
    assert bounds(estimate)[0] < 1.0


def test_wilson_with_no_trials_is_not_computed() -> None:
    estimate = wilson_interval(0, 0)
    assert not estimate.computed and estimate.reason == NO_DENOMINATOR


@pytest.mark.parametrize(("k", "n"), [(None, 100), (5, None), (None, None)])
def test_wilson_of_a_redacted_count_is_not_computed(k: int | None, n: int | None) -> None:
    estimate = wilson_interval(k, n)
    assert (estimate.value, estimate.lower, estimate.upper) == (None, None, None)
    assert estimate.reason == REDACTED


@pytest.mark.parametrize(("k", "n"), [(-1, 10), (11, 10)])
def test_wilson_refuses_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(k, n)


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.sampled_from([0.9, 0.95, 0.998]))
def test_wilson_encloses_the_proportion(k: int, extra: int, confidence: float) -> None:
    estimate = wilson_interval(k, k + extra, confidence)
    if k + extra == 0:
        assert not estimate.computed
        return
    lower, upper = bounds(estimate)
    assert estimate.value is not None
    assert 0.0 <= lower <= estimate.value <= upper <= 1.0


@given(st.integers(0, 500), st.integers(1, 500), st.integers(2, 20))
def test_wilson_narrows_as_the_sample_grows(k: int, extra: int, factor: int) -> None:
    small = wilson_interval(k, k + extra)
    large = wilson_interval(k * factor, (k + extra) * factor)
    assert width(large) < width(small)


# Counts and rates


def test_byar_for_a_count_of_10() -> None:
    # Byar gives 4.787 below; the exact interval, which Byar approximates, gives 4.795.
    assert bounds(byar_interval(10)) == pytest.approx((4.7874, 18.3915), abs=1e-4)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5, 9, 10, 47, 389, 5000])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_poisson_matches_scipy_chi_squared(count: int, confidence: float) -> None:
    alpha = 1 - confidence
    lower = 0.0 if count == 0 else scipy_stats.chi2.ppf(alpha / 2, 2 * count) / 2
    upper = scipy_stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    assert bounds(exact_poisson_interval(count, confidence)) == pytest.approx(
        (lower, upper), rel=1e-9, abs=1e-12
    )


@settings(deadline=None)  # the exact interval is solved numerically; a busy machine is slow
@given(st.integers(10, 100_000))
def test_byar_is_within_two_tenths_of_a_percent_of_exact_from_10(count: int) -> None:
    # The technical guidance's reason for using Byar from a count of 10.
    byar, exact = byar_interval(count), exact_poisson_interval(count)
    assert bounds(byar) == pytest.approx(bounds(exact), rel=0.002)


def test_a_count_of_zero_has_the_exact_interval() -> None:
    for estimate in (byar_interval(0), poisson_interval(0)):
        assert estimate.method == EXACT_POISSON
        assert bounds(estimate) == pytest.approx((0.0, -math.log(0.025)))


@pytest.mark.parametrize(("count", "method"), [(0, EXACT_POISSON), (9, EXACT_POISSON), (10, BYAR)])
def test_poisson_interval_switches_to_byar_at_10(count: int, method: str) -> None:
    assert poisson_interval(count).method == method


def test_rate_is_the_count_interval_scaled() -> None:
    estimate = rate_interval(10, 2000, per=1000)
    assert estimate.value == pytest.approx(5.0)
    assert bounds(estimate) == pytest.approx((4.78745 / 2, 18.39146 / 2), abs=1e-4)


def test_rate_with_no_population_or_a_redacted_count_is_not_computed() -> None:
    assert rate_interval(3, 0).reason == NO_DENOMINATOR
    assert rate_interval(None, 1000).reason == REDACTED
    assert rate_interval(3, None).reason == REDACTED


@given(st.integers(0, 10_000), st.integers(1, 100_000), st.integers(2, 20))
def test_rate_interval_encloses_the_rate_and_narrows_as_counts_grow(
    count: int, population: int, factor: int
) -> None:
    small = rate_interval(count, population + count)
    large = rate_interval(count * factor, (population + count) * factor)
    for estimate in (small, large):
        lower, upper = bounds(estimate)
        assert estimate.value is not None and 0.0 <= lower <= estimate.value <= upper
    assert width(large) < width(small)


# Directly standardised rates


def test_esp2013_has_19_bands_summing_to_100000() -> None:
    standard = load_esp2013()
    assert list(standard) == ESP2013_BANDS
    assert sum(standard.values()) == 100_000
    assert (standard["0-4"], standard["45-49"], standard["90+"]) == (5000, 7000, 1000)


def test_dsr_worked_by_hand() -> None:
    # Weights 1:1:2 -> 0.25, 0.25, 0.5. Age-specific rates 4/2000, 6/3000, 30/5000 =
    # 0.002, 0.002, 0.006, so DSR = 1e5 x (0.0005 + 0.0005 + 0.003) = 400 per 100,000.
    # var = 1e10 x (0.25^2 x 4/2000^2 + 0.25^2 x 6/3000^2 + 0.5^2 x 30/5000^2) = 4041.67.
    # O = 40; Byar: O_lower = 28.573, O_upper = 54.470; step = sqrt(4041.67 / 40) = 10.052.
    # Lower = 400 + 10.052 x (28.573 - 40) = 285.13; upper = 400 + 10.052 x 14.470 = 545.45.
    estimate = directly_standardised_rate(
        {"young": 4, "middle": 6, "old": 30},
        {"young": 2000, "middle": 3000, "old": 5000},
        {"young": 1, "middle": 1, "old": 2},
    )
    assert estimate.value == pytest.approx(400.0)
    assert bounds(estimate) == pytest.approx((285.13, 545.45), abs=0.05)
    assert estimate.method == "Dobson (Byar)"


def test_dsr_of_a_uniform_rate_is_that_rate_whatever_the_standard() -> None:
    standard = load_esp2013()
    populations = {band: 1000 + 100 * i for i, band in enumerate(standard)}
    counts = {band: population // 100 for band, population in populations.items()}
    estimate = directly_standardised_rate(counts, populations, standard)
    assert estimate.value == pytest.approx(1000.0)


def test_dsr_of_a_single_band_is_the_crude_rate() -> None:
    estimate = directly_standardised_rate({"all": 25}, {"all": 5000}, {"all": 1})
    crude = rate_interval(25, 5000, per=100_000)
    assert (estimate.value, *bounds(estimate)) == pytest.approx((crude.value, *bounds(crude)))


def test_dsr_is_not_computed_from_fewer_than_10_events() -> None:
    standard = load_esp2013()
    counts = dict.fromkeys(standard, 0) | {"85-89": 9}
    populations = dict.fromkeys(standard, 500)
    assert directly_standardised_rate(counts, populations, standard).reason == TOO_FEW_EVENTS
    no_events = directly_standardised_rate(dict.fromkeys(standard, 0), populations, standard)
    assert no_events.reason == TOO_FEW_EVENTS


def test_dsr_with_a_redacted_band_or_an_empty_band_is_not_computed() -> None:
    counts: dict[str, int | None] = {"a": 20, "b": None}
    assert directly_standardised_rate(counts, {"a": 10, "b": 10}, {"a": 1, "b": 1}).reason == (
        REDACTED
    )
    empty = directly_standardised_rate({"a": 20, "b": 0}, {"a": 10, "b": 0}, {"a": 1, "b": 1})
    assert not empty.computed


def test_dsr_refuses_mismatched_age_bands() -> None:
    with pytest.raises(ValueError, match="age bands"):
        directly_standardised_rate({"a": 20}, {"a": 10, "b": 10}, {"a": 1, "b": 1})


@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(1, 20_000), st.integers(1, 7000)),
        min_size=1,
        max_size=19,
    ),
    st.integers(2, 10),
)
def test_dsr_encloses_its_value_and_narrows_as_counts_grow(
    bands: list[tuple[int, int, int]], factor: int
) -> None:
    def dsr(scale: int) -> Estimate:
        counts = {str(i): c * scale for i, (c, _, _) in enumerate(bands)}
        populations = {str(i): (c + p) * scale for i, (c, p, _) in enumerate(bands)}
        return directly_standardised_rate(
            counts, populations, {str(i): w for i, (_, _, w) in enumerate(bands)}
        )

    small, large = dsr(1), dsr(factor)
    if not small.computed:
        assert small.reason == TOO_FEW_EVENTS
        return
    for estimate in (small, large):
        lower, upper = bounds(estimate)
        assert estimate.value is not None and 0.0 <= lower <= estimate.value <= upper
    assert width(large) < width(small)


# Comparison and the estimate itself


@pytest.mark.parametrize(
    ("benchmark", "expected"),
    [(4.0, "higher"), (5.0, "similar"), (7.5, "similar"), (10.0, "similar"), (11.0, "lower")],
)
def test_compare_to_benchmark(benchmark: float, expected: str) -> None:
    assert compare_to_benchmark(Estimate(7.5, 5.0, 10.0, "test"), benchmark) == expected


def test_nothing_is_compared_when_a_side_is_missing() -> None:
    assert compare_to_benchmark(Estimate(7.5, 5.0, 10.0, "test"), None) == "not compared"
    assert compare_to_benchmark(rate_interval(None, 100), 7.5) == "not compared"


def test_wilson_ten_in_a_hundred_is_lower_than_a_quarter() -> None:
    assert compare_to_benchmark(wilson_interval(10, 100), 0.25) == "lower"


@pytest.mark.parametrize(
    "bad",
    [
        lambda: Estimate(1.0, None, 2.0, "test"),
        lambda: Estimate(3.0, 1.0, 2.0, "test"),
        lambda: z_score(1.0),
        lambda: wilson_interval(1, 2, confidence=95),
    ],
)
def test_inconsistent_inputs_are_refused(bad: object) -> None:
    assert callable(bad)
    with pytest.raises(ValueError):
        bad()


def test_a_fractional_count_is_refused() -> None:
    with pytest.raises(TypeError):
        byar_interval(2.5)  # type: ignore[arg-type]
