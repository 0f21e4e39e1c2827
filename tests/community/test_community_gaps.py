"""Needs against assets on small hand-built wards whose right answers are worked out by hand,
and the published need counts against the borough's own published totals."""

from __future__ import annotations

import duckdb
import pytest

from joinedup.reference import read_reference_csv
from joinedup.web.community.gaps import (
    MEASURES,
    Gap,
    NeedCount,
    Places,
    gaps_for,
    need_counts,
    published_need_counts,
    rank_gaps,
)
from joinedup.web.community.vocabulary import Need
from joinedup.web.community.wards import Ward, neighbours, wards

A, B, C, D = Ward("A", "Ashton"), Ward("B", "Brook"), Ward("C", "Cross"), Ward("D", "Dale")
LONELY = Need.LONELINESS


def need(ward: Ward, people: float, of: Need = LONELY) -> NeedCount:
    return NeedCount(ward.code, of, people)


def places(ward: Ward, count: int, of: Need = LONELY) -> Places:
    return Places(ward.code, of, count)


def by_ward(gaps: list[Gap]) -> dict[str, tuple[int, float | None]]:
    return {g.ward_code: (g.rank, g.people_per_place) for g in gaps}


def test_a_ward_with_people_in_need_and_no_place_has_the_largest_gap() -> None:
    # A: 100 people, 10 places -> 10 a place; B: 50 people, none -> unmet;
    # C: 300 people, 4 + 6 places (two assets) -> 30 a place.
    ranked = rank_gaps(
        [need(A, 100), need(B, 50), need(C, 300)],
        [places(A, 10), places(C, 4), places(C, 6)],
        [A, B, C],
    )
    assert [g.ward_code for g in ranked] == ["B", "C", "A"]
    assert by_ward(ranked) == {"B": (1, None), "C": (2, 30.0), "A": (3, 10.0)}
    assert ranked[0].no_places and ranked[0].places_per_100 == 0.0
    assert ranked[1].places == 10


def test_places_in_neighbouring_wards_count_when_within_reach() -> None:
    # With A and B neighbours, B reaches A's 10 places (5 a place), and A reaches B's none
    # (still 10 a place); C, alone, keeps 30 a place and now has the largest gap.
    ranked = rank_gaps(
        [need(A, 100), need(B, 50), need(C, 300)],
        [places(A, 10), places(C, 10)],
        [A, B, C],
        neighbours=[("A", "B"), ("B", "A")],
    )
    assert by_ward(ranked) == {"C": (1, 30.0), "A": (2, 10.0), "B": (3, 5.0)}


def test_among_wards_with_no_place_the_most_people_come_first() -> None:
    ranked = rank_gaps([need(A, 20), need(B, 80), need(C, 0)], [], [A, B, C])
    assert [(g.ward_code, g.rank) for g in ranked] == [("B", 1), ("A", 2), ("C", 3)]
    assert not ranked[2].no_places  # nobody in need: no gap
    assert ranked[2].places_per_100 is None


def test_each_need_is_ranked_apart_and_only_its_own_places_count() -> None:
    debt = Need.DEBT
    ranked = rank_gaps(
        [need(A, 100), need(B, 100), need(A, 40, debt), need(B, 90, debt)],
        [places(A, 50), places(B, 10), places(A, 1000, Need.FOOD_POVERTY), places(B, 3, debt)],
        [A, B],
    )
    assert by_ward(gaps_for(LONELY, ranked)) == {"B": (1, 10.0), "A": (2, 2.0)}
    assert by_ward(gaps_for(debt, ranked)) == {"A": (1, None), "B": (2, 30.0)}


def test_a_ward_with_no_count_of_need_is_left_out_and_unknown_wards_are_ignored() -> None:
    ranked = rank_gaps([need(A, 10), NeedCount("Z", LONELY, 99)], [places(D, 5)], [A, D])
    assert [g.ward_code for g in ranked] == ["A"]


def test_isolated_older_residents_add_up_to_the_borough_census_figure() -> None:
    # Census 2021 TS003: 6,285 one-person households aged 66 and over in the borough; the ward
    # figures are published separately (each rounded), so they add up to within a few.
    counts = [c for c in published_need_counts() if c.need == LONELY]
    assert {c.ward_code for c in counts} == {w.code for w in wards()}
    borough = next(
        int(r["count"])
        for r in read_reference_csv("chorley_wards_census2021_profile.csv")
        if r["geography_code"] == "E07000118"
        and r["category"] == "One-person household: Aged 66 years and over"
    )
    assert borough == 6285
    assert sum(c.people for c in counts) == pytest.approx(borough, abs=14)


def test_every_need_has_a_measure_with_a_count_for_every_ward() -> None:
    assert set(MEASURES) == set(Need)
    counted = {(c.ward_code, c.need) for c in published_need_counts()}
    for measured in MEASURES:
        assert {w for w, n in counted if n == measured} == {w.code for w in wards()}
    # Each proxy says it is one, and names its source.
    proxies = (
        Need.FOOD_POVERTY,
        Need.PHYSICAL_INACTIVITY,
        Need.DIGITAL_EXCLUSION,
        Need.MENTAL_WELLBEING,
    )
    for need in proxies:
        assert "proxy" in MEASURES[need].who and "no ward measure" in MEASURES[need].source


def test_the_proxies_agree_with_the_boroughs_published_totals() -> None:
    counts = published_need_counts()

    def total(need: Need) -> float:
        return sum(c.people for c in counts if c.need == need)

    def borough(topic: str, *categories: str) -> int:
        return sum(
            int(r["count"])
            for r in read_reference_csv("chorley_wards_census2021_profile.csv")
            if r["geography_code"] == "E07000118"
            and r["topic"] == topic
            and r["category"] in categories
        )

    limited = "Disabled under the Equality Act: Day-to-day activities limited a lot"
    assert total(Need.PHYSICAL_INACTIVITY) == pytest.approx(borough("disability", limited), abs=14)
    bad = borough("general_health", "Bad health", "Very bad health")
    assert total(Need.MENTAL_WELLBEING) == pytest.approx(bad, abs=14)
    assert total(Need.FOOD_POVERTY) == total(Need.DEBT) > 0


def hand_built(con: duckdb.DuckDBPyConnection) -> None:
    """Two wards: A with two LSOAs, B with one that lies half in A and half in B."""
    con.execute(
        "CREATE TABLE ward_profile (geography_code VARCHAR, topic VARCHAR, category VARCHAR,"
        " count BIGINT)"
    )
    limited = "Disabled under the Equality Act: Day-to-day activities limited a lot"
    little = "Disabled under the Equality Act: Day-to-day activities limited a little"
    con.executemany(
        "INSERT INTO ward_profile VALUES (?, ?, ?, ?)",
        [
            ("E05000001", "disability", limited, 120),
            ("E05000001", "disability", little, 999),
            ("E05000002", "disability", limited, 30),
            ("E05000001", "general_health", "Bad health", 40),
            ("E05000001", "general_health", "Very bad health", 10),
            ("E05000001", "general_health", "Fair health", 999),
            ("E05000002", "general_health", "Very bad health", 5),
            ("E07000118", "disability", limited, 150),  # the borough: not a ward
        ],
    )
    con.execute(
        "CREATE TABLE ward_age (geography_code VARCHAR, age BIGINT, usual_residents BIGINT)"
    )
    con.executemany(
        "INSERT INTO ward_age VALUES (?, ?, ?)",
        [
            ("E05000001", 74, 500),
            ("E05000001", 75, 20),
            ("E05000001", 100, 3),
            ("E05000002", 80, 7),
            ("E05000002", 4, 100),
        ],
    )
    con.execute("CREATE TABLE lsoa_ward (lsoa21_code VARCHAR, ward_code VARCHAR, pop_est DOUBLE)")
    con.executemany(
        "INSERT INTO lsoa_ward VALUES (?, ?, ?)",
        [("L1", "E05000001", 1000), ("L2", "E05000001", 500), ("L2", "E05000002", 500)],
    )
    con.execute("CREATE TABLE lsoa_imd (lsoa21_code VARCHAR, income_score DOUBLE)")
    con.executemany("INSERT INTO lsoa_imd VALUES (?, ?)", [("L1", 0.1), ("L2", 0.3)])
    con.execute(
        "CREATE TABLE ncmp (area_type VARCHAR, school_year VARCHAR, period VARCHAR,"
        " value_pct DOUBLE)"
    )
    con.execute("INSERT INTO ncmp VALUES ('District', 'Reception', '2023/24', 10)")


def test_the_proxy_measures_on_hand_built_wards() -> None:
    with duckdb.connect() as con:
        hand_built(con)
        counts = {(c.ward_code, c.need): c.people for c in need_counts(con)}
    a, b = "E05000001", "E05000002"
    # Limited a lot only (not a little), ward rows only.
    assert counts[(a, Need.PHYSICAL_INACTIVITY)] == 120
    assert counts[(b, Need.PHYSICAL_INACTIVITY)] == 30
    # Bad and very bad health, not fair.
    assert counts[(a, Need.MENTAL_WELLBEING)] == 50
    assert counts[(b, Need.MENTAL_WELLBEING)] == 5
    # Aged 75 and over: 20 + 3 in A (not the 500 aged 74), 7 in B.
    assert counts[(a, Need.DIGITAL_EXCLUSION)] == 23
    assert counts[(b, Need.DIGITAL_EXCLUSION)] == 7
    # Income score times each LSOA's people in the ward: A 1000 x 0.1 + 500 x 0.3 = 250;
    # B 500 x 0.3 = 150; food poverty is the same estimate as debt.
    assert counts[(a, Need.FOOD_POVERTY)] == counts[(a, Need.DEBT)] == 250
    assert counts[(b, Need.FOOD_POVERTY)] == 150
    # 10% of B's 100 four-year-olds.
    assert counts[(b, Need.CHILDHOOD_OBESITY)] == 10
    assert not any(code.startswith("E07") for code, _ in counts)


def test_wards_touch_both_ways_and_never_themselves() -> None:
    pairs = set(neighbours())
    assert pairs and all((b, a) in pairs for a, b in pairs)
    assert all(a != b for a, b in pairs)
    # Chorley East (E05013066) is in the town centre: it touches Chorley North West (E05013068).
    assert ("E05013066", "E05013068") in pairs
