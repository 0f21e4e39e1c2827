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

A table whose content has not changed since the version before (most of them: a load changes
one feed, a linkage run only ``person_keys``) is not written again. The manifest keeps each
table's content digest (its row count, the sum of its rows' hashes and its columns), and a table
with the same digest as in the previous version gets that version's files as hard links, in a
local folder. At an integrated care system's size, a publish then writes what changed only.

A version is written to ``<version>.partial`` and renamed when whole (for a local folder), then
its manifest, ``zone_manifest``, names the tables: a reader trusts only a version with a
manifest, so a crash mid-write leaves nothing a reader would take for a zone. Object stores have
no rename: there the manifest, written last, is what marks a version complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
    # Row count, sum of row hashes and columns; "" in a manifest written before digests were kept.
    digest: str = ""


@dataclass(frozen=True)
class Written:
    location: str
    tables: tuple[ZoneTable, ...]
    seconds: float
    # Tables unchanged since the previous version, hard-linked to its files instead of written.
    reused: tuple[str, ...] = ()


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
    earlier = {} if is_url(final) else _previous(home, version_name)
    connection = duckdb.connect(":memory:")
    try:
        connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        connection.execute("SET enable_progress_bar = false")
        connection.execute(f"ATTACH {sql_string(str(analytic))} AS analytic (READ_ONLY)")
        tables, reused = _write_tables(connection, target, earlier)
        _write_manifest(connection, target, version_name, tables)
    finally:
        connection.close()
    if not is_url(final):
        _swap_in(Path(target), Path(final))
    return Written(final, tables, round(time.perf_counter() - started, 2), reused)


def _previous(home: Path, version_name: str) -> dict[str, tuple[ZoneTable, Path]]:
    """The tables of the newest whole version up to ``version_name``, with their folders: what
    an unchanged table can be linked to."""
    folder = Path(root(home))
    if not folder.is_dir():
        return {}
    written = sorted(
        (p for p in folder.iterdir() if _is_version(p.name) and p.name <= version_name),
        reverse=True,
    )
    for candidate in written:
        if (candidate / MANIFEST).is_dir():
            return {t.name: (t, candidate / t.name) for t in manifest(str(candidate))}
    return {}


def _swap_in(written: Path, final: Path) -> None:
    """Put a whole version in place; one written before for the same version (by
    ``joinedup zone export-parquet``) is moved aside first, then deleted."""
    replaced = final.with_name(final.name + ".replaced" + PARTIAL)
    shutil.rmtree(replaced, ignore_errors=True)
    if final.exists():
        final.replace(replaced)
    written.replace(final)
    shutil.rmtree(replaced, ignore_errors=True)


def _write_tables(
    connection: duckdb.DuckDBPyConnection,
    target: str,
    earlier: dict[str, tuple[ZoneTable, Path]],
) -> tuple[tuple[ZoneTable, ...], tuple[str, ...]]:
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in connection.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = 'analytic' AND schema_name = 'main' "
        "ORDER BY table_name, column_index"
    ).fetchall():
        columns.setdefault(str(table), []).append((str(column), str(data_type)))
    written, reused = [], []
    for table, typed in columns.items():
        rows, digest = _digest(connection, table, typed)
        before = earlier.get(table)
        if before is not None and before[0].digest == digest and before[0].rows == rows:
            _link_folder(before[1], Path(target) / table)
            written.append(before[0])
            reused.append(table)
            continue
        by = _copy_table(connection, target, table, [name for name, _ in typed])
        written.append(ZoneTable(table, by, rows, digest))
    return tuple(written), tuple(reused)


def _digest(
    connection: duckdb.DuckDBPyConnection, table: str, typed: list[tuple[str, str]]
) -> tuple[int, str]:
    """The table's row count and content digest. The sum of row hashes does not depend on the
    rows' order; the columns are hashed apart, since a row's hash does not see their names."""
    rows, total = connection.execute(
        f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM analytic.{table} AS t"
    ).fetchall()[0]
    shape = hashlib.sha256(repr(typed).encode()).hexdigest()[:16]
    return int(rows), f"{rows}:{total}:{shape}"


def _link_folder(source: Path, destination: Path) -> None:
    """The previous version's files of one table, as hard links (copies where the file system
    has none)."""

    def link(from_path: str, to_path: str) -> None:
        try:
            os.link(from_path, to_path)
        except OSError:
            shutil.copy2(from_path, to_path)

    shutil.copytree(source, destination, copy_function=link)


def _copy_table(
    connection: duckdb.DuckDBPyConnection, target: str, table: str, names: list[str]
) -> str | None:
    """Write one table's Parquet; its partition column."""
    query, by = _select(table, names)
    options = ["FORMAT parquet", "COMPRESSION zstd"]
    destination = f"{target}/{table}"
    if by is not None:
        options += [f"PARTITION_BY ({by})", "OVERWRITE_OR_IGNORE true"]
    else:
        if not is_url(target):
            Path(destination).mkdir(parents=True, exist_ok=True)
        destination += "/data.parquet"
    connection.execute(f"COPY ({query}) TO {sql_string(destination)} ({', '.join(options)})")
    return by


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
            t.digest,
        )
        for t in tables
    ]
    connection.execute(
        "CREATE TEMP TABLE manifest (zone_version VARCHAR, table_name VARCHAR, "
        "partitioned_by VARCHAR, row_count BIGINT, written_at TIMESTAMP, content_digest VARCHAR)"
    )
    connection.executemany("INSERT INTO manifest VALUES (?, ?, ?, ?, ?, ?)", rows)
    if not is_url(target):
        Path(f"{target}/{MANIFEST}").mkdir(exist_ok=True)
    connection.execute(
        f"COPY manifest TO {sql_string(f'{target}/{MANIFEST}/data.parquet')} (FORMAT parquet)"
    )


def manifest(where: str) -> tuple[ZoneTable, ...]:
    """The tables of the Parquet zone at ``where`` (one version's folder or URL)."""
    connection = duckdb.connect(":memory:")
    try:
        # A manifest from before digests were kept has no content_digest column.
        read = connection.execute(
            f"SELECT * FROM read_parquet({sql_string(f'{where}/{MANIFEST}/data.parquet')}) "
            "ORDER BY table_name"
        )
        names = [column[0] for column in read.description or []]
        rows = [dict(zip(names, row, strict=True)) for row in read.fetchall()]
    finally:
        connection.close()
    return tuple(
        ZoneTable(
            str(row["table_name"]),
            row["partitioned_by"],
            int(row["row_count"]),
            str(row.get("content_digest") or ""),
        )
        for row in rows
    )


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
