"""Risk profiles on hand-built bases whose right answers are worked out by hand (risk_data.py)."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from handbase import HandBase
from risk_data import (
    AT,
    BUSY_AREA,
    PRIMARY_CARE_POINTS,
    SMALL_AREA,
    community_areas,
    primary_care_person,
)
from typer.testing import CliRunner

from joinedup.analytics import base, disclosure, provenance, risk
from joinedup.analytics.risk_cli import risk_app
from joinedup.engines.duck import DuckDBEngine

PARTS = {p.name: p for p in risk.PRIMARY_CARE_PARTS}


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> dict[str, dict[str, Any]]:
    cursor = connection.execute(sql)
    columns = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}


# Built once per module: the profiles only read the base (each test has its own home).
@pytest.fixture(scope="module")
def primary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    hand = primary_care_person(HandBase())
    hand.person("YOUNG", born="1990-01")  # nothing recorded: every part 0
    hand.person("DEAD", born="1930-01", died="2019-01-01")
    connection = hand.connect(tmp_path_factory.mktemp("primary"))
    yield connection
    connection.close()


def test_the_score_is_the_sum_of_its_parts_by_the_constants(
    primary: duckdb.DuckDBPyConnection,
) -> None:
    person = _rows(primary, risk.primary_care_sql(AT))["P1"]
    measures = {
        "age": 80,
        "long_term_conditions": 2,
        "complex_conditions": 1,
        "frailty": 2,
        "gp_appointments": 12,
        "gp_missed_appointments": 2,
        "ae_attendances": 3,
        "emergency_admissions": 1,
        "mental_health_contacts": 0,
    }
    assert {name: person[name] for name in measures} == measures
    for name, measure in measures.items():
        assert person[f"{name}_points"] == PARTS[name].points_for(measure)
    assert {n: person[f"{n}_points"] for n in PARTS} == PRIMARY_CARE_POINTS
    assert person["total"] == sum(PRIMARY_CARE_POINTS.values()) == 14
    assert person["band"] == "very high"


def test_the_profile_scores_the_living_registered_only(
    primary: duckdb.DuckDBPyConnection,
) -> None:
    people = _rows(primary, risk.primary_care_sql(AT))
    assert set(people) == {"P1", "YOUNG"}
    assert people["YOUNG"]["total"] == 0 and people["YOUNG"]["band"] == "low"


def test_band_cut_offs_in_python_and_sql_agree() -> None:
    names = [b.name for b in risk.BANDS]
    for previous, band in zip(risk.BANDS, risk.BANDS[1:], strict=False):
        assert risk.band_of(band.at_least) == band.name
        assert risk.band_of(band.at_least - 1) == previous.name
    in_sql = duckdb.execute(f"SELECT t, {risk.band_sql('t')} FROM range(0, 30) AS r(t)").fetchall()
    assert all(band == risk.band_of(total) for total, band in in_sql)
    assert [risk.band_of(t) for t in (0, 2, 3, 5, 6, 9, 10)] == [
        names[0],
        names[0],
        names[1],
        names[1],
        names[2],
        names[2],
        names[3],
    ]


def test_points_come_from_the_highest_step_reached() -> None:
    age = PARTS["age"]
    assert [age.points_for(a) for a in (64, 65, 74, 75, 84, 85, 100)] == [0, 1, 1, 2, 2, 3, 3]
    sql = duckdb.execute(f"SELECT {age.points_sql('a')} FROM (SELECT 85 AS a)").fetchall()
    assert sql == [(3,)]


def test_by_default_only_controlled_counts_leave(
    primary: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = risk.primary_care(DuckDBEngine(primary), tmp_path)
    result = profile.as_dict()
    assert "case_finding" not in result
    assert "P1" not in json.dumps(result)
    # Two people: every count is 1, hidden.
    assert profile.by_band.cells["very high"].display == "[c]"
    entry = provenance.history(tmp_path)[-1]
    assert entry["kind"] == "risk_profile_primary_care"
    assert entry["case_finding"] is False and entry["person_keys_released"] == 0
    assert entry["purpose"] == "population_health_management"
    assert "P1" not in json.dumps(entry)


def test_case_finding_lists_the_band_and_above_and_is_recorded(
    primary: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = risk.primary_care(DuckDBEngine(primary), tmp_path, case_finding_from="high")
    assert profile.case_finding is not None
    assert [row["person_key"] for row in profile.case_finding] == ["P1"]
    assert profile.case_finding[0]["total"] == 14
    entry = provenance.history(tmp_path)[-1]
    assert entry["case_finding"] is True and entry["person_keys_released"] == 1
    with pytest.raises(ValueError, match="no band"):
        risk.primary_care(DuckDBEngine(primary), tmp_path, case_finding_from="extreme")


@pytest.fixture(scope="module")
def areas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = community_areas(HandBase()).connect(tmp_path_factory.mktemp("areas"))
    yield connection
    connection.close()


def _area(profile: risk.CommunityProfile, level: str, code: str) -> risk.AreaScore:
    return next(a for a in profile.areas if a.level == level and a.code == code)


def test_community_rates_of_a_hand_made_area(
    areas: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = risk.community(DuckDBEngine(areas), tmp_path, months=12)
    busy = _area(profile, "lsoa", BUSY_AREA)
    assert busy.residents.value == 60
    shown = {name: value.value for name, value in busy.values.items()}
    assert shown == {
        "aged_75_plus": 16.7,
        "imd_decile": 1.0,
        "fire_incidents": 0.0,
        "high_fire_risk_checks": 166.7,
        "dementia_or_frailty": 166.7,
    }
    parts = {p.name: p for p in profile.parts}
    for name, value in shown.items():
        assert value is not None
        expected = parts[name].points_for(value, profile.borough.values[name].value)
        assert busy.points[name] == expected
    assert busy.points["imd_decile"] == 2
    assert busy.score == sum(p for p in busy.points.values() if p is not None)


def test_a_small_area_shows_c_and_earns_no_points(
    areas: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    small = _area(risk.community(DuckDBEngine(areas), tmp_path), "lsoa", SMALL_AREA)
    assert small.residents.display == "[c]"
    rates = {n: v for n, v in small.values.items() if n != risk.DEPRIVATION}
    assert {v.display for v in rates.values()} == {"[c]"}
    assert set(small.hidden) == set(rates)
    assert small.points[risk.DEPRIVATION] is not None  # a published government figure


def test_parts_without_an_agreement_for_the_purpose_are_left_out(
    areas: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = risk.community(DuckDBEngine(areas), tmp_path)
    assert set(profile.left_out) == {"police_incidents", "homelessness_applications"}
    assert "police_incidents" not in {p.name for p in profile.parts}
    wider = risk.community(DuckDBEngine(areas), tmp_path, purpose="integrated_locality_working")
    assert wider.left_out == {}
    assert _area(wider, "lsoa", BUSY_AREA).values["police_incidents"].value == 166.7


def test_the_window_counts_only_events_in_it(
    areas: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """The police incidents were in May 2018: in a 24-month window, not a 12-month one."""
    purpose = "integrated_locality_working"
    year = risk.community(DuckDBEngine(areas), tmp_path, months=12, purpose=purpose)
    two = risk.community(DuckDBEngine(areas), tmp_path, months=24, purpose=purpose)
    assert _area(year, "lsoa", BUSY_AREA).values["police_incidents"].value == 0.0
    assert _area(two, "lsoa", BUSY_AREA).values["police_incidents"].value == 166.7


def test_wards_pool_their_lsoas(areas: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    connection = areas
    rows = connection.execute(risk.area_counts_sql(AT, 12, risk.COMMUNITY_PARTS)).fetchall()
    assert len(rows) == 3
    profile = risk.community(DuckDBEngine(connection), tmp_path)
    wards = [a for a in profile.areas if a.level == "ward"]
    assert {w.name for w in wards} == {"Central", "Rural"}
    # Central's IMD decile: (1 x 1500 + 5 x 1600) / 3100 census residents.
    central = next(w for w in wards if w.name == "Central")
    assert central.values["imd_decile"].value == round((1 * 1500 + 5 * 1600) / 3100, 1)


def test_every_published_count_is_controlled(
    areas: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = risk.community(DuckDBEngine(areas), tmp_path)
    for area in [profile.borough, *profile.areas]:
        shown = area.residents.value
        assert shown is None or shown % disclosure.RULE.rounding_base == 0


def test_the_command_line_writes_the_list_only_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hand = primary_care_person(HandBase())
    monkeypatch.setattr(base, "open_base", lambda *_args: hand.connect(tmp_path))
    runner = CliRunner()
    home = str(tmp_path / "hub")
    plain = runner.invoke(risk_app, ["primary-care", "--home", home, "--json"])
    assert plain.exit_code == 0, plain.output
    assert "P1" not in plain.output
    out = tmp_path / "list.csv"
    args = ["primary-care", "--home", home, "--case-finding", "--out", str(out), "--json"]
    listed = runner.invoke(risk_app, args)
    assert listed.exit_code == 0, listed.output
    assert "P1" not in listed.output  # the list goes to its file only
    assert out.read_text().splitlines()[1].startswith("P1,")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    refused = runner.invoke(risk_app, ["primary-care", "--home", home, "--case-finding"])
    assert refused.exit_code != 0


def test_the_community_command_shows_hidden_parts_and_no_households(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hand = community_areas(HandBase())
    monkeypatch.setattr(base, "open_base", lambda *_args: hand.connect(tmp_path))
    home = str(tmp_path / "hub")
    result = CliRunner().invoke(risk_app, ["community", "--home", home, "--level", "all"])
    assert result.exit_code == 0, result.output
    assert "[c] (-)" in result.output
    assert "left out: police_incidents" in result.output
    assert "no household key" in result.output
