"""The engine interface: the same SQL and the same Parquet give the same rows on each engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
