"""The periods a trend is drawn over: quarters for the linked data, months for the web app's.

Labels are written so that no day of a month stands on its own ("2019 Q4", "Nov 2026"): a page
that shows counts should hold no small number that is not one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from joinedup.dates import add_months

QUARTERS = 8
MONTHS = 12


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date  # the period's last day


def quarters_to(last: dt.date, count: int = QUARTERS) -> list[Period]:
    """The ``count`` calendar quarters that end on or before ``last``, oldest first.

    >>> [p.label for p in quarters_to(dt.date(2019, 12, 31), 2)]
    ['2019 Q3', '2019 Q4']
    """
    newest = dt.date(
        last.year, ((last.month - 1) // 3) * 3 + 1, 1
    )  # the first month of its quarter
    if quarter_end(newest) > last:
        newest = add_months(newest, -3)
    periods = []
    for back in range(count - 1, -1, -1):
        first = add_months(newest, -3 * back)
        label = f"{first.year} Q{(first.month - 1) // 3 + 1}"
        periods.append(Period(label, first, quarter_end(first)))
    return periods


def quarter_end(day: dt.date) -> dt.date:
    month = ((day.month - 1) // 3) * 3 + 3
    return add_months(dt.date(day.year, month, 1), 1) - dt.timedelta(days=1)


def months_to(today: dt.date, count: int = MONTHS) -> list[Period]:
    """The ``count`` calendar months up to and including ``today``'s, oldest first.

    >>> [p.label for p in months_to(dt.date(2026, 1, 15), 2)]
    ['Dec 2025', 'Jan 2026']
    """
    this = today.replace(day=1)
    periods = []
    for back in range(count - 1, -1, -1):
        first = add_months(this, -back)
        last = add_months(first, 1) - dt.timedelta(days=1)
        periods.append(Period(first.strftime("%b %Y"), first, last))
    return periods
