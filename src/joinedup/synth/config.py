"""What the caller asks of the synthetic borough."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from joinedup.synth.dates import day_number

DEFAULT_START = dt.date(2015, 1, 1)
DEFAULT_END = dt.date(2019, 12, 31)
DEFAULT_BAD_ROWS = 5


@dataclass(frozen=True)
class SynthConfig:
    """Size, seed and period of the synthetic borough. ``end`` is the last day included."""

    scale: float = 1.0
    seed: int = 42
    start: dt.date = DEFAULT_START
    end: dt.date = DEFAULT_END
    bad_rows: int = DEFAULT_BAD_ROWS

    def __post_init__(self) -> None:
        if not 0 < self.scale <= 100:
            raise ValueError(f"scale must be above 0 and at most 100, not {self.scale}")
        if self.end <= self.start:
            raise ValueError(f"the period must end after it starts ({self.start} to {self.end})")
        if self.bad_rows < 0:
            raise ValueError("bad rows per feed cannot be negative")

    @property
    def first_day(self) -> int:
        return day_number(self.start)

    @property
    def after_last_day(self) -> int:
        """The first day after the period: periods are half-open [first_day, after_last_day)."""
        return day_number(self.end) + 1

    @property
    def years(self) -> float:
        return (self.after_last_day - self.first_day) / 365.25
