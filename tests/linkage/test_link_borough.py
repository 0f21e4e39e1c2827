"""Linking the synthetic borough: accuracy against the truth, stable keys, review, explanation."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from linkhub import LinkedHub

from joinedup.feeds import store
from joinedup.linkage import keys
from joinedup.linkage.evaluate import evaluate
from joinedup.linkage.explain import explain, waterfall
from joinedup.linkage.review import decide, queue, record_decision
from joinedup.linkage.run import link


def _rows(home: Path, sql: str) -> list[tuple[object, ...]]:
    version = store.current(home)
    assert version is not None
    with store.connect_zones(version, read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _assignment(home: Path) -> dict[str, str]:
    return dict(_rows(home, "SELECT node_id, person_key FROM link_person_nodes"))  # type: ignore[arg-type]


def test_precision_and_f1_against_the_truth(linked_hub: LinkedHub) -> None:
    figures = evaluate(linked_hub.home, linked_hub.borough / "truth")
    assert figures["records_measured"] >= 0.99 * figures["records_in_truth"]
    assert figures["pairwise"]["precision"] >= 0.995
    assert figures["pairwise"]["f1"] >= 0.99
    assert linked_hub.second.review_share <= 0.02


def test_every_feed_pair_is_reported(linked_hub: LinkedHub) -> None:
    feed_pairs = evaluate(linked_hub.home, linked_hub.borough / "truth")["feed_pairs"]
    names = {row["feeds"] for row in feed_pairs}
    assert "gp_patients + police_incidents" in names
    assert all(0 <= row["precision"] <= 1 and 0 <= row["recall"] <= 1 for row in feed_pairs)


def test_analytic_zone_sees_only_person_keys(linked_hub: LinkedHub) -> None:
    columns = _rows(
        linked_hub.home,
        "SELECT column_name FROM duckdb_columns() WHERE database_name = 'analytic' "
        "AND table_name = 'person_keys' ORDER BY column_index",
    )
    assert [c[0] for c in columns] == ["feed", "record_key", "person_key"]
    values = _rows(linked_hub.home, "SELECT DISTINCT person_key FROM analytic.person_keys")
    assert values and all(re.fullmatch(r"P\d{9}", str(v[0])) for v in values)
    linkage_tables = _rows(
        linked_hub.home,
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'analytic' AND table_name LIKE 'link%'",
    )
    assert linkage_tables == []


def test_gp_appointments_follow_their_patient(linked_hub: LinkedHub) -> None:
    unlinked = _rows(
        linked_hub.home,
        "SELECT count(*) FROM identity_records AS i ANTI JOIN link_record_persons AS p "
        "USING (feed, record_key) WHERE i.feed = 'gp_appointments'",
    )
    assert unlinked == [(0,)]


def test_existing_keys_survive_a_new_extract(linked_hub: LinkedHub) -> None:
    """LK-09: keys from the first run stay, unless a logged merge retired them."""
    assert linked_hub.second.new_keys > 0
    changes = _rows(
        linked_hub.home,
        "SELECT run_id, change, person_key, other_key, reason FROM link_key_changes WHERE run_id = 2",
    )
    retired = {row[2] for row in changes if row[1] in ("merge", "split")}
    assert all(str(row[4]) for row in changes)
    kept = _rows(linked_hub.home, "SELECT DISTINCT person_key FROM link_person_nodes")
    first_run_keys = {
        row[0]
        for row in _rows(
            linked_hub.home,
            "SELECT person_key FROM link_key_changes WHERE run_id = 1 AND change = 'new'",
        )
    }
    assert first_run_keys - retired <= {k[0] for k in kept}


def test_rerun_with_the_same_inputs_gives_the_same_keys(
    linked_hub: LinkedHub, hub_copy: Path
) -> None:
    """LK-08."""
    before = _assignment(hub_copy)
    report = link(hub_copy)
    assert _assignment(hub_copy) == before
    assert (report.new_keys, report.merged_keys, report.split_keys) == (0, 0, 0)


def test_a_reviewers_decisions_override_the_model_on_every_later_run(hub_copy: Path) -> None:
    """LK-10: 'same' joins a queued pair; 'not the same' parts two records the model had joined."""
    pair = queue(hub_copy)[0]
    left, right = decide(hub_copy, pair.pair_id, "same_person", "Reviewer One", "checked")
    # An identity held to its person by one model link and nothing else.
    model_only = _rows(
        hub_copy,
        """
        WITH degree AS (
            SELECT node, count(*) AS n FROM (
                SELECT node_id_l AS node FROM link_edges UNION ALL SELECT node_id_r FROM link_edges)
            GROUP BY node
        )
        SELECT e.node_id_l, e.node_id_r FROM link_edges AS e JOIN degree AS d ON d.node = e.node_id_r
        WHERE e.evidence LIKE 'model%' AND d.n = 1
        ORDER BY e.node_id_l LIMIT 1
        """,
    )[0]
    record_decision(
        hub_copy, str(model_only[0]), str(model_only[1]), "not_same_person", "Reviewer Two", None
    )
    for _ in range(2):
        link(hub_copy)
        assignment = _assignment(hub_copy)
        assert assignment[left] == assignment[right]
        assert assignment[str(model_only[0])] != assignment[str(model_only[1])]
    reasons = [
        r[0] for r in _rows(hub_copy, "SELECT reason FROM link_key_changes WHERE change = 'split'")
    ]
    assert any("reviewer" in str(r) for r in reasons)
    assert pair.pair_id not in {
        p.pair_id for p in queue(hub_copy) if (p.left, p.right) == (pair.left, pair.right)
    }


def test_a_crash_half_way_leaves_the_published_keys(
    hub_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FLT-06."""
    before, published = _assignment(hub_copy), store.current(hub_copy)

    def crash(connection: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, int]:
        raise RuntimeError("power cut")

    monkeypatch.setattr(keys, "assign", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        link(hub_copy)
    assert store.current(hub_copy) == published
    assert _assignment(hub_copy) == before


def test_explain_names_the_records_and_the_evidence(linked_hub: LinkedHub, tmp_path: Path) -> None:
    key = _rows(
        linked_hub.home,
        "SELECT p.person_key FROM link_edges AS e JOIN link_person_nodes AS p ON p.node_id = e.node_id_l "
        "WHERE e.evidence LIKE 'model%' ORDER BY p.person_key LIMIT 1",
    )[0][0]
    found = explain(linked_hub.home, str(key))
    assert len(found.records) >= 2
    assert any(str(e["evidence"]).startswith("model (p=") for e in found.edges)
    chart = tmp_path / "waterfall.html"
    assert waterfall(linked_hub.home, found, chart) >= 1
    assert "vega" in chart.read_text(encoding="utf-8").lower()


def test_the_model_is_versioned_with_its_charts(linked_hub: LinkedHub) -> None:
    folder = linked_hub.home / "linkage" / "models" / "v0001"
    assert {p.name for p in folder.iterdir()} >= {
        "model.json",
        "match_weights.html",
        "m_u_parameters.html",
    }
    assert not (linked_hub.home / "linkage" / "models" / "v0002").exists()
