"""Reading a training register from a spreadsheet (CSV or Excel): all of it, or none of it.

A register has one row per member of staff who completed a programme, with the columns
``COLUMNS`` names (in any order, any capitals). Each row is checked against the teams and
programmes JoinedUp knows; one broken row refuses the whole file, and the refusal names every
broken row's line and field, so that the sender can put the file right and send it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from joinedup.spreadsheets import FileRefusedError, Problem, UnreadableFileError, read_table

COLUMNS = {
    "organisation": "Organisation",
    "team": "Team",
    "programme": "Programme",
    "staff_name": "Name or staff reference",
    "staff_role": "Role",
    "completed_on": "Completed on",
}
REQUIRED = ("organisation", "team", "programme", "staff_name", "completed_on")
ALIASES = {"name": "staff_name", "staff reference": "staff_name", "staff name": "staff_name"}
MAX_ROWS = 10_000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


class RegisterRefusedError(FileRefusedError):
    """The register is refused whole; ``problems`` says where and why, a line and field each."""


@dataclass(frozen=True)
class RegisterRow:
    line: int
    team: int
    programme: int
    staff_name: str
    staff_role: str
    completed_on: dt.date


@dataclass(frozen=True)
class Known:
    """What a row may name: teams by (organisation, team) and programmes by name, each
    compared ignoring case and surrounding spaces."""

    teams: Mapping[tuple[str, str], int]
    programmes: Mapping[str, int]
    today: dt.date


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _column(heading: str) -> str | None:
    name = fold(heading).replace("_", " ")
    by_label = {fold(label): key for key, label in COLUMNS.items()}
    return by_label.get(name) or ALIASES.get(name) or (name if name in COLUMNS else None)


def read_register(content: bytes, filename: str, known: Known) -> list[RegisterRow]:
    """Every row of the register, checked; RegisterRefusedError if any row is broken."""
    try:
        header, rows = read_table(filename, content)
    except UnreadableFileError as error:
        raise RegisterRefusedError([Problem(1, "file", str(error))]) from error
    if header is None:
        raise RegisterRefusedError([Problem(1, "file", "is empty")])
    columns = [_column(h) for h in header]
    missing = [COLUMNS[key] for key in REQUIRED if key not in columns]
    if missing:
        raise RegisterRefusedError(
            [Problem(1, label, "the heading is missing from the first row") for label in missing]
        )
    read: list[RegisterRow] = []
    problems: list[Problem] = []
    for line, cells in rows:
        if line - 1 > MAX_ROWS:
            raise RegisterRefusedError([Problem(line, "file", f"has over {MAX_ROWS} rows")])
        values = {key: cells[n] for n, key in enumerate(columns) if key and n < len(cells)}
        row, row_problems = _checked(line, values, known)
        problems.extend(row_problems)
        if row is not None:
            read.append(row)
    if problems:
        raise RegisterRefusedError(problems)
    if not read:
        raise RegisterRefusedError([Problem(2, "file", "has no rows under the headings")])
    return read


def _checked(
    line: int, text: Mapping[str, str], known: Known
) -> tuple[RegisterRow | None, list[Problem]]:
    problems = [
        Problem(line, COLUMNS[key], "is empty") for key in REQUIRED if not text.get(key, "")
    ]
    if problems:
        return None, problems
    team = known.teams.get((fold(text["organisation"]), fold(text["team"])))
    if team is None:
        problems.append(
            Problem(line, COLUMNS["team"], f"no team {text['team']!r} in {text['organisation']!r}")
        )
    programme = known.programmes.get(fold(text["programme"]))
    if programme is None:
        problems.append(Problem(line, COLUMNS["programme"], f"no programme {text['programme']!r}"))
    completed_on, date_problem = _date(text["completed_on"], known.today)
    if date_problem:
        problems.append(Problem(line, COLUMNS["completed_on"], date_problem))
    for key in ("staff_name", "staff_role"):
        if len(text.get(key, "")) > 200:
            problems.append(Problem(line, COLUMNS[key], "is longer than 200 characters"))
    if problems or team is None or programme is None or completed_on is None:
        return None, problems
    return RegisterRow(
        line, team, programme, text["staff_name"], text.get("staff_role", ""), completed_on
    ), []


def _date(value: str, today: dt.date) -> tuple[dt.date | None, str]:
    day = _parsed(value)
    if day is None:
        return None, f"{value!r} is not a date (write it as 2026-03-31 or 31/03/2026)"
    if day > today:
        return None, f"{day:%-d %B %Y} is in the future"
    return day, ""


def _parsed(text: str) -> dt.date | None:
    for date_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    return None
