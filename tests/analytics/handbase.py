"""A small analysis base built by hand, whose right answers are known, for analytics tests.

It has the same tables as the real base (analytics.base.SCHEMA), three LSOAs in two wards, and
whatever people, events and measurements a test adds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from joinedup.analytics import base, events
from joinedup.analytics.cohorts.compiler import compile_definition
from joinedup.analytics.cohorts.language import parse
from joinedup.engines import Engine
from joinedup.engines.duck import DuckDBEngine

AREAS = [
    ("E01000001", "Town 001A", "E05000001", "Central", "Town", 1, 2, 1500),
    ("E01000002", "Town 001B", "E05000001", "Central", "Town", 5, 5, 1600),
    ("E01000003", "Village 002A", "E05000002", "Rural", "Villages", 10, 9, 1400),
]
AGENCY = {source.kind: source.agency for source in events.SOURCES}
LAST_EVENT = dt.date(2019, 12, 31)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass
class HandBase:
    people: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    events: list[tuple[str, str, str | None, dt.date, str | None, float | None, str | None]] = (
        field(default_factory=list)
    )
    registrations: list[tuple[str, str, dt.date, dt.date | None]] = field(default_factory=list)
    residence: list[tuple[str, dt.date, str]] = field(default_factory=list)
    measurements: list[tuple[str, str, dt.date, float]] = field(default_factory=list)
    households: list[tuple[str, str, dt.date, dt.date]] = field(default_factory=list)

    def person(
        self,
        key: str,
        sex: str = "F",
        born: str = "1970-06",
        died: str | None = None,
        lsoa: str | None = "E01000001",
        since: str = "2010-01-01",
        registered: str | None = "2000-01-01",
        deregistered: str | None = None,
    ) -> HandBase:
        self.people.append((key, sex, day(born + "-01"), day(died) if died else None))
        if lsoa is not None:
            self.residence.append((key, day(since), lsoa))
        if registered is not None:
            self.registrations.append(
                (key, "P00001", day(registered), day(deregistered) if deregistered else None)
            )
        return self

    def event(
        self,
        key: str,
        kind: str,
        on: str,
        code: str | None = None,
        value: float | None = None,
        times: int = 1,
    ) -> HandBase:
        for _ in range(times):
            self.events.append((key, kind, AGENCY[kind], day(on), code, value, None))
        return self

    def home(self, key: str, household: str, since: str = "2010-01-01") -> HandBase:
        self.households.append((key, household, day(since), day(since)))
        return self

    def measurement(self, key: str, kind: str, on: str, value: float) -> HandBase:
        self.measurements.append((key, kind, day(on), value))
        return self

    def connect(self, folder: Path) -> duckdb.DuckDBPyConnection:
        """The base written to a DuckDB file in ``folder``, opened for queries."""
        path = folder / "base.duckdb"
        path.unlink(missing_ok=True)
        connection = duckdb.connect(str(path))
        base.create_schema(connection)
        for table, rows, width in (
            ("people", self.people, 4),
            ("events", self.events, 7),
            ("registrations", self.registrations, 4),
            ("residence", self.residence, 3),
            ("measurements", self.measurements, 4),
            ("households", self.households, 4),
            ("areas", AREAS, 8),
        ):
            if rows:
                marks = ", ".join("?" * width)
                connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        connection.execute(
            "INSERT INTO snapshot VALUES ('v000001', 1, 'v0001', DATE '2015-01-01', ?)",
            [LAST_EVENT],
        )
        return connection

    def on(self, engine: Engine, folder: Path) -> Engine:
        """The base on ``engine``, read from Parquet as every engine reads a base."""
        self.connect(folder).close()
        with duckdb.connect(str(folder / "base.duckdb"), read_only=True) as connection:
            write_base_parquet(connection, folder / "parquet")
        base.register_parquet(engine, folder / "parquet")
        return engine


def write_base_parquet(connection: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Every table of a hand-made base as Parquet, laid out as the base on Spark is (events
    partitioned by kind), for base.register_parquet to put on any engine."""
    writer = DuckDBEngine(connection)
    for (table,) in connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
    ).fetchall():
        partitions = ("kind",) if table == "events" else ()
        writer.write_parquet(f"SELECT * FROM {table}", str(folder / table), partitions)


def cohort(
    on: Engine | duckdb.DuckDBPyConnection, text: str, parameters: dict[str, str] | None = None
) -> set[str]:
    """The person_keys a definition selects from the base."""
    compiled = compile_definition(parse(text, "test.cohort"), parameters or {}, LAST_EVENT)
    engine = DuckDBEngine(on) if isinstance(on, duckdb.DuckDBPyConnection) else on
    return {key for (key,) in engine.rows(f"SELECT person_key FROM ({compiled.sql})")}
