"""The community risk profile per household, on hand-made homes whose scores are known."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from handbase import HandBase

from joinedup.analytics import households, provenance
from joinedup.feeds import agreements

AT = dt.date(2019, 12, 31)


@pytest.fixture
def homes(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    hand = HandBase()
    # H1: a woman of 80 living alone, with dementia, whose safety check scored 5
    hand.person("alone", born="1939-05").home("alone", "H1")
    hand.event("alone", "gp_condition", "2016-01-01", code="52448006")
    hand.measurement("alone", "fire_risk_score", "2019-03-01", 5)
    # H2: a couple in their forties who had a fire at home
    for key in ("wife", "husband"):
        hand.person(key, born="1975-01").home(key, "H2")
    hand.event("husband", "fire_incident", "2018-06-01")
    # H3: a family, nothing known; the son moved out to H4 in 2019
    for key in ("mum", "son"):
        hand.person(key, born="1980-01" if key == "mum" else "2000-01").home(key, "H3")
    hand.home("son", "H4", since="2019-02-01")
    # not counted: died before the date, and not registered with a GP
    hand.person("gone", born="1930-01", died="2019-01-01").home("gone", "H3")
    hand.person("unregistered", born="1990-01", registered=None).home("unregistered", "H3")
    return hand.connect(tmp_path)


def _profile(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path, **kwargs: object
) -> households.HouseholdProfile:
    home = tmp_path / "hub"
    agreements.load_register(home)  # the packaged register
    return households.household_profile(connection, home, AT, today=dt.date(2026, 1, 1), **kwargs)  # type: ignore[arg-type]


def test_each_household_scores_the_sum_of_its_parts(
    homes: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = _profile(homes, tmp_path, case_finding_from="low")
    assert profile.listed is not None
    scored = {row["household_key"]: row for row in profile.listed}
    assert set(scored) == {"H1", "H2", "H3", "H4"}
    h1 = scored["H1"]
    assert (h1["aged_75_plus_points"], h1["lives_alone_75_plus_points"]) == (2, 2)
    assert (h1["dementia_or_frailty_points"], h1["high_risk_checks_points"]) == (2, 2)
    assert (h1["total"], h1["band"]) == (8, "very high")
    assert (scored["H2"]["dwelling_fires_points"], scored["H2"]["total"], scored["H2"]["band"]) == (
        3,
        3,
        "moderate",
    )
    assert scored["H2"]["person_keys"] == ["husband", "wife"]
    assert scored["H3"]["members"] == 1 and scored["H3"]["person_keys"] == ["mum"]
    assert (scored["H3"]["total"], scored["H3"]["band"]) == (0, "low")


def test_police_data_is_left_out_where_the_agreement_does_not_allow_it(
    homes: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = _profile(homes, tmp_path)
    assert "police_incidents" in profile.parts_left_out
    assert "police_incidents" not in {p.name for p in profile.parts}


def test_only_controlled_counts_are_published_and_the_run_is_recorded(
    homes: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    profile = _profile(homes, tmp_path)
    published = profile.as_dict()
    assert published["households"] == "[c]"  # four households: too few to show
    assert all(v in (0, "[c]") for v in published["households_by_band"].values())
    assert profile.listed is None
    entry = provenance.history(tmp_path / "hub")[-1]
    assert entry["kind"] == "risk_profile_households"
    assert entry["case_finding"] is False and entry["households_released"] == 0


def test_linkage_gives_people_who_live_together_one_household_key(analytics_hub: Path) -> None:
    """On the synthetic borough: household keys come from linkage, hold no address, and people
    share them about as the Census says people share homes (2.4 to a household in Chorley)."""
    from joinedup.feeds import store

    version = store.current(analytics_hub)
    assert version is not None
    with duckdb.connect(str(version.analytic), read_only=True) as zone:
        described = zone.execute("DESCRIBE person_households").fetchall()
        latest = dict(
            zone.execute(
                "SELECT person_key, arg_max(household_key, last_seen) "
                "FROM person_households GROUP BY 1"
            ).fetchall()
        )
    assert {row[0] for row in described} == {
        "person_key",
        "household_key",
        "first_seen",
        "last_seen",
    }
    assert all(k.startswith("H") and len(k) == 33 for k in latest.values())
    people_per_home = len(latest) / len(set(latest.values()))
    assert 1.5 <= people_per_home <= 3.5
    run = households.run_households(analytics_hub)
    total = run.by_band.total.value
    assert total is None or (total % 5 == 0 and total > 0)
