"""Looking into a lifecycle test's hub: its published zones, every text cell, chosen records."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from joinedup.feeds import store


@contextmanager
def zones(home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    version = store.current(home)
    assert version is not None
    connection = store.connect_zones(version, read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def rows(home: Path, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    with zones(home) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


def tables_holding(home: Path, texts: list[str]) -> dict[str, list[str]]:
    """For each text, every column of both zones with a text or list cell containing it."""
    found: dict[str, list[str]] = {text: [] for text in texts}
    with zones(home) as connection:
        columns = connection.execute(
            "SELECT database_name, table_name, column_name FROM duckdb_columns() "
            "WHERE database_name IN ('identity', 'analytic') "
            "AND (data_type = 'VARCHAR' OR data_type LIKE 'VARCHAR[]%' OR data_type = 'JSON')"
        ).fetchall()
        for database, table, column in columns:
            cell = f'upper(CAST("{column}" AS VARCHAR))'
            counts = ", ".join(f"count(*) FILTER (WHERE contains({cell}, upper(?)))" for _ in texts)
            hits = connection.execute(
                f'SELECT {counts} FROM {database}."{table}"', list(texts)
            ).fetchall()[0]
            for text, hit in zip(texts, hits, strict=True):
                if hit:
                    found[text].append(f"{database}.{table}.{column}")
    return found


def file_bytes(home: Path) -> bytes:
    """Both published files, as bytes: what lies in their free blocks too."""
    version = store.current(home)
    assert version is not None
    return version.identity.read_bytes() + version.analytic.read_bytes()


def fingerprint(home: Path) -> tuple[str, str]:
    """The published version's name and a digest of its two files."""
    version = store.current(home)
    assert version is not None
    digest = hashlib.sha256(version.identity.read_bytes() + version.analytic.read_bytes())
    return version.folder.name, digest.hexdigest()


def unique_gp_patient(home: Path) -> dict[str, Any]:
    """A registered patient whose surname and NHS number no other record or quarantined row
    carries, and who has appointments (records that stay with their person_key)."""
    found = rows(
        home,
        """
        WITH names AS (SELECT family_name, count(*) AS n FROM identity_records GROUP BY 1),
             numbers AS (SELECT nhs_number, count(*) AS n FROM identity_records GROUP BY 1)
        SELECT r.record_id, r.record_key, r.family_name, r.nhs_number, r.given_name, p.person_key,
               p.node_id, r.person_source_key
        FROM identity_records AS r JOIN names USING (family_name) JOIN numbers USING (nhs_number)
        JOIN link_record_persons AS p USING (feed, record_key)
        WHERE r.feed = 'gp_patients' AND names.n = 1 AND numbers.n = 1 AND length(r.family_name) > 5
          AND NOT EXISTS (SELECT 1 FROM quarantine AS q WHERE contains(upper(q.raw), upper(r.family_name)))
          AND NOT EXISTS (SELECT 1 FROM identity_records AS o WHERE o.record_key <> r.record_key
                          AND contains(upper(concat_ws('|', o.family_name, o.given_name, o.full_name,
                                       o.address, o.other_identifiers)), upper(r.family_name)))
          AND EXISTS (SELECT 1 FROM identity_records AS a WHERE a.feed = 'gp_appointments'
                      AND a.person_source_key = r.person_source_key)
        ORDER BY r.record_id LIMIT 1
        """,
    )
    assert found, "the small borough has no patient with a surname of their own"
    names = ("record_id", "record_key", "family_name", "nhs_number", "given_name")
    return {
        **dict(zip(names, found[0][:5], strict=True)),
        "person_key": found[0][5],
        "node_id": found[0][6],
        "person_source_key": found[0][7],
    }
