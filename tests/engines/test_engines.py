"""The engine interface: the same SQL and the same Parquet give the same rows on each engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest

from joinedup.engines import Engine, EngineError, open_engine, parquet_location, validate_name
from joinedup.engines.dialect import translate


def test_an_unknown_engine_is_refused_naming_the_choices() -> None:
    with pytest.raises(EngineError, match="duckdb, spark"):
        validate_name("oracle")
    with pytest.raises(EngineError, match="unknown engine 'postgres'"):
        open_engine("postgres")


def test_duckdb_sql_is_carried_to_spark() -> None:
    spark = translate("SELECT DATE '2019-12-31' - INTERVAL 12 MONTH AS since", "spark")
    assert "ADD_MONTHS" in spark.upper() or "INTERVAL" in spark.upper()
    assert translate("SELECT 1", "duckdb") == "SELECT 1"


def test_more_than_one_statement_is_refused() -> None:
    with pytest.raises(EngineError, match="one statement at a time"):
        translate("SELECT 1; SELECT 2", "spark")


def test_parquet_round_trip_with_partitions(engine: Engine, tmp_path: Path) -> None:
    location = parquet_location(tmp_path / "events")
    engine.write_parquet(
        "SELECT * FROM (VALUES ('p1', 'ae', DATE '2019-01-02'), ('p2', 'gp', DATE '2019-03-04'),"
        " ('p1', 'gp', DATE '2020-05-06')) AS t(person_key, kind, event_date)",
        location,
        partition_by=("kind",),
    )
    assert {path.name for path in (tmp_path / "events").iterdir() if path.is_dir()} == {
        "kind=ae",
        "kind=gp",
    }
    engine.read_parquet("zone_events", location)
    rows = engine.rows(
        "SELECT kind, count(*) AS n, max(event_date) AS last FROM zone_events "
        "GROUP BY kind ORDER BY kind"
    )
    assert rows == [("ae", 1, dt.date(2019, 1, 2)), ("gp", 2, dt.date(2020, 5, 6))]


def test_a_table_made_from_a_query_is_read_back(engine: Engine) -> None:
    engine.create_table("made", "SELECT n FROM (VALUES (0), (1), (2), (3), (4)) AS t(n)")
    assert engine.rows("SELECT sum(n) FROM made") == [(10,)]
    # Writing over an existing table replaces it.
    engine.create_table("made", "SELECT n FROM (VALUES (7), (8), (9)) AS t(n)")
    assert engine.rows("SELECT count(*) FROM made") == [(3,)]


@pytest.mark.parametrize("table", ["zone.events", "events; DROP TABLE x", "1events", ""])
def test_only_plain_table_names_are_registered(table: str) -> None:
    duck = open_engine("duckdb")
    with pytest.raises(EngineError, match="not a plain table name"):
        duck.read_parquet(table, "/nonexistent")


def test_an_empty_partitioned_table_keeps_its_columns(engine: Engine, tmp_path: Path) -> None:
    location = parquet_location(tmp_path / "empty")
    engine.write_parquet(
        "SELECT * FROM (VALUES ('p1', 'ae')) AS t(person_key, kind) WHERE false",
        location,
        partition_by=("kind",),
    )
    engine.read_parquet("empty_events", location)
    assert engine.rows("SELECT count(*), count(kind) FROM empty_events") == [(0, 0)]


@pytest.mark.spark
def test_two_spark_engines_in_one_process_keep_their_tables_apart(
    spark_engine: Engine, tmp_path: Path
) -> None:
    """Two cohort jobs on the web app's threads: each engine's ``cohort`` is its own."""
    other = open_engine("spark", work_under=tmp_path)
    try:
        spark_engine.create_table("cohort", "SELECT 1 AS person")
        other.create_table("cohort", "SELECT 2 AS person")
        assert spark_engine.rows("SELECT person FROM cohort") == [(1,)]
        assert other.rows("SELECT person FROM cohort") == [(2,)]
        # The new session has DuckDB's meaning too: a failed cast is missing, not an error.
        assert other.rows("SELECT CAST('x' AS INTEGER)") == [(None,)]
        (workspace,) = tmp_path.iterdir()
        assert oct(workspace.stat().st_mode & 0o777) == "0o700"
    finally:
        other.close()
    assert list(tmp_path.iterdir()) == []
    assert spark_engine.rows("SELECT person FROM cohort") == [(1,)]


class SubmittedConf:
    """What spark-submit was given, as PySpark's SparkConf shows it to the driver."""

    given: ClassVar[dict[str, str]] = {
        "spark.sql.shuffle.partitions": "400",
        "spark.jars": "/opt/hadoop-aws.jar",
    }

    def contains(self, key: str) -> bool:
        return key in self.given

    def get(self, key: str) -> str | None:
        return self.given.get(key)


def test_under_spark_submit_the_operators_settings_win(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyspark

    from joinedup.engines import spark

    monkeypatch.setenv("PYSPARK_GATEWAY_PORT", "1")
    monkeypatch.setattr(pyspark, "SparkConf", SubmittedConf)
    settings = spark._unless_submitted(spark._session_settings(None, None))
    assert "spark.sql.shuffle.partitions" not in settings
    assert "spark.master" not in settings and "spark.driver.memory" not in settings
    jars = settings["spark.jars"].split(",")
    assert jars[0] == "/opt/hadoop-aws.jar" and len(jars) == 2 and jars[1].endswith(".jar")
    assert settings["spark.sql.ansi.enabled"] == "false"
    # Nor does a session of its own, made later, set them again over the operator's.
    recorded: dict[str, str] = {}
    new_session = SimpleNamespace(conf=SimpleNamespace(set=recorded.__setitem__))
    spark._sql_settings(new_session)  # type: ignore[arg-type]
    assert "spark.sql.shuffle.partitions" not in recorded
    assert recorded["spark.sql.ansi.enabled"] == "false"
