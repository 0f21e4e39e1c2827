"""The community risk profile per household: who lives together, and what puts their home at risk.

A household is everyone whose latest home on the date has one household key (linkage makes the
keys from the postcode and address in the identity zone; the analytic zone never sees either).
Each household scores points for transparent parts, as the community risk profile built with the
fire service does; the parts, their points and the bands are written here and nowhere else.
Published figures are households by ward and band, through disclosure control; a list of
household keys with their members' person_keys leaves only for case finding, and is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from joinedup.analytics import base, codesets, disclosure, provenance
from joinedup.analytics.risk import (
    HIGH_FIRE_RISK_SCORE,
    Band,
    Part,
    frailty_rank_sql,
    permit,
    population_sql,
    publish_by_ward_and_band,
    quoted,
)
from joinedup.engines.duck import DuckDBEngine

PURPOSE = "community_risk_profiling"
MONTHS = 36
OLDER_MEMBERS = "(SELECT person_key FROM household_members WHERE age >= 65)"  # whom the eFI fits

# A part's measure is a count per household; its points follow the (at least, points) steps.
PARTS: tuple[Part, ...] = (
    Part("aged_75_plus", "members aged 75 or over", (), ((1, 2),)),
    Part("lives_alone_75_plus", "a member aged 75 or over who lives alone", (), ((1, 2),)),
    Part(
        "dementia_or_frailty",
        "members with dementia, or moderate or severe frailty (65 and over)",
        ("gp_conditions",),
        ((1, 2),),
    ),
    Part(
        "dwelling_fires",
        f"accidental dwelling fires involving a member in the last {MONTHS} months",
        ("fire_activity",),
        ((1, 3),),
    ),
    Part(
        "high_risk_checks",
        f"members whose latest home fire safety check in {MONTHS} months scored "
        f"{HIGH_FIRE_RISK_SCORE} or more",
        ("fire_activity",),
        ((1, 2),),
    ),
    Part(
        "police_incidents",
        "police incidents involving a member in the last 12 months",
        ("police_incidents",),
        ((1, 1),),
    ),
)
BANDS: tuple[Band, ...] = (
    Band("low", 0),
    Band("moderate", 2),
    Band("high", 4),
    Band("very high", 6),
)
BAND_NAMES = tuple(b.name for b in BANDS)


def _band_sql(total: str) -> str:
    steps = " ".join(f"WHEN {total} >= {b.at_least} THEN '{b.name}'" for b in BANDS[::-1])
    return f"CASE {steps} END"


def members_sql(at: dt.date) -> str:
    """Registered residents alive on ``at`` (person_key, sex, age, lsoa21) with the household
    key of their latest home recorded by then."""
    day = f"DATE '{at.isoformat()}'"
    return f"""
        SELECT p.*, h.household_key
        FROM ({population_sql(at)}) AS p
        JOIN (SELECT person_key, arg_max(household_key, first_seen) AS household_key
              FROM households WHERE first_seen <= {day} GROUP BY person_key) AS h
        USING (person_key)
    """


def households_sql(at: dt.date, parts: tuple[Part, ...] = PARTS) -> str:
    """One row per household on ``at`` (over the temp table ``household_members``, from
    :func:`members_sql`): household_key, lsoa21, members, each part's measure and points,
    total and band."""
    day = f"DATE '{at.isoformat()}'"
    window = f"event_date > {day} - INTERVAL {MONTHS} MONTH AND event_date <= {day}"
    dementia = quoted(codesets.codes("dementia"))
    measures = {
        "aged_75_plus": "count(*) FILTER (WHERE m.age >= 75)",
        "lives_alone_75_plus": "CASE WHEN count(*) = 1 AND max(m.age) >= 75 THEN 1 ELSE 0 END",
        "dementia_or_frailty": "count(*) FILTER (WHERE m.person_key IN (SELECT person_key FROM frail))",
        "dwelling_fires": "sum(coalesce(f.fires, 0))",
        "high_risk_checks": "count(*) FILTER (WHERE c.score >= " + str(HIGH_FIRE_RISK_SCORE) + ")",
        "police_incidents": "sum(coalesce(pol.incidents, 0))",
    }
    chosen = ", ".join(f"{measures[p.name]} AS {p.name}" for p in parts)
    points = ", ".join(f"{p.points_sql(p.name)} AS {p.name}_points" for p in parts)
    total = " + ".join(f"{p.name}_points" for p in parts) or "0"
    return f"""
        WITH frail AS (
            SELECT person_key FROM events WHERE kind = 'gp_condition' AND code IN ({dementia})
                AND event_date <= {day}
            UNION SELECT person_key FROM ({frailty_rank_sql(at, OLDER_MEMBERS)})
                WHERE frailty >= 2
        ),
        fires AS (SELECT person_key, count(*) AS fires FROM events
                  WHERE kind = 'fire_incident' AND {window} GROUP BY 1),
        checks AS (SELECT person_key, arg_max(value, measured_on) AS score FROM measurements
                   WHERE kind = 'fire_risk_score' AND measured_on > {day} - INTERVAL {MONTHS} MONTH
                     AND measured_on <= {day} GROUP BY 1),
        police AS (SELECT person_key, count(*) AS incidents FROM events
                   WHERE kind = 'police_incident' AND event_date > {day} - INTERVAL 12 MONTH
                     AND event_date <= {day} GROUP BY 1),
        measured AS (
            SELECT m.household_key, arg_max(m.lsoa21, m.age) AS lsoa21, count(*) AS members,
                   {chosen}
            FROM household_members AS m
            LEFT JOIN fires AS f USING (person_key)
            LEFT JOIN checks AS c USING (person_key)
            LEFT JOIN police AS pol USING (person_key)
            GROUP BY m.household_key
        ),
        pointed AS (SELECT *, {points} FROM measured)
        SELECT *, {total} AS total, {_band_sql(total)} AS band FROM pointed
    """


@dataclass
class HouseholdProfile:
    run_id: str
    population_date: dt.date
    purpose: str
    agreements: list[str]
    parts_left_out: dict[str, str]
    snapshot: dict[str, Any]
    parts: tuple[Part, ...]
    by_band: disclosure.ControlledTable[str]
    by_ward: disclosure.ControlledCrosstab[str, str]
    listed: list[dict[str, Any]] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "population_date": self.population_date.isoformat(),
            "purpose": self.purpose,
            "agreements": self.agreements,
            "parts": [
                {"name": p.name, "measures": p.measures, "points": [list(s) for s in p.points]}
                for p in self.parts
            ],
            "parts_left_out": self.parts_left_out,
            "bands": {b.name: b.at_least for b in BANDS},
            "snapshot": self.snapshot,
            "disclosure_control": disclosure.RULE.version,
            "households_by_band": {k: v.export() for k, v in self.by_band.cells.items()},
            "households": self.by_band.total.export(),
            "households_by_ward": self.by_ward.export_rows("Ward"),
        }


def run_households(
    home: Path,
    at: dt.date | None = None,
    case_finding_from: str | None = None,
    today: dt.date | None = None,
) -> HouseholdProfile:
    connection = base.open_base(home)
    try:
        return household_profile(connection, home, at, case_finding_from, today)
    finally:
        connection.close()


def household_profile(
    connection: duckdb.DuckDBPyConnection,
    home: Path,
    at: dt.date | None = None,
    case_finding_from: str | None = None,
    today: dt.date | None = None,
) -> HouseholdProfile:
    """Score every household on ``at`` (default: the last day of data) and publish households
    by ward and band; ``case_finding_from`` (a band) also releases that band and above."""
    snapshot = base.snapshot(connection)
    at = at or snapshot.last_event
    if case_finding_from is not None and case_finding_from not in BAND_NAMES:
        raise ValueError(f"no band {case_finding_from!r}; bands are {', '.join(BAND_NAMES)}")
    optional = {f for p in PARTS for f in p.feeds}
    permission = permit(home, PURPOSE, ("gp_patients",), optional, today or dt.date.today())
    parts = tuple(p for p in PARTS if permission.allows(p.feeds))
    connection.execute(f"CREATE OR REPLACE TEMP TABLE household_members AS {members_sql(at)}")
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE household_risk AS {households_sql(at, parts)}"
    )
    by_band, by_ward = publish_by_ward_and_band(
        DuckDBEngine(connection), "household_risk", BAND_NAMES
    )
    listed = _listed(connection, parts, case_finding_from)
    run_id = provenance.record(
        home,
        {
            "kind": "risk_profile_households",
            "population_date": at.isoformat(),
            "purpose": PURPOSE,
            "agreements": sorted(set(permission.agreements.values())),
            "parts_left_out": sorted(permission.left_out),
            "snapshot": snapshot.record(),
            "disclosure_control": disclosure.RULE.version,
            "case_finding": case_finding_from is not None,
            "households_released": len(listed) if listed is not None else 0,
            "published_total": by_band.total.export(),
        },
    )
    return HouseholdProfile(
        run_id,
        at,
        PURPOSE,
        sorted(set(permission.agreements.values())),
        dict(permission.left_out),
        snapshot.record(),
        parts,
        by_band,
        by_ward,
        listed,
    )


def _listed(
    connection: duckdb.DuckDBPyConnection, parts: tuple[Part, ...], from_band: str | None
) -> list[dict[str, Any]] | None:
    """Households in ``from_band`` and above, with their members' person_keys, for case finding."""
    if from_band is None:
        return None
    wanted = BAND_NAMES[BAND_NAMES.index(from_band) :]
    columns = ["household_key", "members", *(f"{p.name}_points" for p in parts), "total", "band"]
    found = connection.execute(
        f"""
        SELECT {", ".join("h." + c for c in columns)},
               list(m.person_key ORDER BY m.person_key) AS person_keys
        FROM household_risk AS h JOIN household_members AS m USING (household_key)
        WHERE h.band IN ({quoted(wanted)})
        GROUP BY ALL ORDER BY h.total DESC, h.household_key
        """
    ).fetchall()
    return [dict(zip([*columns, "person_keys"], row, strict=True)) for row in found]
