"""Each partner's extract is in its own format, carries its planted bad rows exactly where the truth
says, and its identifier noise matches the parameters."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pyarrow.csv as pacsv
import pytest
from boroughs import SMALL

from joinedup.synth.extracts.catalogue import EXTRACTS, Extract
from joinedup.synth.extracts.writer import ExtractFormat
from joinedup.synth.nhs_numbers import is_valid
from joinedup.synth.params import load_params

HEALTH_PARTNERS = (
    "GP practices",
    "Lancashire Teaching Hospitals",
    "Lancashire Care",
    "school nursing",
)
NHS_COLUMNS = {"NHS Number", "NHS_NUMBER", "NHS No", "nhs_number"}
ALL_KINDS = {
    "invalid_date",
    "missing_required",
    "future_birth_date",
    "unknown_code",
    "not_a_number",
    "too_many_fields",
    "too_few_fields",
    "invalid_encoding",
    "nul_byte",
    "conflicting_duplicate",
}


def bad_rows(out: Path) -> list[dict[str, str]]:
    with (out / "truth" / "bad_rows.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def physical_lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def parse(line: bytes, fmt: ExtractFormat) -> list[str]:
    text = line.rstrip(b"\r").decode(
        "utf-8" if fmt.encoding == "utf-8-sig" else fmt.encoding, errors="replace"
    )
    return next(csv.reader([text.lstrip("\ufeff")], delimiter=fmt.delimiter))


@pytest.mark.parametrize("extract", EXTRACTS, ids=lambda e: e.name)
def test_planted_rows_are_broken_as_the_truth_says(
    small_borough: tuple[Path, dict[str, Any]], extract: Extract
) -> None:
    out, summary = small_borough
    planted = [r for r in bad_rows(out) if r["extract"] == extract.name]
    assert len(planted) == SMALL.bad_rows == summary["planted_bad_rows"][extract.name]
    fmt, targets = extract.format, extract.format.targets
    assert targets is not None
    path = out / "extracts" / fmt.filename
    if fmt.is_workbook:
        sheet = openpyxl.load_workbook(path, read_only=True)[fmt.sheet]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        header = rows[0]
        for row in planted:
            cells = rows[int(row["line"]) - 1]
            value = cells[header.index(row["column"])]
            assert _workbook_value_broken(
                row["kind"],
                value,
                [r[header.index(targets.key)] for r in rows],
                targets.invalid_date,
            ), row
        return
    lines = physical_lines(path)
    header = parse(lines[0], fmt)
    for row in planted:
        line = lines[int(row["line"]) - 1]
        fields = parse(line, fmt)
        kind = row["kind"]
        if kind == "too_many_fields":
            assert len(fields) == len(header) + 1
        elif kind == "too_few_fields":
            assert len(fields) == len(header) - 1
        elif kind == "invalid_encoding":
            with pytest.raises(UnicodeDecodeError):
                line.decode("utf-8" if fmt.encoding == "utf-8-sig" else fmt.encoding)
        elif kind == "nul_byte":
            assert b"\x00" in line
        else:
            value = fields[header.index(row["column"])]
            expected = {
                "invalid_date": targets.invalid_date,
                "future_birth_date": targets.future_birth_date,
                "missing_required": "",
                "unknown_code": "ZZ-UNKNOWN",
                "not_a_number": "n/a",
            }
            if kind == "conflicting_duplicate":
                keys = [
                    parse(other, fmt)[header.index(row["column"])]
                    for other in lines[1:]
                    if other.strip()
                ]
                assert keys.count(value) >= 2
            else:
                assert value == expected[kind], row


def _workbook_value_broken(kind: str, value: object, keys: list[object], invalid_date: str) -> bool:
    if kind == "conflicting_duplicate":
        return keys.count(value) >= 2
    return {
        "invalid_date": value == invalid_date,
        "missing_required": value is None,
        "unknown_code": value == "ZZ-UNKNOWN",
        "future_birth_date": getattr(value, "year", 0) == 2031,
    }[kind]


def test_every_kind_of_bad_row_is_planted_somewhere(
    small_borough: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = small_borough
    assert {r["kind"] for r in bad_rows(out)} == ALL_KINDS


@pytest.mark.parametrize(
    "extract", [e for e in EXTRACTS if not e.format.is_workbook], ids=lambda e: e.name
)
def test_only_planted_rows_are_structurally_broken(
    small_borough: tuple[Path, dict[str, Any]], extract: Extract
) -> None:
    out, _ = small_borough
    fmt = extract.format
    lines = [line for line in physical_lines(out / "extracts" / fmt.filename) if line.strip()]
    width = len(parse(lines[0], fmt))
    broken = {i + 1 for i, line in enumerate(lines) if len(parse(line, fmt)) != width}
    structural = {
        int(r["line"])
        for r in bad_rows(out)
        if r["extract"] == extract.name and r["kind"].startswith("too_")
    }
    assert broken == structural


def test_each_partner_uses_its_own_encoding_and_line_endings(
    small_borough: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = small_borough
    police = (out / "extracts" / "police_incidents.csv").read_bytes()
    assert police.count(b"\r\n") == police.count(b"\n")
    assert police.split(b"\r\n")[0].decode("cp1252").startswith('"Incident Ref"')
    assert (out / "extracts" / "ae_attendances.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (
        (out / "extracts" / "mental_health_contacts.txt")
        .read_text(encoding="utf-8", errors="replace")
        .startswith('"Contact ID"|')
    )


def test_housing_workbook_has_dates_as_dates_and_other_sheets(
    small_borough: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = small_borough
    workbook = openpyxl.load_workbook(
        out / "extracts" / "housing_options_hclic.xlsx", read_only=True
    )
    assert workbook.sheetnames == ["Applications", "Notes", "Lookups"]
    rows = list(workbook["Applications"].iter_rows(values_only=True))
    dates = [r[rows[0].index("Application Date")] for r in rows[1:]]
    assert sum(hasattr(d, "year") for d in dates) >= len(dates) - SMALL.bad_rows


def test_nhs_number_only_in_health_extracts(small_borough: tuple[Path, dict[str, Any]]) -> None:
    for extract in EXTRACTS:
        health = any(p in extract.format.partner for p in HEALTH_PARTNERS)
        columns = set(_header(small_borough[0], extract))
        assert bool(columns & NHS_COLUMNS) == (health and extract.has_identifiers), extract.name


def _header(out: Path, extract: Extract) -> list[str]:
    path = out / "extracts" / extract.format.filename
    if extract.format.is_workbook:
        return [
            str(c)
            for c in next(
                openpyxl.load_workbook(path, read_only=True)[extract.format.sheet].iter_rows(
                    values_only=True
                )
            )
        ]
    return parse(physical_lines(path)[0], extract.format)


def _records(out: Path, filename: str, id_column: str, nhs_column: str) -> dict[str, str]:
    """NHS number (as written) of each partner record, by the partner's local id."""
    table = pacsv.read_csv(
        io.BytesIO((out / "extracts" / filename).read_bytes()),
        convert_options=pacsv.ConvertOptions(
            column_types={id_column: "string", nhs_column: "string"}, strings_can_be_null=True
        ),
        parse_options=pacsv.ParseOptions(invalid_row_handler=lambda _: "skip"),
    )
    ids, nhs = table[id_column].to_pylist(), table[nhs_column].to_pylist()
    return dict(zip(ids, nhs, strict=True))


@pytest.mark.parametrize(
    ("partner", "filename", "id_column", "nhs_column"),
    [
        ("acute", "ae_attendances.csv", "LOCAL_PATIENT_ID", "NHS_NUMBER"),
        ("mental_health", "mental_health_contacts.txt", "RiO ID", "NHS No"),
        ("gp", "gp_patients.csv", "Patient ID", "NHS Number"),
    ],
)
def test_nhs_number_missing_and_valid_shares_match_parameters(
    medium_borough: tuple[Path, dict[str, Any]],
    partner: str,
    filename: str,
    id_column: str,
    nhs_column: str,
) -> None:
    out, _ = medium_borough
    if filename.endswith(".txt"):
        text = (
            (out / "extracts" / filename)
            .read_text(encoding="utf-8", errors="replace")
            .replace("|", ",")
        )
        (out / "extracts" / "mh.csv").write_text(text, encoding="utf-8")
        filename = "mh.csv"
    numbers = list(_records(out, filename, id_column, nhs_column).values())
    rates = load_params().noise(partner)
    missing = np.mean([n is None for n in numbers])
    valid = np.mean([n is not None and is_valid(n) for n in numbers])
    tolerance = 4 * np.sqrt(0.05 * 0.95 / len(numbers)) + 0.003
    assert abs(missing - rates.nhs_missing) < tolerance
    # A mistyped number fails the modulus 11 check unless the swapped digits were equal (about 1 in 10).
    expected_valid = (1 - rates.nhs_missing) * (1 - 0.9 * rates.nhs_typo)
    assert abs(valid - expected_valid) < tolerance


def test_swapped_day_and_month_at_the_police_rate(
    medium_borough: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = medium_borough
    truth = pacsv.read_csv(
        out / "truth" / "people.csv",
        convert_options=pacsv.ConvertOptions(column_types={"birth_date": "string"}),
    )
    born = dict(zip(truth["person_id"].to_pylist(), truth["birth_date"].to_pylist(), strict=True))
    records = pacsv.read_csv(
        out / "truth" / "records.csv",
        convert_options=pacsv.ConvertOptions(column_types={"record_key": "string"}),
    )
    person_of = {
        k: p
        for e, k, p in zip(
            records["extract"].to_pylist(),
            records["record_key"].to_pylist(),
            records["person_id"].to_pylist(),
            strict=True,
        )
        if e == "police_incidents"
    }
    text = (
        (out / "extracts" / "police_incidents.csv").read_bytes().decode("cp1252", errors="replace")
    )
    seen: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        key = f"{row['Incident Ref']}:{row['Nominal ID']}"  # one row per incident and nominal
        if key in person_of and row["DOB"]:
            seen[row["Nominal ID"]] = (row["DOB"], born[person_of[key]])
    swappable = [(d, t) for d, t in seen.values() if int(t[8:]) <= 12 and t[5:7] != t[8:]]
    swapped = np.mean([d == f"{t[5:7]}/{t[8:]}/{t[:4]}" for d, t in swappable])
    rate = load_params().noise("police").dob_swap_day_month
    assert abs(swapped - rate) < 4 * np.sqrt(rate / len(swappable)) + 0.002


def test_domestic_incidents_record_both_partners(
    medium_borough: tuple[Path, dict[str, Any]],
) -> None:
    """One incident reference, two nominals: the victim and the offender, at one address."""
    out, _ = medium_borough
    text = (
        (out / "extracts" / "police_incidents.csv").read_bytes().decode("cp1252", errors="replace")
    )
    planted = {int(r["line"]) for r in bad_rows(out) if r["extract"] == "police_incidents"}
    by_incident: dict[str, list[dict[str, str]]] = {}
    touched: set[str] = set()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        by_incident.setdefault(row["Incident Ref"], []).append(row)
        if reader.line_num in planted:
            touched.add(row["Incident Ref"])
    pairs = [rows for ref, rows in by_incident.items() if len(rows) == 2 and ref not in touched]
    assert len(pairs) > 50
    assert all({r["Incident Type"] for r in rows} == {"DOMESTIC"} for rows in pairs)
    assert all({r["Role"] for r in rows} == {"VICTIM", "OFFENDER"} for rows in pairs)
    same_address = sum(rows[0]["Postcode"] == rows[1]["Postcode"] for rows in pairs)
    assert same_address > 0.8 * len(pairs)  # partners live together; a few records are stale
