"""The identity zone's records as a graph: nodes to link, and the links partners already assert.

A node is either an *identity* (one distinct set of standardised identifiers, however many records
carry it: exact duplicates are collapsed before the model runs) or a *source person* (a partner's
own id for someone, so that records with no identifiers, such as GP appointments, follow their
patient). Two kinds of edge need no model: a record joins its identity to its source person, and
identities sharing a valid NHS number are the same person. Node ids are keyed hashes under the
hub's key: they reveal nothing without it, and the same identifiers always give the same node.
"""

from __future__ import annotations

import duckdb

from joinedup.feeds.secret import key_sql
from joinedup.linkage.standardise import IDENTIFIER_ROLES, create_name_codes, standardise_sql

IDENTIFIER_COLUMNS = (
    "given",
    "family",
    "birth_date",
    "sex",
    "postcode",
    "address",
    "nhs_number",
)


def _raw_identity_key() -> str:
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in IDENTIFIER_ROLES)
    return f"md5(concat_ws('|', {parts}))"


def build(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Create the temp tables ``link_record_nodes``, ``link_nodes`` and ``link_fixed_edges``
    from the identity zone's ``identity_records``; ``_pads`` must hold the hub's key pads."""
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _link_raw AS
        SELECT feed, record_key, person_source_key, {", ".join(IDENTIFIER_ROLES)},
               {_raw_identity_key()} AS raw_key,
               coalesce(given_name, family_name, full_name, CAST(birth_date AS VARCHAR),
                        nhs_number) IS NOT NULL AS identifiable
        FROM (SELECT * REPLACE (CASE WHEN nhs_number_valid THEN nhs_number END AS nhs_number)
              FROM identity.identity_records)
        """
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _link_raw_distinct AS
        SELECT DISTINCT ON (raw_key) raw_key AS node_id, {", ".join(IDENTIFIER_ROLES)},
               NULL AS other_id
        FROM _link_raw WHERE identifiable
        """
    )
    create_name_codes(connection, "_link_raw_distinct")
    identity_text = (
        "concat_ws('|', "
        + ", ".join(f"coalesce(CAST(s.{c} AS VARCHAR), '')" for c in IDENTIFIER_COLUMNS)
        + ")"
    )
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _link_standard AS
        SELECT s.node_id AS raw_key, 'i' || {key_sql("'linkage-identity'", identity_text)} AS identity_node,
               s.* EXCLUDE (node_id)
        FROM ({standardise_sql("_link_raw_distinct")}) AS s CROSS JOIN _pads AS k
        """
    )
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_nodes AS
        SELECT DISTINCT ON (identity_node) identity_node AS node_id, * EXCLUDE (raw_key, identity_node)
        FROM _link_standard ORDER BY identity_node
        """
    )
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_record_nodes AS
        SELECT r.feed, r.record_key, s.identity_node,
               CASE WHEN r.person_source_key IS NOT NULL THEN 's' || r.person_source_key END AS source_node,
               coalesce(s.identity_node, 's' || r.person_source_key) AS node_id
        FROM _link_raw AS r LEFT JOIN _link_standard AS s USING (raw_key)
        """
    )
    # Star-shaped edges (every member to the group's least node) keep the graph shallow.
    connection.execute(
        """
        CREATE OR REPLACE TEMP TABLE link_fixed_edges AS
        WITH same_source AS (
            SELECT DISTINCT source_node AS node_id_l, identity_node AS node_id_r
            FROM link_record_nodes
            WHERE source_node IS NOT NULL AND identity_node IS NOT NULL
        ), nhs AS (
            SELECT min(node_id) OVER (PARTITION BY nhs_number) AS node_id_l, node_id AS node_id_r
            FROM link_nodes WHERE nhs_number IS NOT NULL
        )
        SELECT node_id_l, node_id_r, 'same partner record' AS evidence FROM same_source
        UNION ALL
        SELECT node_id_l, node_id_r, 'same valid NHS number' FROM nhs WHERE node_id_l <> node_id_r
        """
    )
    drop = ("_link_raw", "_link_raw_distinct", "_link_standard")
    for table in drop:
        connection.execute(f"DROP TABLE {table}")
    counts = connection.execute(
        """
        SELECT (SELECT count(*) FROM link_record_nodes),
               (SELECT count(*) FROM link_record_nodes WHERE node_id IS NULL),
               (SELECT count(*) FROM link_nodes),
               (SELECT count(*) FROM link_fixed_edges)
        """
    ).fetchall()[0]
    return dict(zip(("records", "unlinkable", "identities", "fixed_edges"), counts, strict=True))
