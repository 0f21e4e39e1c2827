"""The delivery log read back: each feed's deliveries over time, how each reconciles, what its
quarantine holds, and whether a partner's next delivery is late.

Only figures and where rows are: no row's content (that stays with ``fixing`` and the export).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joinedup.feeds.contract import Contract, packaged_contracts
from joinedup.feeds.load import connect_published

# A delivery proper (not a resubmission of fixed rows, nor one erased as received in error).
DELIVERY_KIND = "delivery"
FIELDS = (
    "delivery_id",
    "feed",
    "file_name",
    "kind",
    "agreement",
    "rule_version",
    "loaded_at",
    "read",
    "loaded",
    "quarantined",
    "deduplicated",
    "new",
    "superseded",
    "unchanged",
)


@dataclass(frozen=True)
class DeliveryRecord:
    delivery_id: int
    feed: str
    file_name: str
    kind: str
    agreement: str
    rule_version: str
    loaded_at: dt.datetime
    read: int
    loaded: int
    quarantined: int
    deduplicated: int
    new: int
    superseded: int
    unchanged: int
    # Of its quarantined rows, those neither fixed nor closed yet.
    still_open: int = 0

    @property
    def reconciles(self) -> bool:
        """Every row read is loaded, quarantined or a counted duplicate (``LoadReport.reconciles``)."""
        return self.read == self.loaded + self.quarantined + self.deduplicated


@dataclass(frozen=True)
class FeedStatus:
    """A feed's deliveries against its schedule (``expected_every_days`` in its contract)."""

    contract: Contract
    deliveries: int
    last_delivered: dt.date | None
    expected_by: dt.date | None
    days_late: int
    open_quarantine: int

    @property
    def late(self) -> bool:
        return self.days_late > 0


def deliveries(home: Path, feed: str | None = None) -> list[DeliveryRecord]:
    """Every delivery recorded, oldest first (of one feed if ``feed`` is given)."""
    where, values = ("WHERE d.feed = ?", [feed]) if feed else ("", [])
    return _read(home, where, values)


def delivery(home: Path, delivery_id: int) -> DeliveryRecord | None:
    found = _read(home, "WHERE d.delivery_id = ?", [delivery_id])
    return found[0] if found else None


def _read(home: Path, where: str, values: Sequence[object]) -> list[DeliveryRecord]:
    connection = connect_published(home)
    if connection is None:
        return []
    try:
        columns = ", ".join(f"d.{name}" for name in FIELDS)
        rows = connection.execute(
            f"SELECT {columns}, (SELECT count(*) FROM quarantine q WHERE q.delivery_id = d.delivery_id "
            f"AND q.status = 'open') FROM deliveries d {where} ORDER BY d.delivery_id",
            values,
        ).fetchall()
    finally:
        connection.close()
    return [_record(row) for row in rows]


def _record(row: tuple[Any, ...]) -> DeliveryRecord:
    delivery_id, feed, file_name, kind, agreement, rule_version, loaded_at, *figures = row
    read, loaded, quarantined, deduplicated, new, superseded, unchanged, still_open = (
        int(value or 0) for value in figures
    )
    return DeliveryRecord(
        delivery_id=int(delivery_id),
        feed=str(feed),
        file_name=str(file_name or ""),
        kind=str(kind),
        agreement=str(agreement or ""),
        rule_version=str(rule_version or ""),
        loaded_at=loaded_at,
        read=read,
        loaded=loaded,
        quarantined=quarantined,
        deduplicated=deduplicated,
        new=new,
        superseded=superseded,
        unchanged=unchanged,
        still_open=still_open,
    )


def reasons(home: Path, delivery_id: int) -> list[tuple[str, str, int, int]]:
    """A delivery's quarantined rows by reason and column: (reason, column, rows, still open)."""
    connection = connect_published(home)
    if connection is None:
        return []
    try:
        rows = connection.execute(
            "SELECT reason, column_name, count(*), count(*) FILTER (WHERE status = 'open') "
            "FROM quarantine WHERE delivery_id = ? GROUP BY ALL ORDER BY 3 DESC, 1, 2",
            [delivery_id],
        ).fetchall()
    finally:
        connection.close()
    return [(str(r), str(c or ""), int(n), int(o)) for r, c, n, o in rows]


def feed_statuses(home: Path, on: dt.date) -> list[FeedStatus]:
    """Every feed of the contracts, with its last delivery and whether the next is late on ``on``."""
    connection = connect_published(home)
    delivered: dict[str, tuple[int, dt.date | None]] = {}
    still_open: dict[str, int] = {}
    if connection is not None:
        try:
            for feed, count, last in connection.execute(
                "SELECT feed, count(*), max(loaded_at)::DATE FROM deliveries WHERE kind = ? "
                "GROUP BY feed",
                [DELIVERY_KIND],
            ).fetchall():
                delivered[str(feed)] = (int(count), last)
            for feed, count in connection.execute(
                "SELECT feed, count(*) FROM quarantine WHERE status = 'open' GROUP BY feed"
            ).fetchall():
                still_open[str(feed)] = int(count)
        finally:
            connection.close()
    statuses = []
    for contract in packaged_contracts():
        count, last = delivered.get(contract.name, (0, None))
        statuses.append(_status(contract, count, last, still_open.get(contract.name, 0), on))
    return statuses


def _status(
    contract: Contract, count: int, last: dt.date | None, still_open: int, on: dt.date
) -> FeedStatus:
    every = contract.expected_every_days
    expected_by = last + dt.timedelta(days=every) if last is not None and every else None
    days_late = (on - expected_by).days if expected_by is not None and on > expected_by else 0
    return FeedStatus(contract, count, last, expected_by, days_late, still_open)


def late_feeds(home: Path, on: dt.date) -> list[FeedStatus]:
    """The feeds whose next delivery is overdue on ``on``, the latest first."""
    late = [status for status in feed_statuses(home, on) if status.late]
    return sorted(late, key=lambda status: (-status.days_late, status.contract.name))
