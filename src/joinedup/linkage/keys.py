"""Stable person_keys: a new run of linkage does not renumber the residents it already knew.

Each previous person_key goes to the new cluster holding most of its nodes; a cluster keeps the
oldest key that came to it. A cluster that receives two or more keys is a *merge* (the younger keys
are retired into the oldest); a key whose nodes now lie in several clusters is a *split* (the
largest part keeps the key, the others get new ones). Both are written to the key log with the
evidence that caused them. All of it is set work in SQL; ties are broken by node id, so the same
inputs always give the same keys.
"""

from __future__ import annotations

import duckdb

KEY_PREFIX = "P"
KEY_DIGITS = 9


def _key(number_sql: str) -> str:
    return f"'{KEY_PREFIX}' || lpad(CAST({number_sql} AS VARCHAR), {KEY_DIGITS}, '0')"


def assign(connection: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, int]:
    """From ``link_clusters(node_id, cluster_id)``, the previous ``link_person_nodes`` and the
    run's ``link_edges``, write ``link_assigned(node_id, person_key)`` and ``link_key_changes``.
    New keys are numbered after every key ever issued (``link_known_keys``): a retired key is
    never given to someone else."""
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE _claims AS
        WITH overlap AS (
            SELECT p.person_key, c.cluster_id, count(*) AS shared
            FROM link_clusters AS c JOIN link_previous AS p USING (node_id)
            GROUP BY ALL
        )
        SELECT person_key, first(cluster_id ORDER BY shared DESC, cluster_id) AS cluster_id
        FROM overlap GROUP BY person_key
        """
    )
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE _kept AS
        SELECT cluster_id, min(person_key) AS person_key FROM _claims GROUP BY cluster_id
        """
    )
    highest = connection.execute(
        f"SELECT coalesce(max(CAST(substr(person_key, {len(KEY_PREFIX) + 1}) AS BIGINT)), 0) "
        "FROM link_known_keys"
    ).fetchall()[0][0]
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _cluster_keys AS
        SELECT cluster_id, person_key, false AS is_new FROM _kept
        UNION ALL
        SELECT cluster_id, {_key(f"{int(highest)} + row_number() OVER (ORDER BY cluster_id)")}, true
        FROM (SELECT DISTINCT cluster_id FROM link_clusters
              WHERE cluster_id NOT IN (SELECT cluster_id FROM _kept))
        """
    )
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_assigned AS
        SELECT c.node_id, k.person_key
        FROM link_clusters AS c JOIN _cluster_keys AS k USING (cluster_id)
        """
    )
    _log_changes(connection, run_id)
    counts = connection.execute(
        """
        SELECT count(*) FILTER (WHERE change = 'new'), count(*) FILTER (WHERE change = 'merge'),
               count(*) FILTER (WHERE change = 'split')
        FROM link_key_changes
        """
    ).fetchall()[0]
    for table in ("_claims", "_kept", "_cluster_keys"):
        connection.execute(f"DROP TABLE {table}")
    return dict(zip(("new", "merged", "split"), counts, strict=True))


def _log_changes(connection: duckdb.DuckDBPyConnection, run_id: int) -> None:
    """New keys, merges and splits, each with the evidence behind it."""
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE link_key_changes AS
        WITH moved AS (
            SELECT p.person_key AS old_key, a.person_key AS new_key, count(*) AS nodes
            FROM link_previous AS p JOIN link_assigned AS a USING (node_id)
            WHERE p.person_key <> a.person_key GROUP BY ALL
        ), crossing AS (
            SELECT pl.person_key AS key_l, pr.person_key AS key_r,
                   string_agg(DISTINCT e.evidence, '; ' ORDER BY e.evidence) AS evidence
            FROM link_edges AS e
            JOIN link_previous AS pl ON pl.node_id = e.node_id_l
            JOIN link_previous AS pr ON pr.node_id = e.node_id_r
            WHERE pl.person_key <> pr.person_key GROUP BY ALL
        ), merges AS (
            SELECT m.old_key, m.new_key, m.nodes,
                   coalesce(max(c.evidence), 'linked through records new to this run') AS reason
            FROM moved AS m
            JOIN (SELECT person_key FROM link_previous) AS existing ON existing.person_key = m.new_key
            LEFT JOIN crossing AS c
              ON (c.key_l = m.old_key AND c.key_r = m.new_key)
              OR (c.key_r = m.old_key AND c.key_l = m.new_key)
            GROUP BY ALL
        ), splits AS (
            SELECT old_key, new_key, nodes FROM moved
            WHERE new_key NOT IN (SELECT person_key FROM link_previous)
        ), new_keys AS (
            SELECT DISTINCT person_key FROM link_assigned
            WHERE person_key NOT IN (SELECT person_key FROM link_previous)
        )
        SELECT DISTINCT {run_id} AS run_id, 'merge' AS change, old_key AS person_key,
               new_key AS other_key, nodes, 'merged: ' || reason AS reason
        FROM merges
        UNION ALL
        SELECT DISTINCT {run_id}, 'split', old_key, new_key, nodes,
               CASE WHEN EXISTS (
                   SELECT 1 FROM link_decisions AS d
                   JOIN link_previous AS pl ON pl.node_id = d.node_id_l
                   JOIN link_previous AS pr ON pr.node_id = d.node_id_r
                   WHERE d.decision = 'not_same_person' AND pl.person_key = old_key
                     AND pr.person_key = old_key)
               THEN 'split: a reviewer decided these records are not the same person'
               ELSE 'split: the evidence no longer links these records' END
        FROM (SELECT DISTINCT ON (old_key, new_key) * FROM splits)
        UNION ALL
        SELECT {run_id}, 'new', person_key, NULL, NULL, 'new resident'
        FROM new_keys
        WHERE person_key NOT IN (SELECT new_key FROM splits)
        """
    )
