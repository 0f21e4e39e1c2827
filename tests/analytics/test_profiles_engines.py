"""Locality profiles on DuckDB and on Spark: the same hand-built base (profile_data.py) gives the
same published figures, area for area and indicator for indicator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from handbase import write_base_parquet
from profile_data import TODAY, boundaries, build_base, open_read_only, write_register
from typer.testing import CliRunner

from joinedup.analytics import base
from joinedup.analytics.profiles import (
    BOROUGH,
    LEVELS,
    Boundaries,
    LocalityProfiles,
    level_table,
    profiles_from_base,
)
from joinedup.analytics.profiles_cli import profiles_app
from joinedup.engines import Engine
from joinedup.engines.duck import DuckDBEngine
from joinedup.feeds.agreements import AgreementRefusedError

PURPOSES = ("locality_profiling",)


def _no_cohorts(name: str, _parameters: dict[str, str]) -> NoReturn:
    # The cohorts' figures come from the cohort runner, whichever engine counts the rest.
    raise AgreementRefusedError(f"not run in this test: {name}")


@dataclass(frozen=True)
class OnBoth:
    duckdb: LocalityProfiles
    spark: LocalityProfiles


def _build(engine: Engine, home: Path, out: Path) -> LocalityProfiles:
    lsoa_map, ward_map = boundaries()
    return profiles_from_base(
        engine,
        home,
        today=TODAY,
        out=out,
        run_cohort=_no_cohorts,
        boundaries=Boundaries(lsoa_map, ward_map),
    )


@pytest.fixture(scope="module")
def on_both(tmp_path_factory: pytest.TempPathFactory, spark_engine: Engine) -> OnBoth:
    folder = tmp_path_factory.mktemp("profiles-engines")
    path = build_base(folder)
    home = folder / "hub"
    write_register(home, PURPOSES)
    connection = open_read_only(path)
    try:
        write_base_parquet(connection, folder / "parquet")
        duck = _build(DuckDBEngine(connection), home, folder / "duckdb")
    finally:
        connection.close()
    base.register_parquet(spark_engine, folder / "parquet")
    return OnBoth(duck, _build(spark_engine, home, folder / "spark"))


def test_spark_publishes_every_figure_duckdb_does(on_both: OnBoth) -> None:
    duck, spark = on_both.duckdb, on_both.spark
    assert [i.key for i in spark.indicators] == [i.key for i in duck.indicators]
    assert spark.left_out == duck.left_out
    for level in (*LEVELS, BOROUGH):
        for ours, theirs in zip(duck.areas(level), spark.areas(level), strict=True):
            assert (theirs.level, theirs.code, theirs.name) == (ours.level, ours.code, ours.name)
            for key, figure in ours.figures.items():
                assert theirs.figures[key] == figure, (level, ours.code, key)


def test_the_files_written_from_either_engine_are_the_same(on_both: OnBoth) -> None:
    for level in LEVELS:
        assert level_table(on_both.spark, level) == level_table(on_both.duckdb, level)
    for name in ("profiles_lsoa.csv", "profiles_ward.csv"):
        written = (on_both.spark.folder / name).read_bytes()
        assert written == (on_both.duckdb.folder / name).read_bytes()


def test_the_figures_compared_are_real_counts(on_both: OnBoth) -> None:
    # Equal because both counted, not because both came out empty.
    borough = on_both.spark.borough.figures
    assert borough["population"].value is not None and borough["population"].value > 500
    for key in ("ae_attendances_rate", "ae_attendances_dsr", "childhood_obesity"):
        assert borough[key].value is not None and borough[key].value > 0
    shown = [a.figures["ae_attendances_rate"].value for a in on_both.spark.lsoas]
    assert len({v for v in shown if v is not None}) > 2


def test_the_command_names_the_engines_it_can_run_on(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        profiles_app, ["build", "--engine", "oracle", "--home", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "unknown engine 'oracle'" in result.stderr and "duckdb, spark" in result.stderr
