"""The identity and analytic zones: two DuckDB files published together, atomically.

Each load writes a new version of both files in a folder of its own; publishing is one atomic
rename of the ``current`` link onto that folder. A crash or a kill at any moment before the
rename leaves ``current`` exactly as it was; the half-written folder is removed the next time.
Only one writer at a time: a second load is refused while one runs.

Each published version's analytic zone is also written as Parquet before the rename
(:mod:`joinedup.feeds.parquet_zone`), so that another engine (Apache Spark) reads the same
pseudonymous rows.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from joinedup.feeds import parquet_zone

IDENTITY_FILE, ANALYTIC_FILE = "identity.duckdb", "analytic.duckdb"
KEEP_VERSIONS = 2
MEMORY_LIMIT = "2GB"


class StoreBusyError(RuntimeError):
    """Another load holds the store."""


@dataclass(frozen=True)
class Version:
    folder: Path

    @property
    def identity(self) -> Path:
        return self.folder / IDENTITY_FILE

    @property
    def analytic(self) -> Path:
        return self.folder / ANALYTIC_FILE


def zones_folder(home: Path) -> Path:
    return home / "zones"


def current(home: Path) -> Version | None:
    """The published version, or None before the first load."""
    link = zones_folder(home) / "current"
    return Version(link.resolve()) if link.exists() else None


def connect_zones(version: Version, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A fresh connection with the identity zone as ``identity`` (the default schema) and the
    analytic zone attached as ``analytic``. Attaching to an in-memory connection, rather than
    opening the files directly, keeps each connection's attachments its own."""
    connection = duckdb.connect(":memory:")
    for name, path in (("identity", version.identity), ("analytic", version.analytic)):
        _attach(connection, path, name, read_only)
    connection.execute("USE identity")
    spill = str(version.folder.parent / ".spill").replace("'", "''")
    connection.execute(f"SET temp_directory = '{spill}'")
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    connection.execute("SET preserve_insertion_order = true")
    connection.execute("SET enable_progress_bar = false")
    return connection


def _attach(
    connection: duckdb.DuckDBPyConnection, path: Path, alias: str, read_only: bool = False
) -> None:
    escaped = str(path).replace("'", "''")
    connection.execute(f"ATTACH '{escaped}' AS {alias}{' (READ_ONLY)' if read_only else ''}")


@contextlib.contextmanager
def writer_lock(home: Path) -> Iterator[None]:
    """Hold the single-writer lock for the duration of a load (released by the OS if killed)."""
    folder = zones_folder(home)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise StoreBusyError(
                "another load is running on this data directory; try again when it has finished"
            ) from error
        yield


def _versions(home: Path) -> list[Path]:
    return sorted(p for p in zones_folder(home).glob("v[0-9]*") if p.is_dir())


def remove_unpublished(home: Path) -> None:
    """Delete folders left by loads that never published (a crash or a kill)."""
    published = current(home)
    for folder in _versions(home):
        # Everything newer than the published version is a load that never finished.
        if published is None or folder.name > published.folder.name:
            shutil.rmtree(folder, ignore_errors=True)
    parquet_zone.drop_all_but(home, [folder.name for folder in _versions(home)])


def begin(home: Path) -> Version:
    """A new version folder holding copies of the published files (or none before the first load)."""
    remove_unpublished(home)
    existing = _versions(home)
    number = int(existing[-1].name[1:]) + 1 if existing else 1
    folder = zones_folder(home) / f"v{number:06d}"
    folder.mkdir(mode=0o700)
    published = current(home)
    if published is not None:
        for name in (IDENTITY_FILE, ANALYTIC_FILE):
            shutil.copy2(published.folder / name, folder / name)
    return Version(folder)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(home: Path, version: Version) -> None:
    """Make ``version`` the current one in a single atomic step, then drop old versions.

    The version's analytic zone is written as Parquet first: a crash before the rename leaves
    the published version, and its Parquet, as they were."""
    for name in (IDENTITY_FILE, ANALYTIC_FILE):
        _fsync(version.folder / name)
    _fsync(version.folder)
    parquet_zone.write(home, version.folder.name, version.analytic)
    link = zones_folder(home) / "current"
    staging = zones_folder(home) / f".current-{version.folder.name}"
    staging.unlink(missing_ok=True)
    staging.symlink_to(version.folder.name)
    staging.replace(link)
    _fsync(zones_folder(home))
    for old in _versions(home)[:-KEEP_VERSIONS]:
        shutil.rmtree(old, ignore_errors=True)
    parquet_zone.drop_all_but(home, [folder.name for folder in _versions(home)])


def abandon(version: Version) -> None:
    shutil.rmtree(version.folder, ignore_errors=True)


@contextlib.contextmanager
def drafting(home: Path) -> Iterator[Version]:
    """A new version to write into, for a caller that holds ``writer_lock``: published when the
    block completes, abandoned if it raises, so that the published version stays as it was."""
    version = begin(home)
    try:
        yield version
    except BaseException:
        abandon(version)
        raise
    publish(home, version)


def compact(version: Version) -> None:
    """Rewrite both files of an unpublished version from their live rows only (``compact_file``)."""
    for name in (IDENTITY_FILE, ANALYTIC_FILE):
        compact_file(version.folder / name)


def compact_file(path: Path) -> None:
    """Rewrite a DuckDB file from its live rows only, in place. DuckDB leaves a deleted or
    overwritten value in the file's free blocks; an erasure must not."""
    fresh = path.with_name(f".{path.name}.compacted")
    fresh.unlink(missing_ok=True)
    connection = duckdb.connect(":memory:")
    try:
        _attach(connection, path, "old", read_only=True)
        _attach(connection, fresh, "new")
        connection.execute("COPY FROM DATABASE old TO new")
    finally:
        connection.close()
    fresh.chmod(stat.S_IMODE(path.stat().st_mode))
    fresh.replace(path)


def drop_older_versions(home: Path, before: str) -> list[str]:
    """Delete every version folder older than ``before`` (a version's name), kept on disk until
    now for ``KEEP_VERSIONS``; the names of those deleted."""
    dropped = [folder.name for folder in _versions(home) if folder.name < before]
    for name in dropped:
        shutil.rmtree(zones_folder(home) / name)
    parquet_zone.drop_all_but(home, [folder.name for folder in _versions(home)])
    return dropped


def export_parquet(home: Path) -> parquet_zone.Written | None:
    """Write the published version's analytic zone as Parquet (for a store loaded before the
    zones were written as Parquet, or after the setting moved it); None if nothing is loaded."""
    with writer_lock(home):
        published = current(home)
        if published is None:
            return None
        written = parquet_zone.write(home, published.folder.name, published.analytic)
        parquet_zone.drop_all_but(home, [folder.name for folder in _versions(home)])
        return written
