"""Frailty in older people by the electronic Frailty Index (eFI), as SQL for DuckDB.

The eFI (Clegg et al. 2016, Age and Ageing 45(3):353-360) counts which of 36 deficits a
person's GP record shows and divides by 36. Its categories are fit (0 to 0.12), mild frailty
(over 0.12 to 0.24), moderate (over 0.24 to 0.36) and severe (over 0.36). As every score is a
whole number of 36ths, no score falls on a boundary: fit is 0-4 deficits, mild 5-8, moderate
9-12 and severe 13 or more.

A practice may also have recorded a frailty category itself (for instance after a clinical
assessment). A person's category here is the worse of the computed one and the worst category
code recorded on or before the date, like the eFI itself, which counts a deficit once recorded.

The packaged code lists are a small selection of SNOMED CT concepts for each deficit, not the
full eFI clusters (see reference/data/SOURCES.md), and the polypharmacy deficit, which the eFI
takes from prescriptions, has no condition code: scores from coded conditions alone can be lower
than a GP system's eFI. The eFI was built for people aged 65 and over; whom to score (the
``population``) is the caller's choice.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb

from joinedup.analytics.growth import literal_table_sql
from joinedup.reference.files import read_reference_csv

EFI_DEFICITS_FILE = "efi_deficits.csv"
FRAILTY_CODES_FILE = "frailty_codes.csv"
EFI_DEFICITS_TABLE = "efi_deficits"
FRAILTY_CODES_TABLE = "frailty_codes"

EFI_DEFICIT_COUNT = 36
CATEGORIES = ("fit", "mild", "moderate", "severe")  # in order of severity
# Upper bound of each category's eFI score, from Clegg et al. 2016; severe has none.
CATEGORY_UPPER_BOUNDS = (0.12, 0.24, 0.36)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


def _table_name(name: str) -> str:
    # Table names are spliced into SQL text, so only plain (optionally schema-qualified) names pass.
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain table name: {name!r}")
    return name


def deficits_sql() -> str:
    """The packaged eFI deficit codes as a query (columns as :func:`register_frailty_reference`)."""
    return literal_table_sql(
        (
            ("deficit_id", "INTEGER"),
            ("deficit", "VARCHAR"),
            ("code", "VARCHAR"),
            ("term", "VARCHAR"),
        ),
        [
            (int(row["deficit_id"]), row["deficit"], row["code"] or None, row["term"] or None)
            for row in read_reference_csv(EFI_DEFICITS_FILE)
        ],
    )


def frailty_codes_sql() -> str:
    """The packaged GP frailty category codes as a query."""
    return literal_table_sql(
        (("code", "VARCHAR"), ("term", "VARCHAR"), ("category", "VARCHAR")),
        [
            (row["code"], row["term"], row["category"])
            for row in read_reference_csv(FRAILTY_CODES_FILE)
        ],
    )


def reference_sql() -> dict[str, str]:
    """Each reference table under its usual name, as a query any engine runs."""
    return {EFI_DEFICITS_TABLE: deficits_sql(), FRAILTY_CODES_TABLE: frailty_codes_sql()}


def register_frailty_reference(
    connection: duckdb.DuckDBPyConnection,
    deficits_table: str = EFI_DEFICITS_TABLE,
    codes_table: str = FRAILTY_CODES_TABLE,
) -> None:
    """Load the packaged eFI deficit codes and GP frailty category codes (replacing the tables).

    ``deficits_table``: ``deficit_id`` (1-36), ``deficit``, ``code``, ``term``; the polypharmacy
    row has a NULL code. ``codes_table``: ``code``, ``term``, ``category`` (mild/moderate/severe).
    """
    deficits = _table_name(deficits_table)
    codes = _table_name(codes_table)
    connection.execute(
        f"CREATE OR REPLACE TABLE {deficits} "
        "(deficit_id INTEGER NOT NULL, deficit VARCHAR NOT NULL, code VARCHAR, term VARCHAR)"
    )
    connection.execute(f"INSERT INTO {deficits} {deficits_sql()}")
    connection.execute(
        f"CREATE OR REPLACE TABLE {codes} "
        "(code VARCHAR NOT NULL, term VARCHAR NOT NULL, category VARCHAR NOT NULL)"
    )
    connection.execute(f"INSERT INTO {codes} {frailty_codes_sql()}")


def _rank_of_score(score: str) -> str:
    whens = " ".join(
        f"WHEN {score} <= {bound!r} THEN {rank}" for rank, bound in enumerate(CATEGORY_UPPER_BOUNDS)
    )
    return f"CASE {whens} ELSE {len(CATEGORY_UPPER_BOUNDS)} END"


def _rank_of_category(category: str) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(CATEGORIES))
    return f"CASE {category} {whens} END"


def _category_of_rank(rank_sql: str) -> str:
    whens = " ".join(f"WHEN {rank} THEN '{name}'" for rank, name in enumerate(CATEGORIES))
    return f"CASE {rank_sql} {whens} END"


def efi_sql(
    conditions: str,
    as_at: dt.date,
    *,
    population: str | None = None,
    deficits_table: str = EFI_DEFICITS_TABLE,
    codes_table: str = FRAILTY_CODES_TABLE,
) -> str:
    """A query giving each person's eFI and frailty category on ``as_at``.

    ``conditions`` is SQL for a relation (a table name or a parenthesised query) with columns
    ``person_key``, ``code`` (SNOMED CT, as text or an integer) and ``date_recorded`` (a date, a
    timestamp or ISO text); rows recorded after ``as_at`` are ignored. ``population``, SQL for a
    relation with ``person_key``, says whom to score (someone with no coded record is fit); by
    default it is everyone with a record on or before ``as_at``. The tables are those made by
    :func:`register_frailty_reference`.

    Columns: ``person_key``, ``deficits`` (how many of the 36), ``efi`` (deficits / 36),
    ``efi_category``, ``recorded_category`` (the worst GP frailty code, NULL if none) and
    ``frailty_category``, the worse of the two.
    """
    deficits = _table_name(deficits_table)
    codes = _table_name(codes_table)
    # A datetime is a date too, and its ISO text would not be a DATE literal.
    day = dt.date(as_at.year, as_at.month, as_at.day)
    people = (
        f"SELECT DISTINCT person_key FROM {population}"
        if population is not None
        else "SELECT DISTINCT person_key FROM efi_recorded"
    )
    recorded_rank = f"max({_rank_of_category('f.category')})"
    efi_rank = _rank_of_score("efi_scored.efi")
    return f"""
WITH efi_recorded AS (
    SELECT person_key, CAST(code AS VARCHAR) AS code
    FROM {conditions}
    WHERE CAST(date_recorded AS DATE) <= DATE '{day.isoformat()}'
),
efi_people AS ({people}),
efi_deficit_counts AS (
    -- Several codes for one deficit count once.
    SELECT r.person_key, count(DISTINCT d.deficit_id) AS deficits
    FROM efi_recorded AS r JOIN {deficits} AS d ON d.code = r.code
    GROUP BY r.person_key
),
efi_recorded_frailty AS (
    SELECT r.person_key, {recorded_rank} AS recorded_rank
    FROM efi_recorded AS r JOIN {codes} AS f ON f.code = r.code
    GROUP BY r.person_key
),
efi_scored AS (
    SELECT p.person_key,
           coalesce(dc.deficits, 0) AS deficits,
           coalesce(dc.deficits, 0) / {float(EFI_DEFICIT_COUNT)!r} AS efi,
           rf.recorded_rank
    FROM efi_people AS p
    LEFT JOIN efi_deficit_counts AS dc ON dc.person_key = p.person_key
    LEFT JOIN efi_recorded_frailty AS rf ON rf.person_key = p.person_key
),
efi_ranked AS (
    SELECT efi_scored.*, {efi_rank} AS efi_rank FROM efi_scored
)
SELECT person_key,
       deficits,
       efi,
       {_category_of_rank("efi_rank")} AS efi_category,
       {_category_of_rank("recorded_rank")} AS recorded_category,
       {_category_of_rank("greatest(efi_rank, coalesce(recorded_rank, 0))")} AS frailty_category
FROM efi_ranked
"""
