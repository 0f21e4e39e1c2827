"""Removing records from a new version of the zones: the set work every erasure shares.

A ``Selection`` names the identity records and quarantined rows to remove, as SQL over the
zones. ``remove`` takes them out of the identity zone (records, quarantined rows, linkage: the
record's place in its resident, and nodes, edges and review pairs no record now stands behind),
out of the analytic zone (the feed's table, person_keys, and households, rebuilt from the records
left), and marks an erased delivery so that its file is refused if sent again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from joinedup.feeds import schema, store
from joinedup.feeds.contract import contract_named
from joinedup.feeds.secret import pads
from joinedup.lifecycle.common import Progress
from joinedup.linkage.paths import decisions_path
from joinedup.linkage.run import publish_households

Query = tuple[str, list[object]]


@dataclass(frozen=True)
class Selection:
    """``records`` gives (feed, record_key) of identity records, ``quarantine`` the rowids of
    quarantined rows, both after the ``setup`` statements; ``delivery`` (feed, id) is a whole
    delivery erased."""

    records: Query
    quarantine: Query
    setup: tuple[Query, ...] = ()
    delivery: tuple[str, int] | None = None


@dataclass(frozen=True)
class Removed:
    """What one feed loses. The record ids stay in memory: only their keyed hashes are kept."""

    feed: str
    record_ids: list[str] = field(default_factory=list)
    records: int = 0
    quarantined_rows: int = 0
    deliveries: list[int] = field(default_factory=list)
    data_since: dt.datetime | None = None


def table_exists(connection: duckdb.DuckDBPyConnection, database: str, table: str) -> bool:
    found = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
        [database, table],
    ).fetchall()[0][0]
    return bool(found)


def select(connection: duckdb.DuckDBPyConnection, selection: Selection) -> list[Removed]:
    """The temp tables ``_doomed`` and ``_doomed_quarantine``, and what they hold by feed."""
    for sql, parameters in selection.setup:
        connection.execute(sql, parameters)
    records, record_parameters = selection.records
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE _doomed AS SELECT r.feed, r.record_key, r.record_id, "
        "r.person_source_key, r.delivery_id FROM identity.identity_records AS r "
        f"SEMI JOIN ({records}) AS s ON s.feed = r.feed AND s.record_key = r.record_key",
        record_parameters,
    )
    rows, row_parameters = selection.quarantine
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE _doomed_quarantine AS SELECT q.rowid AS row_id, q.feed, "
        f"q.record_id, q.delivery_id FROM identity.quarantine AS q WHERE q.rowid IN ({rows})",
        row_parameters,
    )
    return _by_feed(connection, selection.delivery)


def _by_feed(
    connection: duckdb.DuckDBPyConnection, delivery: tuple[str, int] | None
) -> list[Removed]:
    rows = connection.execute(
        """
        WITH doomed AS (
            SELECT feed, record_id, delivery_id, 1 AS record, 0 AS quarantined FROM _doomed
            UNION ALL
            SELECT feed, record_id, delivery_id, 0, 1 FROM _doomed_quarantine
            UNION ALL
            SELECT ?::VARCHAR, NULL, ?::INTEGER, 0, 0 WHERE ?::VARCHAR IS NOT NULL
        )
        SELECT x.feed, list(DISTINCT x.record_id) FILTER (WHERE x.record_id IS NOT NULL),
               sum(x.record), sum(x.quarantined), list(DISTINCT x.delivery_id ORDER BY x.delivery_id),
               min(d.loaded_at)
        FROM doomed AS x LEFT JOIN identity.deliveries AS d ON d.delivery_id = x.delivery_id
        GROUP BY x.feed ORDER BY x.feed
        """,
        [*(delivery or (None, None)), delivery[0] if delivery else None],
    ).fetchall()
    return [
        Removed(feed, sorted(ids or []), int(records), int(quarantined), list(ids_of), since)
        for feed, ids, records, quarantined, ids_of, since in rows
    ]


def remove(
    connection: duckdb.DuckDBPyConnection,
    key: bytes,
    selection: Selection,
    progress: Progress,
) -> list[str]:
    """Remove what ``select`` chose; the ids of linkage nodes no record now stands behind."""
    linked = table_exists(connection, "identity", "link_record_persons")
    progress("Removing the records from the identity zone")
    if linked:
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE _node_candidates AS "
            "SELECT p.node_id FROM identity.link_record_persons AS p SEMI JOIN _doomed USING (feed, record_key) "
            "UNION SELECT 's' || person_source_key FROM _doomed WHERE person_source_key IS NOT NULL"
        )
    for table in ("identity_records", *(("link_record_persons",) if linked else ())):
        connection.execute(
            f"DELETE FROM identity.{table} AS t WHERE EXISTS (SELECT 1 FROM _doomed AS d "
            "WHERE d.feed = t.feed AND d.record_key = t.record_key)"
        )
    connection.execute(
        "DELETE FROM identity.quarantine WHERE rowid IN (SELECT row_id FROM _doomed_quarantine)"
    )
    progress("Removing the records from the analytic zone")
    _analytic(connection)
    progress("Removing what linkage made of them")
    gone = _linkage(connection, key) if linked else []
    if selection.delivery is not None:
        _mark_erased(connection, selection.delivery[1])
    return gone


def _analytic(connection: duckdb.DuckDBPyConnection) -> None:
    feeds = [f for (f,) in connection.execute("SELECT DISTINCT feed FROM _doomed").fetchall()]
    for feed in feeds:
        connection.execute(
            f"DELETE FROM {schema.analytic_table(contract_named(feed))} "
            "WHERE record_key IN (SELECT record_key FROM _doomed WHERE feed = ?)",
            [feed],
        )
    if table_exists(connection, "analytic", "person_keys"):
        connection.execute(
            "DELETE FROM analytic.person_keys AS t WHERE EXISTS (SELECT 1 FROM _doomed AS d "
            "WHERE d.feed = t.feed AND d.record_key = t.record_key)"
        )


def _linkage(connection: duckdb.DuckDBPyConnection, key: bytes) -> list[str]:
    """Nodes no remaining record stands behind, their edges and review pairs; households again."""
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE _gone_nodes AS
        SELECT node_id FROM _node_candidates
        EXCEPT SELECT node_id FROM identity.link_record_persons
        EXCEPT SELECT 's' || person_source_key FROM identity.identity_records
               WHERE person_source_key IS NOT NULL
        """
    )
    gone = "(SELECT node_id FROM _gone_nodes)"
    for table, where in (
        ("link_nodes", f"node_id IN {gone}"),
        ("link_person_nodes", f"node_id IN {gone}"),
        ("link_edges", f"node_id_l IN {gone} OR node_id_r IN {gone}"),
        ("link_review_queue", f"node_id_l IN {gone} OR node_id_r IN {gone}"),
    ):
        if table_exists(connection, "identity", table):
            connection.execute(f"DELETE FROM identity.{table} WHERE {where}")
    if table_exists(connection, "analytic", "person_households"):
        inner, outer = pads(key)
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE _pads AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad",
            [inner, outer],
        )
        publish_households(connection)
    return sorted(n for (n,) in connection.execute("SELECT node_id FROM _gone_nodes").fetchall())


def _mark_erased(connection: duckdb.DuckDBPyConnection, delivery_id: int) -> None:
    """The delivery's row stays (its id is never given again), marked so its file is refused."""
    for zone in ("identity", "analytic"):
        connection.execute(
            f"UPDATE {zone}.deliveries SET kind = ? WHERE delivery_id = ?",
            [schema.ERASED_KIND, delivery_id],
        )


def forget_decisions(home: Path, nodes: list[str]) -> int:
    """Reviewers' decisions on pairs that include a node gone with the erased records."""
    path = decisions_path(home)
    if not nodes or not path.exists():
        return 0
    with duckdb.connect(str(path)) as connection:
        forgotten = connection.execute(
            "DELETE FROM link_decisions WHERE list_contains(?, node_id_l) OR list_contains(?, node_id_r)",
            [nodes, nodes],
        ).fetchall()[0][0]
    if forgotten:
        store.compact_file(path)
    return int(forgotten)
