"""Identifiers in one standard form, whichever partner or list they came from.

Every linkage input (the identity zone's records, or an analyst's CSV files) is first given the
same columns by role: ``given_name``, ``family_name``, ``full_name``, ``birth_date`` (a DATE),
``sex``, ``postcode``, ``address``, ``nhs_number``, ``other_id``. This module turns those into
the columns the model compares. It is all SQL on DuckDB: names and codes are looked up by join
from a small table of the distinct names, never row by row.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import jellyfish
import pyarrow as pa

from joinedup.feeds import contract
from joinedup.feeds.rules import POSTCODE_SHAPE, nhs_number_valid
from joinedup.reference.files import read_reference_csv

# A feed contract's identity roles that identify a person (the event date does not), and the
# analyst's extra identifier for ad hoc lists.
IDENTIFIER_ROLES = tuple(role for role in contract.ROLES if role != "event_date")
ROLES = (*IDENTIFIER_ROLES, "other_id")
TITLES = ("MR", "MRS", "MS", "MISS", "MX", "DR", "MASTER", "REV", "SIR", "PROF", "LADY")
MALE_TITLES, FEMALE_TITLES = ("MR", "MASTER", "SIR"), ("MRS", "MS", "MISS", "LADY")

# The columns the model compares, in the order they are written.
STANDARD_COLUMNS = (
    "node_id",
    "given",
    "given_roots",
    "given_sound",
    "family",
    "family_tokens",
    "family_sound",
    "birth_date",
    "birth_year",
    "sex",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "address",
    "address_tokens",
    "nhs_number",
    "other_id",
)


def _letters(value_sql: str) -> str:
    """Upper case letters and single spaces only; apostrophes and full stops simply dropped."""
    dropped = f"regexp_replace(upper({value_sql}), '[''.’]', '', 'g')"
    spaced = f"regexp_replace({dropped}, '[^A-Z]+', ' ', 'g')"
    return f"nullif(trim({spaced}), '')"


def _title_list() -> str:
    return "[" + ", ".join(f"'{t}'" for t in TITLES) + "]"


def _parsed_full_name(full_name_sql: str) -> tuple[str, str, str]:
    """SQL for (given, family, title) from a full name in either "Mr Wayne Harris" or
    "HARRIS, Wayne" form."""
    upper = f"upper(coalesce({full_name_sql}, ''))"
    comma = f"position(',' IN {upper}) > 0"
    before, after = f"split_part({upper}, ',', 1)", f"split_part({upper}, ',', 2)"
    words = f"string_split(coalesce({_letters(f'CASE WHEN {comma} THEN {after} ELSE {upper} END')}, ''), ' ')"
    titles = _title_list()
    named = f"list_filter({words}, lambda w: NOT list_contains({titles}, w) AND w <> '')"
    title = f"list_filter({words}, lambda w: list_contains({titles}, w))[1]"
    given = f"nullif({named}[1], '')"
    family = f"CASE WHEN {comma} THEN {_letters(before)} WHEN len({named}) > 1 THEN {named}[-1] END"
    return given, family, title


def standardise_sql(source: str) -> str:
    """A SELECT over ``source`` (a relation with ``node_id`` and the role columns) giving the
    standard columns, joined to ``linkage_name_codes`` for nicknames and sounds."""
    parsed_given, parsed_family, title = _parsed_full_name("s.full_name")
    given = f"coalesce(string_split({_letters('s.given_name')}, ' ')[1], {parsed_given})"
    family = f"coalesce({_letters('s.family_name')}, {parsed_family})"
    sex_text = "upper(trim(CAST(s.sex AS VARCHAR)))"
    male, female = (
        "[" + ", ".join(f"'{t}'" for t in group) + "]" for group in (MALE_TITLES, FEMALE_TITLES)
    )
    sex = (
        f"CASE WHEN {sex_text} IN ('M', 'MALE', '1') THEN 'M' "
        f"WHEN {sex_text} IN ('F', 'FEMALE', '2') THEN 'F' "
        f"WHEN list_contains({male}, {title}) THEN 'M' "
        f"WHEN list_contains({female}, {title}) THEN 'F' END"
    )
    squeezed = "nullif(upper(regexp_replace(s.postcode, '[^A-Za-z0-9]', '', 'g')), '')"
    uk = f"regexp_matches({squeezed}, '{POSTCODE_SHAPE}')"
    digits = "regexp_replace(CAST(s.nhs_number AS VARCHAR), '[ -]', '', 'g')"
    address = "nullif(trim(regexp_replace(upper(s.address), '[^A-Z0-9]+', ' ', 'g')), '')"
    other = (
        "nullif(upper(regexp_replace(CAST(s.other_id AS VARCHAR), '[^A-Za-z0-9]', '', 'g')), '')"
    )
    staged = f"""
        SELECT s.node_id, {given} AS given, {family} AS family, CAST(s.birth_date AS DATE) AS birth_date,
               {sex} AS sex, {squeezed} AS postcode, {uk} AS postcode_is_uk,
               CASE WHEN {nhs_number_valid(digits)} THEN {digits} END AS nhs_number,
               {address} AS address, {other} AS other_id
        FROM {source} AS s
    """
    return f"""
        WITH staged AS ({staged})
        SELECT t.node_id, t.given, gc.roots AS given_roots, gc.sound AS given_sound,
               t.family, string_split(t.family, ' ') AS family_tokens, fc.sound AS family_sound,
               t.birth_date, year(t.birth_date) AS birth_year, t.sex, t.postcode,
               CASE WHEN t.postcode_is_uk THEN left(t.postcode, length(t.postcode) - 2) END AS postcode_sector,
               CASE WHEN t.postcode_is_uk THEN left(t.postcode, length(t.postcode) - 3) END AS postcode_district,
               t.address, list_distinct(string_split(t.address, ' ')) AS address_tokens,
               t.nhs_number, t.other_id
        FROM staged AS t
        LEFT JOIN linkage_name_codes AS gc ON gc.name = t.given
        LEFT JOIN linkage_name_codes AS fc ON fc.name = t.family
    """


def _nickname_roots() -> dict[str, set[str]]:
    """Each name -> the formal names it may stand for (itself included)."""
    roots: dict[str, set[str]] = {}
    for row in read_reference_csv("nicknames.csv"):
        formal, informal = row["name"].upper(), row["nickname"].upper()
        roots.setdefault(formal, {formal})
        roots.setdefault(informal, {informal}).add(formal)
    return roots


def name_codes(names: Iterable[str]) -> pa.Table:
    """The nickname roots and phonetic code (Metaphone) of each distinct name."""
    known = _nickname_roots()
    distinct = sorted({n for n in names if n})
    return pa.table(
        {
            "name": distinct,
            "roots": [sorted(known.get(n, {n})) for n in distinct],
            "sound": [jellyfish.metaphone(n) or None for n in distinct],
        }
    )


def create_name_codes(connection: duckdb.DuckDBPyConnection, source: str) -> None:
    """``linkage_name_codes`` for every given and family name in ``source`` (role columns)."""
    parsed_given, parsed_family, _ = _parsed_full_name("s.full_name")
    rows = connection.execute(
        f"""
        SELECT DISTINCT name FROM (
            SELECT unnest([coalesce(string_split({_letters("s.given_name")}, ' ')[1], {parsed_given}),
                           coalesce({_letters("s.family_name")}, {parsed_family})]) AS name
            FROM {source} AS s
        ) WHERE name IS NOT NULL
        """
    ).fetchall()
    codes = name_codes(r[0] for r in rows)
    connection.register("_name_codes_arrow", codes)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE linkage_name_codes AS SELECT * FROM _name_codes_arrow"
    )
    connection.unregister("_name_codes_arrow")
