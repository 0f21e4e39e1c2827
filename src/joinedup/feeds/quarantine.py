"""The quarantine: every refused row, kept with its reason, listable, exportable and fixable.

Quarantined rows are identifiable (they are the partner's rows as sent), so they live in the
identity zone and leave it only through an explicit export by the hub coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from joinedup.exports import write_table
from joinedup.feeds import store
from joinedup.feeds.load import connect_published

COLUMNS = (
    "delivery_id",
    "feed",
    "line",
    "column_name",
    "reason",
    "status",
    "rule_version",
    "record_id",
)


# Why a row was refused, in a sentence for the coordinator and the analysts (docs/feeds.md,
# "Rows quarantined", says what to do about each).
REASONS = {
    "wrong_field_count": "more or fewer fields than the header",
    "invalid_encoding": "bytes that cannot be read in the contract's encoding",
    "nul_byte": "a NUL character in a value",
    "repeated_header": "the header line again among the rows",
    "malformed_row": "cannot be read as delimited text",
    "field_too_long": "a value longer than any field can be",
    "unclosed_quote": "an unclosed quote swallowed the rows after it",
    "missing_required": "a required value is empty",
    "invalid_date": "not a real date in the contract's format",
    "date_in_future": "a date after today",
    "not_a_number": "not a number",
    "unknown_code": "a code not in the contract's list",
    "birth_date_in_future": "a date of birth after today",
    "birth_date_after_event": "a date of birth after the event",
    "implausible_age": "more than 120 years old at the event",
    "conflicting_duplicate": "another row of the file has the same record id and different content",
}


def describe(reason: str) -> str:
    """The reason in words, or its code when it has none."""
    return REASONS.get(reason, reason.replace("_", " "))


@dataclass(frozen=True)
class Filters:
    feed: str | None = None
    reason: str | None = None
    status: str | None = "open"
    delivery_id: int | None = None


def _where(filters: Filters) -> tuple[str, list[object]]:
    clauses: list[str] = []
    values: list[object] = []
    for column, value in (
        ("q.feed", filters.feed),
        ("q.reason", filters.reason),
        ("q.status", filters.status),
        ("q.delivery_id", filters.delivery_id),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            values.append(value)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), values


def list_entries(home: Path, filters: Filters, limit: int | None = None) -> list[dict[str, object]]:
    """Quarantined rows without their content: where they are and why they were refused."""
    connection = connect_published(home)
    if connection is None:
        return []
    where, values = _where(filters)
    sql = f"SELECT {', '.join(COLUMNS)} FROM quarantine q{where} ORDER BY feed, delivery_id, line"
    sql += f" LIMIT {int(limit)}" if limit else ""
    rows = connection.execute(sql, values).fetchall()
    connection.close()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def summary(home: Path, filters: Filters) -> dict[str, dict[str, int]]:
    """Counts of quarantined rows by feed and reason."""
    connection = connect_published(home)
    if connection is None:
        return {}
    where, values = _where(filters)
    rows = connection.execute(
        f"SELECT feed, reason, count(*) FROM quarantine q{where} GROUP BY feed, reason ORDER BY feed, reason",
        values,
    ).fetchall()
    connection.close()
    result: dict[str, dict[str, int]] = {}
    for feed, reason, count in rows:
        result.setdefault(str(feed), {})[str(reason)] = int(count)
    return result


def close(home: Path, delivery_id: int, lines: list[int], note: str) -> int:
    """Close open quarantined rows that will not be resubmitted (the partner re-sent them, or
    they were test rows), with the coordinator's note. Returns how many were closed."""
    if not note.strip():
        raise ValueError("say why the rows are closed (--note)")
    with store.writer_lock(home):
        if store.current(home) is None:
            return 0
        version = store.begin(home)
        connection = store.connect_zones(version)
        placeholders = ", ".join("?" for _ in lines)
        before = connection.execute(
            "SELECT count(*) FROM quarantine WHERE status = 'open'"
        ).fetchall()[0][0]
        connection.execute(
            f"UPDATE quarantine SET status = 'closed', note = ? WHERE status = 'open' AND delivery_id = ? "
            f"AND line IN ({placeholders})",
            [note, delivery_id, *lines],
        )
        after = connection.execute(
            "SELECT count(*) FROM quarantine WHERE status = 'open'"
        ).fetchall()[0][0]
        connection.execute("CHECKPOINT identity")
        connection.close()
        store.publish(home, version)
    return int(before) - int(after)


def export(home: Path, filters: Filters, out: Path) -> int:
    """Write quarantined rows with their content, for the coordinator to fix (CSV or Excel)."""
    connection = connect_published(home)
    if connection is None:
        return 0
    where, values = _where(filters)
    header = (*COLUMNS, "problems", "raw")
    result = connection.execute(
        f"SELECT {', '.join(COLUMNS)}, array_to_string(problems, '; '), raw FROM quarantine q{where} "
        "ORDER BY feed, delivery_id, line",
        values,
    )
    count = write_table(out, header, iter(result.fetchall()))
    connection.close()
    return count
