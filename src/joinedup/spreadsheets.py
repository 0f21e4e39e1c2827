"""Reading a table a person sent: a CSV file in UTF-8, or the first sheet of an Excel workbook.

Rows come with the line numbers the sender sees in their spreadsheet, so that a refusal can name
the line to put right. The reading is the same for every import; what a row must hold is each
import's own business. (Writing spreadsheets for people is ``joinedup.exports``; deliveries under
a data-sharing agreement are read by ``joinedup.feeds.reader`` against their contract.)

Example::

    heading, rows = read_table("assets.xlsx", content)
    for line, cells in rows:
        ...
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

Rows = Iterator[tuple[int, list[str]]]


@dataclass(frozen=True)
class Problem:
    """What is wrong with a file that was sent, and where: its line and the field on it."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, {self.field}: {self.message}"


class FileRefusedError(ValueError):
    """The file was refused whole and nothing from it was saved; ``problems`` says where and
    why, so that the sender can put every problem right before sending it again."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"the file was refused, nothing was saved: {shown}{more}")


class UnreadableFileError(ValueError):
    """The file is neither CSV in UTF-8 nor an Excel workbook; the message says which it failed."""


def read_table(name: str, content: bytes) -> tuple[list[str] | None, Rows]:
    """The first row (None for an empty file) and, below it, (line number, cells) of each row
    that is not blank. Cells are text without surrounding spaces; a date in a workbook is
    written YYYY-MM-DD. An ``UnreadableFileError`` is raised here, before any row is read."""
    lines = _workbook_lines(content) if name.lower().endswith(".xlsx") else _csv_lines(content)
    first = next(lines, None)
    rows = ((line, cells) for line, cells in lines if any(cells))
    return (None if first is None else first[1]), rows


def _csv_lines(content: bytes) -> Rows:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError(
            "is not a CSV file in UTF-8 (save it as CSV UTF-8, or as .xlsx)"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    for cells in reader:
        # line_num counts physical lines, so a cell spanning lines does not shift later rows
        yield reader.line_num, [cell.strip() for cell in cells]


def _workbook_lines(content: bytes) -> Rows:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFileError("cannot be opened as an Excel workbook (.xlsx)") from None
    for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield line, [_cell_text(value).strip() for value in values]


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
