"""Every construct of the cohort language, on a hand-built base whose answers are known."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from handbase import HandBase, cohort

from joinedup.analytics.cohorts.compiler import CohortParameterError, compile_definition
from joinedup.analytics.cohorts.language import CohortSyntaxError, parse
from joinedup.engines import Engine

HEADER = """cohort test
title "A test"
version 1
purpose population_health_management
"""


def define(
    criteria: str, population: str = "population alive at 2019-12-31", extra: str = ""
) -> str:
    indented = "\n".join("  " + line for line in criteria.strip().splitlines())
    return f"{HEADER}{extra}{population}\ncriteria\n{indented}\n"


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory, module_engine: Engine) -> Engine:
    """The hand-made people on each engine in turn: every construct must select the same people
    on DuckDB and on Spark."""
    hand = (
        HandBase()
        .person("child", sex="M", born="2012-03", lsoa="E01000003")
        .person("adult", sex="F", born="1970-06")
        .person("elder", sex="M", born="1935-01", lsoa="E01000002")
        .person("dead", born="1960-01", died="2019-06-01")
        .person("unregistered", born="1980-01", registered=None)
        .person("moved_away", born="1980-01", deregistered="2018-01-01", lsoa=None)
        .person("unborn", born="2020-05")
    )
    hand.event("adult", "ae_attendance", "2019-03-01", times=6)
    hand.event("adult", "ae_attendance", "2017-03-01", times=4)
    hand.event("elder", "ae_attendance", "2019-11-30", times=2)
    hand.event("adult", "gp_appointment", "2019-05-05", times=12)
    hand.event("adult", "police_incident", "2019-02-02")
    hand.event("adult", "mental_health_contact", "2019-02-02")
    hand.event("elder", "gp_condition", "2015-01-01", code="59621000")  # hypertension
    hand.event("elder", "gp_condition", "2016-01-01", code="44054006")  # diabetes
    hand.event("elder", "gp_condition", "2018-01-01", code="925861000000102")  # severe frailty
    hand.event("adult", "gp_condition", "2019-12-01", code="35489007")  # depression
    hand.measurement("child", "bmi_centile", "2018-06-01", 99.0)
    hand.measurement("child", "bmi_centile", "2019-06-01", 90.0)  # latest: below 95
    hand.measurement("adult", "pam_level", "2019-01-01", 1)
    return hand.on(module_engine, tmp_path_factory.mktemp("base"))


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ("age >= 18", {"adult", "elder", "unregistered", "moved_away"}),
        ("age between 0 and 17", {"child"}),
        ("age < 10", {"child"}),
        ("age > 100", set()),
        ("sex is M", {"child", "elder"}),
        ("events ae_attendance >= 6 within 12 months", {"adult"}),
        ("events ae_attendance >= 10 within 36 months", {"adult"}),
        ("events ae_attendance >= 2 in year 2019", {"adult", "elder"}),
        ("events ae_attendance = 4 between 2017-01-01 and 2017-12-31", {"adult"}),
        ("events ae_attendance, gp_appointment >= 18 in year 2019", {"adult"}),
        # at most: people with no attendances at all qualify too
        (
            "events ae_attendance <= 2 within 12 months",
            {"child", "elder", "unregistered", "moved_away"},
        ),
        ("agencies >= 3 within 12 months", {"adult"}),
        ("agencies >= 4 within 12 months", {"adult"}),  # hospital, GP, police, mental health
        ("agencies >= 5 within 12 months", set()),
        ("condition hypertension present", {"elder"}),
        ("condition depression present within 1 months", {"adult"}),
        ("condition diabetes absent", {"child", "adult", "unregistered", "moved_away"}),
        ("conditions long_term_conditions count between 1 and 2", {"elder", "adult"}),
        ("conditions long_term_conditions count >= 2", {"elder"}),
        ("measurement bmi_centile latest >= 95", set()),
        ("measurement bmi_centile latest >= 95 between 2018-01-01 and 2018-12-31", {"child"}),
        ("measurement pam_level latest <= 2", {"adult"}),
        ("area lsoa in E01000003", {"child"}),
        ("area ward in Central", {"adult", "elder", "unregistered"}),
        ('area ward in "Rural", E05000001', {"child", "adult", "elder", "unregistered"}),
        ("imd_decile <= 5", {"adult", "elder", "unregistered"}),
        ("frailty in severe", {"elder"}),
        ("frailty in fit, mild", {"adult"}),  # scored: a coded record, no deficit
    ],
)
def test_each_construct(people: Engine, criteria: str, expected: set[str]) -> None:
    assert cohort(people, define(criteria)) == expected


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ("any of\n  sex is M\n  events police_incident >= 1 ever", {"child", "elder", "adult"}),
        ("all of\n  sex is M\n  age >= 18", {"elder"}),
        ("not\n  age >= 18", {"child"}),
        (
            "age >= 18\nnot\n  any of\n    sex is M\n    area ward in Central",
            {"moved_away"},
        ),
    ],
)
def test_and_or_not(people: Engine, criteria: str, expected: set[str]) -> None:
    assert cohort(people, define(criteria)) == expected


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (
            "population alive at 2019-12-31",
            {"child", "adult", "elder", "unregistered", "moved_away"},
        ),
        ("population registered, alive at 2019-12-31", {"child", "adult", "elder"}),
        ("population resident at 2019-12-31", {"child", "adult", "elder", "dead", "unregistered"}),
        ("population registered at 2019-03-01", {"child", "adult", "elder", "dead"}),
        (
            "population alive at end of data",
            {"child", "adult", "elder", "unregistered", "moved_away"},
        ),
        (
            "population alive at end of year 2016",
            {"child", "adult", "elder", "dead", "unregistered", "moved_away"},
        ),
    ],
)
def test_population_on_a_date(people: Engine, population: str, expected: set[str]) -> None:
    assert cohort(people, define("age >= 0", population)) == expected


def test_parameters_have_defaults_and_can_be_given(people: Engine) -> None:
    text = define(
        "events ae_attendance >= {threshold} within {months} months",
        extra="parameter threshold integer = 6\nparameter months integer = 12\n",
    )
    assert cohort(people, text) == {"adult"}
    assert cohort(people, text, {"threshold": "2"}) == {"adult", "elder"}
    assert cohort(people, text, {"months": "36", "threshold": "10"}) == {"adult"}


def test_a_date_parameter_sets_the_population_date(people: Engine) -> None:
    text = define("age >= 0", "population alive at {at}", "parameter at date = 2019-12-31\n")
    assert "dead" in cohort(people, text, {"at": "2019-01-01"})
    assert "dead" not in cohort(people, text)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"threshold": "many"}, r"test.cohort: line 5: parameter threshold must be a whole number"),
        ({"colour": "red"}, "no parameter colour; its parameters are threshold"),
    ],
)
def test_bad_parameters_are_refused_clearly(given: dict[str, str], message: str) -> None:
    text = define(
        "events ae_attendance >= {threshold} within 12 months",
        extra="parameter threshold integer = 6\n",
    )
    definition = parse(text, "test.cohort")
    with pytest.raises(CohortParameterError, match=message):
        compile_definition(definition, given, __import__("datetime").date(2019, 12, 31))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (define("age >= eighteen"), 0, "not a whole number"),
        (define("age about 18"), 7, "expected a comparison"),
        (define("events >= 5 within 12 months"), 7, "write: events KIND"),
        (define("events ae_attendance >= 5"), 7, "say when"),
        (define("height >= 5"), 7, "unknown condition 'height'"),
        (define("frailty in wobbly"), 7, "categories are fit, mild, moderate, severe"),
        (define("sex is X"), 7, "sex is F"),
        (define("all of"), 7, "'all of' needs conditions"),
        (define("age >= {limit}"), 7, r"\{limit\} is not a declared parameter"),
        (HEADER + "criteria\n  age >= 1\n", 6, "no 'population' line"),
        (
            HEADER.replace("version 1", "version one")
            + "population alive at end of data\ncriteria\n  age >= 1\n",
            3,
            "version 'one' is not a number",
        ),
        (HEADER + "colour blue\n", 5, "unknown statement 'colour'"),
        (HEADER + "population alive at tomorrow\n", 5, "'tomorrow' is not a date"),
        (HEADER + "population happy at end of data\n", 5, "unknown population 'happy'"),
        (define("age >= 1\n   sex is F"), 8, "indentation does not match"),
        (HEADER + 'title "again"\n', 5, "'title' is given twice"),
        (HEADER + 'description "unclosed\n', 5, "cannot read the line"),
    ],
)
def test_errors_name_the_line(text: str, line: int, message: str, tmp_path: Path) -> None:
    if line == 0:  # found when the values are filled in, still naming the line
        with pytest.raises(CohortParameterError, match=r"test.cohort: line 7: .*" + message):
            compile_definition(
                parse(text, "test.cohort"), {}, __import__("datetime").date(2019, 12, 31)
            )
        return
    with pytest.raises(CohortSyntaxError, match=rf"test.cohort: line {line}: .*{message}"):
        parse(text, "test.cohort")


def test_an_unknown_event_kind_or_code_list_names_the_choices() -> None:
    import datetime as dt

    for criteria, message in (
        ("events ae_visits >= 1 ever", "no event kind 'ae_visits'; kinds are"),
        ("condition gout present", "no code list 'gout'; lists are"),
    ):
        with pytest.raises(CohortParameterError, match=rf"line 7: {message}"):
            compile_definition(parse(define(criteria), "test.cohort"), {}, dt.date(2019, 12, 31))


def test_the_latest_on_a_day_with_two_is_the_same_on_every_engine(
    tmp_path: Path, engine: Engine
) -> None:
    """Two addresses recorded on one day: the lower LSOA code. Two measurements on one day: the
    higher value. Left to the engine, the choice would depend on the order rows arrive in."""
    hand = HandBase().person("moved", lsoa="E01000003", since="2019-05-01")
    hand.residence.append(("moved", dt.date(2019, 5, 1), "E01000001"))
    hand.person("measured", born="2012-03", lsoa=None)
    hand.measurement("measured", "bmi_centile", "2019-06-01", 90.0)
    hand.measurement("measured", "bmi_centile", "2019-06-01", 99.0)
    on = hand.on(engine, tmp_path)
    assert cohort(on, define("area ward in Central")) == {"moved"}
    assert cohort(on, define("area ward in Rural")) == set()
    assert cohort(on, define("measurement bmi_centile latest >= 95")) == {"measured"}
