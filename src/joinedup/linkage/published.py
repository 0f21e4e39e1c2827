"""The published linkage, read-only: one way in for review, explanation, evaluation and history."""

from __future__ import annotations

from pathlib import Path

import duckdb

from joinedup.feeds import store


class NotLinkedError(LookupError):
    """Nothing is loaded yet, or linkage has not run on what is."""


def identity_table_exists(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    found: int = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'identity' AND table_name = ?",
        [table],
    ).fetchall()[0][0]
    return found > 0


def connect_linked(home: Path) -> duckdb.DuckDBPyConnection:
    """The published zones, read-only, once linkage has run on them."""
    version = store.current(home)
    if version is None:
        raise NotLinkedError("nothing is loaded yet: load the partner extracts, then run linkage")
    connection = store.connect_zones(version, read_only=True)
    if not identity_table_exists(connection, "link_runs"):
        connection.close()
        raise NotLinkedError("linkage has not run yet: run `joinedup link` first")
    return connection
