"""HM Treasury GDP deflators: the packaged series, uprating, and years it does not cover."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.evaluation.deflators import (
    UnknownPriceYearError,
    deflator_series,
    financial_year,
    financial_year_of,
    uprate,
    uprating_factor,
)

YEARS = sorted(deflator_series().index)


def test_the_series_runs_every_financial_year_from_2000_01_with_2024_25_as_base() -> None:
    series = deflator_series()
    assert series.first_year == "2000-01"
    assert series.last_year == "2030-31"
    assert len(series.index) == 31
    assert series.index["2024-25"] == Decimal("100.0000")
    assert series.index["2011-12"] == Decimal("70.3261")
    assert "March 2026" in series.release


def test_forecast_years_are_marked_and_outturn_years_are_not() -> None:
    series = deflator_series()
    assert series.is_forecast("2025-26")
    assert not series.is_forecast("2024-25")
    assert series.forecast_years == {f"{y}-{(y + 1) % 100:02d}" for y in range(2025, 2031)}


def test_the_index_rises_every_year() -> None:
    values = [deflator_series().index[year] for year in YEARS]
    assert values == sorted(values)
    assert len(set(values)) == len(values)


def test_uprating_multiplies_by_the_ratio_of_the_two_years_indices() -> None:
    # £109 in 2011-12 prices in 2016-17 prices: 109 x 76.0754 / 70.3261 = 117.9109...
    assert uprate(109, "2011/12", "2016-17") == Decimal(109) * Decimal("76.0754") / Decimal(
        "70.3261"
    )
    assert round(uprate(109, "2011/12", "2016-17"), 2) == Decimal("117.91")


def test_uprating_within_one_year_changes_nothing() -> None:
    assert uprate(Decimal("245000"), "2015-16", "2015/16") == Decimal("245000")


@given(
    amount=st.decimals(min_value=0, max_value=10_000_000, places=2),
    there=st.sampled_from(YEARS),
    back=st.sampled_from(YEARS),
)
def test_uprating_there_and_back_returns_the_amount_to_the_penny(
    amount: Decimal, there: str, back: str
) -> None:
    round_trip = uprate(uprate(amount, back, there), there, back)
    assert round(round_trip, 2) == amount


@given(first=st.sampled_from(YEARS), middle=st.sampled_from(YEARS), last=st.sampled_from(YEARS))
def test_uprating_in_two_steps_is_uprating_in_one(first: str, middle: str, last: str) -> None:
    two_steps = uprating_factor(first, middle) * uprating_factor(middle, last)
    assert abs(two_steps - uprating_factor(first, last)) < Decimal("1e-20")


def test_a_year_before_the_series_is_refused_naming_the_year_and_the_range() -> None:
    with pytest.raises(UnknownPriceYearError) as refused:
        uprate(100, "1999/00", "2016-17")
    message = str(refused.value)
    assert "1999-00" in message
    assert "2000-01 to 2030-31" in message


def test_a_year_after_the_series_is_refused() -> None:
    with pytest.raises(UnknownPriceYearError, match="2031-32"):
        uprate(100, "2016-17", "2031-32")


@pytest.mark.parametrize("label", ["2016", "2016-18", "sixteen", "2016/2018", ""])
def test_a_label_that_is_not_a_financial_year_is_refused(label: str) -> None:
    with pytest.raises(UnknownPriceYearError, match="not a financial year"):
        financial_year(label)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2011/12", "2011-12"),
        ("2011-12", "2011-12"),
        ("2011-2012", "2011-12"),
        ("1999/00", "1999-00"),
    ],
)
def test_financial_years_are_written_the_treasury_way(label: str, expected: str) -> None:
    assert financial_year(label) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2016, 3, 31), "2015-16"),
        (date(2016, 4, 1), "2016-17"),
        (date(2015, 12, 31), "2015-16"),
        (date(1999, 6, 1), "1999-00"),
    ],
)
def test_a_date_falls_in_the_financial_year_that_starts_on_1_april(
    day: date, expected: str
) -> None:
    assert financial_year_of(day) == expected
