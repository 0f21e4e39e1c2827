"""Exposure segments: stretches of each resident's time in the borough over which their rates
are constant (split at new years, at a move of address and at an intervention referral)."""

from __future__ import annotations

import numpy as np

from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import NO_DATE, year_start, years_of
from joinedup.synth.table import Table


def build_segments(config: SynthConfig, people: Table, referral_day: np.ndarray) -> Table:
    start = people["start_day"].astype(np.int64)
    stop = people["end_day"].astype(np.int64)
    cuts = [year_start(y) for y in range(config.start.year + 1, config.end.year + 1)]
    move = np.where(people["move_day"] == NO_DATE, stop, people["move_day"])
    referral = np.where(referral_day == NO_DATE, stop, referral_day)
    points = np.column_stack(
        [start, *(np.full(people.rows, c) for c in cuts), move, referral, stop]
    )
    points = np.sort(np.clip(points, start[:, None], stop[:, None]), axis=1)
    seg_start, seg_end = points[:, :-1].ravel(), points[:, 1:].ravel()
    person = np.repeat(np.arange(people.rows), points.shape[1] - 1)
    keep = seg_end > seg_start
    person, seg_start, seg_end = person[keep], seg_start[keep], seg_end[keep]
    moved = (people["move_day"][person] != NO_DATE) & (seg_start >= people["move_day"][person])
    return Table(
        {
            "person": person,
            "start": seg_start,
            "end": seg_end,
            "year": years_of(seg_start.astype(np.int32)),
            "lsoa": np.where(moved, people["moved_to_lsoa"][person], people["lsoa"][person]),
            "address": np.where(
                moved, people["address_after"][person], people["address_before"][person]
            ),
            "after_referral": (referral_day[person] != NO_DATE)
            & (seg_start >= referral_day[person]),
        }
    )
