"""One linked person as a practitioner sees them: identifiers, agencies, and why they were joined.

Reads the published identity zone only, read-only. The web app calls this inside a legitimate
relationship (a case the user works on, or break-glass access); nothing here decides who may
see it, and nothing here is written anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from joinedup.feeds.contract import contract_named
from joinedup.linkage.published import connect_linked


class UnknownPersonError(LookupError):
    """No person with this key in the published linkage."""


@dataclass(frozen=True)
class SourceRecord:
    feed: str
    agency: str
    record_id: str
    event_date: dt.date | None
    name: str
    birth_date: dt.date | None
    sex: str | None
    nhs_number: str | None
    postcode: str | None
    address: str | None


@dataclass(frozen=True)
class AgencyRecords:
    agency: str
    feed: str
    records: int
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True)
class PersonDetails:
    person_key: str
    name: str  # the name most partners use
    other_names: list[str]
    birth_date: dt.date | None
    other_birth_dates: list[dt.date]
    sex: str | None
    nhs_numbers: list[str]
    address: str | None  # the latest recorded, with its postcode
    agencies: list[AgencyRecords]
    joined_because: list[str]  # plain words, one line per kind of evidence
    records: list[SourceRecord]


RECORDS_SQL = """
    SELECT i.feed, i.record_id, i.event_date,
           coalesce(i.full_name, concat_ws(' ', i.given_name, i.family_name)) AS name,
           i.birth_date, i.sex, CASE WHEN i.nhs_number_valid THEN i.nhs_number END AS nhs_number,
           i.postcode, i.address
    FROM link_record_persons AS p JOIN identity_records AS i USING (feed, record_key)
    WHERE p.person_key = ?
    ORDER BY i.event_date DESC NULLS LAST, i.feed, i.record_id
"""

EVIDENCE_SQL = """
    SELECT CASE WHEN e.evidence LIKE 'model%' THEN 'model' ELSE e.evidence END AS kind,
           count(*) AS pairs, min(e.match_probability) AS weakest
    FROM link_edges AS e
    JOIN link_person_nodes AS l ON l.node_id = e.node_id_l
    JOIN link_person_nodes AS r ON r.node_id = e.node_id_r
    WHERE l.person_key = ? AND r.person_key = ?
    GROUP BY kind ORDER BY kind
"""


def person_details(home: Path, person_key: str) -> PersonDetails:
    """Everything the identity zone holds on one person, most recent first."""
    connection = connect_linked(home)
    try:
        records = [_source_record(row) for row in _rows(connection, RECORDS_SQL, [person_key])]
        if not records:
            raise UnknownPersonError(f"no person {person_key!r} in the published linkage")
        evidence = _rows(connection, EVIDENCE_SQL, [person_key, person_key])
    finally:
        connection.close()
    return _summarise(person_key, records, evidence)


def _rows(
    connection: duckdb.DuckDBPyConnection, sql: str, params: list[Any]
) -> list[tuple[Any, ...]]:
    return connection.execute(sql, params).fetchall()


def _source_record(row: tuple[Any, ...]) -> SourceRecord:
    feed, record_id, event_date, name, birth_date, sex, nhs_number, postcode, address = row
    return SourceRecord(
        feed=feed,
        agency=agency_of(feed),
        record_id=record_id,
        event_date=event_date,
        name=_title(name or ""),
        birth_date=birth_date,
        sex=sex,
        nhs_number=nhs_number,
        postcode=postcode,
        address=_title(address) if address else None,
    )


def agency_of(feed: str) -> str:
    """The partner that sends a feed, as its contract names it."""
    try:
        return contract_named(feed).partner
    except (KeyError, LookupError, ValueError):
        return feed


def _title(text: str) -> str:
    return " ".join(word.capitalize() for word in text.split())


def _ranked(values: list[Any]) -> list[Any]:
    """Distinct non-empty values, the most often recorded first (ties: most recent first)."""
    counts = Counter(v for v in values if v)
    return sorted(counts, key=lambda v: -counts[v])


def _summarise(
    person_key: str, records: list[SourceRecord], evidence: list[tuple[Any, ...]]
) -> PersonDetails:
    names = _ranked([r.name for r in records])
    birth_dates = _ranked([r.birth_date for r in records])
    latest_address = next((r for r in records if r.address), None)
    return PersonDetails(
        person_key=person_key,
        name=names[0] if names else "(no name recorded)",
        other_names=names[1:],
        birth_date=birth_dates[0] if birth_dates else None,
        other_birth_dates=birth_dates[1:],
        sex=next(iter(_ranked([r.sex for r in records])), None),
        nhs_numbers=_ranked([r.nhs_number for r in records]),
        address=(
            f"{latest_address.address}, {latest_address.postcode or ''}".strip(", ")
            if latest_address
            else None
        ),
        agencies=_agencies(records),
        joined_because=[plain_evidence(kind, pairs, weakest) for kind, pairs, weakest in evidence],
        records=records,
    )


def _agencies(records: list[SourceRecord]) -> list[AgencyRecords]:
    by_feed: dict[str, list[SourceRecord]] = {}
    for record in records:
        by_feed.setdefault(record.feed, []).append(record)
    summary = []
    for feed, group in sorted(by_feed.items()):
        dates = [r.event_date for r in group if r.event_date]
        summary.append(
            AgencyRecords(
                agency=group[0].agency,
                feed=feed,
                records=len(group),
                first=min(dates) if dates else None,
                last=max(dates) if dates else None,
            )
        )
    return summary


def plain_evidence(kind: str, pairs: int, weakest: float) -> str:
    """Why records were joined, as a practitioner would say it.

    >>> plain_evidence("same valid NHS number", 3, 1.0)
    'Records with the same valid NHS number (3 links).'
    >>> plain_evidence("model", 1, 0.9731)
    'Name, date of birth, sex and address agree closely enough to be the same person (1 link; the weakest is 97.3% certain).'
    """
    links = f"{pairs} link{'s' if pairs != 1 else ''}"
    if kind == "same valid NHS number":
        return f"Records with the same valid NHS number ({links})."
    if kind == "same partner record":
        return f"The same partner's own person id, in that partner's records ({links})."
    if kind == "model":
        return (
            "Name, date of birth, sex and address agree closely enough to be the same person "
            f"({links}; the weakest is {weakest:.1%} certain)."
        )
    return f"{kind[:1].upper()}{kind[1:]} ({links})."


def people_with_nhs_number(home: Path, nhs_number: str) -> list[str]:
    """The person_keys whose records carry this valid NHS number (one, unless linkage split them)."""
    digits = "".join(ch for ch in nhs_number if ch.isdigit())
    connection = connect_linked(home)
    try:
        rows = _rows(
            connection,
            """
            SELECT DISTINCT p.person_key
            FROM identity_records AS i JOIN link_record_persons AS p USING (feed, record_key)
            WHERE i.nhs_number = ? AND i.nhs_number_valid ORDER BY 1
            """,
            [digits],
        )
    finally:
        connection.close()
    return [row[0] for row in rows]
