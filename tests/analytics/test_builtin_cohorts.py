"""The built-in library: each cohort picks the hand-made person it is about and leaves the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from handbase import HandBase, cohort

from joinedup.analytics.cohorts import library
from joinedup.engines import Engine

BUILT_IN = {e.name: e.definition for e in library.entries(Path("/nonexistent")).values()}


def _text(name: str) -> str:
    return BUILT_IN[name].text


def test_the_library_holds_the_partnership_cohorts() -> None:
    assert set(BUILT_IN) >= {
        "phm_first_phase",
        "childhood_obesity",
        "high_intensity_ae",
        "gp_frequent_attenders",
        "frail_older_people",
        "fire_risk",
        "multi_agency_contact",
    }
    for definition in BUILT_IN.values():
        assert definition.title and definition.source and definition.description


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, module_engine: Engine) -> Engine:
    hand = HandBase()
    # population health management, first phase
    hand.person("phm_yes", born="1965-05").person("phm_too_young", born="1980-05")
    hand.person("phm_complex", born="1965-05").person("phm_few_visits", born="1965-05")
    for key in ("phm_yes", "phm_too_young", "phm_complex", "phm_few_visits"):
        hand.event(key, "gp_condition", "2016-01-01", code="59621000")  # hypertension
        visits = 9 if key == "phm_few_visits" else 10
        hand.event(key, "gp_appointment", "2019-04-01", times=visits)
    hand.event("phm_complex", "gp_condition", "2017-01-01", code="84114007")  # heart failure
    # childhood obesity (NCMP, UK90 95th centile)
    hand.person("obese_child", born="2008-05").person("healthy_child", born="2008-05")
    hand.measurement("obese_child", "bmi_centile", "2019-03-01", 96.0)
    hand.measurement("healthy_child", "bmi_centile", "2019-03-01", 60.0)
    # high intensity use of A&E: more than five attendances in 12 months, adults
    hand.person("hiu_yes", born="1980-01").person("hiu_five", born="1980-01")
    hand.person("hiu_child", born="2005-01")
    hand.event("hiu_yes", "ae_attendance", "2019-06-01", times=6)
    hand.event("hiu_five", "ae_attendance", "2019-06-01", times=5)
    hand.event("hiu_child", "ae_attendance", "2019-06-01", times=8)
    # GP frequent attenders
    hand.person("frequent", born="1950-01")
    hand.event("frequent", "gp_appointment", "2019-02-01", times=20)
    # frail older people
    hand.person("frail", born="1940-01").person("frail_young", born="1960-01")
    for key in ("frail", "frail_young"):
        hand.event(key, "gp_condition", "2018-01-01", code="925831000000107")  # moderate frailty
    # fire risk: an accidental dwelling fire, a high-scoring safety check, or 75+ with dementia
    hand.person("fire", born="1990-01").person("fire_check", born="1990-01")
    hand.person("old_dementia", born="1935-01")
    hand.event("fire", "fire_incident", "2018-05-01")
    hand.measurement("fire_check", "fire_risk_score", "2019-01-01", 5)
    hand.event("old_dementia", "gp_condition", "2015-01-01", code="52448006")
    # three or more agencies in 12 months
    hand.person("agencies", born="1985-01")
    for kind in ("police_incident", "ae_attendance", "homelessness_application"):
        hand.event("agencies", kind, "2019-07-01")
    return hand.on(module_engine, tmp_path_factory.mktemp("base"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("phm_first_phase", {"phm_yes"}),
        ("childhood_obesity", {"obese_child"}),
        ("high_intensity_ae", {"hiu_yes"}),
        ("gp_frequent_attenders", {"frequent"}),
        ("frail_older_people", {"frail"}),
        ("fire_risk", {"fire", "fire_check", "old_dementia", "frail"}),
        ("multi_agency_contact", {"agencies"}),
    ],
)
def test_each_built_in_cohort(base: Engine, name: str, expected: set[str]) -> None:
    assert cohort(base, _text(name)) == expected


def test_local_variants_through_parameters(base: Engine) -> None:
    text = _text("high_intensity_ae")
    assert cohort(base, text, {"attendances": "5"}) == {"hiu_yes", "hiu_five"}
    assert cohort(base, text, {"attendances": "10"}) == set()
    assert cohort(base, text, {"youngest": "0"}) == {"hiu_yes", "hiu_child"}
    assert cohort(base, _text("phm_first_phase"), {"year": "2018"}) == set()
