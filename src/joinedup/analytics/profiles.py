"""Locality profiles: every LSOA and ward of the borough beside the borough, indicator by indicator.

A profile answers "how does this neighbourhood compare?" for the people who plan services by
place: who lives there (mid-year population, age structure, deprivation), how often residents meet
services (crude rates of GP appointments, A&E attendances, emergency admissions, police incidents,
accidental dwelling fires and homelessness applications; age-standardised A&E and admission rates),
childhood obesity, and how many residents are in each of the hub's built-in cohorts.

The order of work is what keeps it safe. Every count is made in SQL on the analysis base
(GROUP BY area, never a loop over events), on either engine (DuckDB or Spark,
:mod:`joinedup.engines`); every count, numerator and denominator alike, then goes through
disclosure control (:func:`joinedup.analytics.disclosure.publish`) over all the areas of a level
at once; only then are rates, percentages and intervals made, from the controlled counts. A hidden count hides its rate, its interval and its comparison; it is never read as 0.

docs/locality-profiles.md is the readers' guide.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

import xlsxwriter

from joinedup import exports
from joinedup.analytics import base, charts, disclosure, provenance, stats
from joinedup.analytics.cohorts import library
from joinedup.analytics.cohorts import run as cohort_runs
from joinedup.analytics.cohorts.compiler import compile_definition
from joinedup.analytics.cohorts.language import Definition
from joinedup.analytics.disclosure import (
    RULE,
    Controlled,
    Count,
    Crosstab,
    Percentage,
    Rate,
    Reason,
    Table,
    publish,
)
from joinedup.analytics.events import SOURCES
from joinedup.engines import Engine
from joinedup.feeds import agreements
from joinedup.reference.files import reference_path

PURPOSE = "locality_profiling"
# The resident population is the registered population's backbone: without the GP register there
# is no denominator, so a purpose refused for it refuses the whole profile.
POPULATION_FEEDS = ("gp_patients",)

BOROUGH = "borough"
LEVELS = ("lsoa", "ward")
LEVEL_TITLES = {"lsoa": "LSOA", "ward": "ward", BOROUGH: "borough"}
SHEET_NAMES = {"lsoa": "LSOA", "ward": "Ward"}
ALL = "all"  # the one column of a family of single counts
OUTSIDE = "outside the borough or unknown"  # the label cohort runs give people with no LSOA
OBESITY_CENTILE = 95
PER_RESIDENTS = 1000
PER_STANDARD = 100_000
FEED_OF_KIND = {source.kind: source.feed for source in SOURCES}

Progress = Callable[[str], None]
Kind = Literal["count", "decile", "percentage", "crude_rate", "standardised_rate"]
Key = tuple[str, str, str]  # (level, area code, column) of one count
CohortRunner = Callable[[str, dict[str, str]], cohort_runs.CohortRun]


class ProfileYearError(ValueError):
    """A year the snapshot does not cover from 1 January to 31 December."""


# The indicators -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """What one column of the profile is, for the files and for the reader."""

    key: str
    title: str
    unit: str
    kind: Kind
    definition: str
    feeds: tuple[str, ...] = ()
    decimals: int = 1

    @property
    def compared(self) -> bool:
        """Whether it has an interval and is compared with the borough."""
        return self.kind in ("percentage", "crude_rate", "standardised_rate")


@dataclass(frozen=True)
class AgeGroup:
    key: str
    label: str
    youngest: int
    oldest: int | None


@dataclass(frozen=True)
class EventRate:
    key: str
    kind: str  # the event kind in the base
    title: str
    standardised: bool = False


AGE_GROUPS = (
    AgeGroup("aged_0_15", "0-15", 0, 15),
    AgeGroup("aged_16_64", "16-64", 16, 64),
    AgeGroup("aged_65_plus", "65+", 65, None),
)
EVENT_RATES = (
    EventRate("gp_appointments", "gp_appointment", "GP appointments attended"),
    EventRate("ae_attendances", "ae_attendance", "A&E attendances", standardised=True),
    EventRate(
        "emergency_admissions", "emergency_admission", "Emergency admissions", standardised=True
    ),
    EventRate("police_incidents", "police_incident", "Police incidents"),
    EventRate("dwelling_fires", "fire_incident", "Accidental dwelling fires"),
    EventRate("homelessness_applications", "homelessness_application", "Homelessness applications"),
)
OBESITY = "childhood_obesity"
POPULATION = "population"


def catalogue(year: int) -> list[Indicator]:
    """The built-in indicators for ``year``, in the order the files show them."""
    mid = f"30 June {year}"
    indicators = [
        Indicator(
            POPULATION,
            "Resident population at mid-year",
            "residents",
            "count",
            f"People alive and born on {mid} whose LSOA on that day (the latest address any "
            "partner recorded on or before it) is in the area.",
            POPULATION_FEEDS,
            decimals=0,
        ),
        Indicator(
            "census_2021_residents",
            "Usual residents at Census 2021",
            "usual residents",
            "count",
            "Census 2021 usual residents (ONS), beside the hub's own count for comparison.",
            decimals=0,
        ),
        Indicator(
            "imd2019_decile",
            "Deprivation: IMD 2019 decile",
            "decile (1 = most deprived)",
            "decile",
            "Index of Multiple Deprivation 2019 decile of the best-fitting 2011 LSOA "
            "(1 = the most deprived tenth of England). Wards and the borough: the mean of their "
            "LSOAs' deciles weighted by Census 2021 residents.",
        ),
        Indicator(
            "imd2025_decile",
            "Deprivation: IMD 2025 decile",
            "decile (1 = most deprived)",
            "decile",
            "Index of Multiple Deprivation 2025 decile (1 = the most deprived tenth of England). "
            "Wards and the borough: the mean of their LSOAs' deciles weighted by Census 2021 "
            "residents.",
        ),
    ]
    indicators += [
        Indicator(
            group.key,
            f"Residents aged {group.label}",
            "% of residents",
            "percentage",
            f"Residents aged {group.label} on {mid} as a percentage of the mid-year residents; "
            "Wilson score 95% interval.",
            POPULATION_FEEDS,
        )
        for group in AGE_GROUPS
    ]
    for rate in EVENT_RATES:
        feeds = (*POPULATION_FEEDS, FEED_OF_KIND[rate.kind])
        indicators.append(
            Indicator(
                f"{rate.key}_rate",
                rate.title,
                "per 1,000 residents",
                "crude_rate",
                f"{rate.title} in {year} by residents, per 1,000 mid-year residents. An event "
                "counts in the area where the person lived on its day. Byar's 95% interval "
                "(exact Poisson below 10 events).",
                feeds,
            )
        )
    for rate in EVENT_RATES:
        if rate.standardised:
            indicators.append(
                Indicator(
                    f"{rate.key}_dsr",
                    f"{rate.title}, age-standardised",
                    "per 100,000 (age-standardised)",
                    "standardised_rate",
                    f"{rate.title} in {year}, directly standardised to the 2013 European Standard "
                    "Population in its 19 five-year bands (age at the event; residents by band at "
                    "mid-year), per 100,000. Dobson's 95% interval. Not computed from fewer than "
                    "10 events, or when a band has no residents or a hidden count.",
                    (*POPULATION_FEEDS, FEED_OF_KIND[rate.kind]),
                )
            )
    indicators.append(
        Indicator(
            OBESITY,
            "Children with obesity (school measurements)",
            "% of children measured",
            "percentage",
            f"Children measured at school in {year} whose latest BMI in the year is at or above "
            f"the {OBESITY_CENTILE}th centile of the UK90 reference, as a percentage of the "
            "children measured; counted where the child lived when measured. Wilson score 95% "
            "interval.",
            (*POPULATION_FEEDS, "school_measurements"),
        )
    )
    return indicators


# What a profile holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One indicator for one area as published: a value (with its interval), or a mark."""

    value: float | None
    lower: float | None = None
    upper: float | None = None
    comparison: stats.Comparison = "not compared"
    count: Controlled[int] | None = None
    denominator: Controlled[int] | None = None
    mark: str = RULE.hidden_symbol  # shown in place of the value when there is none
    method: str = ""

    def estimate(self) -> stats.Estimate:
        if self.value is None or self.lower is None or self.upper is None:
            reason = (
                stats.NO_DENOMINATOR if self.mark == RULE.not_applicable_symbol else stats.REDACTED
            )
            return stats.not_computed(self.method, reason)
        return stats.Estimate(self.value, self.lower, self.upper, self.method)

    def shown(self, part: Literal["value", "lower", "upper"] = "value") -> float | str:
        """The value or a bound for a file or a page; the mark when there is no value."""
        number = {"value": self.value, "lower": self.lower, "upper": self.upper}[part]
        return self.mark if self.value is None or number is None else number


def display(
    figure: Figure, indicator: Indicator, part: Literal["value", "lower", "upper"] = "value"
) -> str:
    """A figure as a person reads it: thousands separated, the indicator's decimals, or the mark."""
    number = figure.shown(part)
    if isinstance(number, str):
        return number
    if isinstance(number, int):
        return f"{number:,}"
    return f"{number:,.{indicator.decimals}f}"


@dataclass(frozen=True)
class AreaProfile:
    level: str  # 'lsoa', 'ward' or 'borough'
    code: str
    name: str
    figures: Mapping[str, Figure]
    ward_code: str | None = None
    ward_name: str | None = None


@dataclass(frozen=True)
class LocalityProfiles:
    """What a build published: controlled figures only, and what they were made from."""

    run_id: str
    year: int
    mid_year: dt.date
    snapshot: dict[str, Any]
    purpose: str
    agreements: dict[str, str]  # feed -> the agreement that lets it be used for the purpose
    disclosure_control: str
    indicators: tuple[Indicator, ...]
    left_out: dict[str, str]  # indicator or cohort -> why it is not in the profile
    cohort_runs: dict[str, str]  # cohort -> its run id in the provenance log
    lsoas: tuple[AreaProfile, ...]
    wards: tuple[AreaProfile, ...]
    borough: AreaProfile
    folder: Path
    outputs: tuple[str, ...] = ()
    seconds: float = 0.0

    def areas(self, level: str) -> tuple[AreaProfile, ...]:
        return {"lsoa": self.lsoas, "ward": self.wards, BOROUGH: (self.borough,)}[level]

    def area(self, code: str) -> AreaProfile:
        for area in (*self.lsoas, *self.wards, self.borough):
            if area.code == code:
                return area
        raise KeyError(code)

    def as_dict(self) -> dict[str, Any]:
        """A summary for JSON: the borough's figures, what was left out, where the files are."""
        return {
            "run_id": self.run_id,
            "year": self.year,
            "mid_year": self.mid_year.isoformat(),
            "snapshot": self.snapshot,
            "purpose": self.purpose,
            "agreements": self.agreements,
            "disclosure_control": self.disclosure_control,
            "areas": {"lsoa": len(self.lsoas), "ward": len(self.wards)},
            "indicators": [_indicator_summary(self, i) for i in self.indicators],
            "left_out": self.left_out,
            "cohort_runs": self.cohort_runs,
            "folder": str(self.folder),
            "outputs": list(self.outputs),
            "seconds": round(self.seconds, 3),
        }


def _indicator_summary(profiles: LocalityProfiles, indicator: Indicator) -> dict[str, Any]:
    figure = profiles.borough.figures[indicator.key]
    summary: dict[str, Any] = {
        "key": indicator.key,
        "title": indicator.title,
        "unit": indicator.unit,
        "borough": figure.shown(),
    }
    if indicator.compared:
        summary["borough_interval"] = [figure.shown("lower"), figure.shown("upper")]
        wards = [area.figures[indicator.key].comparison for area in profiles.wards]
        summary["wards"] = {c: wards.count(c) for c in ("higher", "similar", "lower")}
    return summary


# Building -------------------------------------------------------------------------------------


def build_profiles(
    home: Path,
    year: int | None = None,
    out: Path | None = None,
    today: dt.date | None = None,
    progress: Progress = lambda _step: None,
    engine: str | None = None,
) -> LocalityProfiles:
    """Every LSOA's and ward's profile for ``year`` (by default the last full calendar year of
    the snapshot), written to ``out`` (by default HOME/analytics/profiles/<snapshot>-<year>).
    ``engine`` (``duckdb`` or ``spark``, else the hub's own) counts; either gives the same figures."""
    on_engine = base.open_on(home, engine, progress)
    try:
        return profiles_from_base(on_engine, home, year, out, today, progress=progress)
    finally:
        on_engine.close()


def profiles_from_base(
    engine: Engine,
    home: Path,
    year: int | None = None,
    out: Path | None = None,
    today: dt.date | None = None,
    *,
    run_cohort: CohortRunner | None = None,
    boundaries: Boundaries | None = None,
    progress: Progress = lambda _step: None,
) -> LocalityProfiles:
    """:func:`build_profiles` on an analysis base open on an engine (a hand-built one, in tests;
    a DuckDB connection goes in as ``DuckDBEngine(connection)``).

    ``run_cohort`` runs a cohort by name with parameters (by default
    :func:`joinedup.analytics.cohorts.run.run_cohort` on ``home``); ``boundaries`` are the maps'
    areas (by default the borough's packaged boundaries).
    """
    started = time.perf_counter()
    snapshot = base.engine_snapshot(engine)
    year = profile_year(snapshot, year)
    on = today or dt.date.today()
    indicators, covering, left_out = _authorise(home, catalogue(year), on)
    indicators, uncovered = _covered(indicators, _feed_years(engine), year)
    left_out |= uncovered
    geography = _geography(engine)
    progress("Counting residents and events")
    published = _publish_counts(geography, _raw_counts(engine, year, indicators))
    progress("Running the built-in cohorts")
    runner = run_cohort or _default_runner(home, on, progress, engine.name)
    cohorts = _cohorts(home, snapshot, year, on, runner, geography)
    left_out |= cohorts.left_out
    covering |= cohorts.agreements
    figures = _figures(geography, indicators, published, cohorts.cells)
    every = (*indicators, *cohorts.indicators)
    _compare(every, figures)
    folder = out or home / "analytics" / "profiles" / f"{snapshot.name}-{year}"
    profiles = LocalityProfiles(
        run_id="",
        year=year,
        mid_year=dt.date(year, 6, 30),
        snapshot=_snapshot_record(snapshot),
        purpose=PURPOSE,
        agreements=covering,
        disclosure_control=RULE.version,
        indicators=every,
        left_out=left_out,
        cohort_runs=cohorts.run_ids,
        lsoas=_area_profiles(geography, "lsoa", figures),
        wards=_area_profiles(geography, "ward", figures),
        borough=_area_profiles(geography, BOROUGH, figures)[0],
        folder=folder,
    )
    progress("Writing the profiles")
    outputs = write_outputs(profiles, boundaries or Boundaries.packaged())
    run_id = provenance.record(home, _provenance_entry(profiles, outputs))
    return replace(
        profiles,
        run_id=run_id,
        outputs=tuple(outputs),
        seconds=time.perf_counter() - started,
    )


def profile_year(snapshot: base.Snapshot, year: int | None) -> int:
    """``year``, checked to lie whole within the snapshot; by default its last full year."""
    first, last = snapshot.first_event, snapshot.last_event
    first_full = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    last_full = last.year if (last.month, last.day) == (12, 31) else last.year - 1
    chosen = last_full if year is None else year
    if not first_full <= chosen <= last_full:
        raise ProfileYearError(
            f"the snapshot covers whole calendar years {first_full} to {last_full} only "
            f"(events from {snapshot.first_event} to {snapshot.last_event}); choose one of those"
        )
    return chosen


def _snapshot_record(snapshot: base.Snapshot) -> dict[str, Any]:
    return {"name": snapshot.name, **snapshot.record()}


# Governance -----------------------------------------------------------------------------------


def _authorise(
    home: Path, indicators: Sequence[Indicator], on: dt.date
) -> tuple[list[Indicator], dict[str, str], dict[str, str]]:
    """The indicators whose feeds may be used for the purpose, the agreement for each feed, and
    why each other indicator is left out. A purpose refused for the population refuses all."""
    try:
        core = agreements.authorise_purpose(home, PURPOSE, POPULATION_FEEDS, on)
    except agreements.AgreementRefusedError as error:
        raise agreements.AgreementRefusedError(
            f"locality profiles are refused: {error}. The profiles' denominators come from "
            f"{', '.join(POPULATION_FEEDS)}, so nothing can be published without it."
        ) from error
    covering = {feed: agreement.id for feed, agreement in core.items()}
    refused: dict[str, str] = {}
    for feed in sorted({f for i in indicators for f in i.feeds} - set(covering)):
        try:
            found = agreements.authorise_purpose(home, PURPOSE, [feed], on)
            covering |= {name: agreement.id for name, agreement in found.items()}
        except agreements.AgreementRefusedError as error:
            refused[feed] = str(error)
    kept = [i for i in indicators if not set(i.feeds) & set(refused)]
    left_out = {
        i.title: "; ".join(refused[f] for f in i.feeds if f in refused)
        for i in indicators
        if set(i.feeds) & set(refused)
    }
    return kept, covering, left_out


def _feed_years(engine: Engine) -> dict[str, tuple[int, int]]:
    """The first and last year of each event feed's records in the base (the children's BMI
    centiles are measurements made from the school measurement feed's events)."""
    rows = engine.rows(
        "SELECT kind, min(event_date), max(event_date) FROM events GROUP BY kind UNION ALL "
        "SELECT 'school_measurement', min(measured_on), max(measured_on) FROM measurements "
        "WHERE kind = 'bmi_centile' HAVING count(*) > 0"
    )
    years: dict[str, tuple[int, int]] = {}
    for kind, first, last in rows:
        feed = FEED_OF_KIND.get(str(kind))
        if feed is not None:
            known = years.get(feed, (first.year, last.year))
            years[feed] = (min(known[0], first.year), max(known[1], last.year))
    return years


def _covered(
    indicators: Sequence[Indicator], years: Mapping[str, tuple[int, int]], year: int
) -> tuple[list[Indicator], dict[str, str]]:
    """The indicators whose event feeds have records in ``year``: a year before a feed began, or
    a feed never loaded, would otherwise show as a rate of 0 rather than as no data."""
    kept, left_out = [], {}
    event_feeds = set(FEED_OF_KIND.values())
    for indicator in indicators:
        gaps = []
        for feed in (f for f in indicator.feeds if f in event_feeds):
            if feed not in years:
                gaps.append(f"the base holds no {feed} records")
            elif not years[feed][0] <= year <= years[feed][1]:
                first, last = years[feed]
                gaps.append(f"the {feed} records run from {first} to {last}, not {year}")
        if gaps:
            left_out[indicator.title] = "; ".join(gaps)
        else:
            kept.append(indicator)
    return kept, left_out


# Areas ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geography:
    """The borough's LSOAs and wards from the base's areas table, in name order."""

    names: Mapping[str, Mapping[str, str]]  # level -> code -> name
    ward_of: Mapping[str, str]  # LSOA -> ward
    census: Mapping[str, int]  # LSOA -> Census 2021 usual residents
    imd: Mapping[str, Mapping[str, int]]  # 'imd2019_decile' / 'imd2025_decile' -> LSOA -> decile

    def codes(self, level: str) -> list[str]:
        return list(self.names[level])

    def lsoas_in(self, level: str, code: str) -> list[str]:
        if level == BOROUGH:
            return self.codes("lsoa")
        if level == "ward":
            return [lsoa for lsoa in self.codes("lsoa") if self.ward_of[lsoa] == code]
        return [code]


def _geography(engine: Engine) -> Geography:
    rows = engine.rows(
        "SELECT lsoa21, lsoa_name, ward_code, ward_name, imd_decile, imd2025_decile, "
        "census_residents FROM areas ORDER BY lsoa_name, lsoa21"
    )
    wards = sorted({(row[3], row[2]) for row in rows})
    return Geography(
        names={
            "lsoa": {row[0]: row[1] for row in rows},
            "ward": {code: name for name, code in wards},
            BOROUGH: {BOROUGH: "Borough"},
        },
        ward_of={row[0]: row[2] for row in rows},
        census={row[0]: int(row[6] or 0) for row in rows},
        imd={
            "imd2019_decile": {row[0]: int(row[4]) for row in rows if row[4] is not None},
            "imd2025_decile": {row[0]: int(row[5]) for row in rows if row[5] is not None},
        },
    )


# Counting, in SQL -----------------------------------------------------------------------------


def _esp_bands() -> dict[str, int]:
    return stats.load_esp2013()


def _band_sql(bands: Sequence[str]) -> str:
    """The ESP2013 band of ``age``: its label, or NULL for an age below 0 (a data error)."""
    lowest = sorted(((int(b.split("-")[0].rstrip("+")), b) for b in bands), reverse=True)
    return "CASE " + " ".join(f"WHEN age >= {low} THEN '{band}'" for low, band in lowest) + " END"


def _age_group_sql() -> str:
    whens = [
        f"WHEN age >= {g.youngest}"
        + ("" if g.oldest is None else f" AND age <= {g.oldest}")
        + f" THEN '{g.label}'"
        for g in AGE_GROUPS
    ]
    return "CASE " + " ".join(whens) + " END"


def _prepare(engine: Engine, year: int, kinds: Sequence[str]) -> None:
    """Residents at mid-year, the year's events and measured children, each with their LSOA."""
    start, mid, end = (f"DATE '{dt.date(year, m, d)}'" for m, d in ((1, 1), (6, 30), (12, 31)))
    # One address a person a day: two partners can record different ones for the same day, and
    # the lower code is taken so that the same data always gives the same figures.
    engine.create_table(
        "profile_residence",
        "SELECT person_key, since, min(lsoa21) AS lsoa21 FROM residence "
        f"WHERE since <= {end} GROUP BY person_key, since",
    )
    engine.create_table(
        "profile_residents",
        f"""
        SELECT CAST(date_diff('month', p.birth_month, {mid}) // 12 AS INTEGER) AS age,
               a.lsoa21, a.ward_code
        FROM people AS p
        JOIN (SELECT person_key, arg_max(lsoa21, since) AS lsoa21 FROM profile_residence
              WHERE since <= {mid} GROUP BY person_key) AS r ON r.person_key = p.person_key
        JOIN areas AS a ON a.lsoa21 = r.lsoa21
        WHERE p.birth_month <= {mid} AND (p.death_date IS NULL OR p.death_date > {mid})
        """,
    )
    listed = ", ".join(f"'{kind}'" for kind in kinds) or "NULL"
    engine.create_table(
        "profile_events",
        f"""
        WITH year_events AS (
            SELECT person_key, kind, event_date FROM events
            WHERE kind IN ({listed}) AND event_date BETWEEN {start} AND {end}
        ), placed AS ({_lived_on_sql("year_events", "event_date")})
        SELECT e.kind, a.lsoa21, a.ward_code,
               CAST(date_diff('month', p.birth_month, e.event_date) // 12 AS INTEGER) AS age
        FROM year_events AS e
        JOIN placed AS r ON r.person_key = e.person_key AND r.event_date = e.event_date
        JOIN areas AS a ON a.lsoa21 = r.lsoa21
        LEFT JOIN people AS p ON p.person_key = e.person_key
        """,
    )
    engine.create_table(
        "profile_children",
        f"""
        WITH daily AS (
            SELECT person_key, measured_on, max(value) AS centile FROM measurements
            WHERE kind = 'bmi_centile' AND measured_on BETWEEN {start} AND {end}
            GROUP BY person_key, measured_on
        ), latest AS (
            SELECT person_key, max(measured_on) AS measured_on,
                   arg_max(centile, measured_on) AS centile
            FROM daily GROUP BY person_key
        ), placed AS ({_lived_on_sql("latest", "measured_on")})
        SELECT l.centile >= {OBESITY_CENTILE} AS obese, a.lsoa21, a.ward_code
        FROM latest AS l
        JOIN placed AS r ON r.person_key = l.person_key AND r.measured_on = l.measured_on
        JOIN areas AS a ON a.lsoa21 = r.lsoa21
        """,
    )


def _lived_on_sql(dated: str, day: str) -> str:
    """Each (person_key, ``day``) of the relation ``dated`` with the LSOA the person lived in on
    that day: their latest address in profile_residence on or before it (none before it, no
    row). A join on the person and the dates, kept to the latest, rather than DuckDB's ASOF
    JOIN, so that every engine runs it; profile_residence holds one address a person a day."""
    return f"""
        SELECT d.person_key, d.{day}, arg_max(r.lsoa21, r.since) AS lsoa21
        FROM (SELECT DISTINCT person_key, {day} FROM {dated}) AS d
        JOIN profile_residence AS r ON r.person_key = d.person_key AND r.since <= d.{day}
        GROUP BY d.person_key, d.{day}
    """


@dataclass(frozen=True)
class Family:
    """Counts that belong together: one column (a count an area), or several that add up to a
    known total (age groups add up to the population). Disclosure control treats it as a table."""

    name: str
    columns: tuple[str, ...]
    raw: Mapping[Key, int]  # never leaves this module: only published cells do


def _raw_counts(engine: Engine, year: int, indicators: Sequence[Indicator]) -> list[Family]:
    """Every count the profile needs, by LSOA, by ward and for the borough, in one SQL pass."""
    keys = {i.key for i in indicators}
    rates = [r for r in EVENT_RATES if f"{r.key}_rate" in keys]
    standardised = [r for r in EVENT_RATES if f"{r.key}_dsr" in keys]
    bands = tuple(_esp_bands())
    _prepare(engine, year, sorted({r.kind for r in rates}))
    band, group = _band_sql(bands), _age_group_sql()
    columns: dict[str, tuple[str, ...]] = {
        POPULATION: (ALL,),
        "age_groups": tuple(g.label for g in AGE_GROUPS),
    }
    sources = [
        f"SELECT lsoa21, ward_code, '{POPULATION}' AS family, '{ALL}' AS col FROM profile_residents",
        f"SELECT lsoa21, ward_code, 'age_groups', {group} FROM profile_residents",
    ]
    if standardised:
        columns["population_bands"] = bands
        sources.append(
            f"SELECT lsoa21, ward_code, 'population_bands', {band} FROM profile_residents"
        )
    for rate in rates:
        columns[f"events:{rate.kind}"] = (ALL,)
    if rates:
        sources.append(f"SELECT lsoa21, ward_code, 'events:' || kind, '{ALL}' FROM profile_events")
    for rate in standardised:
        columns[f"bands:{rate.kind}"] = bands
        sources.append(
            f"SELECT lsoa21, ward_code, 'bands:' || kind, {band} FROM profile_events "
            f"WHERE kind = '{rate.kind}'"
        )
    if OBESITY in keys:
        columns |= {"measured": (ALL,), "obesity": ("obese", "not obese")}
        sources += [
            f"SELECT lsoa21, ward_code, 'measured', '{ALL}' FROM profile_children",
            "SELECT lsoa21, ward_code, 'obesity', "
            "CASE WHEN obese THEN 'obese' ELSE 'not obese' END FROM profile_children",
        ]
    counts = _area_counts(engine, sources)
    return [Family(name, cols, counts.get(name, {})) for name, cols in columns.items()]


def _area_counts(engine: Engine, sources: Sequence[str]) -> dict[str, dict[Key, int]]:
    """Rows of (lsoa21, ward_code, family, col) counted by LSOA, by ward and for the borough."""
    rows = engine.rows(
        f"""
        SELECT CASE WHEN grouping(lsoa21) = 0 THEN 'lsoa'
                    WHEN grouping(ward_code) = 0 THEN 'ward' ELSE '{BOROUGH}' END AS level,
               coalesce(lsoa21, ward_code, '{BOROUGH}') AS area, family, col, count(*) AS n
        FROM ({" UNION ALL ".join(sources)}) AS counted
        WHERE col IS NOT NULL
        GROUP BY GROUPING SETS ((family, col, lsoa21), (family, col, ward_code), (family, col))
        """
    )
    counts: dict[str, dict[Key, int]] = {}
    for level, area, family, column, n in rows:
        counts.setdefault(str(family), {})[(str(level), str(area), str(column))] = int(n)
    return counts


# Disclosure control ---------------------------------------------------------------------------


Published = Mapping[str, Mapping[Key, Controlled[int]]]


def _publish_counts(geography: Geography, families: Sequence[Family]) -> Published:
    return {family.name: _publish_family(geography, family) for family in families}


def _publish_family(geography: Geography, family: Family) -> dict[Key, Controlled[int]]:
    """The family through the one door: a table over all the areas of each level, and the
    borough's own figures; then cells the levels would give away are hidden as well."""
    cells: dict[Key, Controlled[int]] = {}
    columns = family.columns
    for level in LEVELS:
        areas = geography.codes(level)
        if len(columns) == 1:
            (column,) = columns
            table = publish(Table({a: family.raw.get((level, a, column), 0) for a in areas}, areas))
            cells |= {(level, a, column): table.cells[a] for a in areas}
        else:
            counts = {(a, c): family.raw.get((level, a, c), 0) for a in areas for c in columns}
            crosstab = publish(Crosstab(counts, areas, columns))
            cells |= {(level, a, c): crosstab.cells[(a, c)] for a in areas for c in columns}
    borough = {c: family.raw.get((BOROUGH, BOROUGH, c), 0) for c in columns}
    if len(columns) == 1:
        cells[(BOROUGH, BOROUGH, columns[0])] = publish(Count(borough[columns[0]]))
    else:
        table = publish(Table(borough, columns))
        cells |= {(BOROUGH, BOROUGH, c): table.cells[c] for c in columns}
    return hide_derivable(geography, columns, cells, family.raw)


def hide_derivable(
    geography: Geography,
    columns: Sequence[str],
    cells: Mapping[Key, Controlled[int]],
    sizes: Mapping[Key, int],
    beyond: Mapping[str, Sequence[str]] | None = None,
) -> dict[Key, Controlled[int]]:
    """Hide more cells until no hidden cell can be worked out by subtraction across levels.

    Each level was controlled as its own table, but the levels are published side by side, and
    a ward is the sum of its LSOAs: a ward published beside all but one of its LSOAs gives that
    one away, and a hidden ward beside all its LSOAs gives itself away. So every set of cells
    that adds up (a ward and its LSOAs; the borough and its wards, or its LSOAs; an area's
    columns, whose total is known) must hide none or at least two. Where one is hidden, one more
    is: the cell that also mends the most other such sets, then the smallest (by ``sizes``),
    then the first; until nothing changes. This only ever hides more than the door did; it never
    shows anything the door hid.
    ``beyond``: per level, labels of cells outside the borough's areas that are still part of its
    sums (a cohort's people with no LSOA, or an LSOA outside the borough).
    """
    lines = _summing_lines(geography, columns, beyond or {})
    return disclosure.hide_across_lines(cells, lines, sizes)


def _summing_lines(
    geography: Geography, columns: Sequence[str], beyond: Mapping[str, Sequence[str]]
) -> list[list[Key]]:
    lines: list[list[Key]] = []
    if len(columns) > 1:
        for level in (BOROUGH, *LEVELS):
            lines += [[(level, a, c) for c in columns] for a in geography.codes(level)]
    for column in columns:
        top = (BOROUGH, BOROUGH, column)
        for level in LEVELS:
            areas = [*geography.codes(level), *beyond.get(level, ())]
            lines.append([top, *((level, a, column) for a in areas)])
        for ward in geography.codes("ward"):
            lsoas = geography.lsoas_in("ward", ward)
            lines.append([("ward", ward, column), *(("lsoa", a, column) for a in lsoas)])
    return lines


# Cohorts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortFigures:
    indicators: tuple[Indicator, ...]
    cells: Mapping[str, Mapping[Key, Controlled[int]]]  # indicator key -> its controlled cells
    left_out: dict[str, str]
    run_ids: dict[str, str]
    agreements: dict[str, str]  # feed -> the agreement that lets the cohorts use it


def _default_runner(home: Path, on: dt.date, progress: Progress, engine: str) -> CohortRunner:
    def run(name: str, parameters: dict[str, str]) -> cohort_runs.CohortRun:
        progress(f"Cohort {name}")
        return cohort_runs.run_cohort(home, name, parameters, today=on, engine=engine)

    return run


def cohort_parameters(definition: Definition, year: int) -> dict[str, str]:
    """A cohort's dates moved to the end of the profile's year, and its ``year`` to the year, so
    that its figures are of the same year as the rest of the profile."""
    values = {}
    for name, parameter in definition.parameters.items():
        if parameter.type == "date":
            values[name] = dt.date(year, 12, 31).isoformat()
        elif parameter.type == "integer" and name == "year":
            values[name] = str(year)
    return values


def _cohorts(
    home: Path,
    snapshot: base.Snapshot,
    year: int,
    on: dt.date,
    runner: CohortRunner,
    geography: Geography,
) -> CohortFigures:
    """The built-in cohorts whose feeds may all be used for the profiles' purpose, each run
    (and recorded) by the cohort runner, its controlled area tables taken as they are."""
    indicators: list[Indicator] = []
    cells: dict[str, dict[Key, Controlled[int]]] = {}
    left_out: dict[str, str] = {}
    run_ids: dict[str, str] = {}
    covering: dict[str, str] = {}
    for name, entry in sorted(library.entries(home).items()):
        if entry.origin != "built-in":
            continue
        label = f"Cohort: {entry.definition.title}"
        parameters = cohort_parameters(entry.definition, year)
        try:
            feeds = compile_definition(entry.definition, parameters, snapshot.last_event).feeds
            purpose = entry.definition.purpose  # a cohort runs under its own purpose
            found = agreements.authorise_purpose(home, purpose, feeds, on)
            result = runner(name, parameters)
        except (agreements.AgreementRefusedError, ValueError) as error:
            left_out[label] = str(error)
            continue
        key = f"cohort_{name}"
        indicators.append(_cohort_indicator(key, label, result, tuple(sorted(feeds))))
        cells[key] = _cohort_cells(geography, result)
        run_ids[name] = result.run_id
        covering |= {feed: agreement.id for feed, agreement in found.items()}
    return CohortFigures(tuple(indicators), cells, left_out, run_ids, covering)


def _cohort_indicator(
    key: str, label: str, result: cohort_runs.CohortRun, feeds: tuple[str, ...]
) -> Indicator:
    return Indicator(
        key,
        label,
        "people",
        "count",
        f"People in the cohort {result.name} (version {result.version}) on "
        f"{result.population_date.isoformat()}, where they lived on that day, as "
        "`joinedup cohorts run` counts them (controlled by the cohort run).",
        feeds,
        decimals=0,
    )


def _cohort_cells(
    geography: Geography, result: cohort_runs.CohortRun
) -> dict[Key, Controlled[int]]:
    """The run's controlled tables keyed as the profile's own counts; an area a table lacks is
    hidden, never 0."""
    missing: Controlled[int] = Controlled(None, Reason.SECONDARY)
    cells: dict[Key, Controlled[int]] = {(BOROUGH, BOROUGH, ALL): result.total}
    beyond: dict[str, list[str]] = {}
    tables = {"lsoa": result.by_lsoa, "ward": result.by_ward}
    for level, table in tables.items():
        labels = {
            code if level == "lsoa" else name: code for code, name in geography.names[level].items()
        }
        for label, code in labels.items():
            cells[(level, code, ALL)] = table.cells.get(label, missing)
        beyond[level] = [label for label in table.cells if label not in labels]
        cells |= {(level, label, ALL): table.cells[label] for label in beyond[level]}
    sizes = {key: cell.value or 0 for key, cell in cells.items()}
    protected = hide_derivable(geography, (ALL,), cells, sizes, beyond)
    return {key: protected[key] for key in cells if key[1] not in beyond.get(key[0], ())}


# Figures --------------------------------------------------------------------------------------


def _half_up(value: float, decimals: int) -> float:
    """Rounded as the disclosure module rounds its rates, so a value and its bounds agree."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def _count_figure(count: Controlled[int]) -> Figure:
    return Figure(count.value, mark=count.display)


def _with_interval(
    value: float,
    interval: stats.Estimate,
    scale: float,
    count: Controlled[int],
    denominator: Controlled[int],
    decimals: int = 1,
) -> Figure:
    assert interval.lower is not None and interval.upper is not None
    return Figure(
        value,
        min(_half_up(interval.lower * scale, decimals), value),
        max(_half_up(interval.upper * scale, decimals), value),
        count=count,
        denominator=denominator,
        method=interval.method,
    )


def _rate_figure(count: Controlled[int], population: Controlled[int]) -> Figure:
    rate = publish(Rate(count, population, per=PER_RESIDENTS))
    if rate.value is None or count.value is None or population.value is None:
        return Figure(None, count=count, denominator=population, mark=rate.display)
    interval = stats.rate_interval(count.value, population.value, per=PER_RESIDENTS)
    return _with_interval(rate.value, interval, 1, count, population)


def _percentage_figure(part: Controlled[int], whole: Controlled[int]) -> Figure:
    percentage = publish(Percentage(part, whole))
    if percentage.value is None or part.value is None or whole.value is None:
        return Figure(None, count=part, denominator=whole, mark=percentage.display)
    interval = stats.wilson_interval(part.value, whole.value)
    return _with_interval(percentage.value, interval, 100, part, whole)


def _standardised_figure(
    events: Mapping[str, Controlled[int]],
    residents: Mapping[str, Controlled[int]],
    standard: Mapping[str, int],
    count: Controlled[int],
    population: Controlled[int],
) -> Figure:
    estimate = stats.directly_standardised_rate(
        {band: cell.value for band, cell in events.items()},
        {band: cell.value for band, cell in residents.items()},
        standard,
        per=PER_STANDARD,
    )
    if estimate.value is None:
        return Figure(None, count=count, denominator=population, method=estimate.method)
    return _with_interval(_half_up(estimate.value, 1), estimate, 1, count, population)


def _decile_figure(geography: Geography, key: str, level: str, code: str) -> Figure:
    deciles = geography.imd[key]
    lsoas = [a for a in geography.lsoas_in(level, code) if a in deciles]
    if level == "lsoa":
        return Figure(deciles[code]) if lsoas else Figure(None, mark=RULE.not_applicable_symbol)
    weight = sum(geography.census[a] for a in lsoas)
    if not weight:
        return Figure(None, mark=RULE.not_applicable_symbol)
    mean = sum(deciles[a] * geography.census[a] for a in lsoas) / weight
    return Figure(_half_up(mean, 1))


FigureTable = dict[tuple[str, str], dict[str, Figure]]  # (level, area) -> indicator -> figure


@dataclass(frozen=True)
class _AreaCells:
    """One area's controlled counts, by family and column."""

    published: Published
    level: str
    code: str

    def __call__(self, family: str, column: str = ALL) -> Controlled[int]:
        return self.published[family][(self.level, self.code, column)]


def _figures(
    geography: Geography,
    indicators: Sequence[Indicator],
    published: Published,
    cohorts: Mapping[str, Mapping[Key, Controlled[int]]],
) -> FigureTable:
    keys = {i.key for i in indicators}
    standard = _esp_bands()
    table: FigureTable = {}
    for level in (BOROUGH, *LEVELS):
        for code in geography.codes(level):
            cell = _AreaCells(published, level, code)
            figures = _population_figures(geography, cell)
            figures |= _event_figures(keys, cell, standard)
            if OBESITY in keys:
                figures[OBESITY] = _percentage_figure(cell("obesity", "obese"), cell("measured"))
            figures |= {key: _count_figure(c[(level, code, ALL)]) for key, c in cohorts.items()}
            table[(level, code)] = figures
    return table


def _population_figures(geography: Geography, cell: _AreaCells) -> dict[str, Figure]:
    population = cell(POPULATION)
    lsoas = geography.lsoas_in(cell.level, cell.code)
    figures = {
        POPULATION: _count_figure(population),
        "census_2021_residents": Figure(sum(geography.census[a] for a in lsoas)),
    }
    figures |= {k: _decile_figure(geography, k, cell.level, cell.code) for k in geography.imd}
    for group in AGE_GROUPS:
        figures[group.key] = _percentage_figure(cell("age_groups", group.label), population)
    return figures


def _event_figures(
    keys: set[str], cell: _AreaCells, standard: Mapping[str, int]
) -> dict[str, Figure]:
    population = cell(POPULATION)
    figures = {}
    for rate in EVENT_RATES:
        if f"{rate.key}_rate" not in keys:
            continue
        count = cell(f"events:{rate.kind}")
        figures[f"{rate.key}_rate"] = _rate_figure(count, population)
        if f"{rate.key}_dsr" in keys:
            figures[f"{rate.key}_dsr"] = _standardised_figure(
                {band: cell(f"bands:{rate.kind}", band) for band in standard},
                {band: cell("population_bands", band) for band in standard},
                standard,
                count,
                population,
            )
    return figures


def _compare(indicators: Sequence[Indicator], table: FigureTable) -> None:
    """Each area against the borough, from the figures as published (so that a reader can check
    any flag from the interval and the borough value printed beside it)."""
    for indicator in indicators:
        if not indicator.compared:
            continue
        benchmark = table[(BOROUGH, BOROUGH)][indicator.key].value
        for (level, _), figures in table.items():
            if level != BOROUGH:
                figure = figures[indicator.key]
                comparison = stats.compare_to_benchmark(figure.estimate(), benchmark)
                figures[indicator.key] = replace(figure, comparison=comparison)


def _area_profiles(geography: Geography, level: str, table: FigureTable) -> tuple[AreaProfile, ...]:
    areas = []
    for code, name in geography.names[level].items():
        ward = geography.ward_of.get(code) if level == "lsoa" else None
        ward_name = geography.names["ward"][ward] if ward else None
        areas.append(AreaProfile(level, code, name, table[(level, code)], ward, ward_name))
    return tuple(areas)


# Outputs --------------------------------------------------------------------------------------


MAP_PROPERTIES = {"lsoa": ("lsoa21_code", "lsoa21_name"), "ward": ("ward_code", "ward_name")}


@dataclass(frozen=True)
class Boundaries:
    """GeoJSON FeatureCollections (WGS84) of the LSOAs and the wards, for the maps."""

    lsoa: Mapping[str, Any]
    ward: Mapping[str, Any]

    @classmethod
    def packaged(cls) -> Boundaries:
        def read(name: str) -> Any:
            return json.loads(reference_path(name).read_text(encoding="utf-8"))

        return cls(
            read("chorley_lsoa21_boundaries.geojson"), read("chorley_wards2025_boundaries.geojson")
        )

    def of(self, level: str) -> Mapping[str, Any]:
        return self.lsoa if level == "lsoa" else self.ward

    def codes(self, level: str) -> set[str]:
        code_property = MAP_PROPERTIES[level][0]
        features = self.of(level).get("features", [])
        return {str(f.get("properties", {}).get(code_property)) for f in features}


def write_outputs(profiles: LocalityProfiles, boundaries: Boundaries) -> list[str]:
    """Writes the CSVs, the workbook, the maps, the charts and the page; their paths, relative
    to the folder. Files are readable by their owner only, like every export."""
    folder = profiles.folder
    for sub in (folder, folder / "maps", folder / "charts"):
        sub.mkdir(parents=True, exist_ok=True, mode=0o700)
    written: list[str] = []
    sheets = []
    for level in LEVELS:
        header, rows = level_table(profiles, level)
        name = f"profiles_{level}.csv"
        exports.write_csv(folder / name, header, rows)
        written.append(name)
        sheets.append((SHEET_NAMES[level], header, rows))
    sheets.append(("Notes", ["Topic", "Note"], [list(note) for note in notes(profiles)]))
    _write_workbook(folder / "profiles.xlsx", sheets)
    written.append("profiles.xlsx")
    pictures = _write_pictures(profiles, boundaries)
    written += [p for group in pictures.values() for p in group.values()]
    _write_text(folder / "index.html", _page(profiles, pictures))
    written.append("index.html")
    return written


def level_table(profiles: LocalityProfiles, level: str) -> tuple[list[str], list[list[object]]]:
    """The header and one row per area of the level, the borough last, for CSV and Excel."""
    header = ["area_type", "area_code", "area_name"]
    if level == "lsoa":
        header += ["ward_code", "ward_name"]
    for indicator in profiles.indicators:
        header += indicator_columns(indicator)
    rows = []
    for area in (*profiles.areas(level), profiles.borough):
        row: list[object] = [area.level, area.code, area.name]
        if level == "lsoa":
            row += [area.ward_code or "", area.ward_name or ""]
        for indicator in profiles.indicators:
            row += _indicator_cells(indicator, area.figures[indicator.key])
        rows.append(row)
    return header, rows


def indicator_columns(indicator: Indicator) -> list[str]:
    if not indicator.compared:
        return [f"{indicator.key}_value"]
    parts = ("count", "denominator", "value", "lower", "upper", "comparison")
    return [f"{indicator.key}_{part}" for part in parts]


def _indicator_cells(indicator: Indicator, figure: Figure) -> list[object]:
    if not indicator.compared:
        return [figure.shown()]
    count = figure.count.export() if figure.count is not None else figure.mark
    denominator = figure.denominator.export() if figure.denominator is not None else figure.mark
    return [
        count,
        denominator,
        figure.shown(),
        figure.shown("lower"),
        figure.shown("upper"),
        figure.comparison,
    ]


def _owner_only(path: Path) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)


def _write_text(path: Path, text: str) -> None:
    _owner_only(path)
    path.write_text(text, encoding="utf-8")


def _write_workbook(
    path: Path, sheets: Sequence[tuple[str, list[str], list[list[object]]]]
) -> None:
    """Several sheets in one workbook, every text cell neutralised as exports.write_xlsx does
    (that writer makes one sheet only)."""
    _owner_only(path)
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True})
    for name, header, rows in sheets:
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, header, bold)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(number, column, str(exports.neutralise(value)))
                elif value is not None:
                    sheet.write(number, column, value)
        sheet.freeze_panes(1, 3 if name != "Notes" else 1)
    workbook.close()
    path.chmod(0o600)


Pictures = dict[str, dict[str, str]]  # indicator key -> 'map_lsoa' / 'map_ward' / 'bars' -> path


def _write_pictures(profiles: LocalityProfiles, boundaries: Boundaries) -> Pictures:
    # A rebuild may leave an indicator out that an earlier build drew: its old pictures go, so
    # that the folder holds this build's files only.
    for stale in (
        *profiles.folder.glob("maps/*_*.svg"),
        *profiles.folder.glob("charts/ward_*.svg"),
    ):
        stale.unlink()
    pictures: Pictures = {}
    for indicator in profiles.indicators:
        drawn: dict[str, str] = {}
        for level in LEVELS:
            path = f"maps/{level}_{indicator.key}.svg"
            _write_text(profiles.folder / path, _map(profiles, indicator, level, boundaries))
            drawn[f"map_{level}"] = path
        if indicator.compared:
            path = f"charts/ward_{indicator.key}.svg"
            _write_text(profiles.folder / path, _bars(profiles, indicator))
            drawn["bars"] = path
        pictures[indicator.key] = drawn
    return pictures


def _decimals(indicator: Indicator, level: str) -> int:
    return 0 if indicator.kind == "decile" and level == "lsoa" else indicator.decimals


def _map(
    profiles: LocalityProfiles, indicator: Indicator, level: str, boundaries: Boundaries
) -> str:
    on_map = boundaries.codes(level)
    values = {
        area.code: area.figures[indicator.key].value
        for area in profiles.areas(level)
        if area.code in on_map
    }
    code_property, name_property = MAP_PROPERTIES[level]
    return charts.choropleth_svg(
        boundaries.of(level),
        values,
        code_property=code_property,
        name_property=name_property,
        title=f"{indicator.title}, {profiles.year}, by {LEVEL_TITLES[level]}",
        legend_title=indicator.unit,
        decimals=_decimals(indicator, level),
    )


def _bars(profiles: LocalityProfiles, indicator: Indicator) -> str:
    rows = [(area.name, area.figures[indicator.key].estimate()) for area in profiles.wards]
    return charts.bar_chart_svg(
        rows,
        profiles.borough.figures[indicator.key].value,
        f"{indicator.title}, {profiles.year}: wards compared with the borough",
        indicator.unit,
        decimals=indicator.decimals,
    )


def notes(profiles: LocalityProfiles) -> list[tuple[str, str]]:
    """The methods, the rule, the data and the sources, for the workbook and the page."""
    snapshot = profiles.snapshot
    lines = [
        ("Year", f"{profiles.year} (1 January to 31 December); residents counted on 30 June."),
        (
            "Snapshot",
            f"{snapshot['name']}: analytic zone {snapshot['zone_version']}, linkage run "
            f"{snapshot['linkage_run']} (model {snapshot['linkage_model']}), events to "
            f"{snapshot['last_event']}.",
        ),
        ("Purpose", profiles.purpose),
        (
            "Agreements",
            "; ".join(
                f"{feed}: {agreement}" for feed, agreement in sorted(profiles.agreements.items())
            ),
        ),
        ("Disclosure control", profiles.disclosure_control),
        (
            "Symbols",
            f"{RULE.hidden_symbol}: hidden by disclosure control, or not computed from what was "
            f"published (never a zero). {RULE.not_applicable_symbol}: nothing to divide by.",
        ),
        (
            "Disclosure method",
            "Every count (numerators and denominators, each area and the borough) was controlled "
            "before any figure was made from it: counts of 1 to 7 hidden, others rounded to the "
            "nearest 5; more cells hidden so that no hidden count can be worked out from totals, "
            "from the other areas, or from a ward and its LSOAs. Rates, percentages and "
            "intervals are made from the controlled counts, so a hidden count hides them too.",
        ),
        (
            "Comparison with the borough",
            "Higher or lower: the borough's value lies outside the area's 95% confidence "
            "interval (as published). Similar: it lies inside. Not compared: the area's figure "
            "is hidden or not computed. Higher is not better or worse: that depends on the "
            "indicator.",
        ),
    ]
    lines += [(i.title, f"{i.definition} Unit: {i.unit}.") for i in profiles.indicators]
    lines += [(f"Left out: {name}", why) for name, why in sorted(profiles.left_out.items())]
    lines += [
        (
            "Sources",
            "Partner records in the hub's analytic zone (see Agreements). Census 2021 usual "
            "residents (ONS, OGL v3.0). English Indices of Deprivation 2019 and 2025 (MHCLG, OGL "
            "v3.0). 2013 European Standard Population (Eurostat). UK90 BMI reference (RCPCH). "
            "LSOA 2021 and ward 2025 boundaries (ONS Open Geography Portal, OGL; contains OS "
            "data © Crown copyright and database right 2025).",
        ),
    ]
    return lines


# The page -------------------------------------------------------------------------------------

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; margin: 0; line-height: 1.4; }
main { max-width: 960px; margin: 0 auto; padding: 16px; }
a { color: #1d70b8; } a:focus { outline: 3px solid #ffdd00; background: #ffdd00; }
figure { margin: 16px 0; } img { max-width: 100%; height: auto; border: 1px solid #b1b4b6; }
figcaption { font-weight: bold; margin-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0 24px; font-size: 0.9em; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 4px 8px; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
dt { font-weight: bold; margin-top: 8px; } dd { margin-left: 0; }
"""


def _svg_description(svg_path: Path) -> str:
    """The chart's own summary (its <desc>), as the image's text alternative."""
    found = ET.parse(svg_path).getroot().find(f"{{{charts.SVG_NS}}}desc")
    return (found.text or "") if found is not None else ""


def _page(profiles: LocalityProfiles, pictures: Pictures) -> str:
    e = html.escape
    title = f"Locality profiles, {profiles.year}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_STYLE}</style></head>",
        "<body><main>",
        f"<h1>{e(title)}</h1>",
        f"<p>Every LSOA and ward of the borough compared with the borough, from snapshot "
        f"{e(profiles.snapshot['name'])}. Figures are controlled for disclosure: "
        f"{e(RULE.hidden_symbol)} marks a figure hidden or not computed, never a zero.</p>",
        '<p>Download: <a href="profiles.xlsx">workbook (Excel)</a>, '
        '<a href="profiles_lsoa.csv">LSOAs (CSV)</a>, <a href="profiles_ward.csv">wards (CSV)</a>. '
        'How to read these figures: <a href="#notes">notes</a>.</p>',
        '<nav aria-label="Indicators"><h2>Indicators</h2><ul>',
        *(f'<li><a href="#{e(i.key)}">{e(i.title)}</a></li>' for i in profiles.indicators),
        "</ul></nav>",
    ]
    for indicator in profiles.indicators:
        parts += _indicator_section(profiles, indicator, pictures[indicator.key])
    parts += ['<h2 id="notes">Notes</h2>', "<dl>"]
    parts += [f"<dt>{e(topic)}</dt><dd>{e(text)}</dd>" for topic, text in notes(profiles)]
    parts += ["</dl>", "</main></body></html>", ""]
    return "\n".join(parts)


def _indicator_section(
    profiles: LocalityProfiles, indicator: Indicator, drawn: Mapping[str, str]
) -> list[str]:
    e = html.escape
    borough = profiles.borough.figures[indicator.key]
    value = f"{display(borough, indicator)} {indicator.unit}"
    if indicator.compared and borough.value is not None:
        lower, upper = display(borough, indicator, "lower"), display(borough, indicator, "upper")
        value += f" (95% confidence interval {lower} to {upper})"
    parts = [
        f'<section aria-labelledby="{e(indicator.key)}">',
        f'<h2 id="{e(indicator.key)}">{e(indicator.title)}</h2>',
        f"<p>{e(indicator.definition)}</p>",
        f"<p>Borough: <strong>{e(value)}</strong>.</p>",
    ]
    for role in ("bars", "map_ward", "map_lsoa"):
        if role in drawn:
            path = drawn[role]
            svg = profiles.folder / path
            caption = ET.parse(svg).getroot().find(f"{{{charts.SVG_NS}}}title")
            text = caption.text if caption is not None and caption.text else indicator.title
            parts.append(
                f'<figure><figcaption>{e(text)}</figcaption><img src="{e(path)}" '
                f'alt="{e(_svg_description(svg))}"></figure>'
            )
    parts += _ward_table(profiles, indicator)
    parts.append("</section>")
    return parts


def _ward_table(profiles: LocalityProfiles, indicator: Indicator) -> list[str]:
    e = html.escape
    columns = ["Ward", "Value"]
    if indicator.compared:
        columns += ["Lower 95%", "Upper 95%", "Compared with the borough"]
    parts = [
        f"<table><caption>{e(indicator.title)} by ward ({e(indicator.unit)})</caption>",
        "<thead><tr>" + "".join(f'<th scope="col">{e(c)}</th>' for c in columns) + "</tr></thead>",
        "<tbody>",
    ]
    for area in (*profiles.wards, profiles.borough):
        figure = area.figures[indicator.key]
        cells = [display(figure, indicator)]
        if indicator.compared:
            comparison = "benchmark" if area.level == BOROUGH else figure.comparison
            lower, upper = display(figure, indicator, "lower"), display(figure, indicator, "upper")
            cells += [lower, upper, comparison]
        row = "".join(f'<td class="number">{e(cell)}</td>' for cell in cells)
        parts.append(f'<tr><th scope="row">{e(area.name)}</th>{row}</tr>')
    parts.append("</tbody></table>")
    return parts


# Provenance -----------------------------------------------------------------------------------


def _provenance_entry(profiles: LocalityProfiles, outputs: Sequence[str]) -> dict[str, Any]:
    def digest(name: str) -> str:
        return hashlib.sha256((profiles.folder / name).read_bytes()).hexdigest()

    return {
        "kind": "profiles",
        "purpose": profiles.purpose,
        "year": profiles.year,
        "mid_year": profiles.mid_year.isoformat(),
        "snapshot": profiles.snapshot,
        "disclosure_control": profiles.disclosure_control,
        "agreements": sorted(set(profiles.agreements.values())),
        "agreements_by_feed": profiles.agreements,
        "indicators": [i.key for i in profiles.indicators],
        "left_out": profiles.left_out,
        "cohort_runs": profiles.cohort_runs,
        "folder": os.fspath(profiles.folder),
        "outputs": {name: digest(name) for name in outputs},
    }
