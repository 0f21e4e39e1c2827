"""Locality profiles on a hand-built borough whose right answers are worked out by hand
(profile_data.py): figures, disclosure control, comparisons, outputs, purpose and provenance."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import NoReturn

import openpyxl
import pytest
from profile_data import (
    ADMISSIONS_BY_AGE,
    CENTRAL,
    RURAL,
    TODAY,
    A,
    B,
    C,
    D,
    E,
    boundaries,
    build_base,
    open_read_only,
    write_register,
)
from typer.testing import CliRunner

from joinedup.analytics import base, provenance, stats
from joinedup.analytics.disclosure import RULE, Controlled, Count, Reason, Table, publish
from joinedup.analytics.profiles import (
    ALL,
    BOROUGH,
    AreaProfile,
    Boundaries,
    Geography,
    LocalityProfiles,
    ProfileYearError,
    hide_derivable,
    profile_year,
    profiles_from_base,
)
from joinedup.analytics.profiles_cli import profiles_app
from joinedup.engines.duck import DuckDBEngine
from joinedup.feeds import agreements
from joinedup.feeds.agreements import AgreementRefusedError

PHM = "locality_profiling"
EVERY_PURPOSE = (
    PHM,
    "population_health_management",
    "community_risk_profiling",
    "integrated_locality_working",
)
Z = 1.959963984540054  # the 97.5th centile of the standard normal
HIDDEN = RULE.hidden_symbol


# Worked by hand, from the formulas in the technical guidance, not from joinedup.analytics.stats.


def byar(count: int) -> tuple[float, float]:
    lower = count * (1 - 1 / (9 * count) - Z / (3 * math.sqrt(count))) ** 3
    above = count + 1
    return lower, above * (1 - 1 / (9 * above) + Z / (3 * math.sqrt(above))) ** 3


def wilson(successes: int, trials: int) -> tuple[float, float]:
    p = successes / trials
    centre, spread = 2 * trials * p + Z * Z, Z * math.sqrt(Z * Z + 4 * trials * p * (1 - p))
    return (centre - spread) / (2 * (trials + Z * Z)), (centre + spread) / (2 * (trials + Z * Z))


def half_up(value: float, decimals: int = 1) -> float:
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Built:
    profiles: LocalityProfiles
    home: Path
    base_path: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """One build on the hand-made base, under a register that allows every feed: the cohorts run
    through the real cohort runner, on the same base."""
    folder = tmp_path_factory.mktemp("profiles")
    path = build_base(folder)
    home = folder / "hub"
    write_register(home, EVERY_PURPOSE)
    lsoa_map, ward_map = boundaries()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(base, "open_base", lambda _home, _progress=None: open_read_only(path))
        connection = open_read_only(path)
        try:
            profiles = profiles_from_base(
                DuckDBEngine(connection),
                home,
                today=TODAY,
                boundaries=Boundaries(lsoa_map, ward_map),
            )
        finally:
            connection.close()
    yield Built(profiles, home, path)


def figure(built: Built, code: str, key: str) -> dict[str, object]:
    figures = built.profiles.area(code).figures[key]
    return {
        "count": figures.count.export() if figures.count else None,
        "denominator": figures.denominator.export() if figures.denominator else None,
        "value": figures.shown(),
        "lower": figures.shown("lower"),
        "upper": figures.shown("upper"),
        "comparison": figures.comparison,
    }


# Population ----------------------------------------------------------------------------------


def test_mid_year_population_counts_only_residents_alive_and_born_on_30_june(built: Built) -> None:
    # A: 190 + 40 children; those who died, were born, left or arrived around 30 June come in
    # threes, so counting any of them would publish 235.
    populations = {code: figure(built, code, "population")["value"] for code in (A, B, C, D, E)}
    assert populations == {A: 230, B: 190, C: 190, D: 190, E: 190}
    assert figure(built, CENTRAL, "population")["value"] == 420
    assert figure(built, BOROUGH, "population")["value"] == 990


def test_census_residents_sit_beside_the_hub_count(built: Built) -> None:
    assert figure(built, A, "census_2021_residents")["value"] == 1500
    assert figure(built, CENTRAL, "census_2021_residents")["value"] == 3100
    assert figure(built, BOROUGH, "census_2021_residents")["value"] == 7000


def test_ward_deprivation_is_the_census_weighted_mean_of_its_lsoa_deciles(built: Built) -> None:
    assert figure(built, A, "imd2019_decile")["value"] == 1
    assert figure(built, CENTRAL, "imd2019_decile")["value"] == 3.1  # (1×1500 + 5×1600) / 3100
    assert figure(built, RURAL, "imd2019_decile")["value"] == 8.4  # 32,700 / 3,900
    assert figure(built, BOROUGH, "imd2019_decile")["value"] == 6.0  # 42,200 / 7,000


def test_age_structure_with_wilson_interval_and_comparison(built: Built) -> None:
    low, high = wilson(70, 230)
    assert figure(built, A, "aged_0_15") == {
        "count": 70,
        "denominator": 230,
        "value": half_up(70 / 230 * 100),
        "lower": half_up(low * 100),
        "upper": half_up(high * 100),
        "comparison": "higher",  # the borough: 190 of 990, 19.2%
    }
    assert figure(built, BOROUGH, "aged_0_15")["value"] == 19.2


# Crude rates ---------------------------------------------------------------------------------


def test_crude_rate_and_its_interval_for_an_area(built: Built) -> None:
    # 50 emergency admissions by A's residents; the six by people living outside the borough on
    # the day (three who left, three not yet arrived) count nowhere.
    low, high = byar(50)
    assert figure(built, A, "emergency_admissions_rate") == {
        "count": 50,
        "denominator": 230,
        "value": 217.4,
        "lower": half_up(low * 1000 / 230),
        "upper": half_up(high * 1000 / 230),
        "comparison": "lower",  # the upper bound, 286.6, is below the borough's 303.0
    }


def test_borough_benchmark_is_made_from_its_own_controlled_counts(built: Built) -> None:
    low, high = byar(175)  # 173 attendances in 2019, published as 175; 2018's five left out
    assert figure(built, BOROUGH, "ae_attendances_rate") == {
        "count": 175,
        "denominator": 990,
        "value": half_up(175 / 990 * 1000),
        "lower": half_up(low * 1000 / 990),
        "upper": half_up(high * 1000 / 990),
        "comparison": "not compared",
    }
    assert figure(built, BOROUGH, "emergency_admissions_rate")["value"] == 303.0  # 300 / 990


def test_significantly_higher_area_is_flagged_higher(built: Built) -> None:
    assert figure(built, D, "ae_attendances_rate")["comparison"] == "higher"  # 315.8 vs 176.8
    assert figure(built, C, "ae_attendances_rate")["comparison"] == "similar"  # 150.4 to 286.7
    assert figure(built, CENTRAL, "ae_attendances_rate")["comparison"] == "lower"  # 25 of 420
    assert figure(built, E, "emergency_admissions_rate")["comparison"] == "higher"


def test_a_count_of_three_hides_its_rate_interval_and_secondary_partner(built: Built) -> None:
    hidden = {
        "count": HIDDEN,
        "denominator": 190,
        "value": HIDDEN,
        "lower": HIDDEN,
        "upper": HIDDEN,
        "comparison": "not compared",
    }
    assert figure(built, B, "ae_attendances_rate") == hidden  # 3 attendances
    # A (20) is the smallest other cell, and B's only neighbour in Central: hidden too, or B
    # would be Central's 25 less A's 20.
    assert figure(built, A, "ae_attendances_rate") | {"denominator": 190} == hidden
    assert figure(built, C, "ae_attendances_rate")["count"] == 40
    assert figure(built, CENTRAL, "ae_attendances_rate")["count"] == 25


def test_no_figure_is_made_from_a_hidden_count(built: Built) -> None:
    for area in (*built.profiles.lsoas, *built.profiles.wards):
        for indicator in built.profiles.indicators:
            shown = area.figures[indicator.key]
            if shown.count is not None and shown.count.redacted:
                assert (shown.value, shown.lower, shown.upper) == (None, None, None)
                assert shown.comparison == "not compared"
                assert shown.shown() == HIDDEN


def test_feeds_allowed_for_the_purpose_give_their_indicators(built: Built) -> None:
    assert figure(built, A, "police_incidents_rate")["value"] == half_up(10 / 230 * 1000)
    assert figure(built, C, "dwelling_fires_rate")["value"] == HIDDEN  # 2 fires
    assert built.profiles.left_out == {}


# Age-standardised rates ----------------------------------------------------------------------


def test_standardised_rate_equals_the_hand_computation(built: Built) -> None:
    # A's admissions: 10 aged 2, 10 aged 77, 20 aged 87, 10 aged 92, over 10 residents in each
    # band; ESP2013 weights 5,000, 4,000, 1,500 and 1,000 of 100,000:
    # 5,000×1 + 4,000×1 + 1,500×2 + 1,000×1 = 13,000 per 100,000.
    standard = stats.load_esp2013()
    bands = {2: "0-4", 77: "75-79", 87: "85-89", 92: "90+"}
    by_band = {bands[age]: n for age, n in ADMISSIONS_BY_AGE.items()}
    rate = sum(standard[band] * n / 10 for band, n in by_band.items())
    assert rate == 13_000
    # Dobson: the total's Byar interval, mapped through the rate's variance per event.
    variance = sum((standard[band] / 100_000) ** 2 * n / 10**2 for band, n in by_band.items())
    step = 100_000 * math.sqrt(variance / 50)
    low, high = byar(50)
    shown = figure(built, A, "emergency_admissions_dsr")
    assert shown["value"] == 13_000.0
    assert shown["lower"] == half_up(rate + step * (low - 50))
    assert shown["upper"] == half_up(rate + step * (high - 50))
    assert shown["comparison"] == "similar"
    assert figure(built, BOROUGH, "emergency_admissions_dsr")["value"] == 15_600.0  # rates × 1.2
    assert figure(built, E, "emergency_admissions_dsr")["value"] == 26_000.0  # twice A's
    assert figure(built, E, "emergency_admissions_dsr")["comparison"] == "higher"


def test_standardised_rate_is_not_made_from_a_hidden_band(built: Built) -> None:
    # B's three attendances are in one band: hidden, so B's standardised rate is not computed.
    assert figure(built, B, "ae_attendances_dsr")["value"] == HIDDEN


# Childhood obesity ---------------------------------------------------------------------------


def test_obesity_prevalence_from_each_childs_latest_measurement_in_the_year(built: Built) -> None:
    low, high = wilson(10, 20)
    assert figure(built, A, "childhood_obesity") == {
        "count": 10,
        "denominator": 20,
        "value": 50.0,
        "lower": half_up(low * 100),
        "upper": half_up(high * 100),
        "comparison": "similar",
    }
    assert figure(built, B, "childhood_obesity")["value"] == HIDDEN  # none of 10
    assert figure(built, C, "childhood_obesity")["value"] == HIDDEN  # 5 of 10
    assert figure(built, BOROUGH, "childhood_obesity")["value"] == 30.0  # 15 of 50, controlled


# Cohorts -------------------------------------------------------------------------------------


def test_cohort_sizes_come_from_the_cohort_runs(built: Built) -> None:
    assert figure(built, A, "cohort_childhood_obesity")["value"] == 10
    assert figure(built, C, "cohort_childhood_obesity")["value"] == HIDDEN
    runs = built.profiles.cohort_runs
    assert "childhood_obesity" in runs
    logged = {entry["run_id"]: entry for entry in provenance.history(built.home)}
    assert logged[runs["childhood_obesity"]]["population_date"] == "2019-12-31"


# Disclosure across levels --------------------------------------------------------------------


def test_a_ward_beside_all_but_one_of_its_lsoas_hides_one_more() -> None:
    lsoas = {"L1": "W1", "L2": "W1", "L3": "W2", "L4": "W2", "L5": "W2"}
    geography = Geography(
        names={
            "lsoa": {code: code for code in lsoas},
            "ward": {"W1": "One", "W2": "Two"},
            BOROUGH: {BOROUGH: "Borough"},
        },
        ward_of=lsoas,
        census=dict.fromkeys(lsoas, 1000),
        imd={},
    )
    raw = {"L1": 3, "L2": 40, "L3": 9, "L4": 50, "L5": 60}
    level = publish(Table(raw, list(raw)))
    # The LSOA table alone hides the 3 and the smallest other cell, which is in the other ward.
    assert {code for code, cell in level.cells.items() if cell.redacted} == {"L1", "L3"}
    cells = {("lsoa", code, ALL): cell for code, cell in level.cells.items()}
    totals = {("ward", "W1", ALL): 43, ("ward", "W2", ALL): 119, (BOROUGH, BOROUGH, ALL): 162}
    cells |= {key: publish(Count(n)) for key, n in totals.items()}
    sizes = {("lsoa", code, ALL): n for code, n in raw.items()} | totals
    protected = hide_derivable(geography, [ALL], cells, sizes)
    # W1 (45) less L2 (40) would pin L1 near 3, and W2 less L4 and L5 would give L3 away: L2
    # and L4 (smaller than L5 and W2) are hidden as well.
    hidden = {key[1] for key, cell in protected.items() if cell.redacted}
    assert hidden == {"L1", "L2", "L3", "L4"}
    assert protected[("lsoa", "L2", ALL)].reason is Reason.SECONDARY
    assert protected[("lsoa", "L5", ALL)] == Controlled(60)


def test_no_ward_publishes_beside_exactly_one_hidden_lsoa(built: Built) -> None:
    for indicator in built.profiles.indicators:
        for ward in built.profiles.wards:
            lsoas = [a for a in built.profiles.lsoas if a.ward_code == ward.code]
            counts = [_count_of(ward, indicator.key), *(_count_of(a, indicator.key) for a in lsoas)]
            if all(c is not None for c in counts):
                assert sum(c.redacted for c in counts if c is not None) != 1, (indicator, ward)


def _count_of(area: AreaProfile, key: str) -> Controlled[int] | None:
    return area.figures[key].count


# Outputs -------------------------------------------------------------------------------------


def test_outputs_exist_and_parse(built: Built) -> None:
    folder = built.profiles.folder
    with (folder / "profiles_lsoa.csv").open(encoding="utf-8", newline="") as handle:
        lsoa_rows = list(csv.reader(handle))
    assert lsoa_rows[0][:5] == ["area_type", "area_code", "area_name", "ward_code", "ward_name"]
    assert "ae_attendances_rate_comparison" in lsoa_rows[0]
    assert [row[1] for row in lsoa_rows[1:]] == [A, B, C, D, E, BOROUGH]
    with (folder / "profiles_ward.csv").open(encoding="utf-8", newline="") as handle:
        ward_rows = list(csv.DictReader(handle))
    assert [row["area_code"] for row in ward_rows] == [CENTRAL, RURAL, BOROUGH]
    assert ward_rows[0]["ae_attendances_rate_count"] == "25"
    workbook = openpyxl.load_workbook(folder / "profiles.xlsx", read_only=True)
    assert workbook.sheetnames == ["LSOA", "Ward", "Notes"]
    notes = {row[0]: row[1] for row in workbook["Notes"].iter_rows(min_row=2, values_only=True)}
    assert notes["Disclosure control"] == RULE.version
    assert notes["Snapshot"].startswith("v000001-r1")
    assert notes["Year"].startswith("2019")
    for name in built.profiles.outputs:
        if name.endswith(".svg"):
            assert ET.parse(folder / name).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    assert "maps/lsoa_ae_attendances_rate.svg" in built.profiles.outputs
    assert "maps/ward_ae_attendances_rate.svg" in built.profiles.outputs
    assert "charts/ward_ae_attendances_rate.svg" in built.profiles.outputs


def test_index_page_shows_every_chart_with_no_script_or_outside_asset(built: Built) -> None:
    folder = built.profiles.folder
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    pictures = [n for n in built.profiles.outputs if n.endswith(".svg")]
    for name in pictures:
        assert f'src="{name}"' in page
    assert page.count("<img") == len(pictures)
    assert ' alt=""' not in page


def test_files_are_readable_by_their_owner_only(built: Built) -> None:
    for name in built.profiles.outputs:
        assert (built.profiles.folder / name).stat().st_mode & 0o077 == 0


def test_provenance_records_the_build(built: Built) -> None:
    entry = next(e for e in provenance.history(built.home) if e["run_id"] == built.profiles.run_id)
    assert entry["kind"] == "profiles"
    assert entry["purpose"] == PHM
    assert entry["year"] == 2019
    assert entry["snapshot"]["zone_version"] == "v000001"
    assert entry["disclosure_control"] == RULE.version
    assert entry["agreements"] == ["DSA-TEST-001"]
    assert set(entry["outputs"]) == set(built.profiles.outputs)
    digest = hashlib.sha256((built.profiles.folder / "profiles_ward.csv").read_bytes()).hexdigest()
    assert entry["outputs"]["profiles_ward.csv"] == digest


# Purpose -------------------------------------------------------------------------------------


def test_a_register_without_the_purpose_refuses_with_a_clear_message(
    built: Built, tmp_path: Path
) -> None:
    home = tmp_path / "hub"
    write_register(home, ("direct_care",))
    connection = open_read_only(built.base_path)
    try:
        with pytest.raises(AgreementRefusedError, match=r"gp_patients.*locality_profiling"):
            profiles_from_base(DuckDBEngine(connection), home, today=TODAY, out=tmp_path / "out")
    finally:
        connection.close()
    assert not (tmp_path / "out").exists()
    assert provenance.history(home) == []


def test_a_feed_not_allowed_for_the_purpose_is_left_out_and_noted(
    built: Built, tmp_path: Path
) -> None:
    home = tmp_path / "hub"
    # The packaged register, with police and fire data no longer shared for locality profiles.
    register = agreements.register_path(home)
    agreements.load_register(home)
    text = register.read_text(encoding="utf-8")
    for agreement in ("DSA-LANCSPOL-001", "DSA-LFRS-001"):
        start = text.index(f'id = "{agreement}"')
        listed = text.index('purposes = ["locality_profiling", ', start)
        text = (
            text[:listed]
            + "purposes = ["
            + text[listed + len('purposes = ["locality_profiling", ') :]
        )
    register.write_text(text, encoding="utf-8")
    connection = open_read_only(built.base_path)
    try:
        profiles = profiles_from_base(
            DuckDBEngine(connection),
            home,
            today=TODAY,
            run_cohort=_no_cohorts,
            out=tmp_path / "out",
        )
    finally:
        connection.close()
    keys = {i.key for i in profiles.indicators}
    assert "police_incidents_rate" not in keys and "dwelling_fires_rate" not in keys
    assert "ae_attendances_rate" in keys
    assert "police_incidents" in profiles.left_out["Police incidents"]
    assert "Cohort: Residents at high fire risk at home" in profiles.left_out
    with (tmp_path / "out" / "profiles_lsoa.csv").open(encoding="utf-8") as handle:
        assert "police" not in handle.readline()
    workbook = openpyxl.load_workbook(tmp_path / "out" / "profiles.xlsx", read_only=True)
    topics = [row[0] for row in workbook["Notes"].iter_rows(min_row=2, values_only=True)]
    assert "Left out: Police incidents" in topics


def _no_cohorts(name: str, _parameters: dict[str, str]) -> NoReturn:
    raise AgreementRefusedError(f"not run in this test: {name}")


# The year ------------------------------------------------------------------------------------


def test_default_year_is_the_last_full_calendar_year() -> None:
    whole = base.Snapshot("v1", 1, "m", dt.date(2015, 1, 1), dt.date(2019, 12, 31))
    assert profile_year(whole, None) == 2019
    part = base.Snapshot("v1", 1, "m", dt.date(2015, 1, 2), dt.date(2020, 3, 31))
    assert profile_year(part, None) == 2019
    with pytest.raises(ProfileYearError, match="2016 to 2019"):
        profile_year(part, 2015)


# The command line ----------------------------------------------------------------------------


def test_command_builds_and_reports_json(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "hub"
    write_register(home, EVERY_PURPOSE)
    monkeypatch.setattr(
        base, "open_base", lambda _home, _progress=None: open_read_only(built.base_path)
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        profiles_app, ["build", "--home", str(home), "--out", str(out), "--year", "2019", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["year"] == 2019 and report["folder"] == str(out)
    assert (out / "index.html").exists()
    ae = next(i for i in report["indicators"] if i["key"] == "ae_attendances_rate")
    assert ae["borough"] == 176.8


def test_command_says_why_it_cannot_build(tmp_path: Path) -> None:
    result = CliRunner().invoke(profiles_app, ["build", "--home", str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "nothing is loaded yet" in result.output
