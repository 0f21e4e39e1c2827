"""When a subject access request must be answered, by the ICO's rules.

- One calendar month from the day the request is received (a working day or not), to the
  corresponding date in the next month; where the next month has no such date, its last day.
- Where that day is a weekend or a bank holiday, the next working day.
- If proof of identity is asked for, the month runs from the day it arrives.
- Asking for clarification stops the clock: the days waiting for it are added.
- A complex request may be extended by up to two further months.

Source: Information Commissioner's Office, "Right of access: time limits for responding"
(ico.org.uk). Bank holidays in England and Wales: GOV.UK (www.gov.uk/bank-holidays).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from joinedup.dates import add_months

D = dt.date
BANK_HOLIDAYS_ENGLAND_AND_WALES = frozenset(
    {
        D(2024, 1, 1), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6), D(2024, 5, 27),
        D(2024, 8, 26), D(2024, 12, 25), D(2024, 12, 26),
        D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26),
        D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26),
        D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25),
        D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28),
        D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31),
        D(2027, 8, 30), D(2027, 12, 27), D(2027, 12, 28),
        D(2028, 1, 3), D(2028, 4, 14), D(2028, 4, 17), D(2028, 5, 1), D(2028, 5, 29),
        D(2028, 8, 28), D(2028, 12, 25), D(2028, 12, 26),
    }
)  # fmt: skip
MAXIMUM_EXTENSION_MONTHS = 2


@dataclass(frozen=True)
class Pause:
    """Waiting for clarification: from the day it was asked for to the day it arrived."""

    asked: dt.date
    answered: dt.date

    @property
    def days(self) -> int:
        return max(0, (self.answered - self.asked).days)


def is_working_day(
    day: dt.date, holidays: frozenset[dt.date] = BANK_HOLIDAYS_ENGLAND_AND_WALES
) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_working_day(
    day: dt.date, holidays: frozenset[dt.date] = BANK_HOLIDAYS_ENGLAND_AND_WALES
) -> dt.date:
    """``day`` itself if it is a working day, else the first working day after it.

    >>> next_working_day(dt.date(2026, 12, 25))  # Christmas, a weekend, then Boxing Day moved
    datetime.date(2026, 12, 29)
    """
    while not is_working_day(day, holidays):
        day += dt.timedelta(days=1)
    return day


def response_deadline(
    received: dt.date,
    *,
    identity_received: dt.date | None = None,
    pauses: Iterable[Pause] = (),
    extension_months: int = 0,
    holidays: frozenset[dt.date] = BANK_HOLIDAYS_ENGLAND_AND_WALES,
) -> dt.date:
    """The last day to respond.

    >>> response_deadline(dt.date(2024, 1, 31)), response_deadline(dt.date(2025, 1, 31))
    (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28))
    >>> response_deadline(dt.date(2024, 9, 14))  # 14 October 2024 is a Monday
    datetime.date(2024, 10, 14)
    """
    if not 0 <= extension_months <= MAXIMUM_EXTENSION_MONTHS:
        raise ValueError(f"a request may be extended by 0 to {MAXIMUM_EXTENSION_MONTHS} months")
    start = max(received, identity_received) if identity_received else received
    end = add_months(start, 1 + extension_months)
    end += dt.timedelta(days=sum(p.days for p in pauses))
    return next_working_day(end, holidays)
