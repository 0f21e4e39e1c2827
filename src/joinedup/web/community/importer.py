"""Import the community directory from a spreadsheet (CSV, or an Excel workbook's first sheet).

All or nothing: every row is checked before anything is saved, and a file with any broken row
is refused whole, each problem named by its line and its column. An asset already in the
directory (the same name in the same ward) is updated in place, so importing the same file
twice changes nothing. One audit event records the import.

Columns (the first line names them; order does not matter; a column marked * may be empty)::

    name, kind, sector, run_by, needs (separated by ;), age_group, address, postcode*, ward,
    days* (e.g. "Mon; Wed"), times*, places_per_week, contact, owner, review_on (YYYY-MM-DD),
    description*

Example: ``import_assets(Path("assets.xlsx"), actor="joinedup community import")``
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup import spreadsheets
from joinedup.spreadsheets import Problem
from joinedup.web.audit.chain import record
from joinedup.web.community.models import Asset
from joinedup.web.community.upkeep import set_needs
from joinedup.web.community.vocabulary import AgeGroup, AssetKind, Need, Sector, parse_days
from joinedup.web.community.wards import find_ward

REQUIRED = (
    "name",
    "kind",
    "sector",
    "run_by",
    "needs",
    "age_group",
    "address",
    "ward",
    "places_per_week",
    "contact",
    "owner",
    "review_on",
)
OPTIONAL = ("postcode", "days", "times", "description")
LIMITS = {"name": 200, "run_by": 200, "address": 300, "postcode": 10, "times": 200}
LIMITS |= {"contact": 300, "owner": 200, "description": 2000}


class AssetFileError(spreadsheets.FileRefusedError):
    """The file of assets was refused; nothing was saved. ``problems`` says where and why."""


@dataclass(frozen=True)
class AssetRow:
    """One checked row: everything an ``Asset`` needs."""

    line: int
    fields: dict[str, Any]
    needs: tuple[Need, ...]


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated}


def read_table(name: str, content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, cells by lower-case column name) for every row below the header."""
    try:
        heading, rows = spreadsheets.read_table(name, content)
    except spreadsheets.UnreadableFileError as error:
        raise AssetFileError([Problem(1, "file", str(error))]) from None
    header = _header(heading or [])
    return ((line, dict(zip(header, cells, strict=False))) for line, cells in rows)


def _header(cells: list[str]) -> list[str]:
    """The column names, lower case; every required column must be among them."""
    header = [cell.lower() for cell in cells]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise AssetFileError(
            [Problem(1, column, "is missing from the header") for column in missing]
        )
    return header


def check_rows(rows: Iterator[tuple[int, dict[str, str]]]) -> list[AssetRow]:
    """Every row checked; an AssetFileError naming every problem if any row is broken."""
    checked, problems = [], []
    first_line: dict[tuple[str, str], int] = {}
    for line, cells in rows:
        row, found = _check(line, cells)
        problems += found
        if row is None:
            continue
        key = (row.fields["name"].casefold(), row.fields["ward_code"])
        if key in first_line:
            problems.append(Problem(line, "name", f"is in the same ward on line {first_line[key]}"))
        first_line.setdefault(key, line)
        checked.append(row)
    if not checked and not problems:
        problems.append(Problem(1, "file", "has no rows of assets below its header"))
    if problems:
        raise AssetFileError(problems)
    return checked


def _check(line: int, cells: dict[str, str]) -> tuple[AssetRow | None, list[Problem]]:
    problems: list[Problem] = []
    fields: dict[str, Any] = {}
    text = {k: (cells.get(k) or "").strip() for k in (*REQUIRED, *OPTIONAL)}
    for column in REQUIRED:
        if not text[column]:
            problems.append(Problem(line, column, "is empty"))
    for column, limit in LIMITS.items():
        if len(text[column]) > limit:
            problems.append(Problem(line, column, f"is longer than {limit} characters"))
    for column in ("name", "run_by", "address", "postcode", "times", "contact", "owner"):
        fields[column] = text[column]
    fields["description"] = text["description"]
    readers = (
        ("kind", AssetKind.read, lambda v: v.value),
        ("sector", Sector.read, lambda v: v.value),
        ("age_group", AgeGroup.read, lambda v: v.value),
        ("ward", find_ward, lambda v: v.code),
        ("days", parse_days, lambda v: ",".join(d.value for d in v)),
        ("places_per_week", _places, lambda v: v),
        ("review_on", dt.date.fromisoformat, lambda v: v),
    )
    for column, read, keep in readers:
        if text[column]:
            try:
                fields[column] = keep(read(text[column]))
            except ValueError as error:
                problems.append(Problem(line, column, _reason(column, error)))
    needs: list[Need] = []
    for word in (w for w in text["needs"].split(";") if w.strip()):
        try:
            needs.append(Need.read(word))
        except ValueError as error:
            problems.append(Problem(line, "needs", str(error)))
    if problems:
        return None, problems
    fields["ward_code"] = fields.pop("ward")
    return AssetRow(line, fields, tuple(dict.fromkeys(needs))), []


def _places(text: str) -> int:
    places = int(text)
    if places < 0:
        raise ValueError("must not be negative")
    return places


def _reason(column: str, error: ValueError) -> str:
    if column == "review_on":
        return "must be a date written YYYY-MM-DD"
    if column == "places_per_week" and "invalid literal" in str(error):
        return "must be a whole number of places"
    return str(error)


def save_rows(
    rows: list[AssetRow], actor: str, source: str, actor_id: int | None = None
) -> ImportReport:
    """Create or update each row's asset, in one transaction with its audit event."""
    created = updated = 0
    with transaction.atomic():
        for row in rows:
            asset = Asset.objects.filter(
                name=row.fields["name"], ward_code=row.fields["ward_code"]
            ).first()
            if asset is None:
                asset, created = Asset(**row.fields), created + 1
            else:
                for column, value in row.fields.items():
                    setattr(asset, column, value)
                updated += 1
            asset.updated_at = timezone.now()
            asset.save()
            set_needs(asset, row.needs)
        report = ImportReport(created, updated)
        record(
            "community.assets_imported",
            actor_id=actor_id,
            actor=actor,
            object_type="asset_file",
            object_id=source[:200],
            detail=report.as_dict(),
        )
    return report


def import_assets(path: Path, actor: str) -> ImportReport:
    """Check the whole file, then save it all, or refuse it all (AssetFileError)."""
    rows = check_rows(read_table(path.name, path.read_bytes()))
    return save_rows(rows, actor, path.name)
