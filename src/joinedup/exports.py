"""Every CSV and Excel file JoinedUp writes for people goes through here, so that text a partner
sent can never run as a formula in a spreadsheet (OWASP ASVS 1.2.10: CSV injection)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import xlsxwriter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; numbers
    (negative ones included) and everything else pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not NUMBER.match(value):
        return "'" + value
    return value


def _owner_only(path: Path) -> None:
    """Exports can be identifiable: create them readable by their owner only."""
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    count = 0
    _owner_only(path)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else neutralise(v) for v in row])
            count += 1
    return count


def write_xlsx(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], sheet: str = "Data"
) -> int:
    return write_workbook(path, [(sheet, header, rows)])[0]


def write_workbook(
    path: Path, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]]
) -> list[int]:
    """One workbook, a sheet per (name, header, rows); the number of rows written to each."""
    _owner_only(path)
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = workbook.add_format({"bold": True})
    counts = []
    for sheet, header, rows in sheets:
        worksheet = workbook.add_worksheet(sheet[:31])
        worksheet.write_row(0, 0, list(header), bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if isinstance(value, str):
                    worksheet.write_string(count, column, str(neutralise(value)))
                elif value is not None:
                    worksheet.write(count, column, value)
        counts.append(count)
    workbook.close()
    path.chmod(0o600)
    return counts


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """CSV or Excel by the file's extension."""
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(path, header, rows)
    return write_csv(path, header, rows)
