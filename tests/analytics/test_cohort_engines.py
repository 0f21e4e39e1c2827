"""Every built-in cohort gives the same people and the same published figures on both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from joinedup.analytics import base
from joinedup.analytics.cohorts import library
from joinedup.analytics.cohorts.run import run_definition
from joinedup.engines import Engine

BUILT_IN = sorted(library.entries(Path("/nonexistent")))
# What differs between two runs of the same cohort whatever the engine: when, and how long.
RUN_OWN = ("run_id", "seconds")
TODAY = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def on_duckdb(analytics_hub: Path) -> Iterator[Engine]:
    engine = base.open_on(analytics_hub, "duckdb")
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def on_spark(analytics_hub: Path, spark_engine: Engine) -> Iterator[Engine]:
    engine = base.open_on(analytics_hub, "spark")
    yield engine
    engine.close()


def _run(on: Engine, home: Path, name: str) -> tuple[list[str] | None, dict[str, Any]]:
    definition = library.find(home, name)
    run = run_definition(on, home, definition, {}, True, TODAY)
    published = {key: value for key, value in run.as_dict().items() if key not in RUN_OWN}
    return run.person_keys, published


@pytest.mark.parametrize("name", BUILT_IN)
def test_spark_finds_the_same_people_and_publishes_the_same_figures(
    analytics_hub: Path, on_duckdb: Engine, on_spark: Engine, name: str
) -> None:
    duck_people, duck_figures = _run(on_duckdb, analytics_hub, name)
    spark_people, spark_figures = _run(on_spark, analytics_hub, name)
    assert duck_people, f"{name} finds no one on the test borough: a test of nothing"
    assert spark_people == duck_people  # person for person, in order
    assert spark_figures == duck_figures
