"""Reading a partner's file as it arrives: streamed in batches, every record with the physical
line it starts on, structural faults refused row by row, hopeless files refused whole.

Only structure is checked here (encoding, field counts, NUL bytes, repeated headers); the
typed rules of the contract run as SQL on each batch (see rules.py).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from joinedup.feeds.contract import Contract

BATCH_RECORDS = 50_000
# The csv module's own limit, above the rules' field_too_long, so both readers refuse alike.
MAX_FIELD_BYTES = 64_000_000
# A file is refused whole, rather than row by row, when this share of its records cannot be decoded.
UNDECODABLE_FILE_SHARE = 0.01
UNDECODABLE_FILE_ROWS = 10
MAGIC = {
    b"PK\x03\x04": "a zip archive (an Excel workbook or a compressed file)",
    b"\x1f\x8b": "a gzip-compressed file",
    b"\xff\xfe": "UTF-16 text (an Excel 'Unicode text' export)",
    b"\xfe\xff": "UTF-16 text",
    b"%PDF": "a PDF document",
}
csv.field_size_limit(MAX_FIELD_BYTES)


class FastPathUnavailableError(RuntimeError):
    """The fast reader cannot vouch for this file (bad bytes, quoted newlines): read it exactly."""


class FileRefusedError(ValueError):
    """The whole file is refused; ``reason`` is a code, the message says why in words."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class Rejected:
    line: int
    column: str
    reason: str
    raw: str


@dataclass
class Batch:
    """Records as text, aligned with the line each starts on."""

    lines: list[int]
    columns: dict[str, tuple[str, ...]]
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.lines)


def sniff(path: Path, contract: Contract) -> None:
    """Refuse files that are not what the contract says, by their first bytes."""
    with path.open("rb") as handle:
        head = handle.read(512)
    stripped = head.removeprefix(codecs.BOM_UTF8).strip()
    if not stripped:
        raise FileRefusedError(
            "empty_delivery", "the file is empty: an empty delivery is not a successful one"
        )
    if contract.format == "xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise FileRefusedError(
                "wrong_format", "the contract expects an Excel workbook (.xlsx) but this is not one"
            )
        return
    for magic, what in MAGIC.items():
        if head.startswith(magic):
            raise FileRefusedError(
                "wrong_format", f"the contract expects delimited text but this is {what}"
            )
    if stripped[:15].lower().startswith((b"<!doctype", b"<html")):
        raise FileRefusedError(
            "wrong_format", "the contract expects delimited text but this is an HTML page"
        )


def first_undecodable_byte(path: Path, encoding: str) -> int | None:
    """Byte offset of the first byte the encoding cannot decode, reading in chunks."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return offset + error.start
            offset += len(chunk)
    return None


def _has_surrogates(text: str) -> bool:
    return not text.isascii() and any("\udc80" <= ch <= "\udcff" for ch in text)


def read_csv(path: Path, contract: Contract, header: list[str]) -> Iterator[Batch]:
    """Records in batches, after the header. ``header`` is filled in from the file."""
    python_encoding = "utf-8-sig" if contract.encoding == "utf-8" else contract.encoding
    with path.open("rb") as raw:
        if raw.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
            raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=python_encoding, errors="surrogateescape", newline="")
        reader = csv.reader(text, delimiter=contract.delimiter, strict=False)
        try:
            header.extend(next(reader))
        except StopIteration:
            raise FileRefusedError("empty_delivery", "the file has no header and no rows") from None
        if _has_surrogates("".join(header)):
            offset = first_undecodable_byte(path, python_encoding)
            raise FileRefusedError(
                "encoding",
                f"the header cannot be read as {contract.encoding} (first bad byte at offset {offset})",
            )
        yield from _records(reader, header, contract)


def _records(reader: Iterator[list[str]], header: list[str], contract: Contract) -> Iterator[Batch]:
    width = len(header)
    line = getattr(reader, "line_num", 1)
    rows: list[list[str]] = []
    lines: list[int] = []
    rejected: list[Rejected] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            rejected.append(Rejected(line + 1, "*", "malformed_row", str(error)))
            line = reader.line_num  # type: ignore[attr-defined]
            continue
        start, line = line + 1, reader.line_num  # type: ignore[attr-defined]
        if not any(row):
            continue
        if len(row) != width:
            rejected.append(
                Rejected(
                    start,
                    "*",
                    "wrong_field_count",
                    f"{len(row)} fields where the header has {width}: {contract.delimiter.join(row)}",
                )
            )
        elif row == header:
            rejected.append(Rejected(start, "*", "repeated_header", contract.delimiter.join(row)))
        else:
            rows.append(row)
            lines.append(start)
        if len(rows) >= BATCH_RECORDS:
            yield _batch(lines, rows, header, rejected)
            rows, lines, rejected = [], [], []
    if rows or rejected:
        yield _batch(lines, rows, header, rejected)


def _printable(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def _batch(
    lines: list[int], rows: list[list[str]], header: list[str], rejected: list[Rejected]
) -> Batch:
    """Columns of the batch's sound rows. Rows with undecodable or NUL bytes move to ``rejected``,
    looked for row by row only in the rare batch that has any."""
    if rows and _batch_has_damage(rows):
        sound_lines, sound_rows = [], []
        for line, row in zip(lines, rows, strict=True):
            damage = _damage(row, header)
            if damage is None:
                sound_lines.append(line)
                sound_rows.append(row)
            else:
                raw = _printable("|".join(row)).replace("\x00", "\\0")
                rejected.append(Rejected(line, damage[0], damage[1], raw))
        lines, rows = sound_lines, sound_rows
    values = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    columns = dict(zip(header, values, strict=True))
    return Batch(lines=lines, columns=columns, rejected=sorted(rejected, key=lambda r: r.line))


def _batch_has_damage(rows: list[list[str]]) -> bool:
    text = "\x1f".join("\x1f".join(row) for row in rows)
    return "\x00" in text or _has_surrogates(text)


def _damage(row: list[str], header: list[str]) -> tuple[str, str] | None:
    for name, value in zip(header, row, strict=True):
        if _has_surrogates(value):
            return name, "invalid_encoding"
        if "\x00" in value:
            return name, "nul_byte"
    return None


def read_workbook(path: Path, contract: Contract, header: list[str]) -> Iterator[Batch]:
    """The contracted sheet only; cached values of formulas; dates rendered in the contract's format."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileRefusedError(
            "wrong_format", f"the workbook cannot be opened: {type(error).__name__}"
        ) from error
    if contract.sheet not in workbook.sheetnames:
        raise FileRefusedError(
            "missing_sheet",
            f"the workbook has no sheet called {contract.sheet!r} (it has {', '.join(workbook.sheetnames)})",
        )
    rows = workbook[contract.sheet].iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        raise FileRefusedError("empty_delivery", f"the sheet {contract.sheet!r} is empty")
    header.extend("" if v is None else str(v) for v in first)
    formats = {c.name: c.format for c in contract.columns if c.type in ("date", "datetime")}
    width = len(header)
    text_rows = (
        [
            _cell_text(value, formats.get(name))
            for name, value in zip(header, _padded(row, width), strict=False)
        ]
        + [_cell_text(value, None) for value in row[width:]]
        for row in rows
    )
    numbered = _NumberedRows(text_rows, start=1)
    yield from _records(numbered, header, contract)


def _padded(row: tuple[object, ...], width: int) -> tuple[object, ...]:
    """Read-only sheets drop trailing empty cells; a short row is padded, a long one kept long."""
    return row + (None,) * (width - len(row)) if len(row) < width else row


def _cell_text(value: object, date_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date) and date_format:
        return value.strftime(date_format)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _NumberedRows:
    """Rows of a sheet with the same ``line_num`` protocol as csv.reader (Excel row numbers)."""

    def __init__(self, rows: Iterator[list[str]], start: int) -> None:
        self._rows, self.line_num = rows, start

    def __iter__(self) -> _NumberedRows:
        return self

    def __next__(self) -> list[str]:
        row = next(self._rows)
        self.line_num += 1
        return row


def physical_lines(path: Path) -> int:
    count, last = 0, b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(b"\n")
            last = chunk
    return count + (1 if last and not last.endswith(b"\n") else 0)


def read_csv_fast(path: Path, contract: Contract, header: list[str]) -> Iterator[Batch]:
    """Arrow's C++ reader for clean files. Line numbers are those of the physical lines that are
    not bad rows; at the end the lines are counted, and if any record spanned two lines (or a
    byte could not be decoded) ``FastPathUnavailableError`` says to read the file exactly."""
    with path.open("rb") as handle:
        first = handle.readline().removeprefix(codecs.BOM_UTF8)
    try:
        header.extend(
            next(csv.reader([first.decode(contract.encoding)], delimiter=contract.delimiter))
        )
    except (UnicodeDecodeError, StopIteration) as error:
        raise FastPathUnavailableError("header") from error
    invalid: dict[int, Rejected] = {}

    def on_invalid(row: pacsv.InvalidRow) -> str:
        if row.number is None:  # cannot happen single-threaded; the exact reader will say where
            invalid[-1] = Rejected(-1, "*", "unnumbered", "")
            return "skip"
        if row.text.strip():
            detail = f"{row.actual_columns} fields where the header has {row.expected_columns}"
            invalid[row.number] = Rejected(
                row.number, "*", "wrong_field_count", f"{detail}: {row.text}"
            )
        else:
            invalid[row.number] = Rejected(row.number, "*", "blank", "")
        return "skip"

    options = (
        # Single-threaded parsing is what gives each bad row its line number.
        pacsv.ReadOptions(block_size=1 << 24, use_threads=False, encoding=contract.encoding),
        pacsv.ParseOptions(
            delimiter=contract.delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )
    try:
        stream = pacsv.open_csv(path, *options)
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise FastPathUnavailableError(str(error)[:80]) from error
    yield from _fast_batches(stream, header, invalid, path)


def _fast_batches(
    stream: pacsv.CSVStreamingReader, header: list[str], invalid: dict[int, Rejected], path: Path
) -> Iterator[Batch]:
    next_line, records = 2, 0
    reported: set[int] = set()
    while True:
        try:
            table = stream.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, UnicodeDecodeError) as error:
            raise FastPathUnavailableError(str(error)[:80]) from error
        if -1 in invalid:
            raise FastPathUnavailableError("a bad row without a line number")
        lines, next_line = _line_numbers(next_line, table.num_rows, invalid)
        records += table.num_rows
        rejected = [
            r
            for n, r in sorted(invalid.items())
            if n < next_line and n not in reported and r.reason != "blank"
        ]
        reported.update(r.line for r in rejected)
        yield _sound_rows(table, header, lines, rejected)
    late = [r for n, r in sorted(invalid.items()) if n not in reported and r.reason != "blank"]
    if late:
        yield Batch(lines=[], columns={name: () for name in header}, rejected=late)
    if physical_lines(path) != 1 + records + len(invalid):
        raise FastPathUnavailableError("a record spans more than one line")


def _line_numbers(
    next_line: int, count: int, invalid: dict[int, Rejected]
) -> tuple[list[int], int]:
    """The physical lines of ``count`` records starting at ``next_line``, skipping bad rows' lines."""
    if not any(next_line <= n < next_line + count + len(invalid) for n in invalid):
        return list(range(next_line, next_line + count)), next_line + count
    lines = []
    for _ in range(count):
        while next_line in invalid:
            next_line += 1
        lines.append(next_line)
        next_line += 1
    return lines, next_line


def _sound_rows(
    table: pa.RecordBatch, header: list[str], lines: list[int], rejected: list[Rejected]
) -> Batch:
    """Arrow columns of the batch without blank rows (not records) and repeated headers (refused),
    as the exact reader treats them; both found with Arrow compute, not row by row."""
    columns = [table.column(i) for i in range(len(header))]
    blank = pc.equal(columns[0], "")
    repeated = pc.equal(columns[0], header[0])
    for column, name in zip(columns[1:], header[1:], strict=True):
        blank = pc.and_(blank, pc.equal(column, ""))
        repeated = pc.and_(repeated, pc.equal(column, name))
    dropped = pc.or_(blank, repeated)
    if not pc.any(dropped).as_py():
        return Batch(
            lines=lines, columns=dict(zip(header, columns, strict=True)), rejected=rejected
        )
    for index in np.flatnonzero(repeated.to_numpy(zero_copy_only=False)):
        rejected.append(Rejected(lines[index], "*", "repeated_header", ",".join(header)))
    keep = pc.invert(dropped)
    kept_lines = [line for line, drop in zip(lines, dropped.to_pylist(), strict=True) if not drop]
    kept = {name: pc.filter(column, keep) for name, column in zip(header, columns, strict=True)}
    return Batch(lines=kept_lines, columns=kept, rejected=sorted(rejected, key=lambda r: r.line))


def read(path: Path, contract: Contract, header: list[str], exact: bool = False) -> Iterator[Batch]:
    """Batches of ``path``: the fast reader for delimited text unless ``exact`` is asked for."""
    sniff(path, contract)
    if contract.format == "xlsx":
        return read_workbook(path, contract, header)
    return read_csv(path, contract, header) if exact else read_csv_fast(path, contract, header)
