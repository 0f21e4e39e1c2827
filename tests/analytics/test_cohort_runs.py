"""Cohort runs end to end on a small synthetic borough: purpose, disclosure control, provenance."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from joinedup.analytics import base, disclosure, provenance
from joinedup.analytics.cohorts.library import entries, hub_folder
from joinedup.analytics.cohorts.run import run_cohort
from joinedup.cli import app
from joinedup.engines import Engine
from joinedup.feeds import agreements, store
from joinedup.feeds.agreements import AgreementRefusedError

BUILT_IN = sorted(entries(Path("/nonexistent")))


def _published_counts(run: dict[str, object]) -> list[object]:
    values: list[object] = [run["people"]]
    for key in ("by_ward", "by_lsoa", "by_sex", "by_age_band"):
        table = run[key]
        assert isinstance(table, dict)
        values += [*table["cells"].values(), table["total"]]
    return values


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_built_in_cohort_publishes_only_controlled_counts(
    analytics_hub: Path, name: str
) -> None:
    run = run_cohort(analytics_hub, name).as_dict()
    for value in _published_counts(run):
        assert value == "[c]" or (isinstance(value, int) and value % 5 == 0), (name, value)
    assert "person_keys" not in run
    assert run["disclosure_control"] == disclosure.RULE.version
    # A ward is the sum of its LSOAs, published beside them: never exactly one of them hidden.
    for ward, lsoas in _wards(analytics_hub).items():
        line = [run["by_ward"]["cells"].get(ward, 0)] + [
            run["by_lsoa"]["cells"][lsoa] for lsoa in lsoas
        ]
        assert sum(value == "[c]" for value in line) != 1, (name, ward, line)


def _wards(home: Path) -> dict[str, list[str]]:
    connection = base.open_base(home)
    try:
        rows = connection.execute("SELECT ward_name, lsoa21 FROM areas").fetchall()
    finally:
        connection.close()
    wards: dict[str, list[str]] = {}
    for ward, lsoa in rows:
        wards.setdefault(ward, []).append(lsoa)
    return wards


def test_a_run_is_recorded_with_what_its_figures_were_made_from(analytics_hub: Path) -> None:
    run = run_cohort(analytics_hub, "high_intensity_ae", {"attendances": "3"})
    entry = next(e for e in provenance.history(analytics_hub) if e["run_id"] == run.run_id)
    assert entry["definition"]["name"] == "high_intensity_ae"
    assert entry["definition"]["version"] == 1
    assert re.fullmatch(r"[0-9a-f]{64}", entry["definition"]["sha256"])
    assert entry["parameters"]["attendances"] == "3"
    assert entry["purpose"] == "population_health_management"
    assert entry["agreements"] == ["DSA-LTHTR-001"]
    assert entry["snapshot"]["linkage_model"] == run.snapshot["linkage_model"]
    assert entry["disclosure_control"] == disclosure.RULE.version
    assert entry["case_finding"] is False
    assert "P0" not in json.dumps(entry)  # the log holds no person_keys


def test_case_finding_releases_person_keys_and_is_recorded(analytics_hub: Path) -> None:
    run = run_cohort(analytics_hub, "high_intensity_ae", {"attendances": "2"}, case_finding=True)
    assert run.person_keys
    assert all(re.fullmatch(r"P\d{9}", key) for key in run.person_keys)
    version = store.current(analytics_hub)
    assert version is not None
    with duckdb.connect(str(version.analytic), read_only=True) as zone:
        known = {
            k for (k,) in zone.execute("SELECT DISTINCT person_key FROM person_keys").fetchall()
        }
    assert set(run.person_keys) <= known
    entry = next(e for e in provenance.history(analytics_hub) if e["run_id"] == run.run_id)
    assert entry["case_finding"] is True
    assert entry["person_keys_released"] == len(run.person_keys)


def test_the_cohort_size_moves_with_its_parameters(analytics_hub: Path) -> None:
    connection = base.open_base(analytics_hub)
    try:
        raw = connection.execute(
            """
            SELECT count(*) FILTER (WHERE n >= 2), count(*) FILTER (WHERE n >= 4)
            FROM (SELECT person_key, count(*) AS n FROM events WHERE kind = 'ae_attendance'
                  AND event_date > DATE '2018-12-31' AND event_date <= DATE '2019-12-31'
                  GROUP BY 1)
            JOIN people USING (person_key)
            WHERE death_date IS NULL OR death_date > DATE '2019-12-31'  -- alive on the date
            """
        ).fetchall()[0]
    finally:
        connection.close()
    sizes = [
        run_cohort(
            analytics_hub, "high_intensity_ae", {"attendances": str(n), "youngest": "0"}
        ).total.value
        for n in (2, 4)
    ]
    assert sizes[0] is not None and sizes[1] is not None and sizes[0] >= sizes[1]
    # Rounded to the nearest 5, so within 2 of the count straight from the events.
    assert abs(sizes[0] - raw[0]) <= 2 and abs(sizes[1] - raw[1]) <= 2


def test_a_purpose_no_agreement_covers_is_refused(hub: Path) -> None:
    register = agreements.register_path(hub)
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace('"population_health_management", ', ""), encoding="utf-8")
    with pytest.raises(AgreementRefusedError, match="ae_attendances be used for the purpose"):
        run_cohort(hub, "high_intensity_ae")


def test_a_changed_definition_needs_a_new_version(hub: Path) -> None:
    folder = hub_folder(hub)
    folder.mkdir()
    original = entries(hub)["high_intensity_ae"].definition.text
    (folder / "high_intensity_ae.cohort").write_text(original, encoding="utf-8")
    run_cohort(hub, "high_intensity_ae")
    changed = original.replace("parameter months integer = 12", "parameter months integer = 6")
    (folder / "high_intensity_ae.cohort").write_text(changed, encoding="utf-8")
    with pytest.raises(
        provenance.VersionConflictError, match="give the changed definition a new version"
    ):
        run_cohort(hub, "high_intensity_ae")
    (folder / "high_intensity_ae.cohort").write_text(
        changed.replace("version 1", "version 2"), encoding="utf-8"
    )
    assert run_cohort(hub, "high_intensity_ae").version == 2


def test_the_command_line(analytics_hub: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["cohorts", "list", "--home", str(analytics_hub), "--json"])
    assert listed.exit_code == 0 and "frail_older_people" in listed.stdout
    ran = runner.invoke(
        app, ["cohorts", "run", "multi_agency_contact", "--home", str(analytics_hub), "--json"]
    )
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["cohort"] == "multi_agency_contact"
    refused = runner.invoke(
        app,
        [
            "cohorts",
            "run",
            "fire_risk",
            "--out",
            str(tmp_path / "k.csv"),
            "--home",
            str(analytics_hub),
        ],
    )
    assert refused.exit_code == 1 and "add --case-finding" in refused.output
    written = runner.invoke(
        app,
        [
            "cohorts",
            "run",
            "fire_risk",
            "--case-finding",
            "--out",
            str(tmp_path / "k.csv"),
            "--home",
            str(analytics_hub),
        ],
    )
    assert written.exit_code == 0, written.output
    assert (tmp_path / "k.csv").read_text(encoding="utf-8").startswith("person_key")
    bad = tmp_path / "bad.cohort"
    bad.write_text(
        "cohort x\ntitle t\nversion 1\npurpose p\npopulation alive at someday\n", encoding="utf-8"
    )
    checked = runner.invoke(app, ["cohorts", "check", str(bad)])
    assert checked.exit_code == 1 and "bad.cohort: line 5" in checked.output


def test_childhood_obesity_is_as_common_as_the_ncmp_finds(analytics_hub: Path) -> None:
    """Chorley's NCMP obesity prevalence is 7-10% at Reception and 17-20% in Year 6 (2015-2019);
    the synthetic borough is drawn at those rates, so the cohort must find them again."""
    connection = base.open_base(analytics_hub)
    try:
        shares = dict(
            connection.execute(
                """
                SELECT e.code, avg(CASE WHEN m.value >= 95 THEN 1.0 ELSE 0.0 END)
                FROM events AS e JOIN measurements AS m
                  ON m.person_key = e.person_key AND m.measured_on = e.event_date
                 AND m.kind = 'bmi_centile'
                WHERE e.kind = 'school_measurement'
                GROUP BY 1
                """
            ).fetchall()
        )
    finally:
        connection.close()
    assert 0.05 <= shares["Reception"] <= 0.14
    assert 0.13 <= shares["Year 6"] <= 0.25
    people = run_cohort(analytics_hub, "childhood_obesity", {"at": "2019-08-31"}).total.value
    assert people is not None and people > 0


def test_a_hidden_lsoa_cannot_be_worked_out_from_its_ward(tmp_path: Path, engine: Engine) -> None:
    """LSOAs of 3, 20 and 9 people: the LSOA table alone hides the 3 and the 9, which leaves
    each ward beside exactly one hidden LSOA; so more must be hidden."""
    import datetime as dt

    from handbase import HandBase

    from joinedup.analytics.cohorts.language import parse
    from joinedup.analytics.cohorts.run import run_definition

    hand = HandBase()
    for lsoa, people in (("E01000001", 3), ("E01000002", 20), ("E01000003", 9)):
        for number in range(people):
            key = f"{lsoa}-{number}"
            hand.person(key, lsoa=lsoa).event(key, "ae_attendance", "2019-06-01")
    on = hand.on(engine, tmp_path)
    home = tmp_path / "hub"
    agreements.load_register(home)
    text = (
        "cohort attenders\ntitle t\nversion 1\npurpose population_health_management\n"
        "population alive at 2019-12-31\ncriteria\n  events ae_attendance >= 1 ever\n"
    )
    run = run_definition(on, home, parse(text), {}, False, dt.date(2026, 1, 1)).as_dict()
    lsoas, wards = run["by_lsoa"]["cells"], run["by_ward"]["cells"]
    central = [wards["Central"], lsoas["E01000001"], lsoas["E01000002"]]
    rural = [wards["Rural"], lsoas["E01000003"]]
    for line in (central, rural):
        assert sum(value == "[c]" for value in line) != 1, line
    assert lsoas["E01000001"] == "[c]" and run["people"] == 30
