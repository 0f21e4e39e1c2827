"""Loading the whole synthetic borough: every planted bad row is caught where synth put it,
nothing else is refused, every report reconciles, and the zones hold what they should."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from feedhub import BOROUGH, LoadedHub

from joinedup.feeds.load import connect_published, load_folder
from joinedup.feeds.store import current
from joinedup.synth.extracts.catalogue import EXTRACTS

# What the loader calls each kind of corruption synth plants.
REASON_FOR_KIND = {
    "invalid_date": {"invalid_date"},
    "missing_required": {"missing_required"},
    "future_birth_date": {"birth_date_in_future"},
    "unknown_code": {"unknown_code"},
    "not_a_number": {"not_a_number"},
    "too_many_fields": {"wrong_field_count"},
    "too_few_fields": {"wrong_field_count"},
    "invalid_encoding": {"invalid_encoding"},
    "nul_byte": {"nul_byte"},
    "conflicting_duplicate": {"conflicting_duplicate"},
}


def planted(borough: Path) -> list[dict[str, str]]:
    with (borough / "truth" / "bad_rows.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def quarantined(home: Path) -> dict[tuple[str, int], str]:
    connection = connect_published(home)
    assert connection is not None
    rows = connection.execute("SELECT feed, line, reason FROM quarantine").fetchall()
    connection.close()
    return {(feed, int(line)): reason for feed, line, reason in rows}


def test_every_report_reconciles(loaded_hub: LoadedHub) -> None:
    assert len(loaded_hub.reports) == len(EXTRACTS)
    for report in loaded_hub.reports:
        assert report.status == "loaded", report.message
        assert report.reconciles, report
        assert report.read > 0


def test_every_planted_row_is_quarantined_with_its_reason(loaded_hub: LoadedHub) -> None:
    refused = quarantined(loaded_hub.home)
    for row in planted(loaded_hub.borough):
        key = (row["extract"], int(row["line"]))
        assert key in refused, row
        assert refused[key] in REASON_FOR_KIND[row["kind"]], (row, refused[key])


def test_nothing_else_is_quarantined_but_the_rows_a_duplicate_collides_with(
    loaded_hub: LoadedHub,
) -> None:
    refused = quarantined(loaded_hub.home)
    planted_lines = {(r["extract"], int(r["line"])) for r in planted(loaded_hub.borough)}
    others = {key: reason for key, reason in refused.items() if key not in planted_lines}
    assert set(others.values()) <= {"conflicting_duplicate"}
    collisions = sum(r["kind"] == "conflicting_duplicate" for r in planted(loaded_hub.borough))
    assert len(others) == collisions
    for report in loaded_hub.reports:
        plants = [r for r in planted(loaded_hub.borough) if r["extract"] == report.feed]
        expected = len(plants) + sum(r["kind"] == "conflicting_duplicate" for r in plants)
        assert report.quarantined == expected == BOROUGH.bad_rows + expected - len(plants)


def test_loading_the_same_extracts_again_changes_nothing(loaded_hub: LoadedHub) -> None:
    before = current(loaded_hub.home)
    reports, _ = load_folder(loaded_hub.home, loaded_hub.borough / "extracts")
    assert {r.status for r in reports} == {"already_loaded"}
    assert all(r.already_loaded_as == loaded_hub.report(r.feed).delivery_id for r in reports)
    assert current(loaded_hub.home) == before


def test_analytic_zone_holds_no_identifiers(loaded_hub: LoadedHub) -> None:
    """LK-03: no names, NHS numbers, full dates of birth or full postcodes in the analytic zone."""
    connection = connect_published(loaded_hub.home)
    assert connection is not None
    columns = connection.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = 'analytic'"
    ).fetchall()
    # nhs_number_status is the trust's code for how the number was traced: content, not an identifier.
    names = {c[1] for c in columns} - {"nhs_number_status"}
    for forbidden in (
        "given_name",
        "family_name",
        "full_name",
        "forename",
        "surname",
        "nhs_number",
        "postcode",
        "birth_date",
        "dob",
        "address",
        "name",
    ):
        assert not any(forbidden in n.lower() for n in names if n.lower() not in {"school_name"}), (
            forbidden
        )
    with (loaded_hub.borough / "truth" / "people.csv").open(encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    nhs = {p["nhs_number"] for p in people}
    text = []
    for table, column, kind in columns:
        if kind == "VARCHAR":
            text += [
                v
                for (v,) in connection.execute(
                    f'SELECT DISTINCT "{column}" FROM analytic."{table}"'
                ).fetchall()
                if v
            ]
    connection.close()
    assert not nhs & set(text)
    assert not [v for v in text if re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", v)]
    assert not [v for v in text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)]


def test_analytic_rows_carry_coarse_attributes(loaded_hub: LoadedHub) -> None:
    connection = connect_published(loaded_hub.home)
    assert connection is not None
    share, months, ages = connection.execute(
        "SELECT avg((lsoa21 IS NOT NULL)::INT), count(DISTINCT birth_month), max(age_at_event) FROM analytic.feed_ae_attendances"
    ).fetchall()[0]
    connection.close()
    assert share > 0.95  # postcodes with typos or of people who moved away have no LSOA
    assert months > 100 and 80 < ages <= 110


def test_one_gp_patient_has_one_key_across_the_gp_feeds(loaded_hub: LoadedHub) -> None:
    connection = connect_published(loaded_hub.home)
    assert connection is not None
    unmatched = connection.execute(
        "SELECT count(*) FROM analytic.feed_gp_appointments a WHERE a.person_source_key NOT IN "
        "(SELECT person_source_key FROM analytic.feed_gp_patients)"
    ).fetchall()[0][0]
    matched = connection.execute("SELECT count(*) FROM analytic.feed_gp_appointments").fetchall()[
        0
    ][0]
    connection.close()
    assert matched > 1000
    assert unmatched < matched * 0.01  # only appointments whose patient row was planted bad


@pytest.mark.parametrize(
    "feed", ["police_incidents", "homelessness_applications", "mental_health_contacts"]
)
def test_partner_formats_load(loaded_hub: LoadedHub, feed: str) -> None:
    report = loaded_hub.report(feed)
    assert report.loaded > 0 and report.new == report.loaded
