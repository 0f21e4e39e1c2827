"""SDC-06: every way a figure leaves the analytic zone shows the same controlled value."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from joinedup.analytics.cohorts.run import run_cohort
from joinedup.analytics.profiles import build_profiles
from joinedup.cli import app

SMALL = {str(n) for n in range(1, 8)}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _sheet(path: Path, name: str) -> list[dict[str, str]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook[name].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [
        {h: "" if v is None else str(v) for h, v in zip(header, row, strict=True)}
        for row in rows[1:]
    ]


def _same(a: str, b: str) -> bool:
    """Equal as published: numbers compare as numbers (Excel keeps 10 as 10, CSV as '10')."""
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def test_profiles_show_one_controlled_value_in_csv_and_excel(hub: Path) -> None:
    profiles = build_profiles(hub, out=hub / "profiles")
    for level, sheet in (("ward", "Ward"), ("lsoa", "LSOA")):
        from_csv = _csv(hub / "profiles" / f"profiles_{level}.csv")
        from_excel = _sheet(hub / "profiles" / "profiles.xlsx", sheet)
        assert len(from_csv) == len(from_excel) > 1
        for row_csv, row_excel in zip(from_csv, from_excel, strict=True):
            for column, value in row_csv.items():
                assert _same(value, row_excel[column]), (level, column, value, row_excel[column])
                if column.endswith(("_count", "_denominator")):
                    assert value not in SMALL, (level, row_csv["area_code"], column, value)
    summary = profiles.as_dict()
    assert summary["disclosure_control"].startswith("JoinedUp SDC")


def test_a_cohort_shows_the_same_counts_on_screen_in_json_and_from_the_library(
    analytics_hub: Path,
) -> None:
    direct = run_cohort(analytics_hub, "multi_agency_contact").as_dict()
    runner = CliRunner()
    as_json = runner.invoke(
        app, ["cohorts", "run", "multi_agency_contact", "--home", str(analytics_hub), "--json"]
    )
    on_screen = runner.invoke(
        app, ["cohorts", "run", "multi_agency_contact", "--home", str(analytics_hub)]
    )
    assert as_json.exit_code == 0 and on_screen.exit_code == 0
    document = json.loads(as_json.stdout)
    for key in ("people", "by_ward", "by_lsoa", "by_sex", "by_age_band"):
        assert document[key] == direct[key]
    assert f": {direct['people']} people" in " ".join(on_screen.stdout.split())
    for ward, value in direct["by_ward"]["cells"].items():
        assert str(value) in on_screen.stdout or ward not in on_screen.stdout
