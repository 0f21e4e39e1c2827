"""Risk profiles: a primary-care score per person and a community score per area.

Both are additive scores whose parts are shown: each part turns one measure into points by a
table of steps (``PRIMARY_CARE_PARTS``, ``COMMUNITY_PARTS``), so the output, the command line and
the docs show the same numbers. They are transparent judgement scales for finding people and
places to look at first, not fitted models; the fitted HIU model is in ``hiu_model``.

The primary-care profile is computed in SQL for every registered person, on either engine
(DuckDB or Spark, :mod:`joinedup.engines`), which score every person alike. What leaves by
default is counts by band and by ward, through disclosure control; the person-level list
(pseudonymous person_keys and points) leaves only when case finding is asked for, and the
request is recorded.

The community profile is per area (LSOA and ward): the analytic zone has no household key, so a
household profile waits for one from the identity zone. Every rate goes through disclosure
control, and an area's points are worked out from the published rates alone, so the score tells
nothing the published figures do not.

A part whose feed no agreement lets be used for the purpose is left out, and named as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joinedup.analytics import base, codesets, disclosure, frailty, provenance
from joinedup.engines import Engine, sql_string
from joinedup.feeds import agreements

Progress = Callable[[str], None]
PRIMARY_CARE_PURPOSE = "population_health_management"
COMMUNITY_PURPOSE = "community_risk_profiling"
PRIMARY_CARE_MONTHS = 12
COMMUNITY_MONTHS = 36  # fires and homelessness are rare: one year per LSOA is mostly [c]
FRAILTY_FROM_AGE = 65  # the eFI was built for people aged 65 and over
HIGH_FIRE_RISK_SCORE = 4  # home fire safety check scores run 1-5; 4 and 5 are high
POPULATION_FEEDS = ("gp_patients",)  # the registered list is who the hub knows still lives here
UNKNOWN_AREA = "outside the borough or unknown"


# Governance ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Permission:
    """Which agreement covers each feed used, and which feeds were left out and why."""

    purpose: str
    agreements: Mapping[str, str]
    left_out: Mapping[str, str]

    def allows(self, feeds: Iterable[str]) -> bool:
        return all(feed in self.agreements for feed in feeds)


def permit(
    home: Path, purpose: str, required: Iterable[str], optional: Iterable[str], on: dt.date
) -> Permission:
    """Refused unless every required feed may be used for ``purpose``; optional feeds that may
    not are left out, with the register's reason, rather than used."""
    covering = dict(agreements.authorise_purpose(home, purpose, required, on))
    left_out: dict[str, str] = {}
    for feed in sorted(set(optional) - set(covering)):
        try:
            covering.update(agreements.authorise_purpose(home, purpose, [feed], on))
        except agreements.AgreementRefusedError as refusal:
            left_out[feed] = str(refusal)
    return Permission(purpose, {f: a.id for f, a in sorted(covering.items())}, left_out)


# Shared SQL -----------------------------------------------------------------------------------


def quoted(values: Iterable[str]) -> str:
    return ", ".join(map(sql_string, values))


def population_sql(at: dt.date, youngest: int = 0, resident_only: bool = False) -> str:
    """People registered with a GP and alive on ``at``: person_key, sex, age, lsoa21 (their
    latest address on or before ``at``; NULL when none is known). Two addresses recorded for the
    same day give the lower code, so that every engine places a person alike."""
    day = f"DATE '{at.isoformat()}'"
    resident = "AND r.lsoa21 IN (SELECT lsoa21 FROM areas)" if resident_only else ""
    return f"""
        SELECT p.person_key, p.sex,
               CAST(date_diff('month', p.birth_month, {day}) // 12 AS INTEGER) AS age, r.lsoa21
        FROM people AS p
        LEFT JOIN (SELECT person_key, arg_max(lsoa21, since) AS lsoa21
                   FROM (SELECT person_key, since, min(lsoa21) AS lsoa21 FROM residence
                         WHERE since <= {day} GROUP BY person_key, since) AS daily
                   GROUP BY person_key) AS r USING (person_key)
        WHERE p.birth_month <= {day} AND (p.death_date IS NULL OR p.death_date > {day})
          AND date_diff('month', p.birth_month, {day}) // 12 >= {youngest}
          AND p.person_key IN (SELECT person_key FROM registrations WHERE registration_date <= {day}
              AND (deregistration_date IS NULL OR deregistration_date > {day}))
          {resident}
    """


def months_window(at: dt.date, months: int) -> str:
    """The ``months`` months up to and including ``at``, as the cohort language's 'within'."""
    day = f"DATE '{at.isoformat()}'"
    return f"event_date > {day} - INTERVAL {months} MONTH AND event_date <= {day}"


def event_counts_sql(columns: Mapping[str, str], window: str) -> str:
    """Per person, how many events of each kind fell in the window: {column: kind}."""
    counts = ", ".join(
        f"count(*) FILTER (WHERE kind = '{kind}') AS {column}" for column, kind in columns.items()
    )
    return f"""
        SELECT person_key, {counts} FROM events
        WHERE kind IN ({quoted(columns.values())}) AND {window} GROUP BY person_key
    """


# Frailty already has its own part, so a recorded frailty code is not counted again here.
CONDITION_GROUPS = {
    "long_term_conditions": codesets.GROUPS["long_term_conditions"],
    "complex_conditions": tuple(
        c for c in codesets.GROUPS["complex_conditions"] if c != "frailty_recorded"
    ),
}


def condition_counts_sql(at: dt.date) -> str:
    """Per person, how many distinct conditions of each group were recorded by ``at`` (two codes
    for one condition count once)."""
    rows = ", ".join(
        f"('{code}', '{condition}', '{group}')"
        for group, conditions in CONDITION_GROUPS.items()
        for condition in conditions
        for code in codesets.codes(condition)
    )
    counts = ", ".join(
        f"count(DISTINCT c.condition) FILTER (WHERE c.grp = '{group}') AS {group}"
        for group in CONDITION_GROUPS
    )
    return f"""
        SELECT e.person_key, {counts}
        FROM events AS e JOIN (VALUES {rows}) AS c(code, condition, grp) ON e.code = c.code
        WHERE e.kind = 'gp_condition' AND e.event_date <= DATE '{at.isoformat()}'
        GROUP BY e.person_key
    """


def frailty_rank_sql(at: dt.date, population: str) -> str:
    """Per person of ``population`` (SQL with person_key), the frailty category on ``at`` as a
    rank: 0 fit, 1 mild, 2 moderate, 3 severe."""
    coded = (
        "(SELECT person_key, code, event_date AS date_recorded FROM events "
        "WHERE kind = 'gp_condition')"
    )
    ranks = " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(frailty.CATEGORIES))
    return f"""
        SELECT person_key, CASE frailty_category {ranks} END AS frailty
        FROM ({frailty.efi_sql(coded, at, population=population)})
    """


# The primary-care profile -------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One part of the primary-care score: a measure per person and its points.

    ``points`` are (at least, points) steps in rising order; a person gets the points of the
    highest step their measure reaches, 0 below the first."""

    name: str
    measures: str
    feeds: tuple[str, ...]
    points: tuple[tuple[int, int], ...]

    def points_for(self, measure: int) -> int:
        return max((p for least, p in self.points if measure >= least), default=0)

    def points_sql(self, column: str) -> str:
        steps = " ".join(f"WHEN {column} >= {least} THEN {p}" for least, p in self.points[::-1])
        return f"CASE {steps} ELSE 0 END"


PRIMARY_CARE_PARTS: tuple[Part, ...] = (
    Part("age", "age in whole years on the date", (), ((65, 1), (75, 2), (85, 3))),
    Part(
        "long_term_conditions",
        "long-term conditions ever recorded: hypertension, diabetes, asthma, COPD, CHD, CKD, "
        "depression, obesity",
        ("gp_conditions",),
        ((1, 1), (2, 2), (3, 3)),
    ),
    Part(
        "complex_conditions",
        "complex conditions ever recorded: heart failure, dementia, serious mental illness, "
        "learning disability",
        ("gp_conditions",),
        ((1, 2), (2, 3)),
    ),
    Part(
        "frailty",
        "eFI frailty category, aged 65+ (0 fit, 1 mild, 2 moderate, 3 severe)",
        ("gp_conditions",),
        ((1, 1), (2, 2), (3, 3)),
    ),
    Part(
        "gp_appointments",
        "GP appointments attended in the 12 months to the date",
        ("gp_appointments",),
        ((12, 1), (24, 2)),
    ),
    Part(
        "gp_missed_appointments",
        "GP appointments missed in the 12 months to the date",
        ("gp_appointments",),
        ((2, 1), (4, 2)),
    ),
    Part(
        "ae_attendances",
        "A&E attendances in the 12 months to the date",
        ("ae_attendances",),
        ((1, 1), (3, 2), (5, 3)),
    ),
    Part(
        "emergency_admissions",
        "emergency admissions in the 12 months to the date",
        ("emergency_admissions",),
        ((1, 2), (3, 3)),
    ),
    Part(
        "mental_health_contacts",
        "secondary mental health contacts attended in the 12 months to the date",
        ("mental_health_contacts",),
        ((1, 1), (10, 2)),
    ),
)
ACTIVITY_KINDS = {
    "gp_appointments": "gp_appointment",
    "gp_missed_appointments": "gp_missed_appointment",
    "ae_attendances": "ae_attendance",
    "emergency_admissions": "emergency_admission",
    "mental_health_contacts": "mental_health_contact",
}


@dataclass(frozen=True)
class Band:
    name: str
    at_least: int  # total points


BANDS: tuple[Band, ...] = (
    Band("low", 0),
    Band("moderate", 3),
    Band("high", 6),
    Band("very high", 10),
)
BAND_NAMES = tuple(b.name for b in BANDS)


def band_of(total: int) -> str:
    return [b.name for b in BANDS if total >= b.at_least][-1]


def band_sql(total: str) -> str:
    steps = " ".join(f"WHEN {total} >= {b.at_least} THEN '{b.name}'" for b in BANDS[::-1])
    return f"CASE {steps} END"


def primary_care_sql(at: dt.date, parts: Sequence[Part] = PRIMARY_CARE_PARTS) -> str:
    """One row per registered person alive on ``at``: person_key, lsoa21, each part's measure,
    ``<part>_points``, ``total`` and ``band``. Only the parts given are read from the events."""
    sources = _measure_sources(at, {p.name for p in parts})
    joins = " ".join(f"LEFT JOIN ({sql}) USING (person_key)" for sql in sources)
    measures = ", ".join(
        "age" if p.name == "age" else f"coalesce({p.name}, 0) AS {p.name}" for p in parts
    )
    points = ", ".join(f"{p.points_sql(p.name)} AS {p.name}_points" for p in parts)
    total = " + ".join(f"{p.name}_points" for p in parts) or "0"
    return f"""
        WITH population AS ({population_sql(at)}),
        measured AS (SELECT person_key, lsoa21, {measures} FROM population {joins}),
        pointed AS (SELECT *, {points} FROM measured)
        SELECT *, {total} AS total, {band_sql(total)} AS band FROM pointed
    """


def _measure_sources(at: dt.date, names: set[str]) -> list[str]:
    """The per-person queries the named parts need, and no others."""
    sources = []
    activity = {c: k for c, k in ACTIVITY_KINDS.items() if c in names}
    if activity:
        sources.append(event_counts_sql(activity, months_window(at, PRIMARY_CARE_MONTHS)))
    if names & set(CONDITION_GROUPS):
        sources.append(condition_counts_sql(at))
    if "frailty" in names:
        older = f"(SELECT person_key FROM population WHERE age >= {FRAILTY_FROM_AGE})"
        sources.append(frailty_rank_sql(at, older))
    return sources


@dataclass
class PrimaryCareProfile:
    """What a primary-care run published: counts by band and ward, and its provenance."""

    run_id: str
    at: dt.date
    purpose: str
    agreements: list[str]
    left_out: dict[str, str]
    snapshot: dict[str, Any]
    parts: tuple[Part, ...]
    by_band: disclosure.ControlledTable[str]
    by_ward: disclosure.ControlledCrosstab[str, str]
    case_finding: list[dict[str, Any]] | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        result = {
            "run_id": self.run_id,
            "at": self.at.isoformat(),
            "purpose": self.purpose,
            "agreements": self.agreements,
            "parts_left_out": self.left_out,
            "snapshot": self.snapshot,
            "disclosure_control": disclosure.RULE.version,
            "points": [
                {"part": p.name, "measures": p.measures, "steps": [list(s) for s in p.points]}
                for p in self.parts
            ],
            "bands": {b.name: b.at_least for b in BANDS},
            "by_band": self.by_band.export_rows(),
            "by_ward": self.by_ward.export_rows(corner="ward"),
        }
        if self.case_finding is not None:
            result["case_finding"] = self.case_finding
        return result


def run_primary_care(
    home: Path,
    at: dt.date | None = None,
    case_finding_from: str | None = None,
    today: dt.date | None = None,
    progress: Progress = lambda _step: None,
    engine: str | None = None,
) -> PrimaryCareProfile:
    """The primary-care profile on the current snapshot's base (see :func:`primary_care`), on
    ``engine`` (``duckdb`` or ``spark``, else the hub's own: either scores every person alike).

    Example::

        profile = run_primary_care(Path("var"), case_finding_from="very high")
        profile.by_band.cells["very high"].display  # '1850'
    """
    on_engine = base.open_on(home, engine, progress)
    try:
        return primary_care(on_engine, home, at, case_finding_from, today)
    finally:
        on_engine.close()


def primary_care(
    engine: Engine,
    home: Path,
    at: dt.date | None = None,
    case_finding_from: str | None = None,
    today: dt.date | None = None,
) -> PrimaryCareProfile:
    """Score every registered person on ``at`` (default: the last day of data); publish counts
    by band and by ward. ``case_finding_from`` (a band) also releases the person-level list of
    everyone in that band or above, recorded in the provenance log. A DuckDB connection goes in
    as ``DuckDBEngine(connection)``."""
    snapshot = base.engine_snapshot(engine)
    at = at or snapshot.last_event
    if case_finding_from is not None and case_finding_from not in BAND_NAMES:
        raise ValueError(f"no band {case_finding_from!r}; bands are {', '.join(BAND_NAMES)}")
    optional = {f for p in PRIMARY_CARE_PARTS for f in p.feeds}
    permission = permit(
        home, PRIMARY_CARE_PURPOSE, POPULATION_FEEDS, optional, today or dt.date.today()
    )
    parts = tuple(p for p in PRIMARY_CARE_PARTS if permission.allows(p.feeds))
    engine.create_table("primary_care_risk", primary_care_sql(at, parts))
    by_band, by_ward = publish_by_ward_and_band(engine, "primary_care_risk", BAND_NAMES)
    listed = _case_finding(engine, parts, case_finding_from)
    run_id = provenance.record(
        home,
        {
            "kind": "risk_profile_primary_care",
            "population_date": at.isoformat(),
            "purpose": PRIMARY_CARE_PURPOSE,
            "agreements": sorted(set(permission.agreements.values())),
            "feeds": sorted(permission.agreements),
            "parts_left_out": sorted(permission.left_out),
            "snapshot": snapshot.record(),
            "disclosure_control": disclosure.RULE.version,
            "case_finding": case_finding_from is not None,
            "case_finding_from_band": case_finding_from,
            "person_keys_released": len(listed) if listed is not None else 0,
            "published_total": by_band.total.export(),
        },
    )
    return PrimaryCareProfile(
        run_id,
        at,
        PRIMARY_CARE_PURPOSE,
        sorted(set(permission.agreements.values())),
        dict(permission.left_out),
        snapshot.record(),
        parts,
        by_band,
        by_ward,
        listed,
    )


def publish_by_ward_and_band(
    engine: Engine, table: str, bands: Sequence[str]
) -> tuple[disclosure.ControlledTable[str], disclosure.ControlledCrosstab[str, str]]:
    """Rows of ``table`` (with lsoa21 and band) by ward and band as one table; the band counts
    are its column totals, so each figure is published once and the two views always agree."""
    rows = engine.rows(
        f"SELECT coalesce(a.ward_name, '{UNKNOWN_AREA}'), r.band, count(*) "
        f"FROM {table} AS r LEFT JOIN areas AS a USING (lsoa21) GROUP BY 1, 2"
    )
    counts = {(str(w), str(b)): int(n) for w, b, n in rows}
    wards = [str(w) for (w,) in engine.rows("SELECT DISTINCT ward_name FROM areas ORDER BY 1")]
    wards += sorted({w for w, _ in counts} - set(wards))
    by_ward = disclosure.publish(disclosure.Crosstab(counts, wards, bands))
    return disclosure.ControlledTable(dict(by_ward.column_totals), by_ward.grand_total), by_ward


def _case_finding(
    engine: Engine, parts: Sequence[Part], from_band: str | None
) -> list[dict[str, Any]] | None:
    if from_band is None:
        return None
    wanted = BAND_NAMES[BAND_NAMES.index(from_band) :]
    columns = ["person_key", *(f"{p.name}_points" for p in parts), "total", "band"]
    rows = engine.rows(
        f"SELECT {', '.join(columns)} FROM primary_care_risk WHERE band IN ({quoted(wanted)}) "
        "ORDER BY total DESC, person_key"
    )
    return [dict(zip(columns, row, strict=True)) for row in rows]


# The community profile ----------------------------------------------------------------------


@dataclass(frozen=True)
class AreaPart:
    """One part of the community score: a share of an area's residents, and its points.

    ``points`` are (at least, points) steps on the area's rate divided by the borough's; the
    deprivation part's steps are on the IMD decile, at most (decile 1 is the most deprived)."""

    name: str
    measures: str
    feeds: tuple[str, ...]
    per: int  # rate per this many residents; for deprivation, unused
    points: tuple[tuple[float, int], ...]

    def points_for(self, value: float, borough: float | None) -> int:
        if self.name == DEPRIVATION:
            return max((p for most, p in self.points if value <= most), default=0)
        if not borough:
            return 0
        return max((p for least, p in self.points if value / borough >= least), default=0)


DEPRIVATION = "imd_decile"
ABOVE_BOROUGH = ((1.2, 1), (1.5, 2))  # a fifth above the borough's rate, then half again
COMMUNITY_PARTS: tuple[AreaPart, ...] = (
    AreaPart("aged_75_plus", "% of residents aged 75 and over", (), 100, ABOVE_BOROUGH),
    AreaPart(
        DEPRIVATION, "IMD 2019 decile (1 = most deprived tenth of England)", (), 1, ((2, 2), (4, 1))
    ),
    AreaPart(
        "fire_incidents",
        "residents per 1,000 who had an accidental dwelling fire in the window",
        ("fire_activity",),
        1000,
        ABOVE_BOROUGH,
    ),
    AreaPart(
        "high_fire_risk_checks",
        f"residents per 1,000 whose home fire safety check scored {HIGH_FIRE_RISK_SCORE}+ in the window",
        ("fire_activity",),
        1000,
        ABOVE_BOROUGH,
    ),
    AreaPart(
        "police_incidents",
        "residents per 1,000 involved in a police incident in the window",
        ("police_incidents",),
        1000,
        ABOVE_BOROUGH,
    ),
    AreaPart(
        "homelessness_applications",
        "residents per 1,000 who made a homelessness application in the window",
        ("homelessness_applications",),
        1000,
        ABOVE_BOROUGH,
    ),
    AreaPart(
        "dementia_or_frailty",
        "residents per 1,000 with dementia recorded, or aged 65+ with moderate or severe frailty",
        ("gp_conditions",),
        1000,
        ABOVE_BOROUGH,
    ),
)
_EVENT_FLAGS = {
    "fire_incidents": "kind = 'fire_incident'",
    "high_fire_risk_checks": f"kind = 'home_fire_safety_check' AND value >= {HIGH_FIRE_RISK_SCORE}",
    "police_incidents": "kind = 'police_incident'",
    "homelessness_applications": "kind = 'homelessness_application'",
}
_EVENT_KINDS = (
    "fire_incident",
    "home_fire_safety_check",
    "police_incident",
    "homelessness_application",
)


AREA_COLUMNS = ("lsoa21", "lsoa_name", "ward_code", "ward_name", "imd_decile", "census_residents")


def area_count_columns(parts: Sequence[AreaPart]) -> list[str]:
    """The columns :func:`area_counts_sql` gives for ``parts``, in order."""
    names = {p.name for p in parts}
    counted = ["residents", "aged_75_plus", *(n for n in _EVENT_FLAGS if n in names)]
    if "dementia_or_frailty" in names:
        counted.append("dementia_or_frailty")
    return [*AREA_COLUMNS, *counted]


def area_counts_sql(at: dt.date, months: int, parts: Sequence[AreaPart]) -> str:
    """Per LSOA of the borough: residents (registered and alive on ``at``, living there) and how
    many of them each part counts (columns: :func:`area_count_columns`). Only the parts given
    are read from the events."""
    names = {p.name for p in parts}
    flags = {n: sql for n, sql in _EVENT_FLAGS.items() if n in names}
    counts = [
        "count(p.person_key) AS residents",
        "count(p.person_key) FILTER (WHERE p.age >= 75) AS aged_75_plus",
        *(f"count(p.person_key) FILTER (WHERE e.{n}) AS {n}" for n in flags),
    ]
    joins = ""
    if flags:
        ors = ", ".join(f"bool_or({sql}) AS {n}" for n, sql in flags.items())
        joins += (
            f" LEFT JOIN (SELECT person_key, {ors} FROM events WHERE kind IN "
            f"({quoted(_EVENT_KINDS)}) AND {months_window(at, months)} GROUP BY person_key) AS e "
            "USING (person_key)"
        )
    if "dementia_or_frailty" in names:
        counts.append("count(d.person_key) AS dementia_or_frailty")
        joins += f" LEFT JOIN ({_dementia_or_frailty_sql(at)}) AS d USING (person_key)"
    return f"""
        WITH population AS ({population_sql(at, resident_only=True)})
        SELECT {", ".join(f"a.{c}" for c in AREA_COLUMNS)},
               {", ".join(f"c.{c}" for c in area_count_columns(parts)[len(AREA_COLUMNS) :])}
        FROM areas AS a LEFT JOIN (SELECT p.lsoa21, {", ".join(counts)}
                                   FROM population AS p {joins} GROUP BY p.lsoa21) AS c
        USING (lsoa21) ORDER BY a.lsoa21
    """


def _dementia_or_frailty_sql(at: dt.date) -> str:
    dementia = quoted(codesets.codes("dementia"))
    older = f"(SELECT person_key FROM population WHERE age >= {FRAILTY_FROM_AGE})"
    return f"""
        SELECT person_key FROM events WHERE kind = 'gp_condition' AND code IN ({dementia})
            AND event_date <= DATE '{at.isoformat()}'
        UNION SELECT person_key FROM ({frailty_rank_sql(at, older)}) WHERE frailty >= 2
    """


@dataclass(frozen=True)
class AreaScore:
    """An area's published figures and the points each earns; no points for a hidden figure."""

    level: str  # lsoa, ward or borough
    code: str
    name: str
    residents: disclosure.Controlled[int]
    values: Mapping[str, disclosure.Controlled[float]]
    points: Mapping[str, int | None]

    @property
    def score(self) -> int:
        return sum(p for p in self.points.values() if p is not None)

    @property
    def hidden(self) -> list[str]:
        return [name for name, p in self.points.items() if p is None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "name": self.name,
            "residents": self.residents.export(),
            "values": {k: v.export() for k, v in self.values.items()},
            "points": {k: "[c]" if v is None else v for k, v in self.points.items()},
            "score": self.score,
            "parts_hidden": self.hidden,
        }


@dataclass
class CommunityProfile:
    """What a community run published: every area's rates and points, and its provenance."""

    run_id: str
    at: dt.date
    months: int
    purpose: str
    agreements: list[str]
    left_out: dict[str, str]
    snapshot: dict[str, Any]
    parts: tuple[AreaPart, ...]
    borough: AreaScore
    areas: list[AreaScore]

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "at": self.at.isoformat(),
            "months": self.months,
            "purpose": self.purpose,
            "agreements": self.agreements,
            "parts_left_out": self.left_out,
            "snapshot": self.snapshot,
            "disclosure_control": disclosure.RULE.version,
            "points": [
                {"part": p.name, "measures": p.measures, "steps": [list(s) for s in p.points]}
                for p in self.parts
            ],
            "borough": self.borough.as_dict(),
            "areas": [a.as_dict() for a in self.areas],
        }


def run_community(
    home: Path,
    at: dt.date | None = None,
    months: int = COMMUNITY_MONTHS,
    purpose: str = COMMUNITY_PURPOSE,
    today: dt.date | None = None,
    progress: Progress = lambda _step: None,
    engine: str | None = None,
) -> CommunityProfile:
    """The community profile on the current snapshot's base (see :func:`community`), on
    ``engine`` (``duckdb`` or ``spark``, else the hub's own: either gives the same figures).

    Example::

        profile = run_community(Path("var"), purpose="integrated_locality_working")
        [(a.name, a.score) for a in profile.areas if a.level == "ward"]
    """
    on_engine = base.open_on(home, engine, progress)
    try:
        return community(on_engine, home, at, months, purpose, today)
    finally:
        on_engine.close()


def community(
    engine: Engine,
    home: Path,
    at: dt.date | None = None,
    months: int = COMMUNITY_MONTHS,
    purpose: str = COMMUNITY_PURPOSE,
    today: dt.date | None = None,
) -> CommunityProfile:
    """Every LSOA's and ward's community risk figures on ``at`` (default: the last day of data),
    events counted over the ``months`` before it, each published through disclosure control.
    A DuckDB connection goes in as ``DuckDBEngine(connection)``."""
    if months < 1:
        raise ValueError("the window must be at least one month")
    snapshot = base.engine_snapshot(engine)
    at = at or snapshot.last_event
    optional = {f for p in COMMUNITY_PARTS for f in p.feeds}
    permission = permit(home, purpose, POPULATION_FEEDS, optional, today or dt.date.today())
    parts = tuple(p for p in COMMUNITY_PARTS if permission.allows(p.feeds))
    columns = area_count_columns(parts)
    lsoas = [
        dict(zip(columns, row, strict=True))
        for row in engine.rows(area_counts_sql(at, months, parts))
    ]
    borough = _borough_score(lsoas, parts)
    areas = [
        *_level_scores("lsoa", _by_lsoa(lsoas), parts, borough),
        *_level_scores("ward", _by_ward(lsoas), parts, borough),
    ]
    run_id = provenance.record(
        home,
        {
            "kind": "risk_profile_community",
            "population_date": at.isoformat(),
            "months": months,
            "purpose": purpose,
            "agreements": sorted(set(permission.agreements.values())),
            "feeds": sorted(permission.agreements),
            "parts_left_out": sorted(permission.left_out),
            "snapshot": snapshot.record(),
            "disclosure_control": disclosure.RULE.version,
            "published_residents": borough.residents.export(),
        },
    )
    return CommunityProfile(
        run_id,
        at,
        months,
        purpose,
        sorted(set(permission.agreements.values())),
        dict(permission.left_out),
        snapshot.record(),
        parts,
        borough,
        areas,
    )


# An area's raw counts and deprivation, before control: (code, name, counts, imd decile).
_Area = tuple[str, str, dict[str, int], float]


def _counts(row: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(v or 0) for k, v in row.items() if k not in AREA_COLUMNS}


def _by_lsoa(lsoas: list[dict[str, Any]]) -> list[_Area]:
    return [(r["lsoa21"], r["lsoa_name"], _counts(r), float(r["imd_decile"])) for r in lsoas]


def _by_ward(lsoas: list[dict[str, Any]]) -> list[_Area]:
    """Wards from their LSOAs: counts added; deprivation the LSOA deciles' mean weighted by
    census residents, since a ward is as deprived as the places its people live."""
    wards: dict[str, list[dict[str, Any]]] = {}
    for row in lsoas:
        wards.setdefault(row["ward_code"], []).append(row)
    return [(code, rows[0]["ward_name"], *_pooled(rows)) for code, rows in sorted(wards.items())]


def _pooled(rows: list[dict[str, Any]]) -> tuple[dict[str, int], float]:
    counts: dict[str, int] = {}
    for row in rows:
        for name, n in _counts(row).items():
            counts[name] = counts.get(name, 0) + n
    weights = sum(r["census_residents"] for r in rows) or 1
    decile = sum(r["imd_decile"] * r["census_residents"] for r in rows) / weights
    return counts, round(decile, 1)


def _borough_score(lsoas: list[dict[str, Any]], parts: Sequence[AreaPart]) -> AreaScore:
    counts, decile = _pooled(lsoas)
    residents = disclosure.publish(disclosure.Count(counts["residents"]))
    values = {p.name: _published_value(p, counts.get(p.name, 0), residents, decile) for p in parts}
    # The borough is what areas are compared with: it earns no points itself.
    return AreaScore("borough", "", "the borough", residents, values, {})


def _published_value(
    part: AreaPart,
    count: int | disclosure.Controlled[int],
    residents: disclosure.Controlled[int],
    decile: float,
) -> disclosure.Controlled[float]:
    if part.name == DEPRIVATION:
        return disclosure.Controlled(decile)  # published by the government, not a count of ours
    return disclosure.publish(disclosure.Rate(count, residents, per=part.per))


def _level_scores(
    level: str, areas: list[_Area], parts: Sequence[AreaPart], borough: AreaScore
) -> list[AreaScore]:
    """Each area's figures, every count published as one table across the level's areas (so
    secondary suppression sees them together), and the points its published rates earn."""
    codes = [code for code, *_ in areas]
    tables = {
        name: disclosure.publish(
            disclosure.Table({code: counts.get(name, 0) for code, _, counts, _ in areas}, codes)
        )
        for name in ["residents", *(p.name for p in parts if p.name != DEPRIVATION)]
    }
    scores = []
    for code, name, _, decile in areas:
        residents = tables["residents"].cells[code]
        values = {
            p.name: _published_value(
                p, tables[p.name].cells[code] if p.name in tables else 0, residents, decile
            )
            for p in parts
        }
        points = {p.name: _points(p, values[p.name], borough.values[p.name]) for p in parts}
        scores.append(AreaScore(level, code, name, residents, values, points))
    return scores


def _points(
    part: AreaPart, value: disclosure.Controlled[float], borough: disclosure.Controlled[float]
) -> int | None:
    if value.value is None:
        return None
    return part.points_for(value.value, borough.value)
