"""The hub's query engines: DuckDB, embedded, by default; Apache Spark for an integrated care system
or a region.

The hub writes its SQL once, in DuckDB's dialect. An engine runs it: DuckDB as written, Spark after
SQLGlot has carried it to Spark SQL. Cohorts, profiles and disclosure control call an engine through
this one interface and never ask which engine it is.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")
DEFAULT_ENGINE: EngineName = "duckdb"
ENGINE_ENVIRONMENT_VARIABLE = "JOINEDUP_ENGINE"
SETTINGS_FILE = "settings.toml"


class EngineError(RuntimeError):
    """An engine cannot be started or cannot run a query, with what to do about it."""


class Engine(Protocol):
    """Runs the hub's SQL (DuckDB dialect) and reads and writes Parquet."""

    name: EngineName

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Every row a query returns."""
        ...

    def execute(self, sql: str) -> None:
        """A statement run for its effect (CREATE, INSERT)."""
        ...

    def read_parquet(self, table: str, location: str) -> None:
        """Make ``table`` read the Parquet files under ``location``, a folder (hive-partitioned
        or not) or an object-store URL."""
        ...

    def write_parquet(self, sql: str, location: str, partition_by: Sequence[str] = ()) -> None:
        """Write what a query returns as Parquet under ``location``, replacing what was there."""
        ...

    def create_table(self, table: str, sql: str) -> None:
        """Materialise what a query returns as ``table``, for later queries to read."""
        ...

    def close(self) -> None: ...


def sql_string(text: str) -> str:
    """``text`` as a SQL string literal, the same on every engine.

    >>> sql_string("O'Neill")
    "'O''Neill'"
    """
    return "'" + text.replace("'", "''") + "'"


def parquet_location(folder: Path | str) -> str:
    """A folder or URL as engines take it: local folders as absolute paths."""
    text = str(folder)
    return text if "://" in text else str(Path(text).resolve())


def checked_table_name(table: str) -> str:
    """A table name an engine can register: letters, digits and underscores, unqualified, since
    Spark keeps a query's own tables as views outside any database."""
    if not table.replace("_", "a").isalnum() or not table.isascii() or table[0].isdigit():
        raise EngineError(f"not a plain table name: {table!r} (letters, digits and _ only)")
    return table


def validate_name(name: str) -> EngineName:
    for known in ENGINES:
        if name == known:
            return known
    raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


def resolve_engine(explicit: str | None, home: Path) -> EngineName:
    """The engine for this hub: ``--engine`` if given, else ``$JOINEDUP_ENGINE``, else the
    ``engine`` key of HOME/settings.toml, else DuckDB."""
    if explicit:
        return validate_name(explicit)
    from_environment = os.environ.get(ENGINE_ENVIRONMENT_VARIABLE, "").strip()
    if from_environment:
        return validate_name(from_environment)
    settings = home / SETTINGS_FILE
    if settings.exists():
        try:
            chosen = tomllib.loads(settings.read_text(encoding="utf-8")).get("engine")
        except tomllib.TOMLDecodeError as error:
            raise EngineError(f"{settings}: {error}") from error
        if chosen is not None:
            return validate_name(str(chosen))
    return DEFAULT_ENGINE


def open_engine(name: str, **options: Any) -> Engine:
    """An engine by name (``duckdb`` or ``spark``), started with ``options``."""
    chosen = validate_name(name)
    if chosen == "spark":
        from joinedup.engines.spark import SparkEngine

        return SparkEngine.start(**options)
    from joinedup.engines.duck import DuckDBEngine

    return DuckDBEngine.start(**options)
