"""The planted intervention is really in the data: referred residents' A&E use falls by the planted
ratio against the eligible residents of the control area over the same time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from joinedup.synth.borough import Borough
from joinedup.synth.dates import NO_DATE, day_number
from joinedup.synth.intervention import ARM_CONTROL


def _rate(
    events_person: np.ndarray,
    events_day: np.ndarray,
    who: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
) -> float:
    """A&E attendances per person-year for residents ``who`` between their own start and stop days."""
    first, last = np.full(who.max() + 1, 0), np.full(who.max() + 1, 0)
    first[who], last[who] = start, stop
    mine = np.isin(events_person, who)
    person, day = events_person[mine], events_day[mine]
    inside = (day >= first[person]) & (day < last[person])
    return float(inside.sum() / ((stop - start).clip(min=0).sum() / 365.25))


def test_referred_residents_ae_use_falls_by_the_planted_ratio(medium_model: Borough) -> None:
    b = medium_model
    events = b.events("ae_attendance")
    referred = np.flatnonzero(b.referrals["referral_day"] != NO_DATE)
    control = np.flatnonzero(b.referrals["arm"] == ARM_CONTROL)
    assert len(referred) > 200 and len(control) > 100
    opens = day_number(b.params.intervention_date("start_date"))
    closes = day_number(b.params.intervention_date("end_date"))
    pseudo = np.full(len(control), (opens + closes) // 2)
    ratios = []
    for who, cut in ((referred, b.referrals["referral_day"][referred]), (control, pseudo)):
        begin = np.maximum(b.people["start_day"][who], b.config.first_day)
        end = b.people["end_day"][who]
        before = _rate(events["person"], events["day"], who, begin, np.minimum(cut, end))
        after = _rate(events["person"], events["day"], who, cut, end)
        ratios.append(after / before)
    planted = b.params.section("intervention")["ae_rate_ratio"]
    assert abs(ratios[0] / ratios[1] - planted) < 0.12, ratios


def test_truth_states_the_planted_effect(small_borough: tuple[Path, dict[str, Any]]) -> None:
    out, summary = small_borough
    truth = json.loads((out / "truth" / "intervention.json").read_text())
    assert truth["planted_effect"]["outcome"] == "ae_attendances"
    assert 0 < truth["planted_effect"]["value"] < 1
    assert truth["referred"] == summary["intervention"]["referred"] > 0
    log_rows = (out / "extracts" / "iat_referral_log.csv").read_bytes().count(b"\n") - 1
    assert log_rows == truth["referred"] + summary["planted_bad_rows"]["iat_referral_log"]
