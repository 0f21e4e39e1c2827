"""Stable person_keys on hand-made graphs: merges, splits, and keys never reissued."""

from __future__ import annotations

import duckdb

from joinedup.linkage import keys


def _run(
    connection: duckdb.DuckDBPyConnection,
    clusters: dict[str, str],
    previous: dict[str, str],
    known: set[str],
    run_id: int,
) -> dict[str, str]:
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE link_clusters (node_id VARCHAR, cluster_id VARCHAR)"
    )
    connection.executemany("INSERT INTO link_clusters VALUES (?, ?)", list(clusters.items()))
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE link_previous (node_id VARCHAR, person_key VARCHAR)"
    )
    if previous:
        connection.executemany("INSERT INTO link_previous VALUES (?, ?)", list(previous.items()))
    connection.execute("CREATE OR REPLACE TEMP TABLE link_known_keys (person_key VARCHAR)")
    if known:
        connection.executemany("INSERT INTO link_known_keys VALUES (?)", [[k] for k in known])
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE link_edges AS SELECT 'a' AS node_id_l, 'b' AS node_id_r, "
        "'same valid NHS number' AS evidence"
    )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE link_decisions (node_id_l VARCHAR, node_id_r VARCHAR, decision VARCHAR)"
    )
    keys.assign(connection, run_id)
    return dict(connection.execute("SELECT node_id, person_key FROM link_assigned").fetchall())


def test_merge_keeps_the_oldest_key_and_a_retired_key_is_never_reissued() -> None:
    connection = duckdb.connect()
    first = _run(connection, {"a": "a", "b": "b"}, {}, set(), 1)
    assert first == {"a": "P000000001", "b": "P000000002"}
    merged = _run(connection, {"a": "a", "b": "a"}, first, set(first.values()), 2)
    assert merged == {"a": "P000000001", "b": "P000000001"}
    change = connection.execute(
        "SELECT change, person_key, other_key, reason FROM link_key_changes"
    ).fetchall()
    assert change == [("merge", "P000000002", "P000000001", "merged: same valid NHS number")]
    known = set(first.values()) | set(merged.values())
    third = _run(connection, {"a": "a", "b": "a", "c": "c"}, merged, known, 3)
    assert third["c"] == "P000000003"


def test_split_gives_the_larger_part_the_old_key() -> None:
    connection = duckdb.connect()
    previous = {"a": "P000000001", "b": "P000000001", "c": "P000000001"}
    after = _run(connection, {"a": "a", "b": "a", "c": "c"}, previous, {"P000000001"}, 2)
    assert after["a"] == after["b"] == "P000000001"
    assert after["c"] == "P000000002"
    change = connection.execute(
        "SELECT change, person_key, other_key FROM link_key_changes"
    ).fetchall()
    assert change == [("split", "P000000001", "P000000002")]
