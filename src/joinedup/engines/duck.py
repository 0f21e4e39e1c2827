"""The embedded engine: DuckDB, in this process."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from joinedup.engines import EngineError, EngineName, checked_table_name, sql_string

MEMORY_VARIABLE = "JOINEDUP_DUCKDB_MEMORY"
_SIZE = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def memory_limit(default: str) -> str:
    """The most memory DuckDB may use for one piece of heavy work (building the analysis base,
    linkage): ``JOINEDUP_DUCKDB_MEMORY`` if set, for a hub larger than a borough, else the
    work's own default. DuckDB spills to disk below the limit where it can."""
    setting = os.environ.get(MEMORY_VARIABLE, "").strip()
    if not setting:
        return default
    if not _SIZE.fullmatch(setting):
        raise EngineError(f"{MEMORY_VARIABLE}={setting!r} is not a size such as 12GB")
    return setting


def out_of_memory(work: str, limit: str) -> EngineError:
    """The refusal when DuckDB ran out of the memory it may use, saying what to do."""
    return EngineError(
        f"{work} needed more than the {limit} of memory DuckDB may use: if this machine has "
        f"more, set {MEMORY_VARIABLE} higher; else run the hub on Spark (docs/scale-out.md)"
    )


@dataclass
class DuckDBEngine:
    connection: duckdb.DuckDBPyConnection
    name: EngineName = "duckdb"

    @classmethod
    def start(
        cls,
        connection: duckdb.DuckDBPyConnection | None = None,
        memory_limit: str | None = None,
    ) -> DuckDBEngine:
        """An engine over ``connection``, or over a new in-memory database."""
        connection = connection if connection is not None else duckdb.connect()
        if memory_limit:
            connection.execute(f"SET memory_limit = {sql_string(memory_limit)}")
        connection.execute("SET enable_progress_bar = false")
        return cls(connection)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql).fetchall()

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def read_parquet(self, table: str, location: str) -> None:
        checked_table_name(table)
        files = location.rstrip("/") + "/**/*.parquet"
        self.connection.execute(
            f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM "
            f"read_parquet({sql_string(files)}, hive_partitioning = true, union_by_name = true)"
        )

    def write_parquet(self, sql: str, location: str, partition_by: Sequence[str] = ()) -> None:
        options = ["FORMAT parquet", "OVERWRITE_OR_IGNORE true"]
        if partition_by:
            options.append(f"PARTITION_BY ({', '.join(partition_by)})")
        else:
            location = location.rstrip("/") + "/data.parquet"
        _clear(location if partition_by else location.rsplit("/", 1)[0])
        self.connection.execute(f"COPY ({sql}) TO {sql_string(location)} ({', '.join(options)})")
        if partition_by and not _holds_parquet(location):
            # No rows, so no partitions: one empty file keeps the columns for whoever reads it.
            self.write_parquet(sql, location)

    def create_table(self, table: str, sql: str) -> None:
        """Materialise a query as ``table``: a temporary table, so that a base opened read-only
        can hold a query's own tables."""
        checked_table_name(table)
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")

    def close(self) -> None:
        self.connection.close()


def _holds_parquet(folder: str) -> bool:
    from pathlib import Path

    return "://" in folder or any(Path(folder).rglob("*.parquet"))


def _clear(folder: str) -> None:
    """Parquet written over a folder replaces it whole, as Spark's overwrite does."""
    if "://" in folder:
        return
    import shutil
    from pathlib import Path

    path = Path(folder)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
