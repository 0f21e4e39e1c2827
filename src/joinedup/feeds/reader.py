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

from joinedup.feeds.contract import Contract

BATCH_RECORDS = 50_000
MAX_FIELD_BYTES = 1_000_000
# A file is refused whole, rather than row by row, when this share of its records cannot be decoded.
UNDECODABLE_FILE_SHARE = 0.01
MAGIC = {
    b"PK\x03\x04": "a zip archive (an Excel workbook or a compressed file)",
    b"\x1f\x8b": "a gzip-compressed file",
    b"\xff\xfe": "UTF-16 text (an Excel 'Unicode text' export)",
    b"\xfe\xff": "UTF-16 text",
    b"%PDF": "a PDF document",
}
csv.field_size_limit(MAX_FIELD_BYTES)


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
    columns: dict[str, list[str | None]]
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.lines)


def sniff(path: Path, contract: Contract) -> None:
    """Refuse files that are not what the contract says, by their first bytes."""
    head = path.read_bytes()[:512] if path.stat().st_size < 512 else path.open("rb").read(512)
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
        joined = contract.delimiter.join(row)
        if not row or (len(row) == 1 and not row[0]):
            continue
        if len(row) != width:
            rejected.append(
                Rejected(
                    start,
                    "*",
                    "wrong_field_count",
                    f"{len(row)} fields where the header has {width}",
                )
            )
        elif _has_surrogates(joined):
            rejected.append(
                Rejected(
                    start,
                    _first_column(row, header, _has_surrogates),
                    "invalid_encoding",
                    _printable(joined),
                )
            )
        elif "\x00" in joined:
            rejected.append(
                Rejected(
                    start,
                    _first_column(row, header, lambda v: "\x00" in v),
                    "nul_byte",
                    joined.replace("\x00", "\\0"),
                )
            )
        elif row == header:
            rejected.append(Rejected(start, "*", "repeated_header", joined))
        else:
            rows.append(row)
            lines.append(start)
        if len(rows) >= BATCH_RECORDS:
            yield _batch(lines, rows, header, rejected)
            rows, lines, rejected = [], [], []
    if rows or rejected:
        yield _batch(lines, rows, header, rejected)


def _first_column(row: list[str], header: list[str], test: object) -> str:
    assert callable(test)
    return next((name for name, value in zip(header, row, strict=True) if test(value)), "*")


def _printable(text: str) -> str:
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def _batch(
    lines: list[int], rows: list[list[str]], header: list[str], rejected: list[Rejected]
) -> Batch:
    values = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    columns = {
        name: [v if v != "" else None for v in column]
        for name, column in zip(header, values, strict=True)
    }
    return Batch(lines=lines, columns=columns, rejected=rejected)


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


def read(path: Path, contract: Contract, header: list[str]) -> Iterator[Batch]:
    sniff(path, contract)
    reader = read_workbook if contract.format == "xlsx" else read_csv
    return reader(path, contract, header)
