"""Backup and restore of a hub's data directory (FLT-09): ``joinedup backup`` and ``restore``.

A backup is a folder, or a tar file (``.tar``, ``.tar.gz``), holding:

* the published version of the identity and analytic zones (``zones/vNNNNNN/``), copied while
  the store's single-writer lock is held, so that no load, linkage or quarantine release
  publishes a new version or prunes this one during the copy (a published version's files are
  never written again);
* the web database (SQLite), copied with SQLite's online backup API: a consistent snapshot
  while the app keeps serving. PostgreSQL is backed up with ``pg_dump``: the command refuses,
  saying so, unless told ``--without-web-database``;
* ``governance/``, ``lifecycle/``, ``linkage/`` (models and reviewers' decisions, the latter
  copied through DuckDB so that a decision being written is not half-copied), ``cohorts/`` and
  ``analytics/`` (the provenance log and published outputs; not ``analytics/base/``, a cache
  rebuilt from the zones on first use);
* the pseudonymisation key and the web app's secret key (``secrets/``, ``web/secret_key``)
  unless ``--without-secrets``. With them the backup is as sensitive as the hub itself;
* ``manifest.json``: the SHA-256 of every file, the row count of every table, the audit chain's
  head.

``restore`` puts a backup into a new, empty data directory and proves it: every file's SHA-256,
every table's row count, the audit chain (``joinedup audit verify``) and a ``joinedup serve``
that answers. Anything wrong, and nothing is left behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console

from joinedup import __version__
from joinedup.feeds import store
from joinedup.feeds.secret import key_path
from joinedup.home import resolve_home
from joinedup.web import SETTINGS_MARKER, database_elsewhere, operational_database, settings_module

MANIFEST = "manifest.json"
FORMAT = 1
# Folders of the data directory copied whole, when present (``analytics/base`` is a cache).
FOLDERS = ("governance", "lifecycle", "linkage", "cohorts", "analytics")
SKIPPED = (PurePosixPath("analytics/base"),)
# Not backed up, and not worth a warning: the demo's synthetic extracts.
IGNORED_TOP_LEVEL = {"demo"}
SECRETS_FOLDER = "secrets"
WEB_SECRET_KEY = PurePosixPath("web/secret_key")
WEB_DATABASE = PurePosixPath("web/operational.sqlite3")
AUDIT_EVENTS, AUDIT_HEAD = "audit_auditevent", "audit_chainhead"
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz")
DEV_SETTINGS = "joinedup.web.settings.dev"
CHUNK = 1 << 20

stderr = Console(stderr=True)


class BackupError(RuntimeError):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass
class Manifest:
    made_at: str
    joinedup_version: str
    source: str
    zones_version: str | None
    with_secrets: bool
    web_database: str  # "sqlite" or "not included (PostgreSQL: pg_dump)"
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    audit: dict[str, Any] | None = None
    format: int = FORMAT

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "made_at": self.made_at,
            "joinedup_version": self.joinedup_version,
            "source": self.source,
            "zones_version": self.zones_version,
            "with_secrets": self.with_secrets,
            "web_database": self.web_database,
            "audit": self.audit,
            "tables": self.tables,
            "files": self.files,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise BackupError(
                f"{MANIFEST} is in format {data.get('format')!r}; this JoinedUp reads {FORMAT}"
            )
        try:
            return cls(
                made_at=str(data["made_at"]),
                joinedup_version=str(data["joinedup_version"]),
                source=str(data["source"]),
                zones_version=data["zones_version"],
                with_secrets=bool(data["with_secrets"]),
                web_database=str(data["web_database"]),
                files=dict(data["files"]),
                tables=dict(data["tables"]),
                audit=data["audit"],
            )
        except (KeyError, TypeError) as error:
            raise BackupError(f"{MANIFEST} is damaged: {error!r} is missing") from error


@dataclass(frozen=True)
class Outcome:
    """What a backup wrote or a restore proved."""

    path: Path
    manifest: Manifest
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        files = self.manifest.files
        return {
            "path": str(self.path),
            "zones_version": self.manifest.zones_version,
            "files": len(files),
            "bytes": sum(int(f["bytes"]) for f in files.values()),
            "tables": sum(len(t) for t in self.manifest.tables.values()),
            "audit": self.manifest.audit,
            "with_secrets": self.manifest.with_secrets,
            "notes": self.notes,
        }


# Backup ------------------------------------------------------------------------------------------


def backup(
    home: Path,
    destination: Path,
    *,
    with_secrets: bool = True,
    with_web_database: bool = True,
    wait_seconds: float = 60,
) -> Outcome:
    """Write a consistent copy of the hub at ``home`` to ``destination`` (a new folder or tar)."""
    if not home.is_dir():
        raise BackupError(f"{home} is not a data directory")
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} exists already: give a new file or folder")
    elsewhere = database_elsewhere(settings_module()) or (home / SETTINGS_MARKER).exists()
    if elsewhere and with_web_database:
        raise BackupError(
            "this hub's web database is PostgreSQL (production settings): back it up with "
            "pg_dump (pg_dump --format=custom --file=web.dump DBNAME), then run joinedup "
            "backup --without-web-database for the rest of the data directory"
        )
    archive = _is_tar(destination)
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _check_space(home, destination, twice=archive)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        manifest, notes = _stage(home, staging, with_secrets, with_web_database, wait_seconds)
        if archive:
            # Written beside it, then renamed: a backup cut short never has the final name.
            partial = staging.with_name(staging.name + ".partial")
            _write_tar(staging, partial, manifest)
            partial.rename(destination)
            shutil.rmtree(staging)
        else:
            if destination.exists():
                destination.rmdir()
            staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        staging.with_name(staging.name + ".partial").unlink(missing_ok=True)
        raise
    if manifest.with_secrets:
        notes.append(
            "This backup holds the pseudonymisation key: anyone with it can re-identify the "
            "zones. Encrypt it and keep it apart from the hub, as you would the hub itself."
        )
    return Outcome(destination, manifest, notes)


def _stage(
    home: Path, staging: Path, with_secrets: bool, with_web_database: bool, wait_seconds: float
) -> tuple[Manifest, list[str]]:
    notes: list[str] = []
    with _writer_lock(home, wait_seconds):
        published = store.current(home)
        zones_version = None
        if published is not None:
            zones_version = published.folder.name
            target = staging / "zones" / zones_version
            for item in sorted(published.folder.iterdir()):
                if item.is_file() and not item.name.endswith(".wal"):
                    _copy_file(item, target / item.name)
        for name in FOLDERS:
            _copy_folder(home / name, staging / name, PurePosixPath(name), wait_seconds)
    web = "not included (PostgreSQL: pg_dump)"
    source_database = operational_database(home)
    if with_web_database and source_database.exists():
        _sqlite_snapshot(source_database, staging / WEB_DATABASE)
        web = "sqlite"
    elif with_web_database:
        web = "none (this hub has no web app)"
    if with_secrets:
        _copy_folder(home / SECRETS_FOLDER, staging / SECRETS_FOLDER, PurePosixPath("secrets"), 0)
        if (home / WEB_SECRET_KEY).is_file():
            _copy_file(home / WEB_SECRET_KEY, staging / WEB_SECRET_KEY)
    elif key_path(home).exists():
        notes.append(
            "Without secrets: keep the pseudonymisation key (secrets/pseudonymisation.key) "
            "safe elsewhere; a restored hub cannot load new deliveries without it."
        )
    left_out = sorted(
        p.name
        for p in home.iterdir()
        if p.name not in {*FOLDERS, "zones", "web", SECRETS_FOLDER, *IGNORED_TOP_LEVEL}
        and not p.name.startswith(".")
    )
    if left_out:
        notes.append(f"Not in the backup (unknown to it): {', '.join(left_out)}")
    manifest = Manifest(
        made_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        joinedup_version=__version__,
        source=str(home.resolve()),
        zones_version=zones_version,
        with_secrets=with_secrets,
        web_database=web,
    )
    _describe(staging, manifest)
    _write_private(staging / MANIFEST, json.dumps(manifest.as_dict(), indent=2, sort_keys=True))
    return manifest, notes


@contextlib.contextmanager
def _writer_lock(home: Path, wait_seconds: float) -> Iterator[None]:
    """The store's single-writer lock, waiting up to ``wait_seconds`` for a load to finish."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            lock = store.writer_lock(home)
            lock.__enter__()
        except store.StoreBusyError as error:
            if time.monotonic() >= deadline:
                raise BackupError(
                    "a load, linkage or quarantine release is running on this data directory; "
                    "back up when it has finished (or give --wait more seconds)"
                ) from error
            time.sleep(0.5)
            continue
        break
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def _copy_folder(source: Path, target: Path, relative: PurePosixPath, wait: float) -> None:
    if not source.is_dir():
        return
    for item in sorted(source.iterdir()):
        inside = relative / item.name
        if inside in SKIPPED or item.is_symlink() or item.name.endswith(".wal"):
            continue
        if item.is_dir():
            _copy_folder(item, target / item.name, inside, wait)
        elif item.suffix == ".duckdb":
            _duckdb_snapshot(item, target / item.name, wait)
        elif item.suffix == ".jsonl":
            _copy_whole_lines(item, target / item.name)
        elif item.is_file():
            _copy_file(item, target / item.name)


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(source, target)
    target.chmod(0o600)


def _copy_whole_lines(source: Path, target: Path) -> None:
    """An append-only log, up to its last complete line (a line being appended is left out)."""
    data = source.read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data[: data.rfind(b"\n") + 1])


def _duckdb_snapshot(source: Path, target: Path, wait_seconds: float) -> None:
    """A DuckDB file another process may write (reviewers' decisions), copied through DuckDB."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    deadline = time.monotonic() + wait_seconds
    while True:
        connection = duckdb.connect(":memory:")
        try:
            connection.execute(f"ATTACH '{_quoted(source)}' AS source (READ_ONLY)")
            connection.execute(f"ATTACH '{_quoted(target)}' AS target")
            connection.execute("COPY FROM DATABASE source TO target")
            connection.execute("DETACH target")
            break
        except duckdb.IOException as error:
            target.unlink(missing_ok=True)
            if time.monotonic() >= deadline:
                raise BackupError(f"{source} is in use by another process: {error}") from error
            time.sleep(0.5)
        finally:
            connection.close()
    target.chmod(0o600)


def _sqlite_snapshot(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while the web app goes on writing."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    origin = sqlite3.connect(_read_only(source), uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        copy.close()
        origin.close()
    target.chmod(0o600)


def _describe(folder: Path, manifest: Manifest) -> None:
    """Fill in the manifest's files (SHA-256, size) and tables (row counts) from ``folder``."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name == MANIFEST:
            continue
        manifest.files[name] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
        counts = _row_counts(path)
        if counts is not None:
            manifest.tables[name] = counts
    database = folder / WEB_DATABASE
    if database.exists():
        manifest.audit = _audit_head(database)


def _row_counts(path: Path) -> dict[str, int] | None:
    if path.suffix == ".duckdb":
        return _duckdb_counts(path)
    if path.suffix == ".sqlite3":
        return _sqlite_counts(path)
    return None


def _duckdb_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as zone:
        tables = zone.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND NOT temporary ORDER BY 1, 2"
        ).fetchall()
        counts = {}
        for schema, table in tables:
            row = zone.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
        return counts


def _sqlite_counts(path: Path) -> dict[str, int]:
    database = sqlite3.connect(_read_only(path), uri=True)
    try:
        names = [
            r[0]
            for r in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            n: int(database.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names
        }
    finally:
        database.close()


def _audit_head(database: Path) -> dict[str, Any] | None:
    connection = sqlite3.connect(_read_only(database), uri=True)
    try:
        head = connection.execute(
            f"SELECT sequence, hash FROM {AUDIT_HEAD} WHERE id = 1"
        ).fetchone()
        events = connection.execute(f"SELECT count(*) FROM {AUDIT_EVENTS}").fetchone()[0]
    except sqlite3.OperationalError:
        return None  # a web database from before the audit log
    finally:
        connection.close()
    sequence, digest = head if head else (0, "0" * 64)
    return {"events": int(events), "head_sequence": int(sequence), "head_hash": str(digest)}


def _write_tar(staging: Path, destination: Path, manifest: Manifest) -> None:
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        with contextlib.ExitStack() as stack:
            if destination.name.endswith((".tar.gz", ".tgz")):
                tar = stack.enter_context(tarfile.open(fileobj=handle, mode="w:gz"))
            else:
                tar = stack.enter_context(tarfile.open(fileobj=handle, mode="w"))
            # The manifest first, so that a restore reads it before anything else.
            for name in [MANIFEST, *manifest.files]:
                info = tar.gettarinfo(str(staging / name), arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o600
                with (staging / name).open("rb") as member:
                    tar.addfile(info, member)
        handle.flush()
        os.fsync(handle.fileno())


def _check_space(home: Path, destination: Path, twice: bool) -> None:
    needed = sum(
        p.stat().st_size
        for name in (*FOLDERS, SECRETS_FOLDER, "web")
        for p in (home / name).rglob("*")
        if p.is_file()
    )
    published = store.current(home)
    if published is not None:
        needed += sum(p.stat().st_size for p in published.folder.iterdir() if p.is_file())
    needed = needed * (2 if twice else 1)
    free = shutil.disk_usage(destination.parent).free
    if needed > free:
        raise BackupError(
            f"not enough space for the backup in {destination.parent}: it needs about "
            f"{needed / 1e6:,.0f} MB and {free / 1e6:,.0f} MB are free"
        )


# Restore -----------------------------------------------------------------------------------------


def restore(source: Path, home: Path, *, serve_check: bool = True) -> Outcome:
    """Restore the backup at ``source`` into the new, empty data directory ``home``, and prove it:
    checksums, row counts, the audit chain and (unless told not to) a serving app."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise BackupError(f"{home} is not empty: restore into a new, empty data directory")
    home.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix=f".{home.name}.restoring.", dir=home.parent))
    notes: list[str] = []
    try:
        manifest = _unpack(source, staging)
        _check_counts(staging, manifest)
        if manifest.zones_version is not None:
            if not (staging / "zones" / manifest.zones_version).is_dir():
                raise BackupError(f"the backup has lost zones/{manifest.zones_version}")
            (staging / "zones" / "current").symlink_to(manifest.zones_version)
        for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir())]:
            if not folder.is_symlink():
                folder.chmod(0o700)
        if manifest.web_database == "sqlite":
            notes.append(_verify_audit(staging, manifest))
        elif manifest.web_database.startswith("not included"):
            notes.append(
                "The web database is not in this backup: restore it with pg_restore, then run "
                "joinedup audit verify with the production settings."
            )
        if not manifest.with_secrets:
            notes.append(
                "The backup holds no secrets: put the pseudonymisation key back at "
                "secrets/pseudonymisation.key (chmod 600) before any load."
            )
        if home.exists():
            home.rmdir()
        staging.rename(home)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if serve_check and manifest.web_database == "sqlite":
        notes.append(serve_smoke_test(home))
    return Outcome(home, manifest, notes)


def _unpack(source: Path, staging: Path) -> Manifest:
    if source.is_dir():
        listed = source / MANIFEST
        manifest = _read_manifest(listed.read_bytes() if listed.is_file() else None)
        present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - {
            MANIFEST
        }
        _refuse_unlisted(present, manifest)
        for name in manifest.files:
            if not (source / name).is_file():
                raise BackupError(f"the backup has lost {name} (listed in {MANIFEST})")
            _copy_checked(source / name, staging / name, name, manifest)
        return manifest
    if not _is_tar(source):
        raise BackupError(f"{source} is neither a backup folder nor a .tar or .tar.gz file")
    try:
        with tarfile.open(source, mode="r:*") as tar:
            members = {_safe_name(m): m for m in tar.getmembers() if not m.isdir()}
            first = tar.extractfile(members[MANIFEST]) if MANIFEST in members else None
            manifest = _read_manifest(first.read() if first else None)
            _refuse_unlisted(set(members) - {MANIFEST}, manifest)
            for name in manifest.files:
                stream = tar.extractfile(members[name]) if name in members else None
                if stream is None:
                    raise BackupError(f"the backup has lost {name} (listed in {MANIFEST})")
                _copy_checked(stream, staging / name, name, manifest)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{source} is damaged and cannot be read: {error}") from error
    return manifest


def _read_manifest(data: bytes | None) -> Manifest:
    if data is None:
        raise BackupError(f"this is not a JoinedUp backup: it has no {MANIFEST}")
    try:
        return Manifest.from_dict(json.loads(data))
    except (ValueError, AttributeError) as error:
        raise BackupError(f"{MANIFEST} is damaged: {error}") from error


def _safe_name(member: tarfile.TarInfo) -> str:
    name = PurePosixPath(member.name)
    if (
        not (member.isfile() or member.isdir())
        or name.is_absolute()
        or ".." in name.parts
        or not name.parts
    ):
        raise BackupError(f"the backup holds {member.name!r}, which a backup never does")
    return name.as_posix()


def _refuse_unlisted(present: set[str], manifest: Manifest) -> None:
    extra = sorted(present - set(manifest.files))
    if extra:
        raise BackupError(f"the backup holds {extra[0]}, which its {MANIFEST} does not list")


def _copy_checked(source: Path | Any, target: Path, name: str, manifest: Manifest) -> None:
    """Copy one file, computing its SHA-256 on the way; refuse it if it is not the manifest's."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    with contextlib.ExitStack() as stack:
        reader = stack.enter_context(source.open("rb")) if isinstance(source, Path) else source
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        writer = stack.enter_context(os.fdopen(descriptor, "wb"))
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    expected = manifest.files[name]
    if digest.hexdigest() != expected["sha256"] or target.stat().st_size != expected["bytes"]:
        raise BackupError(
            f"{name} is damaged: its SHA-256 does not match the one in {MANIFEST}; "
            "the backup cannot be trusted, restore from another"
        )


def _check_counts(staging: Path, manifest: Manifest) -> None:
    for name, expected in manifest.tables.items():
        counted = _row_counts(staging / name) or {}
        if counted != expected:
            differ = sorted(t for t in {*counted, *expected} if counted.get(t) != expected.get(t))
            raise BackupError(
                f"{name}: the row counts of {', '.join(differ)} differ from the manifest's"
            )
    database = staging / WEB_DATABASE
    if manifest.audit is not None and _audit_head(database) != manifest.audit:
        raise BackupError(f"{WEB_DATABASE}: the audit chain's head differs from the manifest's")


def _hub_environment(home: Path) -> dict[str, str]:
    environment = {**os.environ, "JOINEDUP_HOME": str(home)}
    environment["DJANGO_SETTINGS_MODULE"] = DEV_SETTINGS
    return environment


def _verify_audit(home: Path, manifest: Manifest) -> str:
    """``joinedup audit verify`` on the restored web database, in a process of its own."""
    result = subprocess.run(
        [sys.executable, "-m", "joinedup.cli", "audit", "verify", "--home", str(home), "--json"],
        env=_hub_environment(home),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    try:
        verdict = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as error:
        raise BackupError(
            f"joinedup audit verify failed: {result.stderr.strip()[-500:]}"
        ) from error
    if not verdict["intact"]:
        raise BackupError(
            f"the restored audit chain is broken at event {verdict['broken_at']}: "
            f"{verdict['reason']}"
        )
    expected = (manifest.audit or {}).get("events", verdict["checked"])
    if verdict["checked"] != expected:
        raise BackupError(
            f"the restored audit chain has {verdict['checked']} events; the manifest {expected}"
        )
    return f"Audit chain intact: {verdict['checked']} events verified."


def serve_smoke_test(home: Path, timeout: float = 60) -> str:
    """Start ``joinedup serve`` on the restored hub, ask for /health/ and the sign-in page."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [sys.executable, "-m", "joinedup.cli", "serve", "--home", str(home)]
    command += ["--port", str(port), "--threads", "2"]
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed after the server stops)
    server = subprocess.Popen(
        command, env=_hub_environment(home), stdout=subprocess.DEVNULL, stderr=log, text=True
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                log.seek(0)
                raise BackupError(f"joinedup serve stopped: {log.read()[-500:]}")
            try:
                for page in ("/health/", "/accounts/sign-in/"):
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}", timeout=10) as r:
                        if r.status != 200:
                            raise BackupError(f"{page} answered {r.status}")
                return "joinedup serve answers on the restored hub (/health/ and the sign-in page)."
            except OSError:
                if time.monotonic() >= deadline:
                    raise BackupError("joinedup serve did not answer within a minute") from None
                time.sleep(0.3)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


# Shared -------------------------------------------------------------------------------------------


def _is_tar(path: Path) -> bool:
    return path.name.endswith(TAR_SUFFIXES)


def _read_only(database: Path) -> str:
    """An SQLite URI that opens ``database`` read-only, whatever characters its path holds."""
    return f"{database.resolve().as_uri()}?mode=ro"


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


# Commands ---------------------------------------------------------------------------------------

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $JOINEDUP_HOME, else ./var)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable report.")]


def backup_command(
    to: Annotated[
        Path,
        typer.Option("--to", help="A new folder, or a file ending .tar or .tar.gz."),
    ],
    home: HomeOption = None,
    without_secrets: Annotated[
        bool,
        typer.Option(
            "--without-secrets",
            help="Leave out the pseudonymisation key and the web secret key (keep them apart).",
        ),
    ] = False,
    without_web_database: Annotated[
        bool,
        typer.Option(
            "--without-web-database",
            help="Leave out the web database (PostgreSQL: back it up with pg_dump).",
        ),
    ] = False,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for a running load to finish.")
    ] = 60,
    as_json: JsonOption = False,
) -> None:
    """Take a consistent backup of the hub: zones, web database, governance, linkage, analytics
    provenance and (unless --without-secrets) the keys, with a manifest of checksums and counts.

    Example: joinedup backup --home /srv/hub --to /backups/hub-2026-05-01.tar.gz
    """
    try:
        outcome = backup(
            resolve_home(home),
            to,
            with_secrets=not without_secrets,
            with_web_database=not without_web_database,
            wait_seconds=wait,
        )
    except (BackupError, OSError) as error:
        stderr.print(f"[red]No backup was made: {_reason(error)}[/red]")
        raise typer.Exit(1) from error
    _report(outcome, as_json, "Backup written to")


def restore_command(
    source: Annotated[
        Path, typer.Option("--from", help="A backup: its folder, or its .tar or .tar.gz file.")
    ],
    home: Annotated[
        Path, typer.Option("--home", help="A new, empty data directory to restore into.")
    ],
    serve_check: Annotated[
        bool,
        typer.Option(
            "--serve-check/--no-serve-check",
            help="Start joinedup serve on the restored hub and check that it answers.",
        ),
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup into a new data directory, then prove it: every file's checksum, every
    table's row count, the audit chain, and a web app that answers.

    Example: joinedup restore --from /backups/hub-2026-05-01.tar.gz --home /srv/hub-restored
    """
    try:
        outcome = restore(source, home, serve_check=serve_check)
    except (BackupError, OSError) as error:
        stderr.print(f"[red]Nothing was restored: {_reason(error)}[/red]")
        raise typer.Exit(1) from error
    _report(outcome, as_json, "Restored and verified into")


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror}{where}"
    return str(error)


def _report(outcome: Outcome, as_json: bool, verb: str) -> None:
    if as_json:
        typer.echo(json.dumps(outcome.as_dict(), indent=2, sort_keys=True))
        return
    summary = outcome.as_dict()
    stderr.print(
        f"{verb} {outcome.path}: {summary['files']} files, {summary['bytes'] / 1e6:,.1f} MB, "
        f"{summary['tables']} tables counted; zones {summary['zones_version'] or '(none)'}"
    )
    for note in outcome.notes:
        stderr.print(note)
