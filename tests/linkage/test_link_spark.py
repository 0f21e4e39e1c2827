"""Linkage on Spark: the same borough, the same model design, the same residents as on DuckDB."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import duckdb
import pytest
from linkhub import LinkedHub

from joinedup.engines import Engine
from joinedup.feeds import store
from joinedup.linkage import model, scoring, spark_scoring
from joinedup.linkage.evaluate import evaluate, pair_counts
from joinedup.linkage.paths import linkage_folder, model_versions
from joinedup.linkage.run import link


def _person_keys(home: Path, connection: duckdb.DuckDBPyConnection, name: str) -> None:
    version = store.current(home)
    assert version is not None
    location = str(version.analytic).replace("'", "''")
    connection.execute(f"ATTACH '{location}' AS {name}_zone (READ_ONLY)")
    connection.execute(
        f"CREATE TABLE {name} AS SELECT feed, record_key, person_key FROM {name}_zone.person_keys"
    )


def _agreement(duckdb_home: Path, spark_home: Path) -> float:
    """Pairwise F1 of the Spark partition of the records measured against DuckDB's."""
    with duckdb.connect() as connection:
        _person_keys(duckdb_home, connection, "on_duckdb")
        _person_keys(spark_home, connection, "on_spark")
        connection.execute(
            "CREATE TABLE compared AS SELECT s.person_key AS predicted, d.person_key AS actual "
            "FROM on_spark AS s JOIN on_duckdb AS d USING (feed, record_key)"
        )
        return pair_counts(connection, "compared").f1


def _runs(home: Path) -> list[tuple[object, ...]]:
    version = store.current(home)
    assert version is not None
    with store.connect_zones(version, read_only=True) as connection:
        return connection.execute(
            "SELECT run_id, engine, report->>'engine' FROM link_runs ORDER BY run_id"
        ).fetchall()


def test_spark_links_the_borough_as_duckdb_does(
    linked_hub: LinkedHub, spark_engine: Engine, tmp_path: Path
) -> None:
    """The borough DuckDB linked, linked again on Spark with the model DuckDB trained (training
    on Spark is measured by benchmarks/scaleout_linkage.py: its sampling of u alone takes a
    minute, too long for the suite)."""
    home = tmp_path / "hub"
    shutil.copytree(linked_hub.home, home, symlinks=True)
    report = link(home, engine="spark")
    truth = linked_hub.borough / "truth"
    on_duckdb = evaluate(linked_hub.home, truth, feed_pairs=False)["pairwise"]
    on_spark = evaluate(home, truth, feed_pairs=False)["pairwise"]
    agreement = _agreement(linked_hub.home, home)
    print(
        f"F1 against the truth: DuckDB {on_duckdb['f1']:.5f}, Spark {on_spark['f1']:.5f}; "
        f"pairwise agreement of the two partitions (F1) {agreement:.5f}"
    )
    assert report.engine == "spark" and not report.trained
    assert abs(on_spark["f1"] - on_duckdb["f1"]) <= 0.001
    assert agreement >= 0.999
    assert (report.records, report.persons) == (
        linked_hub.second.records,
        linked_hub.second.persons,
    )
    assert report.scored_pairs == linked_hub.second.scored_pairs
    assert report.new_keys + report.merged_keys + report.split_keys <= 1
    assert _runs(home)[-1][1:] == ("spark", "spark")
    assert all(row[1] == "duckdb" for row in _runs(home)[:-1])
    assert not list(linkage_folder(home).glob(f"{spark_scoring.WORKSPACE_PREFIX}*"))


def test_a_model_trained_on_spark_is_saved_in_duckdb_sql(linked_hub: LinkedHub) -> None:
    """Parameters estimated on one engine, put into the design in DuckDB's SQL, give the model
    that engine trained, whichever engine reads it next."""
    saved_path = model_versions(linked_hub.home)[-1] / "model.json"
    trained = json.loads(saved_path.read_text(encoding="utf-8"))
    design = scoring.settings_dict(
        scoring.settings_for(model.Available(), saved_model=None, blocking_keys=None)
    )
    saved = spark_scoring.with_parameters(design, spark_scoring.spark_settings(trained))
    assert saved["sql_dialect"] == "duckdb"
    assert (
        saved["probability_two_random_records_match"]
        == (trained["probability_two_random_records_match"])
    )
    for ours, theirs in zip(saved["comparisons"], trained["comparisons"], strict=True):
        for level, estimated in zip(
            ours["comparison_levels"], theirs["comparison_levels"], strict=True
        ):
            assert level["sql_condition"] == estimated["sql_condition"]
            assert level.get("m_probability") == estimated.get("m_probability")
            assert level.get("u_probability") == estimated.get("u_probability")


def test_the_working_folder_is_private_and_removed_even_on_failure(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), spark_scoring.private_workspace(tmp_path) as folder:
        (folder / "nodes.parquet").write_bytes(b"identifiable")
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert folder.parent == linkage_folder(tmp_path)
        raise RuntimeError("the run failed")
    assert not folder.exists()


def test_the_model_is_carried_to_spark_sql_with_the_same_meaning() -> None:
    assert spark_scoring.spark_sql("list_has_any(given_roots_l, given_roots_r)") == (
        "ARRAYS_OVERLAP(given_roots_l, given_roots_r)"
    )
    assert spark_scoring.spark_sql("len(list_intersect(family_tokens_l, family_tokens_r)) > 0") == (
        "SIZE(ARRAY_INTERSECT(family_tokens_l, family_tokens_r)) > 0"
    )
    assert spark_scoring.spark_sql('jaro_winkler_similarity("given_l", "given_r") >= 0.92') == (
        "JARO_WINKLER(`given_l`, `given_r`) >= 0.92"
    )
    assert spark_scoring.spark_sql("ELSE") == "ELSE"
