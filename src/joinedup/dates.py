"""Calendar arithmetic that more than one part of JoinedUp needs, in one place."""

from __future__ import annotations

import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (earlier when negative). Where that month is
    too short, its last day: the ICO's rule for a month's deadline (31 January + 1 month is the
    last day of February).

    >>> add_months(dt.date(2024, 1, 31), 1), add_months(dt.date(2025, 1, 31), 1)
    (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28))
    >>> add_months(dt.date(2024, 3, 31), -1), add_months(dt.date(2023, 12, 15), 1)
    (datetime.date(2024, 2, 29), datetime.date(2024, 1, 15))
    """
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    first_of_next = dt.date(year + (month0 == 11), (month0 + 1) % 12 + 1, 1)
    last_day = (first_of_next - dt.timedelta(days=1)).day
    return dt.date(year, month0 + 1, min(day.day, last_day))
