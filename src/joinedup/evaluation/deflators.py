"""HM Treasury GDP deflators: uprating money from one financial year's prices to another's.

The series is HM Treasury's *GDP deflators at market prices, and money GDP*, March 2026 release
(financial years, 2024-25 = 100; outturn from ONS series L8GG, forecast years from the OBR), packaged
as ``joinedup/reference/data/gdp_deflators.csv`` with its source in ``SOURCES.md`` there. The Green
Book and the Greater Manchester cost-benefit method both uprate with this series.

Money is ``Decimal`` throughout: uprating multiplies by a ratio of two four-decimal indices, and
``Decimal`` keeps that exact enough that a sum worked by hand to the penny comes out the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from joinedup.reference.files import read_reference_csv

RELEASE = (
    "HM Treasury, GDP deflators at market prices, and money GDP: March 2026 "
    "(Quarterly National Accounts; forecast years from the OBR, March 2026)"
)
RELEASE_URL = (
    "https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-money-gdp"
)
BASE_YEAR = "2024-25"

_FINANCIAL_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")


class UnknownPriceYearError(ValueError):
    """A financial year the deflator series does not cover, or a label that is not a year."""


def financial_year(label: str) -> str:
    """``label`` written the way HM Treasury writes a financial year (``2011/12`` → ``2011-12``)."""
    match = _FINANCIAL_YEAR.match(label)
    if match is None:
        raise UnknownPriceYearError(
            f"{label!r} is not a financial year; write it as 2016-17 (or 2016/17)"
        )
    start, end = int(match.group(1)), match.group(2)
    if int(end[-2:]) != (start + 1) % 100 or (len(end) == 4 and int(end) != start + 1):
        raise UnknownPriceYearError(f"{label!r} is not a financial year: the years must follow on")
    return f"{start}-{(start + 1) % 100:02d}"


def financial_year_of(day: date) -> str:
    """The financial year (1 April to 31 March) that ``day`` falls in."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class DeflatorSeries:
    """The index by financial year, and which of its years are forecasts rather than outturn."""

    index: dict[str, Decimal]
    forecast_years: frozenset[str]
    release: str = RELEASE
    base_year: str = BASE_YEAR

    @property
    def first_year(self) -> str:
        return min(self.index)

    @property
    def last_year(self) -> str:
        return max(self.index)

    def index_for(self, year: str) -> Decimal:
        """The deflator for ``year``; an unknown year is refused, naming the years there are."""
        normalised = financial_year(year)
        try:
            return self.index[normalised]
        except KeyError:
            raise UnknownPriceYearError(
                f"no GDP deflator for {normalised}: the series ({self.release}) covers "
                f"{self.first_year} to {self.last_year}"
            ) from None

    def is_forecast(self, year: str) -> bool:
        return financial_year(year) in self.forecast_years


@cache
def deflator_series() -> DeflatorSeries:
    """The packaged series (read once)."""
    rows = read_reference_csv("gdp_deflators.csv")
    return DeflatorSeries(
        index={row["financial_year"]: Decimal(row["gdp_deflator"]) for row in rows},
        forecast_years=frozenset(
            row["financial_year"] for row in rows if row["status"] == "forecast"
        ),
    )


def uprating_factor(from_year: str, to_year: str) -> Decimal:
    """What one pound in ``from_year`` prices is worth in ``to_year`` prices."""
    series = deflator_series()
    return series.index_for(to_year) / series.index_for(from_year)


def uprate(amount: Decimal | float | int, from_year: str, to_year: str) -> Decimal:
    """``amount`` in ``from_year`` prices, expressed in ``to_year`` prices (not rounded).

    Uprating divides by the source year's index and multiplies by the target year's, the HM
    Treasury rebasing rule; going back to an earlier year is the same sum.
    """
    return as_decimal(amount) * uprating_factor(from_year, to_year)


def as_decimal(amount: Decimal | float | int) -> Decimal:
    """``amount`` as a ``Decimal``, taken as written."""
    # str() so that 0.1 is taken as written, not as its binary approximation.
    return amount if isinstance(amount, Decimal) else Decimal(str(amount))
