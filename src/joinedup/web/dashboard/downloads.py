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


def as_file(figures: Sequence[Figure], file_format: Format) -> bytes:
    rows = export_rows(figures)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"dashboard.{file_format}"
        if file_format == "xlsx":
            notes = [list(note) for note in NOTES]
            write_workbook(
                path, [("Figures", EXPORT_HEADER, rows), ("Notes", ["Topic", "Note"], notes)]
            )
        else:
            write_csv(path, EXPORT_HEADER, rows)
        return path.read_bytes()
