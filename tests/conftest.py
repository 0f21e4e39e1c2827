"""Fixtures every capability's tests share: the hub's query engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from joinedup.engines import ENGINES, Engine, open_engine


@pytest.fixture(scope="session")
def spark_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One local Spark (local[2]) for the whole run: a JVM takes seconds to start."""
    engine = open_engine("spark", workspace=tmp_path_factory.mktemp("spark-workspace"))
    yield engine
    engine.close()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Each engine in turn: a test using this fixture runs on DuckDB and on Spark."""
    yield from _engine_named(request)


@pytest.fixture(scope="module", params=ENGINES)
def module_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Each engine in turn, kept for a module whose tests share one costly set-up per engine."""
    yield from _engine_named(request)


def _engine_named(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The shared Spark (never stopped by a test), or a DuckDB of the test's own."""
    if request.param == "spark":
        yield request.getfixturevalue("spark_engine")
        return
    duck = open_engine("duckdb")
    yield duck
    duck.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "spark_engine" in getattr(item, "fixturenames", ()) or _on_spark(item):
            item.add_marker(pytest.mark.spark)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Give a selected test the chance to start work that runs beside the rest of the suite."""
    for item in session.items:
        start = getattr(getattr(item, "module", None), "start_beside_the_suite", None)
        if start is not None:
            start(session)
            return


def _on_spark(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return False
    return "spark" in (callspec.params.get("engine"), callspec.params.get("module_engine"))
