"""The analysis base built on Spark from the Parquet zone is the base DuckDB builds, table by
table and row by row."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from joinedup.analytics import base
from joinedup.engines import Engine


def _rounded(value: Any) -> Any:
    # Spark's and DuckDB's pow and ln differ in the last bits of a double: z-scores and centiles
    # agree to far more places than any figure the hub publishes.
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.9g}")
    return value


def _ordered(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    tidy = [tuple(_rounded(v) for v in row) for row in rows]
    return sorted(tidy, key=lambda row: tuple((v is None, str(v)) for v in row))


@pytest.fixture(scope="module")
def both(
    analytics_hub: Path, tmp_path_factory: pytest.TempPathFactory, spark_engine: Engine
) -> tuple[duckdb.DuckDBPyConnection, Engine, Path]:
    home = tmp_path_factory.mktemp("base-engines") / "hub"
    shutil.copytree(analytics_hub, home, symlinks=True)
    shutil.rmtree(home / "analytics", ignore_errors=True)
    folder = base.build_parquet(spark_engine, home)
    base.register_parquet(spark_engine, folder)
    return base.open_base(home), spark_engine, folder


def test_the_base_built_on_spark_is_the_base_built_on_duckdb(
    both: tuple[duckdb.DuckDBPyConnection, Engine, Path],
) -> None:
    duck, spark, _folder = both
    tables = {t: [c for c, _ in columns] for t, columns in base.TABLES.items()}
    for table in base.reference_tables():
        tables[table] = [str(r[0]) for r in duck.execute(f"DESCRIBE {table}").fetchall()]
    for table, columns in tables.items():
        query = f"SELECT {', '.join(columns)} FROM {table}"
        on_duckdb = _ordered(duck.execute(query).fetchall())
        on_spark = _ordered(spark.rows(query))
        assert on_duckdb, f"{table} is empty: the comparison would prove nothing"
        assert on_spark == on_duckdb, table
    measured = duck.execute("SELECT count(*) FROM measurements WHERE kind = 'bmi_z'").fetchall()
    assert measured[0][0] > 0  # the range join to the UK90 reference was exercised


def test_the_spark_base_is_kept_as_parquet_and_reused(
    both: tuple[duckdb.DuckDBPyConnection, Engine, Path],
) -> None:
    duck, spark, folder = both
    assert folder.name == f"{base.snapshot(duck).name}-b{base.BASE_VERSION}.parquet"
    kinds = {p.name for p in (folder / "events").iterdir() if p.is_dir()}
    on_duckdb = {row[0] for row in duck.execute("SELECT DISTINCT kind FROM events").fetchall()}
    assert kinds == {f"kind={kind}" for kind in on_duckdb}
    assert not list(folder.parent.glob("*.partial"))
    written = (folder / "snapshot").stat().st_mtime_ns
    home = folder.parents[2]
    assert base.build_parquet(spark, home) == folder
    assert (folder / "snapshot").stat().st_mtime_ns == written
    assert base.engine_snapshot(spark) == base.snapshot(duck)
