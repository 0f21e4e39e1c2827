"""The analytic zone as partitioned Parquet, which DuckDB and Apache Spark both read.

Every published version of the zones has its analytic zone (the pseudonymous feed tables,
person_keys and household keys; never the identity zone) written as Parquet too, under
``ROOT/<version>/<table>/``. ROOT is ``$JOINEDUP_ANALYTIC_PARQUET`` (a folder, or an object-store
URL such as ``s3://bucket/joinedup``) if set, else ``HOME/zones/analytic-parquet``. A hub that
moves from DuckDB to Spark points Spark at this folder; nothing is loaded again.

How the tables are partitioned, for the questions asked of them:

* a feed's table by ``event_year``, the year of the date its contract names as the feed's event
  date (``0`` when a row has none). Analyses look back a few years from a date, so an engine
  reads only those years' files, and each year's files stay much the same size as the hub grows
  older, where partitioning by delivery would give one small folder per monthly delivery and
  would scatter a person's history over every delivery that superseded a row of it;
* ``person_keys`` by ``feed``: the base joins each feed's rows to that feed's keys only;
* the small tables (household keys, the delivery log) are not partitioned.

A version is written to ``<version>.partial`` and renamed when whole (for a local folder), then
its manifest, ``zone_manifest``, names the tables: a reader trusts only a version with a
manifest, so a crash mid-write leaves nothing a reader would take for a zone. Object stores have
no rename: there the manifest, written last, is what marks a version complete.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from joinedup.engines import sql_string
from joinedup.feeds.contract import ContractError, contract_named

LOCATION_VARIABLE = "JOINEDUP_ANALYTIC_PARQUET"
DEFAULT_FOLDER = "analytic-parquet"
MANIFEST = "zone_manifest"
PARTIAL = ".partial"
YEAR_COLUMN = "event_year"
# Enough for the partitioned COPY of the largest feed without spilling at an ICS's scale.
MEMORY_LIMIT = "2GB"


@dataclass(frozen=True)
class ZoneTable:
    name: str
    partitioned_by: str | None
    rows: int


@dataclass(frozen=True)
class Written:
    location: str
    tables: tuple[ZoneTable, ...]
    seconds: float


def root(home: Path) -> str:
    """Where every version's Parquet goes: the setting if given, else beside the zones."""
    setting = os.environ.get(LOCATION_VARIABLE, "").strip()
    if not setting:
        return str((home / "zones" / DEFAULT_FOLDER).resolve())
    return setting.rstrip("/") if is_url(setting) else str(Path(setting).resolve())


def is_url(location: str) -> bool:
    return "://" in location


def location(home: Path, version_name: str) -> str:
    """The folder or URL of one version's Parquet zone, each table a folder beneath it."""
    return f"{root(home)}/{version_name}"


def is_written(home: Path, version_name: str) -> bool:
    """Whether the version's Parquet is whole (its manifest written); for an object store,
    which this cannot list, True when the manifest can be read."""
    where = location(home, version_name)
    if not is_url(where):
        return (Path(where) / MANIFEST).is_dir()
    try:
        manifest(where)
    except duckdb.Error:
        return False
    return True


def _partition(table: str) -> str | None:
    if table == "person_keys":
        return "feed"
    if not table.startswith("feed_"):
        return None
    try:
        contract = contract_named(table.removeprefix("feed_"))
    except ContractError:
        return None
    if contract.event_date is None:
        return None
    return contract.column(contract.event_date).analytic_name


def _select(table: str, columns: list[str]) -> tuple[str, str | None]:
    """The query writing ``table``, and its partition column."""
    by = _partition(table)
    if by is None or by == "feed":
        return f"SELECT * FROM analytic.{table}", by
    if by not in columns:
        return f"SELECT * FROM analytic.{table}", None
    year = f"coalesce(CAST(year({by}) AS INTEGER), 0)"
    return f"SELECT *, {year} AS {YEAR_COLUMN} FROM analytic.{table}", YEAR_COLUMN


def write(home: Path, version_name: str, analytic: Path) -> Written:
    """Write the analytic zone in ``analytic`` (a DuckDB file) as the Parquet of the version."""
    started = time.perf_counter()
    final = location(home, version_name)
    target = final if is_url(final) else final + PARTIAL
    if not is_url(final):
        shutil.rmtree(target, ignore_errors=True)
        Path(target).mkdir(parents=True, mode=0o700)
    connection = duckdb.connect(":memory:")
    try:
        connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        connection.execute("SET enable_progress_bar = false")
        connection.execute(f"ATTACH {sql_string(str(analytic))} AS analytic (READ_ONLY)")
        tables = _write_tables(connection, target)
        _write_manifest(connection, target, version_name, tables)
    finally:
        connection.close()
    if not is_url(final):
        _swap_in(Path(target), Path(final))
    return Written(final, tables, round(time.perf_counter() - started, 2))


def _swap_in(written: Path, final: Path) -> None:
    """Put a whole version in place; one written before for the same version (by
    ``joinedup zone export-parquet``) is moved aside first, then deleted."""
    replaced = final.with_name(final.name + ".replaced" + PARTIAL)
    shutil.rmtree(replaced, ignore_errors=True)
    if final.exists():
        final.replace(replaced)
    written.replace(final)
    shutil.rmtree(replaced, ignore_errors=True)


def _write_tables(connection: duckdb.DuckDBPyConnection, target: str) -> tuple[ZoneTable, ...]:
    columns: dict[str, list[str]] = {}
    for table, column in connection.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'analytic' "
        "AND schema_name = 'main' ORDER BY table_name, column_index"
    ).fetchall():
        columns.setdefault(str(table), []).append(str(column))
    written = []
    for table, names in columns.items():
        query, by = _select(table, names)
        options = ["FORMAT parquet", "COMPRESSION zstd"]
        destination = f"{target}/{table}"
        if by is not None:
            options += [f"PARTITION_BY ({by})", "OVERWRITE_OR_IGNORE true"]
        else:
            if not is_url(target):
                Path(destination).mkdir(parents=True, exist_ok=True)
            destination += "/data.parquet"
        rows = connection.execute(
            f"COPY ({query}) TO {sql_string(destination)} ({', '.join(options)})"
        ).fetchall()[0][0]
        written.append(ZoneTable(table, by, int(rows)))
    return tuple(written)


def _write_manifest(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    version_name: str,
    tables: Iterable[ZoneTable],
) -> None:
    """Last: what a reader checks first. One row a table."""
    rows = [
        (
            version_name,
            t.name,
            t.partitioned_by,
            t.rows,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
        for t in tables
    ]
    connection.execute(
        "CREATE TEMP TABLE manifest (zone_version VARCHAR, table_name VARCHAR, "
        "partitioned_by VARCHAR, row_count BIGINT, written_at TIMESTAMP)"
    )
    connection.executemany("INSERT INTO manifest VALUES (?, ?, ?, ?, ?)", rows)
    if not is_url(target):
        Path(f"{target}/{MANIFEST}").mkdir(exist_ok=True)
    connection.execute(
        f"COPY manifest TO {sql_string(f'{target}/{MANIFEST}/data.parquet')} (FORMAT parquet)"
    )


def manifest(where: str) -> tuple[ZoneTable, ...]:
    """The tables of the Parquet zone at ``where`` (one version's folder or URL)."""
    connection = duckdb.connect(":memory:")
    try:
        rows = connection.execute(
            "SELECT table_name, partitioned_by, row_count FROM read_parquet("
            f"{sql_string(f'{where}/{MANIFEST}/data.parquet')}) ORDER BY table_name"
        ).fetchall()
    finally:
        connection.close()
    return tuple(ZoneTable(str(name), by, int(rows)) for name, by, rows in rows)


def drop_all_but(home: Path, keep: Iterable[str]) -> list[str]:
    """Delete the Parquet of every version not in ``keep`` (and any half-written one) from a
    local folder. An object store is left to its own lifecycle rules: see
    docs/analytic-zone-parquet.md."""
    folder = root(home)
    if is_url(folder) or not Path(folder).is_dir():
        return []
    kept = set(keep)
    dropped = sorted(
        p.name
        for p in Path(folder).iterdir()
        if _is_version(p.name.split(".")[0]) and p.name not in kept
    )
    for name in dropped:
        shutil.rmtree(Path(folder) / name, ignore_errors=True)
    return dropped


def _is_version(name: str) -> bool:
    # Only the hub's own folders are deleted from a folder the setting may share.
    return name.startswith("v") and name[1:].isdigit()
