"""Tombstones: what an erasure, a purge or a rectification leaves behind, with no personal data.

A tombstone says which feed, which deliveries, how many records, why, when and by whom, and
names the records only by keyed hashes of their ids (HMAC under the hub's key, so nobody without
the key can test an id against it). It is written into the identity zone in the same version as
the change it records (table ``lifecycle_tombstones``), so the two are published together or not
at all; ``commit`` then copies each to the audit log (on a hub with a web app) and to
``HOME/lifecycle/tombstones.jsonl``. Those not yet copied (``pending``) are looked for again at the
start of every lifecycle command, so a crash between publishing and copying loses nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from joinedup.feeds import store
from joinedup.feeds.secret import keyed
from joinedup.lifecycle.common import append_line, audit, lifecycle_folder, operator
from joinedup.linkage.published import identity_table_exists

TABLE = """
CREATE TABLE IF NOT EXISTS identity.lifecycle_tombstones (
    tombstone_id VARCHAR PRIMARY KEY, action VARCHAR NOT NULL, feed VARCHAR NOT NULL,
    zone_version VARCHAR NOT NULL, deliveries INTEGER[] NOT NULL, records BIGINT NOT NULL,
    quarantined_rows BIGINT NOT NULL, record_hashes VARCHAR[] NOT NULL, field VARCHAR,
    data_since TIMESTAMP, reason VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR NOT NULL)
"""
COLUMNS = (
    "tombstone_id, action, feed, zone_version, deliveries, records, quarantined_rows, "
    "record_hashes, field, data_since, reason, recorded_at, recorded_by"
)
# The audit verb of each action.
VERBS = {
    "erase": "records.erased",
    "retention": "records.purged",
    "rectify": "records.rectified",
    "allow_reload": "records.reload_allowed",
}
HASH_NOTE = "HMAC-SHA256 of 'tombstone:FEED:RECORD_ID' under the hub's key, first 128 bits"


@dataclass(frozen=True)
class Tombstone:
    action: str
    feed: str
    zone_version: str
    reason: str
    deliveries: list[int] = dataclasses.field(default_factory=list)
    records: int = 0
    quarantined_rows: int = 0
    record_hashes: list[str] = dataclasses.field(default_factory=list)
    field: str | None = None
    # When the earliest delivery it concerns was loaded: outputs made before hold none of it.
    data_since: dt.datetime | None = None
    recorded_at: dt.datetime = dataclasses.field(
        default_factory=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None)
    )
    recorded_by: str = dataclasses.field(default_factory=operator)
    tombstone_id: str = dataclasses.field(default_factory=lambda: "T" + secrets.token_hex(8))

    def as_dict(self) -> dict[str, object]:
        entry = asdict(self)
        for name in ("recorded_at", "data_since"):
            value = entry[name]
            entry[name] = value.isoformat(timespec="seconds") + "Z" if value else None
        return entry


def record_hashes(key: bytes, feed: str, record_ids: Iterable[str]) -> list[str]:
    """The keyed hashes a tombstone names records by, sorted (their order tells nothing)."""
    return sorted(h for h in keyed(key, f"tombstone:{feed}", record_ids) if h is not None)


def write(connection: duckdb.DuckDBPyConnection, tombstone: Tombstone) -> None:
    """Add the tombstone to the version ``connection`` writes (identity zone)."""
    connection.execute(TABLE)
    entry = asdict(tombstone)
    names = [c.strip() for c in COLUMNS.split(",")]
    connection.execute(
        f"INSERT INTO identity.lifecycle_tombstones ({COLUMNS}) VALUES ({', '.join('?' * len(names))})",
        [entry[n] for n in names],
    )


def stored(connection: duckdb.DuckDBPyConnection, feed: str | None = None) -> list[Tombstone]:
    """The tombstones of the version ``connection`` reads, oldest first (of ``feed`` if given)."""
    if not identity_table_exists(connection, "lifecycle_tombstones"):
        return []
    rows = connection.execute(
        f"SELECT {COLUMNS} FROM identity.lifecycle_tombstones "
        "WHERE ?::VARCHAR IS NULL OR feed = ? ORDER BY recorded_at, tombstone_id",
        [feed, feed],
    ).fetchall()
    names = [c.strip() for c in COLUMNS.split(",")]
    return [Tombstone(**dict(zip(names, row, strict=True))) for row in rows]


def path(home: Path) -> Path:
    return lifecycle_folder(home) / "tombstones.jsonl"


def written(home: Path) -> list[dict[str, object]]:
    """The tombstones in HOME/lifecycle/tombstones.jsonl, oldest first."""
    if not path(home).exists():
        return []
    with path(home).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def pending(home: Path) -> list[Tombstone]:
    """The published tombstones not yet in the file (those of a change just published, or of
    one whose command was cut short after publishing)."""
    version = store.current(home)
    if version is None:
        return []
    with store.connect_zones(version, read_only=True) as connection:
        published = stored(connection)
    done = {entry["tombstone_id"] for entry in written(home)}
    return [t for t in published if t.tombstone_id not in done]


def commit(home: Path, tombstones: list[Tombstone]) -> None:
    """Each tombstone to the audit log, then to the file (a crash between the two repeats an
    audit event rather than lose one)."""
    for tombstone in tombstones:
        entry = tombstone.as_dict()
        audit(home, VERBS[tombstone.action], ("feed", tombstone.feed), entry)
        append_line(path(home), {**entry, "record_hashes_are": HASH_NOTE})
