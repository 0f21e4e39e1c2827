"""Who is in each group, and from which day they are followed: set work in SQL on the base.

Every group is a temporary table of (person_key, index_date) with what each person looked like
then: age, sex, the locality and deprivation decile of their home, and their use of services in
the year that decides who looks eligible (:attr:`Windows.rule_months`).

People the team did not refer have no index date of their own. They are given one drawn from the
team's referral dates (a stable hash of their month of birth, sex and first registration picks
which), so that the comparison group is followed over the same calendar time as the people
referred.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from joinedup.evaluation.design import Windows

# A person looks eligible (as far as the data show) when they attended A&E at least twice in the
# rule year, or were in crisis contact with at least three agencies in it: the team's own test
# of "expected A&E use of two or more a year, or complex needs".
ELIGIBLE_MIN_AE = 2
ELIGIBLE_MIN_AGENCIES = 3
CRISIS_KINDS = (
    "ae_attendance",
    "emergency_admission",
    "police_incident",
    "mental_health_contact",
    "homelessness_application",
)
PSEUDO_INDEX_SALT = "evaluation-index"
# What picks a person's referral date: what they are (month of birth, sex, first registration),
# not their person_key, whose numbering may change when linkage runs again; so the comparison
# group does not change with it.
DRAW_ON = "p.birth_month, p.sex, p.arrived"


class NoReferralsError(LookupError):
    """The data hold no Integrated Action Team referrals to evaluate or to date a comparison by."""


def prepare(connection: duckdb.DuckDBPyConnection) -> int:
    """Who was registered here when, the team's referrals, and their dates; the referral count."""
    last_event = connection.execute("SELECT last_event FROM snapshot").fetchall()[0][0]
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE ev_people AS
        SELECT p.person_key, p.sex, p.birth_month, r.arrived,
               least(CASE WHEN r.still_registered THEN ? ELSE r.last_left END,
                     coalesce(p.death_date, ?)) AS left_on
        FROM people AS p JOIN (
            SELECT person_key, min(registration_date) AS arrived,
                   bool_or(deregistration_date IS NULL) AS still_registered,
                   max(deregistration_date) AS last_left
            FROM registrations GROUP BY 1) AS r USING (person_key)
        """,
        [last_event + dt.timedelta(days=1), last_event + dt.timedelta(days=1)],
    )
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE ev_referrals AS
        SELECT person_key, min(event_date) AS referred_on
        FROM events WHERE kind = 'iat_referral' GROUP BY 1;
        CREATE OR REPLACE TEMP TABLE ev_index_dates AS
        SELECT row_number() OVER (ORDER BY referred_on, person_key) - 1 AS slot, referred_on
        FROM ev_referrals;
        """
    )
    return int(connection.execute("SELECT count(*) FROM ev_referrals").fetchall()[0][0])


def describe(
    connection: duckdb.DuckDBPyConnection, table: str, source: str, windows: Windows
) -> None:
    """``table``: the people of ``source`` (person_key, index_date) as they were on that day."""
    far, near = windows.rule_months
    kinds = ", ".join(f"'{kind}'" for kind in CRISIS_KINDS)
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table} AS
        WITH chosen AS ({source}),
        present AS (
            SELECT c.person_key, c.index_date, p.sex, p.arrived, p.left_on,
                   datesub('year', p.birth_month + INTERVAL 14 DAY, c.index_date) AS age
            FROM chosen AS c JOIN ev_people AS p USING (person_key)
            WHERE p.arrived <= c.index_date AND p.left_on > c.index_date
        ),
        home AS (
            SELECT c.person_key, arg_max(r.lsoa21, r.since) AS lsoa21
            FROM present AS c JOIN residence AS r
              ON r.person_key = c.person_key AND r.since <= c.index_date
            GROUP BY 1
        ),
        prior AS (
            SELECT c.person_key,
                   count(*) FILTER (WHERE e.kind = 'ae_attendance') AS prior_ae,
                   count(*) FILTER (WHERE e.kind = 'emergency_admission') AS prior_admissions,
                   count(DISTINCT e.agency) AS prior_agencies
            FROM present AS c JOIN events AS e
              ON e.person_key = c.person_key
             AND e.event_date >= c.index_date - to_months({far})
             AND e.event_date < c.index_date - to_months({near})
            WHERE e.kind IN ({kinds})
            GROUP BY 1
        )
        SELECT c.person_key, c.index_date, c.sex, c.age, a.locality, a.imd_decile,
               coalesce(prior_ae, 0) AS prior_ae,
               coalesce(prior_admissions, 0) AS prior_admissions,
               coalesce(prior_agencies, 0) AS prior_agencies,
               c.person_key IN (SELECT person_key FROM ev_referrals) AS referred
        FROM present AS c JOIN home USING (person_key) JOIN areas AS a USING (lsoa21)
        LEFT JOIN prior USING (person_key)
        """
    )


def referred(connection: duckdb.DuckDBPyConnection, table: str, windows: Windows) -> None:
    """The team's referrals, each followed from its referral date."""
    source = "SELECT person_key, referred_on AS index_date FROM ev_referrals"
    describe(connection, table, source, windows)


def everyone(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    windows: Windows,
    index_date: dt.date | None,
) -> None:
    """Every resident, each with an index date: ``index_date``, else one of the referral dates."""
    if index_date is not None:
        source = f"SELECT person_key, DATE '{index_date.isoformat()}' AS index_date FROM ev_people"
    else:
        slots = int(connection.execute("SELECT count(*) FROM ev_index_dates").fetchall()[0][0])
        if slots == 0:
            raise NoReferralsError(
                "the data hold no Integrated Action Team referrals to date the comparison by: "
                "give the date the intervention started (--index-date)"
            )
        source = f"""
            SELECT p.person_key, d.referred_on AS index_date
            FROM ev_people AS p JOIN ev_index_dates AS d
              ON d.slot = hash({DRAW_ON}, '{PSEUDO_INDEX_SALT}') % {slots}
        """
    describe(connection, table, source, windows)


ELIGIBLE_LOOKING = (
    f"age >= 18 AND (prior_ae >= {ELIGIBLE_MIN_AE} OR prior_agencies >= {ELIGIBLE_MIN_AGENCIES})"
)


def in_localities(localities: tuple[str, ...]) -> str:
    names = ", ".join("'" + name.replace("'", "''") + "'" for name in localities)
    return f"locality IN ({names})"


def unknown_localities(
    connection: duckdb.DuckDBPyConnection, localities: tuple[str, ...]
) -> list[str]:
    known = {
        name for (name,) in connection.execute("SELECT DISTINCT locality FROM areas").fetchall()
    }
    return [name for name in localities if name not in known]
