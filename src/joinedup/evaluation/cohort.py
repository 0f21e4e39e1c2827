"""The two groups of a design as one table, ``ev_cohort`` (person_key, treated, index_date,
weight), ready for the panel."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from joinedup.evaluation import groups
from joinedup.evaluation.design import Design, Group, Kind, localities_to_avoid
from joinedup.evaluation.matching import Matching, match

ALL = "ev_everyone"


@dataclass(frozen=True)
class Cohort:
    intervention_people: int
    comparison_people: int
    matching: Matching | None = None


def build_cohort(connection: duckdb.DuckDBPyConnection, design: Design) -> Cohort:
    """Fill ``ev_cohort`` for ``design``; how many people each side holds."""
    _check_localities(connection, design)
    referrals = groups.prepare(connection)
    if design.intervention.kind is Kind.REFERRALS and referrals == 0:
        raise groups.NoReferralsError("the data hold no Integrated Action Team referrals")
    groups.everyone(connection, ALL, design.windows, design.index_date)
    treated = _intervention(connection, design)
    if design.comparison.kind is Kind.MATCHED:
        matching = match(connection, treated, _pool(design))
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE ev_cohort AS "
            "SELECT person_key, treated, index_date, weight FROM ev_matched"
        )
        return Cohort(matching.matched_intervention, matching.comparison_people, matching)
    connection.execute(
        f"""CREATE OR REPLACE TEMP TABLE ev_cohort AS
            SELECT person_key, true AS treated, index_date, 1.0 AS weight FROM {treated}
            UNION ALL
            SELECT person_key, false, index_date, 1.0 FROM ({_area(design.comparison, design)})"""
    )
    sizes = connection.execute(
        "SELECT count(*) FILTER (WHERE treated), count(*) FILTER (WHERE NOT treated) FROM ev_cohort"
    ).fetchall()[0]
    return Cohort(int(sizes[0]), int(sizes[1]))


def _intervention(connection: duckdb.DuckDBPyConnection, design: Design) -> str:
    if design.intervention.kind is Kind.REFERRALS:
        groups.referred(connection, "ev_treated", design.windows)
    else:
        localities = groups.in_localities(design.intervention.localities)
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE ev_treated AS "
            f"SELECT * FROM {ALL} WHERE {localities} AND {groups.ELIGIBLE_LOOKING}"
        )
    return "ev_treated"


def _area(comparison: Group, design: Design) -> str:
    """Eligible-looking residents of the comparison's localities whom the team did not refer."""
    return (
        f"SELECT * FROM {ALL} WHERE {groups.in_localities(comparison.localities)} "
        f"AND {groups.ELIGIBLE_LOOKING} AND NOT referred"
    )


def _pool(design: Design) -> str:
    """Adults outside the intervention's localities whom the team did not refer."""
    outside = groups.in_localities(localities_to_avoid(design.intervention))
    return f"(SELECT * FROM {ALL} WHERE age >= 18 AND NOT referred AND NOT {outside})"


def _check_localities(connection: duckdb.DuckDBPyConnection, design: Design) -> None:
    named = design.intervention.localities + design.comparison.localities
    unknown = groups.unknown_localities(connection, named)
    if unknown:
        raise ValueError(f"no such locality: {', '.join(unknown)}")
    overlap = set(localities_to_avoid(design.intervention)) & set(design.comparison.localities)
    if overlap:
        raise ValueError(
            f"the comparison may not include the intervention's localities: {', '.join(overlap)}"
        )
