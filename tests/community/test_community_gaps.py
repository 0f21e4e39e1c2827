"""Needs against assets on small hand-built wards whose right answers are worked out by hand,
and the published need counts against the borough's own published totals."""

from __future__ import annotations

import pytest

from joinedup.reference import read_reference_csv
from joinedup.web.community.gaps import (
    Gap,
    NeedCount,
    Places,
    gaps_for,
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


def test_every_measured_need_has_a_count_for_every_ward() -> None:
    counted = {(c.ward_code, c.need) for c in published_need_counts()}
    for measured in (Need.LONELINESS, Need.CARER_STRAIN, Need.DEBT, Need.CHILDHOOD_OBESITY):
        assert {w for w, n in counted if n == measured} == {w.code for w in wards()}


def test_wards_touch_both_ways_and_never_themselves() -> None:
    pairs = set(neighbours())
    assert pairs and all((b, a) in pairs for a, b in pairs)
    assert all(a != b for a, b in pairs)
    # Chorley East (E05013066) is in the town centre: it touches Chorley North West (E05013068).
    assert ("E05013066", "E05013068") in pairs
