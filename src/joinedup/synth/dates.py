"""Dates as whole days since 1970-01-01 (int32 arrays), and their rendering in partners' formats."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Days = npt.NDArray[np.int32]
NO_DATE = np.iinfo(np.int32).min
EPOCH = dt.date(1970, 1, 1)


def day_number(date: dt.date) -> int:
    return (date - EPOCH).days


def from_day_number(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def year_start(year: int) -> int:
    return day_number(dt.date(year, 1, 1))


def years_of(days: Days) -> npt.NDArray[np.int32]:
    """Calendar year of each day."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int32) + 1970


def age_in_years(birth: Days, on: Days | int) -> npt.NDArray[np.int32]:
    """Completed years of age on a date (birthdays counted exactly, 29 February included)."""
    born = birth.astype("datetime64[D]")
    when = np.asarray(on).astype("datetime64[D]")
    years = when.astype("datetime64[Y]").astype(np.int32) - born.astype("datetime64[Y]").astype(
        np.int32
    )
    # Compare month and day rather than day of year so that leap years do not shift birthdays.
    return (years - (_month_day(when) < _month_day(born))).astype(np.int32)


def _month_day(days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int32]:
    months = days.astype("datetime64[M]")
    month_number = (months - months.astype("datetime64[Y]")).astype(np.int32) + 1
    day = (days - months).astype(np.int32) + 1
    return np.asarray(month_number * 100 + day, dtype=np.int32)


def month_and_day(days: Days) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    md = _month_day(days.astype("datetime64[D]"))
    return md // 100, md % 100


def render(days: Days, fmt: str, seconds: npt.NDArray[np.int32] | None = None) -> pa.Array:
    """Dates (and optional seconds past midnight) as strings in ``fmt``; NO_DATE becomes null.

    ``fmt`` is a strftime pattern, rendered by Arrow in C++ rather than row by row.
    """
    missing = days == NO_DATE
    safe = np.where(missing, 0, days).astype(np.int64) * 86_400
    if seconds is not None:
        safe = safe + seconds.astype(np.int64)
    stamps = pa.array(safe, type=pa.timestamp("s"), mask=missing)
    return pc.strftime(stamps, format=fmt)
