"""Find the person a referral is about in the person index, through the identity zone.

A referral names someone: given and family name, date of birth, perhaps an NHS number, an
address and postcode. Those are put through the linkage's own standardisation
(``standardise.standardise_sql``: upper case letters only, nickname roots, postcodes without
spaces, NHS numbers only when they pass the modulus 11 check) and compared with every identity
the linkage knows (``identity.link_nodes``):

- a valid NHS number that the index holds gives that person, "certain";
- otherwise the family name and date of birth must agree, and the postcode or the given name
  (or a nickname of it) too: "certain" when all four agree, else "probable".

The answer is person_keys with the fields that agreed, never the index's identifiers: whoever
reads it learns which person, not what the other agencies hold about them. Read-only on the
published zones; no Django here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from joinedup.linkage.published import connect_linked
from joinedup.linkage.standardise import create_name_codes, standardise_sql

CERTAIN, PROBABLE = "certain", "probable"
NHS_NUMBER, FAMILY, BIRTH_DATE, POSTCODE, GIVEN = (
    "NHS number",
    "family name",
    "date of birth",
    "postcode",
    "given name",
)


@dataclass(frozen=True)
class Referred:
    """Who a referral is about, as the referrer typed them."""

    given_name: str
    family_name: str
    birth_date: dt.date
    postcode: str = ""
    nhs_number: str = ""


@dataclass(frozen=True)
class Candidate:
    person_key: str
    confidence: str  # CERTAIN or PROBABLE
    agreed: tuple[str, ...]  # the fields that agreed, in a fixed order


@dataclass(frozen=True)
class Match:
    """The people the index holds who may be the one referred, the likeliest first."""

    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        """The one likeliest candidate; None when there is none, or a tie between two people."""
        if not self.candidates:
            return None
        first = self.candidates[0]
        if len(self.candidates) > 1 and _rank(self.candidates[1]) == _rank(first):
            return None
        return first

    @property
    def ambiguous(self) -> bool:
        return bool(self.candidates) and self.best is None


NO_MATCH = Match(())


def _rank(candidate: Candidate) -> tuple[bool, int]:
    return (NHS_NUMBER in candidate.agreed, len(candidate.agreed))


# Each identity of the index against the referral's one standardised row: which fields agree.
AGREEMENT_SQL = f"""
    WITH referred AS ({standardise_sql("_lookup_referred")}),
    compared AS (
        SELECT p.person_key,
               r.nhs_number IS NOT NULL AND n.nhs_number = r.nhs_number AS nhs,
               n.family = r.family AS family,
               n.birth_date = r.birth_date AS birth_date,
               n.postcode = r.postcode AS postcode,
               n.given = r.given OR list_has_any(n.given_roots, r.given_roots) AS given
        FROM identity.link_nodes AS n
        JOIN identity.link_person_nodes AS p USING (node_id)
        CROSS JOIN referred AS r
        WHERE (r.nhs_number IS NOT NULL AND n.nhs_number = r.nhs_number)
           OR (n.family = r.family AND n.birth_date = r.birth_date)
    )
    SELECT person_key, coalesce(nhs, false), coalesce(family, false), coalesce(birth_date, false),
           coalesce(postcode, false), coalesce(given, false)
    FROM compared
"""
FIELDS = (NHS_NUMBER, FAMILY, BIRTH_DATE, POSTCODE, GIVEN)


def find_person(home: Path, referred: Referred) -> Match:
    """The candidates for ``referred`` in the published person index (``NotLinkedError`` if
    linkage has not run)."""
    connection = connect_linked(home)
    try:
        rows = _agreements(connection, referred)
    finally:
        connection.close()
    return match_from(rows)


def _agreements(
    connection: duckdb.DuckDBPyConnection, referred: Referred
) -> list[tuple[str, tuple[str, ...]]]:
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE _lookup_referred AS
        SELECT 'referred' AS node_id, ?::VARCHAR AS given_name, ?::VARCHAR AS family_name,
               NULL::VARCHAR AS full_name, ?::DATE AS birth_date, NULL::VARCHAR AS sex,
               ?::VARCHAR AS postcode, NULL::VARCHAR AS address, ?::VARCHAR AS nhs_number,
               NULL::VARCHAR AS other_id
        """,
        [
            referred.given_name,
            referred.family_name,
            referred.birth_date,
            referred.postcode or None,
            referred.nhs_number or None,
        ],
    )
    create_name_codes(connection, "_lookup_referred")
    return [
        (row[0], tuple(name for name, agrees in zip(FIELDS, row[1:], strict=True) if agrees))
        for row in connection.execute(AGREEMENT_SQL).fetchall()
    ]


def match_from(rows: list[tuple[str, tuple[str, ...]]]) -> Match:
    """Candidates from each identity's agreeing fields: the best identity of each person.

    >>> match_from([("P1", ("family name", "date of birth")),
    ...             ("P2", ("family name", "date of birth", "given name"))]).candidates
    (Candidate(person_key='P2', confidence='probable', agreed=('family name', 'date of birth', 'given name')),)
    >>> match_from([("P1", ("NHS number", "family name"))]).best.confidence
    'certain'
    """
    best: dict[str, Candidate] = {}
    for person_key, agreed in rows:
        candidate = _candidate(person_key, agreed)
        if candidate is None:
            continue
        held = best.get(person_key)
        if held is None or _rank(candidate) > _rank(held):
            best[person_key] = candidate
    ranked = sorted(best.values(), key=lambda c: (_rank(c), c.person_key), reverse=True)
    if ranked and NHS_NUMBER in ranked[0].agreed:
        # An NHS number the index holds settles it: names and dates are not weighed against it.
        ranked = [c for c in ranked if NHS_NUMBER in c.agreed]
    return Match(tuple(ranked))


def _candidate(person_key: str, agreed: tuple[str, ...]) -> Candidate | None:
    if NHS_NUMBER in agreed:
        return Candidate(person_key, CERTAIN, agreed)
    if FAMILY not in agreed or BIRTH_DATE not in agreed:
        return None
    if POSTCODE in agreed and GIVEN in agreed:
        return Candidate(person_key, CERTAIN, agreed)
    if POSTCODE in agreed or GIVEN in agreed:
        return Candidate(person_key, PROBABLE, agreed)
    return None
