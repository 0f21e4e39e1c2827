"""Needs against assets: for each ward, the people with a need beside the places that meet it.

Plain Python and SQL on DuckDB, with no Django: the web pages and the tests hand it rows.

The gap in a ward is the number of people with the need for each weekly place in assets that
meet it, within the ward (or, when asked, within the ward and the wards that touch it). Wards
are ranked within each need: a ward with people in need and no place at all comes first (the
largest people first), then the most people per place. A ward with nobody in need has no gap.

The counts of people here come from published statistics (Census 2021, the English Indices of
Deprivation 2025, the National Child Measurement Programme): they are public already, so they
are shown as published, not through disclosure control. Counts of people from the hub's own
person-level data must go through ``joinedup.analytics.disclosure`` before they are shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import duckdb

from joinedup.reference import reference_path
from joinedup.web.community.vocabulary import Need
from joinedup.web.community.wards import Ward


@dataclass(frozen=True)
class NeedCount:
    """How many people in a ward have a need."""

    ward_code: str
    need: Need
    people: float


@dataclass(frozen=True)
class Places:
    """Weekly places in one ward that meet one need (one asset's capacity, or a sum)."""

    ward_code: str
    need: Need
    places: int


@dataclass(frozen=True)
class Gap:
    need: Need
    ward_code: str
    ward_name: str
    people: float
    places: int
    rank: int

    @property
    def people_per_place(self) -> float | None:
        """None where there is no place (then every person in need is unmet)."""
        return self.people / self.places if self.places else None

    @property
    def places_per_100(self) -> float | None:
        """Places for every 100 people in need; None where nobody is in need."""
        return 100 * self.places / self.people if self.people else None

    @property
    def no_places(self) -> bool:
        return self.places == 0 and self.people > 0


@dataclass(frozen=True)
class Measure:
    """Who counts as having a need, and where the count comes from."""

    need: Need
    who: str
    source: str
    # Published statistics are public already; counts from the hub's records of people are
    # shown only through disclosure control.
    published: bool = True


MEASURES = {
    Need.LONELINESS: Measure(
        Need.LONELINESS,
        "Residents aged 66 or over living alone (one-person households)",
        "ONS Census 2021, table TS003 (household composition), by ward",
    ),
    Need.CARER_STRAIN: Measure(
        Need.CARER_STRAIN,
        "Residents giving 20 hours or more of unpaid care a week",
        "ONS Census 2021, table TS039 (provision of unpaid care), by ward",
    ),
    Need.DEBT: Measure(
        Need.DEBT,
        "Residents living in income deprivation (estimated)",
        "English Indices of Deprivation 2025, income domain score of each 2021 LSOA, applied "
        "to its Census 2021 population in each ward",
    ),
    Need.CHILDHOOD_OBESITY: Measure(
        Need.CHILDHOOD_OBESITY,
        "Children aged 4 to 5 and 10 to 11 living with obesity (estimated)",
        "The borough's latest National Child Measurement Programme prevalence (OHID Fingertips) "
        "for Reception and Year 6, applied to each ward's children of those ages (Census 2021 "
        "TS007); no ward figure is published, so wards differ here only by their children",
    ),
}

ONE_PERSON_66_PLUS = "One-person household: Aged 66 years and over"
TWENTY_HOURS_OR_MORE = (
    "Provides 20 to 34 hours unpaid care a week",
    "Provides 35 to 49 hours unpaid care a week",
    "Provides 50 or more hours unpaid care a week",
)


def _csv(name: str) -> str:
    path = str(reference_path(name)).replace("'", "''")
    return f"read_csv('{path}', header = true)"


@cache
def published_need_counts() -> tuple[NeedCount, ...]:
    """Each ward's people in need, for the needs that published statistics measure."""
    profile = _csv("chorley_wards_census2021_profile.csv")
    ages = _csv("chorley_wards_census2021_single_year_age.csv")
    sql = f"""
    WITH profile AS (SELECT * FROM {profile} WHERE geography_code LIKE 'E05%'),
    obesity AS (
        SELECT school_year, arg_max(value_pct, period) AS pct
        FROM {_csv("chorley_ncmp_obesity.csv")} WHERE area_type = 'District' GROUP BY school_year)
    SELECT geography_code, 'loneliness', count FROM profile
        WHERE topic = 'household_composition' AND category = $alone
    UNION ALL
    SELECT geography_code, 'carer_strain', sum(count) FROM profile
        WHERE topic = 'unpaid_care' AND list_contains($carers, category) GROUP BY ALL
    UNION ALL
    SELECT a.ward_code, 'debt', round(sum(a.pop_est * i.income_score))
        FROM {_csv("chorley_lsoa21_ward2025_apportionment.csv")} AS a
        JOIN {_csv("chorley_lsoa21_imd2025.csv")} AS i USING (lsoa21_code) GROUP BY ALL
    UNION ALL
    SELECT c.geography_code, 'childhood_obesity', round(sum(c.usual_residents * o.pct / 100))
        FROM {ages} AS c JOIN obesity AS o
        ON (c.age BETWEEN 4 AND 5 AND o.school_year LIKE 'Reception%')
        OR (c.age BETWEEN 10 AND 11 AND o.school_year LIKE 'Year 6%')
        WHERE c.geography_code LIKE 'E05%' GROUP BY ALL
    """
    with duckdb.connect() as con:
        rows = con.execute(
            sql, {"alone": ONE_PERSON_66_PLUS, "carers": list(TWENTY_HOURS_OR_MORE)}
        ).fetchall()
    return tuple(NeedCount(code, Need(need), float(people)) for code, need, people in rows)


def rank_gaps(
    need_counts: Iterable[NeedCount],
    places: Iterable[Places],
    wards: Sequence[Ward],
    neighbours: Iterable[tuple[str, str]] = (),
) -> list[Gap]:
    """Every ward's gap for every need counted, ranked within each need (1 = the largest gap).

    ``places`` may hold several rows for one ward and need (one per asset): they are added up.
    With ``neighbours`` (pairs of ward codes, both ways round), a ward's places include those
    of the wards that touch it.
    """
    with duckdb.connect() as con:
        _table(
            con, "ward", "ward_code VARCHAR, ward_name VARCHAR", [(w.code, w.name) for w in wards]
        )
        _table(
            con,
            "need_count",
            "ward_code VARCHAR, need VARCHAR, people DOUBLE",
            [(n.ward_code, n.need.value, n.people) for n in need_counts],
        )
        _table(
            con,
            "place",
            "ward_code VARCHAR, need VARCHAR, places BIGINT",
            [(p.ward_code, p.need.value, p.places) for p in places],
        )
        _table(con, "neighbour", "ward_code VARCHAR, neighbour_code VARCHAR", list(neighbours))
        rows = con.execute(RANKED_GAPS).fetchall()
    return [
        Gap(Need(need), code, name, float(people), int(count), int(rank))
        for need, code, name, people, count, rank in rows
    ]


RANKED_GAPS = """
WITH reach AS (
    SELECT ward_code, ward_code AS reached FROM ward
    UNION SELECT ward_code, neighbour_code FROM neighbour
),
in_reach AS (
    SELECT r.ward_code, p.need, sum(p.places) AS places
    FROM reach AS r JOIN place AS p ON p.ward_code = r.reached
    GROUP BY ALL
),
joined AS (
    SELECT n.need, w.ward_code, w.ward_name, sum(n.people) AS people,
           coalesce(any_value(i.places), 0) AS places
    FROM need_count AS n
    JOIN ward AS w USING (ward_code)
    LEFT JOIN in_reach AS i ON i.ward_code = n.ward_code AND i.need = n.need
    GROUP BY ALL
)
SELECT need, ward_code, ward_name, people, places,
       row_number() OVER (
           PARTITION BY need
           ORDER BY (places = 0 AND people > 0) DESC,
                    people / nullif(places, 0) DESC NULLS LAST,
                    people DESC, ward_name
       ) AS rank
FROM joined
ORDER BY need, rank
"""


def _table(
    con: duckdb.DuckDBPyConnection, name: str, columns: str, rows: list[tuple[object, ...]]
) -> None:
    con.execute(f"CREATE TEMP TABLE {name} ({columns})")
    if rows:
        marks = ", ".join("?" for _ in columns.split(","))
        con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)


def gaps_for(need: Need, gaps: Iterable[Gap]) -> list[Gap]:
    """The ranked gaps of one need."""
    return sorted((g for g in gaps if g.need == need), key=lambda g: g.rank)
