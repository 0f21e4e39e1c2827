"""Cohort definitions in plain English: every condition in words, with the parameters' values."""

from __future__ import annotations

from pathlib import Path

import pytest

from joinedup.analytics.cohorts import library
from joinedup.analytics.cohorts.describe import Clause, as_text, describe
from joinedup.analytics.cohorts.language import parse

HEADER = """cohort example
title "Example"
version 1
purpose population_health_management
"""


def described(body: str, **parameters: str) -> tuple[str, tuple[Clause, ...]]:
    description = describe(parse(HEADER + body), parameters)
    return description.population, description.criteria


def test_each_condition_reads_as_a_sentence() -> None:
    opening, clauses = described(
        """parameter visits integer = 6
parameter at date = 2019-12-31
population registered, alive, resident at {at}
criteria
  age between 45 and 60
  sex is F
  events ae_attendance, emergency_admission >= {visits} within 12 months
  agencies >= 3 in year 2018
  condition dementia absent
  conditions long_term_conditions count between 1 and 2
  measurement pam_level latest <= 2 between 2018-04-01 and 2019-03-31
  area ward in "Chorley East", Astley
  imd_decile <= 2
  frailty in moderate, severe
"""
    )
    assert opening == (
        "People registered with a GP practice, alive and living in the borough on "
        "31 December 2019, who meet all of these conditions:"
    )
    assert [c.text for c in clauses] == [
        "aged between 45 and 60",
        "recorded as female",
        "with at least 6 A&E attendances and emergency admissions in the 12 months up to the "
        "population date",
        "in contact with at least 3 agencies in the calendar year 2018",
        "with no dementia code recorded at any time up to the population date",
        "with between 1 and 2 different long term conditions recorded at any time up to the "
        "population date",
        "whose latest Patient Activation Measure level between 1 April 2018 and 31 March 2019 "
        "is at most 2",
        "living on the population date in the ward Chorley East or Astley",
        "living in a neighbourhood whose deprivation decile is at most 2 (Index of Multiple "
        "Deprivation 2019; 1 is the most deprived tenth)",
        "living with moderate or severe frailty (electronic Frailty Index)",
    ]


def test_a_run_s_parameters_replace_the_defaults_in_the_words() -> None:
    body = """parameter visits integer = 6
population alive at end of year 2019
criteria
  events ae_attendance > {visits} ever
"""
    assert described(body)[0] == (
        "People alive on 31 December 2019, with more than 6 A&E attendances at any time up to "
        "the population date"
    )
    assert "more than 10 A&E" in described(body, visits="10")[0]


def test_blocks_nest_and_a_lone_not_reads_as_not() -> None:
    opening, clauses = described(
        """population at end of data
criteria
  any of
    age >= 75
    all of
      condition dementia present within 24 months
      not
        area lsoa in E01024915
"""
    )
    assert opening == (
        "Everyone the hub knows who was born by the last day of the data, who meet at least one "
        "of these conditions:"
    )
    assert clauses[0].text == "aged at least 75"
    assert clauses[1].text == "all of these:"
    assert [c.text for c in clauses[1].children] == [
        "with a dementia code recorded in the 24 months up to the population date",
        "not living on the population date in the neighbourhood (LSOA) E01024915",
    ]


def test_a_not_block_of_several_conditions_says_they_are_taken_together() -> None:
    _, clauses = described(
        """population alive at start of year 2020
criteria
  sex is M
  not
    age < 18
    imd_decile = 1
"""
    )
    assert clauses[1].text.startswith("not all of these together")
    assert [c.text for c in clauses[1].children] == [
        "aged fewer than 18",
        "living in a neighbourhood whose deprivation decile is exactly 1 (Index of Multiple "
        "Deprivation 2019; 1 is the most deprived tenth)",
    ]


@pytest.mark.parametrize("name", sorted(library.entries(Path("/nonexistent"))))
def test_every_built_in_definition_is_described_without_a_parameter_left_in_braces(
    name: str,
) -> None:
    definition = library.find(Path("/nonexistent"), name)
    text = as_text(describe(definition))
    assert text.startswith(definition.title + "\n")
    assert "{" not in text and "_" not in text.replace("long term", ""), text
