"""Fixing one quarantined row by hand: the row as sent, checked again by the contract's own rules,
then resubmitted through the loader (a one-row resubmission, as ``joinedup quarantine resubmit``
loads a file of fixed rows), after which it leaves the quarantine.

The row's values are identifiable (the partner's row as sent): only the hub coordinator reaches
them. Rows that could not be split into the contract's columns (a wrong field count, an
undecodable line) or that clash with another row (a conflicting duplicate) cannot be fixed field by
field: the partner re-sends them.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from joinedup.feeds.contract import Contract, contract_named
from joinedup.feeds.delivery import Delivery
from joinedup.feeds.incoming import incoming_folder
from joinedup.feeds.load import connect_published, load_files
from joinedup.feeds.report import LoadReport
from joinedup.feeds.rules import compile_rules

WHOLE_ROW = "*"
# Rows whose stored content is not the row as sent, column by column.
NOT_FIXABLE_BY_FIELD = frozenset({"conflicting_duplicate"})


@dataclass(frozen=True)
class Problem:
    column: str
    reason: str


@dataclass(frozen=True)
class QuarantinedRow:
    delivery_id: int
    feed: str
    line: int
    reason: str
    problems: tuple[Problem, ...]
    status: str
    record_id: str | None
    # The row as sent, by column; None when it cannot be read back column by column.
    values: dict[str, str] | None

    @property
    def fixable(self) -> bool:
        return self.status == "open" and self.values is not None

    def refused_columns(self, contract: Contract) -> list[str]:
        """The contract's columns that broke a rule, in the contract's order."""
        refused = {problem.column for problem in self.problems}
        return [column.name for column in contract.columns if column.name in refused]


def quarantined_row(home: Path, delivery_id: int, line: int) -> QuarantinedRow | None:
    connection = connect_published(home)
    if connection is None:
        return None
    try:
        found = connection.execute(
            "SELECT feed, reason, problems, status, record_id, raw FROM quarantine "
            "WHERE delivery_id = ? AND line = ? ORDER BY status = 'open' DESC LIMIT 1",
            [delivery_id, line],
        ).fetchone()
    finally:
        connection.close()
    if found is None:
        return None
    feed, reason, problems, status, record_id, raw = found
    contract = contract_named(str(feed))
    return QuarantinedRow(
        delivery_id=delivery_id,
        feed=str(feed),
        line=line,
        reason=str(reason),
        problems=tuple(_problem(text) for text in problems or ()),
        status=str(status),
        record_id=record_id,
        values=None if reason in NOT_FIXABLE_BY_FIELD else _values(contract, raw),
    )


def fixable_lines(home: Path, delivery_id: int) -> set[int]:
    """The lines of a delivery's open quarantined rows that can be fixed field by field."""
    connection = connect_published(home)
    if connection is None:
        return set()
    try:
        rows = connection.execute(
            "SELECT feed, line, reason, raw FROM quarantine WHERE delivery_id = ? AND status = 'open'",
            [delivery_id],
        ).fetchall()
    finally:
        connection.close()
    return {
        int(line)
        for feed, line, reason, raw in rows
        if reason not in NOT_FIXABLE_BY_FIELD
        and _values(contract_named(str(feed)), raw) is not None
    }


def _problem(text: str) -> Problem:
    column, _, reason = str(text).partition("|")
    return Problem(column or WHOLE_ROW, reason)


def _values(contract: Contract, raw: object) -> dict[str, str] | None:
    try:
        parsed = json.loads(str(raw))
    except ValueError:
        return None
    names = [column.name for column in contract.columns]
    if not isinstance(parsed, dict) or not set(names) <= set(parsed):
        return None
    return {name: "" if parsed[name] is None else str(parsed[name]) for name in names}


def check_values(contract: Contract, values: dict[str, str]) -> list[Problem]:
    """What the loader would refuse these values for, by the contract's own compiled rules."""
    compiled = compile_rules(contract, "batch")
    batch = pa.table(
        {
            "__line": pa.array([1], type=pa.int64()),
            **{
                c.name: pa.array([values.get(c.name) or None], type=pa.string())
                for c in contract.columns
            },
        }
    )
    connection = duckdb.connect(":memory:")
    try:
        connection.register("batch", batch)
        found = connection.execute(f"SELECT problems FROM ({compiled.sql})").fetchone()
    finally:
        connection.close()
    return [_problem(text) for text in (found[0] if found else [])]


def resubmit(home: Path, row: QuarantinedRow, values: dict[str, str]) -> LoadReport:
    """Load the fixed row as a resubmission of its feed; the quarantined row is resolved when it
    loads. The one-row file is written in the incoming area and removed afterwards."""
    contract = contract_named(row.feed)
    # Whatever the partner's own format (a pipe-delimited file, a workbook), the fixed row is
    # written as UTF-8 CSV with the contract's header: the same rules, the same rule version.
    as_csv = dataclasses.replace(
        contract, format="csv", encoding="utf-8", delimiter=",", header="exact", sheet=None
    )
    folder = incoming_folder(home) / row.feed
    folder.mkdir(exist_ok=True, mode=0o700)
    path = folder / f"fixed-delivery-{row.delivery_id}-line-{row.line}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in contract.columns])
        writer.writerow([values.get(column.name, "") for column in contract.columns])
    try:
        fixed = Delivery(path, as_csv, "resubmission", fixes=(row.delivery_id, row.line))
        return load_files(home, [fixed])[0]
    finally:
        path.unlink(missing_ok=True)
