"""The built-in cohorts written the straightforward way in pandas: the baseline for bench_cohorts.

Each function takes the analysis base's tables as DataFrames and returns the set of person_keys,
so that the benchmark can check both implementations agree person for person as well as time them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from joinedup.analytics import codesets
from joinedup.analytics.frailty import CATEGORY_UPPER_BOUNDS, EFI_DEFICIT_COUNT
from joinedup.reference.files import read_reference_csv

Tables = dict[str, pd.DataFrame]
CATEGORIES = ["fit", "mild", "moderate", "severe"]


def load(connection: object) -> Tables:
    """Every base table as a DataFrame (the baseline's loading time is reported apart)."""
    names = ("events", "people", "registrations", "residence", "measurements", "areas")
    frames = {n: connection.execute(f"SELECT * FROM {n}").df() for n in names}  # type: ignore[attr-defined]
    for frame in frames.values():
        for column in frame.columns:
            if column.endswith(("date", "month", "since", "_on")):
                frame[column] = pd.to_datetime(frame[column])
    return frames


def _population(
    t: Tables, at: dt.date, registered: bool = False, alive: bool = True, resident: bool = False
) -> pd.DataFrame:
    when = pd.Timestamp(at)
    people = t["people"]
    people = people[people["birth_month"] <= when].copy()
    months = (when.year - people["birth_month"].dt.year) * 12 + (
        when.month - people["birth_month"].dt.month
    )
    people["age"] = months // 12
    if alive:
        people = people[people["death_date"].isna() | (people["death_date"] > when)]
    if registered:
        regs = t["registrations"]
        on = regs[
            (regs["registration_date"] <= when)
            & (regs["deregistration_date"].isna() | (regs["deregistration_date"] > when))
        ]
        people = people[people["person_key"].isin(on["person_key"])]
    known = t["residence"][t["residence"]["since"] <= when].sort_values("since")
    latest = known.groupby("person_key")["lsoa21"].last()
    people = people.merge(
        latest.rename("lsoa21"), left_on="person_key", right_index=True, how="left"
    )
    if resident:
        people = people[people["lsoa21"].isin(t["areas"]["lsoa21"])]
    return people


def _counts(t: Tables, kinds: list[str], start: dt.date | None, end: dt.date) -> pd.Series:
    events = t["events"]
    chosen = events[events["kind"].isin(kinds) & (events["event_date"] <= pd.Timestamp(end))]
    if start is not None:
        chosen = chosen[chosen["event_date"] >= pd.Timestamp(start)]
    return chosen.groupby("person_key").size()


def _months_before(at: dt.date, months: int) -> dt.date:
    stamp = pd.Timestamp(at) - pd.DateOffset(months=months) + pd.Timedelta(days=1)
    return stamp.date()


def _has_codes(t: Tables, codes: list[str], at: dt.date) -> pd.Series:
    events = t["events"]
    coded = events[
        (events["kind"] == "gp_condition")
        & events["code"].isin(codes)
        & (events["event_date"] <= pd.Timestamp(at))
    ]
    return coded.groupby("person_key")["code"].nunique()


def _frailty(t: Tables, at: dt.date) -> pd.Series:
    deficits = pd.DataFrame(read_reference_csv("efi_deficits.csv"))
    recorded = pd.DataFrame(read_reference_csv("frailty_codes.csv"))
    events = t["events"]
    coded = events[(events["kind"] == "gp_condition") & (events["event_date"] <= pd.Timestamp(at))]
    scored = coded.merge(deficits, on="code").groupby("person_key")["deficit_id"].nunique()
    efi = (scored / EFI_DEFICIT_COUNT).reindex(coded["person_key"].unique(), fill_value=0)
    rank = efi.apply(lambda v: next((i for i, b in enumerate(CATEGORY_UPPER_BOUNDS) if v <= b), 3))
    codes = coded.merge(recorded, on="code")
    coded_rank = codes.groupby("person_key")["category"].agg(
        lambda c: max(CATEGORIES.index(x) for x in c)
    )
    worst = pd.concat([rank, coded_rank], axis=1).max(axis=1)
    return worst.map(lambda r: CATEGORIES[int(r)])


def phm_first_phase(t: Tables) -> set[str]:
    at = dt.date(2019, 12, 31)
    people = _population(t, at, registered=True)
    people = people[people["age"].between(45, 60)]
    conditions = _has_codes(t, codesets.codes("long_term_conditions"), at)
    complex_ = _has_codes(t, codesets.codes("complex_conditions"), at)
    visits = _counts(t, ["gp_appointment"], dt.date(2019, 1, 1), at)
    keys = people["person_key"]
    chosen = keys[
        keys.map(conditions).fillna(0).between(1, 2)
        & ~keys.isin(complex_.index)
        & (keys.map(visits).fillna(0) >= 10)
    ]
    return set(chosen)


def childhood_obesity(t: Tables) -> set[str]:
    at = dt.date(2019, 8, 31)
    people = _population(t, at)
    measured = t["measurements"]
    window = measured[
        (measured["kind"] == "bmi_centile")
        & (measured["measured_on"] > pd.Timestamp(_months_before(at, 12)) - pd.Timedelta(days=1))
        & (measured["measured_on"] <= pd.Timestamp(at))
    ]
    latest = window.sort_values("measured_on").groupby("person_key")["value"].last()
    return set(people["person_key"][people["person_key"].map(latest) >= 95])


def _events_cohort(t: Tables, kind: str, threshold: int, months: int, registered: bool) -> set[str]:
    at = dt.date(2019, 12, 31)
    people = _population(t, at, registered=registered)
    people = people[people["age"] >= 18]
    counts = _counts(t, [kind], _months_before(at, months), at)
    return set(people["person_key"][people["person_key"].map(counts).fillna(0) >= threshold])


def high_intensity_ae(t: Tables) -> set[str]:
    return _events_cohort(t, "ae_attendance", 6, 12, registered=False)


def gp_frequent_attenders(t: Tables) -> set[str]:
    return _events_cohort(t, "gp_appointment", 20, 12, registered=True)


def frail_older_people(t: Tables) -> set[str]:
    at = dt.date(2019, 12, 31)
    people = _population(t, at, registered=True)
    people = people[people["age"] >= 65]
    frail = _frailty(t, at)
    return set(people["person_key"][people["person_key"].map(frail).isin(["moderate", "severe"])])


def fire_risk(t: Tables) -> set[str]:
    at = dt.date(2019, 12, 31)
    start = _months_before(at, 36)
    people = _population(t, at, resident=True)
    fires = _counts(t, ["fire_incident"], start, at)
    measured = t["measurements"]
    checks = measured[
        (measured["kind"] == "fire_risk_score")
        & (measured["measured_on"] >= pd.Timestamp(start))
        & (measured["measured_on"] <= pd.Timestamp(at))
    ]
    latest_check = checks.sort_values("measured_on").groupby("person_key")["value"].last()
    dementia = _has_codes(t, codesets.codes("dementia"), at)
    frail = _frailty(t, at)
    keys = people["person_key"]
    older = people["age"] >= 75
    chosen = (
        keys.isin(fires.index)
        | (keys.map(latest_check) >= 5)
        | (older & (keys.isin(dementia.index) | keys.map(frail).isin(["moderate", "severe"])))
    )
    return set(keys[chosen])


def multi_agency_contact(t: Tables) -> set[str]:
    at = dt.date(2019, 12, 31)
    people = _population(t, at, resident=True)
    events = t["events"]
    window = events[
        events["agency"].notna()
        & (events["event_date"] >= pd.Timestamp(_months_before(at, 12)))
        & (events["event_date"] <= pd.Timestamp(at))
    ]
    agencies = window.groupby("person_key")["agency"].nunique()
    return set(people["person_key"][people["person_key"].map(agencies).fillna(0) >= 3])


COHORTS: dict[str, Callable[[Tables], set[str]]] = {
    "phm_first_phase": phm_first_phase,
    "childhood_obesity": childhood_obesity,
    "high_intensity_ae": high_intensity_ae,
    "gp_frequent_attenders": gp_frequent_attenders,
    "frail_older_people": frail_older_people,
    "fire_risk": fire_risk,
    "multi_agency_contact": multi_agency_contact,
}
