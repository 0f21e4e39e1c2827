"""The dashboard as a file: every figure's value, trend and breakdown, each line with its trace,
as CSV or an Excel workbook (a Notes sheet says how to read it). Written through joinedup.exports,
so no cell can run as a formula."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from joinedup.analytics.disclosure import RULE
from joinedup.exports import write_csv, write_workbook
from joinedup.web.dashboard.figures import EXPORT_HEADER, Figure, export_rows

Format = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NOTES = (
    ("Disclosure control", RULE.version),
    (
        "Marks",
        f"{RULE.hidden_symbol}: hidden by disclosure control; "
        f"{RULE.not_applicable_symbol}: nothing to divide by.",
    ),
    ("Trace", "Each line names the definition, data snapshot and linkage model it comes from."),
)


Sheet = tuple[str, Sequence[str], Sequence[Sequence[object]]]  # name, header, rows


def as_file(figures: Sequence[Figure], file_format: Format) -> bytes:
    notes = [list(note) for note in NOTES]
    sheets: list[Sheet] = [("Figures", EXPORT_HEADER, export_rows(figures))]
    return file_of([*sheets, ("Notes", ["Topic", "Note"], notes)], file_format)


def file_of(sheets: Sequence[Sheet], file_format: Format) -> bytes:
    """A download's bytes: every sheet in one workbook, or the first sheet alone as CSV."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"download.{file_format}"
        if file_format == "xlsx":
            write_workbook(path, sheets)
        else:
            _, header, rows = sheets[0]
            write_csv(path, header, rows)
        return path.read_bytes()
