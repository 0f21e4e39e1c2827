"""Difference-in-differences arithmetic on panels whose answers are known exactly."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import numpy as np
import pytest

from joinedup.analytics import base
from joinedup.evaluation.cohort import build_cohort
from joinedup.evaluation.design import Design, Group, Kind, Windows
from joinedup.evaluation.did import arm, rate_difference, rate_ratio
from joinedup.evaluation.panel import OUTCOMES, Panel, build_panel
from joinedup.evaluation.trends import PARALLEL, parallel_trends

BEFORE, AFTER = [-4, -3, -2, -1], [0, 1, 2, 3]
REFERRED_ON = dt.date(2017, 6, 1)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def panel_of(people: list[tuple[bool, list[int]]], weights: list[float] | None = None) -> Panel:
    """People as (treated, events in each of quarters -4..3), each here the whole time."""
    quarters = np.arange(-4, 4)
    return Panel(
        person=np.repeat(np.arange(len(people)), 8),
        treated=np.array([t for t, _ in people]),
        weight=np.array(weights or [1.0] * len(people)),
        quarter=np.tile(quarters, len(people)),
        years=np.full(8 * len(people), 0.25),
        counts={"ae_attendance": np.array([c for _, counts in people for c in counts], float)},
    )


def test_ratio_of_ratios_and_difference_per_person_year_are_exact() -> None:
    # Intervention: 10 attendances in the year before, 7 after (2 people); comparison: 5 and 5.
    panel = panel_of(
        [
            (True, [1, 1, 1, 1, 1, 0, 1, 0]),
            (True, [2, 2, 1, 1, 2, 1, 1, 1]),
            (False, [1, 0, 1, 1, 1, 1, 0, 1]),
            (False, [0, 1, 0, 1, 0, 0, 1, 1]),
        ]
    )
    treated, untreated = (arm(panel, "ae_attendance", t, BEFORE, AFTER) for t in (True, False))
    ratio, difference = rate_ratio(treated, untreated), rate_difference(treated, untreated)
    assert ratio.value == pytest.approx(0.7)
    # Rates per person-year: intervention 5.0 -> 3.5, comparison 2.5 -> 2.5.
    assert difference.value == pytest.approx(-1.5)
    assert ratio.lower is not None and ratio.upper is not None
    assert ratio.lower < 0.7 < ratio.upper


def test_weights_count_a_comparison_person_as_several() -> None:
    one = panel_of([(True, [1, 1, 1, 1, 1, 1, 0, 0]), (False, [1, 1, 0, 0, 1, 1, 1, 1])])
    doubled = panel_of(
        [(True, [1, 1, 1, 1, 1, 1, 0, 0]), (False, [1, 1, 0, 0, 1, 1, 1, 1])], [1.0, 2.0]
    )
    for panel in (one, doubled):
        treated, untreated = (arm(panel, "ae_attendance", t, BEFORE, AFTER) for t in (True, False))
        # Intervention 4 -> 2, comparison 2 -> 4: the ratio of ratios is 0.5 / 2 = 0.25.
        assert treated.after.events.sum() / treated.before.events.sum() == 0.5
    treated, untreated = (arm(doubled, "ae_attendance", t, BEFORE, AFTER) for t in (True, False))
    assert untreated.before.events.sum() == 4 and untreated.before.years.sum() == 2.0


def test_sandwich_interval_agrees_with_the_person_jackknife() -> None:
    rng = np.random.default_rng(5)
    people = []
    for treated in [True] * 150 + [False] * 150:
        rate = rng.gamma(2.0, 1.0)
        after = 0.7 * rate if treated else rate
        people.append((treated, [*rng.poisson(rate / 4, 4), *rng.poisson(after / 4, 4)]))
    panel = panel_of(people)
    ratio = rate_ratio(*(arm(panel, "ae_attendance", t, BEFORE, AFTER) for t in (True, False)))
    assert ratio.value is not None and ratio.upper is not None
    sandwich_se = math.log(ratio.upper / ratio.value) / 1.959964
    estimates = []
    for left_out in range(panel.people):
        keep = np.arange(panel.people) != left_out
        part = panel.select(keep)
        value = rate_ratio(*(arm(part, "ae_attendance", t, BEFORE, AFTER) for t in (True, False)))
        assert value.value is not None
        estimates.append(math.log(value.value))
    logs = np.array(estimates)
    n = len(logs)
    jackknife_se = math.sqrt((n - 1) / n * ((logs - logs.mean()) ** 2).sum())
    assert sandwich_se == pytest.approx(jackknife_se, rel=0.05)


def test_no_events_in_a_window_gives_no_estimate() -> None:
    panel = panel_of([(True, [0] * 8), (True, [0] * 8), (False, [1] * 8), (False, [1] * 8)])
    ratio = rate_ratio(*(arm(panel, "ae_attendance", t, BEFORE, AFTER) for t in (True, False)))
    assert ratio.value is None and ratio.reason == "a group had no events in a window"


def test_parallel_pre_trends_are_found_parallel() -> None:
    rising = [4, 5, 6, 7, 0, 0, 0, 0]
    panel = panel_of([(True, rising), (True, rising), (False, rising), (False, rising)])
    check = parallel_trends(panel, "ae_attendance", range(-4, 4))
    assert check.slope_ratio_per_year.value == pytest.approx(1.0)
    assert check.verdict == PARALLEL


# The same arithmetic through the SQL that builds groups and panels, on a base built by hand.

AREAS = [
    ("E01000001", "Team 001A", "E05000001", "Team ward", "Chorley East", 2, 2, 1500),
    ("E01000002", "Control 001A", "E05000002", "Control ward", "Coppull", 2, 2, 1500),
]


def hand_base() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(base.SCHEMA)
    connection.executemany("INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?, ?, ?)", AREAS)
    connection.execute(
        "INSERT INTO snapshot VALUES ('v1', 1, 'm1', DATE '2015-01-01', DATE '2019-12-31')"
    )
    return connection


def add_person(
    connection: duckdb.DuckDBPyConnection,
    key: str,
    lsoa: str,
    attendances: dict[str, int],
    born: str = "1970-01-01",
    left: str | None = None,
) -> None:
    connection.execute("INSERT INTO people VALUES (?, 'F', ?, NULL)", [key, day(born)])
    connection.execute(
        "INSERT INTO registrations VALUES (?, 'P1', DATE '2010-01-01', ?)",
        [key, day(left) if left else None],
    )
    connection.execute("INSERT INTO residence VALUES (?, DATE '2010-01-01', ?)", [key, lsoa])
    for on, times in attendances.items():
        for _ in range(times):
            connection.execute(
                "INSERT INTO events VALUES (?, 'ae_attendance', 'hospital', ?, NULL, NULL, ?)",
                [key, day(on), lsoa],
            )


def test_groups_and_panel_from_sql_give_the_exact_ratio() -> None:
    connection = hand_base()
    # Referred on 1 June 2017: 4 + 6 attendances in the year before, 2 + 5 in the year after.
    for key, before, after in (("i1", 4, 2), ("i2", 6, 5)):
        add_person(connection, key, "E01000001", {"2016-09-01": before, "2017-09-01": after})
        connection.execute(
            "INSERT INTO events VALUES (?, 'iat_referral', NULL, ?, 'GP', NULL, 'E01000001')",
            [key, REFERRED_ON],
        )
    # Eligible-looking in the control area (two attendances in the rule year, mid-2015 to
    # mid-2016), then 3 + 2 attendances before and the same after.
    for key, count in (("c1", 3), ("c2", 2)):
        add_person(
            connection,
            key,
            "E01000002",
            {"2015-09-01": 2, "2017-01-01": count, "2018-01-01": count},
        )
    # Not chosen: one attendance in the rule year; a child; and someone who left before the index.
    add_person(connection, "c3", "E01000002", {"2015-09-01": 1, "2017-01-01": 9})
    add_person(connection, "c4", "E01000002", {"2015-09-01": 3}, born="2005-01-01")
    add_person(connection, "c5", "E01000002", {"2015-09-01": 3}, left="2017-01-01")
    design = Design(Group(Kind.REFERRALS), Group(Kind.AREA, ("Coppull",)), Windows(12, 12))

    cohort = build_cohort(connection, design)
    panel = build_panel(connection, design.windows)

    assert (cohort.intervention_people, cohort.comparison_people) == (2, 2)
    assert panel.people == 4 and set(panel.counts) == {kind for kind, _ in OUTCOMES}
    treated, untreated = (arm(panel, "ae_attendance", t, BEFORE, AFTER) for t in (True, False))
    assert treated.before.events.sum() == 10 and treated.after.events.sum() == 7
    assert untreated.before.events.sum() == 5 and untreated.after.events.sum() == 5
    # Every window is a whole year of registration: 365 days each side of 1 June 2017.
    assert treated.before.years.sum() == pytest.approx(2 * 365 / 365.25)
    assert rate_ratio(treated, untreated).value == pytest.approx(0.7)
    assert rate_difference(treated, untreated).value == pytest.approx(-3 / 2 * 365.25 / 365)


def test_a_locality_intervention_follows_everyone_from_its_start_date() -> None:
    connection = hand_base()
    # Two eligible-looking residents of each locality (two attendances in the rule year).
    for key, lsoa, before, after in (
        ("a1", "E01000001", 4, 2),
        ("a2", "E01000001", 6, 5),
        ("b1", "E01000002", 3, 3),
        ("b2", "E01000002", 2, 2),
    ):
        add_person(
            connection, key, lsoa, {"2015-09-01": 2, "2016-09-01": before, "2017-09-01": after}
        )
    design = Design(
        Group(Kind.AREA, ("Chorley East",)),
        Group(Kind.AREA, ("Coppull",)),
        Windows(12, 12),
        index_date=REFERRED_ON,
    )

    cohort = build_cohort(connection, design)
    panel = build_panel(connection, design.windows)

    assert (cohort.intervention_people, cohort.comparison_people) == (2, 2)
    index_dates = connection.execute("SELECT DISTINCT index_date FROM ev_cohort").fetchall()
    assert index_dates == [(REFERRED_ON,)]
    treated, untreated = (arm(panel, "ae_attendance", t, BEFORE, AFTER) for t in (True, False))
    assert rate_ratio(treated, untreated).value == pytest.approx(0.7)
