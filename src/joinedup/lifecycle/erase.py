"""Erasure of data received in error (GDPR-04): ``joinedup records erase``.

Records named by their id, or a whole delivery, are removed in a new version of the zones
published in one step (``purge``), with a tombstone in the same version; then older versions on
disk, analysis bases and case-finding lists made from the data go (``derived``), and the
tombstone is copied to the file and the audit log. Erasing what is already erased changes nothing.

Example::

    erase_records(home, "ae_attendances", ["AE00000042"], "sent to us by mistake")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from joinedup.feeds import schema, store
from joinedup.feeds.contract import Contract, ContractError, contract_named
from joinedup.feeds.secret import load_key
from joinedup.lifecycle import derived, purge, tombstones
from joinedup.lifecycle.common import LifecycleRefusedError, Progress, check_reason
from joinedup.lifecycle.tombstones import Tombstone


@dataclass
class LifecycleReport:
    status: str  # done, or nothing_to_do
    message: str
    tombstones: list[Tombstone] = field(default_factory=list)
    aftermath: derived.Aftermath = field(default_factory=derived.Aftermath)
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message": self.message,
            "tombstones": [t.as_dict() for t in self.tombstones],
            "aftermath": self.aftermath.as_dict(),
            **self.details,
        }


def feed_contract(feed: str) -> Contract:
    try:
        return contract_named(feed)
    except ContractError as error:
        raise LifecycleRefusedError(str(error)) from error


def read_published(home: Path) -> duckdb.DuckDBPyConnection:
    """The published zones, read-only (refused before the first load)."""
    version = store.current(home)
    if version is None:
        raise LifecycleRefusedError("nothing is loaded on this hub yet: there are no records")
    return store.connect_zones(version, read_only=True)


def finish(home: Path) -> tuple[list[Tombstone], derived.Aftermath]:
    """Clear what was derived before the published tombstones not yet recorded, then record
    them: both idempotent, so a command cut short is completed by the next one."""
    waiting = tombstones.pending(home)
    aftermath = derived.settle(home, waiting)
    tombstones.commit(home, waiting)
    return waiting, aftermath


def carry_out(
    home: Path,
    action: str,
    selection: purge.Selection,
    reason_for: Callable[[str], str],
    progress: Progress,
) -> list[Tombstone]:
    """Publish a version without the selected rows, a tombstone per feed in it. The caller
    holds the writer lock; a failure at any step leaves the published version as it was."""
    key = load_key(home, stores_exist=True)
    with store.drafting(home) as version:
        with store.connect_zones(version) as connection:
            removed = purge.select(connection, selection)
            gone = purge.remove(connection, key, selection, progress)
            made = [_tombstone(r, action, version, reason_for, key) for r in removed]
            for tombstone in made:
                tombstones.write(connection, tombstone)
            connection.execute("CHECKPOINT identity")
            connection.execute("CHECKPOINT analytic")
        progress("Rewriting the zones without the erased rows")
        store.compact(version)
        # Last before publishing: decisions on nodes that go with the records.
        purge.forget_decisions(home, gone)
    return made


def _tombstone(
    removed: purge.Removed,
    action: str,
    version: store.Version,
    reason_for: Callable[[str], str],
    key: bytes,
) -> Tombstone:
    return Tombstone(
        action=action,
        feed=removed.feed,
        zone_version=version.folder.name,
        reason=reason_for(removed.feed),
        deliveries=removed.deliveries,
        records=removed.records,
        quarantined_rows=removed.quarantined_rows,
        record_hashes=tombstones.record_hashes(key, removed.feed, removed.record_ids),
        data_since=removed.data_since,
    )


def erase_records(
    home: Path,
    feed: str,
    record_ids: list[str],
    reason: str,
    progress: Progress = lambda _step: None,
) -> LifecycleReport:
    """Erase the records of ``feed`` with these ids (loaded or quarantined), everywhere."""
    contract = feed_contract(feed)
    ids = list(dict.fromkeys(i.strip() for i in record_ids if i.strip()))
    if not ids:
        raise LifecycleRefusedError("give the id of at least one record to erase (--record-id)")
    why = check_reason(reason, ids)
    with store.writer_lock(home):
        finish(home)
        with read_published(home) as connection:
            present = _present(connection, contract.name, ids)
            earlier = _erased_before(connection, home, contract.name, ids, present)
        if not present:
            return LifecycleReport("nothing_to_do", _already(earlier, len(ids)))
        listed = "SELECT unnest(?::VARCHAR[])"
        selection = purge.Selection(
            records=(
                f"SELECT feed, record_key FROM identity.identity_records WHERE feed = ? AND record_id IN ({listed})",
                [contract.name, ids],
            ),
            quarantine=(
                f"SELECT rowid FROM identity.quarantine WHERE feed = ? AND record_id IN ({listed})",
                [contract.name, ids],
            ),
        )
        carry_out(home, "erase", selection, lambda _feed: why, progress)
        made, aftermath = finish(home)
    return LifecycleReport("done", _erased_message(made, len(ids) - len(present)), made, aftermath)


def _present(connection: duckdb.DuckDBPyConnection, feed: str, ids: list[str]) -> set[str]:
    rows = connection.execute(
        "SELECT record_id FROM identity.identity_records WHERE feed = ? AND record_id IN (SELECT unnest(?::VARCHAR[])) "
        "UNION SELECT record_id FROM identity.quarantine WHERE feed = ? AND record_id IN (SELECT unnest(?::VARCHAR[]))",
        [feed, ids, feed, ids],
    ).fetchall()
    return {str(r) for (r,) in rows}


def _erased_before(
    connection: duckdb.DuckDBPyConnection, home: Path, feed: str, ids: list[str], present: set[str]
) -> list[Tombstone]:
    """The tombstones of ids not present; refused, by position, if any id was never known
    (the ids are not repeated back: they identify someone)."""
    absent = [(n, i) for n, i in enumerate(ids, 1) if i not in present]
    if not absent:
        return []
    key = load_key(home, stores_exist=True)
    found = {h: t for t in tombstones.stored(connection, feed) for h in t.record_hashes}
    hashes = {i: tombstones.record_hashes(key, feed, [i])[0] for _, i in absent}
    unknown = [n for n, i in absent if hashes[i] not in found]
    if unknown:
        which = ", ".join(f"#{n}" for n in unknown)
        raise LifecycleRefusedError(
            f"feed {feed} has no record with the record id {which} of those given (not loaded, "
            "not quarantined, never erased): check the id as the partner sent it; nothing was erased"
        )
    return list({found[h].tombstone_id: found[h] for h in hashes.values()}.values())


def _already(earlier: list[Tombstone], count: int) -> str:
    when = ", ".join(f"{t.recorded_at:%Y-%m-%d} (tombstone {t.tombstone_id})" for t in earlier)
    return f"the {count} record(s) given were already erased on {when}; nothing changed"


def _erased_message(made: list[Tombstone], already: int) -> str:
    records = sum(t.records for t in made)
    rows = sum(t.quarantined_rows for t in made)
    text = f"erased {records} record(s) and {rows} quarantined row(s)"
    if already:
        text += f"; {already} of the ids given were erased before"
    return text + f" (tombstone {', '.join(t.tombstone_id for t in made)})"


def erase_delivery(
    home: Path, feed: str, delivery_id: int, reason: str, progress: Progress = lambda _step: None
) -> LifecycleReport:
    """Erase everything delivery ``delivery_id`` of ``feed`` brought that is still its own
    (records a later delivery replaced are that delivery's), and refuse its file from now on."""
    contract = feed_contract(feed)
    why = check_reason(reason)
    with store.writer_lock(home):
        finish(home)
        kind = _delivery_kind(home, contract.name, delivery_id)
        if kind == schema.ERASED_KIND or kind == schema.RELOAD_ALLOWED_KIND:
            return LifecycleReport(
                "nothing_to_do",
                f"delivery {delivery_id} of {contract.name} was erased before; nothing changed",
            )
        selection = purge.Selection(
            records=(
                "SELECT feed, record_key FROM identity.identity_records WHERE delivery_id = ?",
                [delivery_id],
            ),
            quarantine=(
                "SELECT rowid FROM identity.quarantine WHERE delivery_id = ?",
                [delivery_id],
            ),
            delivery=(contract.name, delivery_id),
        )
        carry_out(home, "erase", selection, lambda _feed: why, progress)
        made, aftermath = finish(home)
    return LifecycleReport(
        "done",
        f"{_erased_message(made, 0)}; its file will be refused if it is sent again",
        made,
        aftermath,
    )


def _delivery_kind(home: Path, feed: str, delivery_id: int) -> str:
    with read_published(home) as connection:
        rows = connection.execute(
            "SELECT feed, kind FROM identity.deliveries WHERE delivery_id = ?", [delivery_id]
        ).fetchall()
    if not rows:
        raise LifecycleRefusedError(f"there is no delivery {delivery_id} on this hub")
    if rows[0][0] != feed:
        raise LifecycleRefusedError(
            f"delivery {delivery_id} is of feed {rows[0][0]}, not {feed}: check the number"
        )
    return str(rows[0][1])


def allow_reload(home: Path, feed: str, delivery_id: int, reason: str) -> LifecycleReport:
    """Let the file of an erased delivery be loaded again (the partner confirmed it is right)."""
    contract = feed_contract(feed)
    why = check_reason(reason)
    with store.writer_lock(home):
        finish(home)
        if _delivery_kind(home, contract.name, delivery_id) != schema.ERASED_KIND:
            return LifecycleReport(
                "nothing_to_do",
                f"delivery {delivery_id} of {contract.name} is not an erased delivery whose file "
                "is refused; nothing changed",
            )
        with store.drafting(home) as version, store.connect_zones(version) as connection:
            for zone in ("identity", "analytic"):
                connection.execute(
                    f"UPDATE {zone}.deliveries SET kind = ? WHERE delivery_id = ?",
                    [schema.RELOAD_ALLOWED_KIND, delivery_id],
                )
            tombstones.write(
                connection,
                Tombstone("allow_reload", contract.name, version.folder.name, why, [delivery_id]),
            )
            connection.execute("CHECKPOINT identity")
            connection.execute("CHECKPOINT analytic")
        made, aftermath = finish(home)
    return LifecycleReport(
        "done",
        f"the file of delivery {delivery_id} of {contract.name} may be loaded again",
        made,
        aftermath,
    )
