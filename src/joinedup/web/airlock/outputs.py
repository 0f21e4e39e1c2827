"""Turning what an analyst asks to release into controlled figures, before anything is stored.

Two kinds: the counts of a cohort run (``run_cohort`` has already put them through
``disclosure.publish``; its person_keys are never asked for) and an uploaded table of counts,
which is put through ``disclosure.publish`` here. Either way the stored content is a header and
rows exactly as they will leave the hub.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from joinedup.analytics import disclosure
from joinedup.analytics.cohorts.run import run_cohort

MAX_UPLOAD_BYTES = 1_000_000
MAX_CELLS = 10_000
COHORT_BREAKDOWNS = ("by_ward", "by_lsoa", "by_sex", "by_age_band")


class UnusableTableError(ValueError):
    """An uploaded table that cannot be read as counts; the message says why, for the form."""


def cohort_content(home: Path, cohort: str, parameters: Mapping[str, str]) -> dict[str, Any]:
    """A cohort run's published counts as one long table: breakdown, group, people."""
    # case_finding stays off: a list of person_keys is not an aggregate output.
    return published_cohort_content(
        run_cohort(home, cohort, parameters, case_finding=False).as_dict()
    )


def published_cohort_content(published: Mapping[str, Any]) -> dict[str, Any]:
    """A run's published figures (``CohortRun.as_dict``) as one long table; its person_keys, if
    any, are left behind."""
    rows: list[list[object]] = [["all", "Total", published["people"]]]
    for breakdown in COHORT_BREAKDOWNS:
        table = published[breakdown]
        rows += [[breakdown, label, value] for label, value in table["cells"].items()]
        rows.append([breakdown, "Total", table["total"]])
    source = {
        key: published[key]
        for key in ("run_id", "cohort", "title", "version", "parameters", "population_date")
    }
    return {
        "header": ["breakdown", "group", "people"],
        "rows": rows,
        "disclosure_control": published["disclosure_control"],
        "source": source,
    }


def table_content(upload: bytes) -> dict[str, Any]:
    """An uploaded CSV of counts, controlled by ``disclosure.publish``.

    Two columns (label, count) are a table; more are a crosstab whose first column labels the
    rows and whose header labels the columns. Every count must be a whole number, 0 or more.
    """
    lines = _read_csv(upload)
    header, body = lines[0], lines[1:]
    if len(header) < 2 or not body:
        raise UnusableTableError("The table needs a header row, a label column and counts")
    if any(len(line) != len(header) for line in body):
        raise UnusableTableError("Every row must have as many cells as the header")
    if len(header) * len(body) > MAX_CELLS:
        raise UnusableTableError(f"The table has more than {MAX_CELLS:,} cells")
    labels = [line[0] for line in body]
    if len(set(labels)) != len(labels) or len(set(header[1:])) != len(header) - 1:
        raise UnusableTableError("Row and column labels must each be different")
    if len(header) == 2:
        table = disclosure.publish(
            disclosure.Table({line[0]: _count(line[1]) for line in body}, labels)
        )
        rows = table.export_rows()
    else:
        counts = {
            (line[0], column): _count(cell)
            for line in body
            for column, cell in zip(header[1:], line[1:], strict=True)
        }
        crosstab = disclosure.publish(disclosure.Crosstab(counts, labels, header[1:]))
        rows = crosstab.export_rows(corner=header[0])[1:]
        header = [header[0], *header[1:], "Total"]
    return {
        "header": list(header),
        "rows": rows,
        "disclosure_control": disclosure.RULE.version,
        "source": {"uploaded": True},
    }


def _read_csv(upload: bytes) -> list[list[str]]:
    if len(upload) > MAX_UPLOAD_BYTES:
        raise UnusableTableError("The file is larger than 1 MB")
    try:
        text = upload.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnusableTableError("The file must be a CSV file in UTF-8") from error
    try:
        lines = [[cell.strip() for cell in line] for line in csv.reader(io.StringIO(text)) if line]
    except csv.Error as error:
        raise UnusableTableError("The file must be a CSV file") from error
    if not lines:
        raise UnusableTableError("The file is empty")
    return lines


def _count(cell: str) -> int:
    if not cell.isdigit() or not cell.isascii() or len(cell) > 12:
        raise UnusableTableError(f"{cell[:20]!r} is not a count (a whole number, 0 or more)")
    return int(cell)
