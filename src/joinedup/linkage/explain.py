"""Why a person_key holds the records it does: its records, the edges between them, the evidence.

Reads the published identity zone only. Splink's waterfall chart for the model's edges is drawn by
re-scoring those pairs with the saved model, so the chart is Splink's own account of each weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from joinedup.linkage import scoring
from joinedup.linkage.model import Available
from joinedup.linkage.paths import model_versions
from joinedup.linkage.published import connect_linked
from joinedup.linkage.review import EVIDENCE_FIELDS


class ExplainError(LookupError):
    """The person_key is unknown."""


@dataclass(frozen=True)
class Explanation:
    person_key: str
    records: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    identities: list[dict[str, Any]]


def _dicts(
    connection: duckdb.DuckDBPyConnection, sql: str, params: list[Any]
) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def explain(home: Path, person_key: str) -> Explanation:
    connection = connect_linked(home)
    try:
        nodes = "SELECT node_id FROM link_person_nodes WHERE person_key = ?"
        records = _dicts(
            connection,
            f"""
            SELECT r.feed, i.record_id, i.event_date, r.node_id
            FROM link_record_persons AS r JOIN identity_records AS i USING (feed, record_key)
            WHERE r.node_id IN ({nodes}) ORDER BY r.feed, i.event_date, i.record_id
            """,
            [person_key],
        )
        if not records:
            raise ExplainError(f"no person_key {person_key!r} in the published linkage")
        edges = _dicts(
            connection,
            f"""
            SELECT e.node_id_l, e.node_id_r, e.evidence, e.match_probability
            FROM link_edges AS e
            WHERE e.node_id_l IN ({nodes}) AND e.node_id_r IN ({nodes})
            ORDER BY e.evidence, e.node_id_l, e.node_id_r
            """,
            [person_key, person_key],
        )
        identities = _dicts(
            connection,
            f"SELECT node_id, {', '.join(EVIDENCE_FIELDS)} FROM link_nodes WHERE node_id IN ({nodes}) ORDER BY node_id",
            [person_key],
        )
        return Explanation(person_key, records, edges, identities)
    finally:
        connection.close()


def waterfall(home: Path, explanation: Explanation, path: Path) -> int:
    """Splink's waterfall chart of every model edge in ``explanation``, saved as HTML; the number
    of pairs drawn (0 if the person is held together by partner ids and NHS numbers alone)."""
    versions = model_versions(home)
    model_pairs = [e for e in explanation.edges if str(e["evidence"]).startswith("model")]
    if not versions or not model_pairs:
        return 0
    connection = connect_linked(home)
    try:
        ids = sorted({e["node_id_l"] for e in model_pairs} | {e["node_id_r"] for e in model_pairs})
        connection.execute("USE memory")
        connection.execute(
            "CREATE TEMP TABLE _explain_nodes AS SELECT * FROM identity.link_nodes WHERE list_contains(?, node_id)",
            [ids],
        )
        linker = scoring.linker_for(
            connection, ["_explain_nodes"], Available(), versions[-1] / "model.json"
        )
        # Typed tables, not Python dicts: a column that is empty for these records (no birth
        # date, say) must still be a DATE for the model's SQL.
        sides = []
        for side in ("l", "r"):
            wanted = sorted({e[f"node_id_{side}"] for e in model_pairs})
            connection.execute(
                f"CREATE OR REPLACE TEMP TABLE _explain_{side} AS SELECT * FROM _explain_nodes "
                "WHERE list_contains(?, node_id) ORDER BY node_id",
                [wanted],
            )
            sides.append(linker._db_api.register(f"_explain_{side}"))
        scored = linker.inference.score_pairs(sides[0], sides[1])
        records = scored.as_record_list()
        pairs = [
            r
            for r in records
            if (r["node_id_l"], r["node_id_r"])
            in {(e["node_id_l"], e["node_id_r"]) for e in model_pairs}
        ]
        chart = linker.visualisations.waterfall_chart(pairs or records, filter_nulls=False)
        chart.save_offline_chart(str(path), overwrite=True, print_msg=False)
        return len(pairs or records)
    finally:
        connection.close()
