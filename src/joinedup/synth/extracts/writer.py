"""Writing extracts as partners send them, and planting corrupt rows where asked.

Good rows are rendered by Arrow in batches (streamed, memory bounded); planted bad rows are
made from copies of good rows in the first batch, each broken in one named way, and their
physical line numbers are returned for the ground truth.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import xlsxwriter

BATCH_ROWS = 250_000
FIXED_CREATION_TIME = dt.datetime(2020, 1, 1)

# Bytes that cannot be decoded in each encoding: planted to prove the loader catches them.
UNDECODABLE = {"utf-8": b"\xff", "utf-8-sig": b"\xff", "cp1252": b"\x81"}


@dataclass(frozen=True)
class BadRowTargets:
    """Which column each kind of corruption is planted in (kinds without a column are skipped)."""

    key: str
    date: str
    required: str
    # Columns that make up the key with ``key`` (a practice-local patient id needs its practice).
    key_with: tuple[str, ...] = ()
    birth_date: str | None = None
    code: str | None = None
    number: str | None = None
    name: str | None = None
    invalid_date: str = "31/02/2018"
    future_birth_date: str = "14/06/2031"


@dataclass(frozen=True)
class ExtractFormat:
    """How one partner's extract is laid out on disk."""

    filename: str
    partner: str
    description: str
    encoding: str = "utf-8"
    delimiter: str = ","
    line_ending: str = "\n"
    sheet: str | None = None
    extra_sheets: tuple[str, ...] = ()
    targets: BadRowTargets | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_workbook(self) -> bool:
        return self.sheet is not None


@dataclass(frozen=True)
class PlantedRow:
    line: int
    kind: str
    column: str


def bad_row_kinds(fmt: ExtractFormat) -> list[tuple[str, str]]:
    """The kinds of corruption that make sense for this extract, each with its column."""
    t = fmt.targets
    if t is None:
        return []
    kinds = [("invalid_date", t.date), ("missing_required", t.required)]
    if t.birth_date:
        kinds.append(("future_birth_date", t.birth_date))
    if t.code:
        kinds.append(("unknown_code", t.code))
    if t.number:
        kinds.append(("not_a_number", t.number))
    if not fmt.is_workbook:
        kinds += [("too_many_fields", "*"), ("too_few_fields", "*")]
        if t.name:
            kinds += [("invalid_encoding", t.name), ("nul_byte", t.name)]
    kinds.append(("conflicting_duplicate", t.key))
    return kinds


def _break_row(
    fields: list[str],
    header: Sequence[str],
    kind: str,
    column: str,
    t: BadRowTargets,
    other: list[str],
) -> list[str]:
    position = header.index(column) if column in header else -1
    broken = list(fields)
    if kind == "invalid_date":
        broken[position] = t.invalid_date
    elif kind == "future_birth_date":
        broken[position] = t.future_birth_date
    elif kind == "missing_required":
        broken[position] = ""
    elif kind == "unknown_code":
        broken[position] = "ZZ-UNKNOWN"
    elif kind == "not_a_number":
        broken[position] = "n/a"
    elif kind == "too_many_fields":
        broken.append("unexpected")
    elif kind == "too_few_fields":
        broken.pop()
    elif kind == "invalid_encoding":
        broken[position] = broken[position] + "\ufffe"
    elif kind == "nul_byte":
        broken[position] = broken[position][:1] + "\x00" + broken[position][1:]
    elif kind == "conflicting_duplicate":
        for key_column in (column, *t.key_with):
            broken[header.index(key_column)] = other[header.index(key_column)]
    return broken


def _csv_line(fields: list[str], delimiter: str) -> str:
    """A row quoted as Arrow writes the extract's text (every value quoted, empty fields bare), so
    a planted row cannot be told from its neighbours by its quoting."""
    quoted = (f'"{field.replace(chr(34), chr(34) * 2)}"' if field else "" for field in fields)
    return delimiter.join(quoted) + "\n"


def _render_batch(columns: dict[str, pa.Array], fmt: ExtractFormat, header: bool) -> str:
    table = pa.table({name: pc.cast(values, pa.string()) for name, values in columns.items()})
    buffer = io.BytesIO()
    options = pacsv.WriteOptions(
        include_header=header, delimiter=fmt.delimiter, quoting_style="needed"
    )
    pacsv.write_csv(table, buffer, options)
    return buffer.getvalue().decode("utf-8")


def _encode(text: str, fmt: ExtractFormat) -> bytes:
    text = text.replace("\n", fmt.line_ending) if fmt.line_ending != "\n" else text
    encoding = "utf-8" if fmt.encoding == "utf-8-sig" else fmt.encoding
    # The planted undecodable character is a marker, replaced by a byte the encoding cannot decode.
    parts = text.split("\ufffe")
    return UNDECODABLE[fmt.encoding].join(p.encode(encoding) for p in parts)


def _batches(columns: dict[str, pa.Array]) -> Iterator[dict[str, pa.Array]]:
    rows = len(next(iter(columns.values())))
    for start in range(0, max(rows, 1), BATCH_ROWS):
        yield {name: values.slice(start, BATCH_ROWS) for name, values in columns.items()}


def write_csv(
    path: Path,
    fmt: ExtractFormat,
    parts: Iterable[dict[str, pa.Array]],
    bad_rows: int,
    rng: np.random.Generator,
) -> tuple[int, list[PlantedRow]]:
    """Write the extract from its parts; return rows written (bad rows included) and those planted."""
    planted: list[PlantedRow] = []
    written = 0
    with path.open("wb") as handle:
        if fmt.encoding == "utf-8-sig":
            handle.write(b"\xef\xbb\xbf")
        batches = (batch for part in parts for batch in _batches(part))
        for number, batch in enumerate(batches):
            header = list(batch)
            text = _render_batch(batch, fmt, header=number == 0)
            if number == 0 and bad_rows and fmt.targets is not None:
                text, planted = _plant(text, header, fmt, bad_rows, rng)
            handle.write(_encode(text, fmt))
            written += len(batch[header[0]])
    return written + len(planted), planted


def _different_row(
    good: list[str], source: int, fields: list[str], header: list[str], fmt: ExtractFormat
) -> list[str]:
    """The next row whose content (key aside) differs from ``fields``: copying its key onto
    ``fields`` then makes a conflicting duplicate, never an exact one."""
    assert fmt.targets is not None
    keys = {header.index(c) for c in (fmt.targets.key, *fmt.targets.key_with)}
    for step in range(1, len(good)):
        other = next(csv.reader([good[(source + step) % len(good)]], delimiter=fmt.delimiter))
        if any(
            a != b for i, (a, b) in enumerate(zip(fields, other, strict=False)) if i not in keys
        ):
            return other
    return fields


def _plant(
    text: str,
    header: list[str],
    fmt: ExtractFormat,
    count: int,
    rng: np.random.Generator,
) -> tuple[str, list[PlantedRow]]:
    assert fmt.targets is not None
    lines = text.splitlines(keepends=True)
    good = lines[1:]
    if not good:
        return text, []
    kinds = bad_row_kinds(fmt)
    positions = np.sort(rng.choice(len(good) + count, size=count, replace=False))
    inserted: list[str] = []
    planted: list[PlantedRow] = []
    sources = rng.integers(0, len(good), count)
    first_kind = int(rng.integers(0, len(kinds)))
    for index, source in enumerate(sources):
        kind, column = kinds[(first_kind + index) % len(kinds)]
        fields = next(csv.reader([good[source]], delimiter=fmt.delimiter))
        other = _different_row(good, int(source), fields, header, fmt)
        broken = _break_row(fields, header, kind, column, fmt.targets, other)
        inserted.append(_csv_line(broken, fmt.delimiter))
        planted.append(PlantedRow(line=0, kind=kind, column=column))
    merged: list[str] = [lines[0]]
    cursor = 0
    final: list[PlantedRow] = []
    for slot in range(len(good) + count):
        if cursor < count and positions[cursor] == slot:
            merged.append(inserted[cursor])
            final.append(
                PlantedRow(
                    line=len(merged), kind=planted[cursor].kind, column=planted[cursor].column
                )
            )
            cursor += 1
        else:
            merged.append(good[slot - cursor])
    return "".join(merged), final


def write_workbook(
    path: Path,
    fmt: ExtractFormat,
    columns: dict[str, pa.Array],
    bad_rows: int,
    rng: np.random.Generator,
) -> tuple[int, list[PlantedRow]]:
    """Write an Excel workbook: the contracted sheet, dates as Excel dates, plus other sheets."""
    assert fmt.sheet is not None
    header = list(columns)
    values = {name: array.to_pylist() for name, array in columns.items()}
    rows = len(values[header[0]])
    kinds = bad_row_kinds(fmt)
    bad_at = (
        set(rng.choice(rows + bad_rows, size=bad_rows, replace=False).tolist())
        if rows and fmt.targets
        else set()
    )
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"created": FIXED_CREATION_TIME, "author": fmt.partner})
    date_style = workbook.add_format({"num_format": "dd/mm/yyyy"})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(fmt.sheet)
    sheet.write_row(0, 0, header, bold)
    planted: list[PlantedRow] = []
    first_kind = int(rng.integers(0, max(len(kinds), 1)))
    source = 0
    for excel_row in range(1, rows + len(bad_at) + 1):
        if excel_row - 1 in bad_at and fmt.targets is not None:
            kind, column = kinds[(first_kind + len(planted)) % len(kinds)]
            row = [values[h][int(rng.integers(0, rows))] for h in header]
            row = _break_cells(row, header, kind, column, fmt.targets, values[fmt.targets.key][0])
            planted.append(PlantedRow(line=excel_row + 1, kind=kind, column=column))
        else:
            row = [values[h][source] for h in header]
            source += 1
        for col, cell in enumerate(row):
            if isinstance(cell, dt.date):
                sheet.write_datetime(
                    excel_row, col, dt.datetime.combine(cell, dt.time()), date_style
                )
            elif cell is not None:
                sheet.write(excel_row, col, cell)
    for extra in fmt.extra_sheets:
        notes = workbook.add_worksheet(extra)
        notes.write(0, 0, f"{fmt.partner}: {extra}")
    workbook.close()
    return rows + len(planted), planted


def _break_cells(
    row: list[object],
    header: list[str],
    kind: str,
    column: str,
    t: BadRowTargets,
    other_key: object,
) -> list[object]:
    position = header.index(column)
    broken = list(row)
    replacement: dict[str, object] = {
        "invalid_date": t.invalid_date,
        "future_birth_date": dt.date(2031, 6, 14),
        "missing_required": None,
        "unknown_code": "ZZ-UNKNOWN",
        "not_a_number": "n/a",
        "conflicting_duplicate": other_key,
    }
    broken[position] = replacement[kind]
    return broken


def write_extract(
    path: Path,
    fmt: ExtractFormat,
    parts: Iterable[dict[str, pa.Array]],
    bad_rows: int,
    rng: np.random.Generator,
) -> tuple[int, list[PlantedRow]]:
    """Write an extract, given as one or more parts (column batches), in the partner's format."""
    if fmt.is_workbook:
        (columns,) = list(parts)
        return write_workbook(path, fmt, columns, bad_rows, rng)
    return write_csv(path, fmt, parts, bad_rows, rng)
