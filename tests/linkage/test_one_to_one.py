"""One-to-one linkage: a pair judged against the other candidates of both its records."""

from __future__ import annotations

import math

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.linkage import onetoone

PRIOR = 0.02  # two random records of 50 + 50 match
PRIOR_WEIGHT = math.log2(PRIOR / (1 - PRIOR))
STRONG, WEAK = 20.0, 4.0  # log2 Bayes factors of the evidence


def _scored(rows: list[tuple[str, str, float]]) -> duckdb.DuckDBPyConnection:
    """Pairs (file-1 id, file-2 id, log2 Bayes factor) as Splink's scored pairs would hold them."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TEMP TABLE pairs (file_l VARCHAR, node_id_l VARCHAR, file_r VARCHAR, "
        "node_id_r VARCHAR, match_weight DOUBLE)"
    )
    connection.executemany(
        "INSERT INTO pairs VALUES ('1', ?, '2', ?, ?)",
        [(a, b, bits + PRIOR_WEIGHT) for a, b, bits in rows],
    )
    return connection


def _probabilities(
    rows: list[tuple[str, str, float]], records: tuple[int, int] = (50, 50)
) -> tuple[dict[tuple[str, str], float], onetoone.Overlap]:
    connection = _scored(rows)
    overlap = onetoone.score(connection, "pairs", PRIOR, records, "scored")
    found = connection.execute(
        "SELECT node_id_l, node_id_r, one_to_one_probability FROM scored"
    ).fetchall()
    return {(a, b): p for a, b, p in found}, overlap


def test_a_weak_pair_without_rivals_links_when_every_record_has_a_partner() -> None:
    rows = [(f"a{i}", f"b{i}", STRONG) for i in range(49)] + [("a49", "b49", WEAK)]
    probability, overlap = _probabilities(rows)
    assert 49.5 < overlap.partners <= 50
    assert probability[("a49", "b49")] > 0.97
    splink_probability = 1 / (1 + 2 ** -(WEAK + PRIOR_WEIGHT))
    assert splink_probability < 0.5  # on its own, the pair would not have linked


def test_the_same_weak_pair_stays_unlinked_when_few_records_have_partners() -> None:
    rows = [(f"a{i}", f"b{i}", STRONG) for i in range(5)] + [("a49", "b49", WEAK)]
    probability, overlap = _probabilities(rows)
    assert 5 <= overlap.partners < 7
    assert probability[("a49", "b49")] < 0.5
    assert probability[("a0", "b0")] > 0.99


def test_a_rival_as_strong_halves_a_pair() -> None:
    rows = [(f"a{i}", f"b{i}", STRONG) for i in range(40)] + [("a0", "b40", STRONG)]
    probability, _ = _probabilities(rows)
    assert abs(probability[("a0", "b0")] - 0.5) < 0.01
    assert abs(probability[("a0", "b40")] - 0.5) < 0.01
    assert probability[("a1", "b1")] > 0.99


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.floats(-10, 40)),
        min_size=1,
        max_size=30,
        unique_by=lambda row: (row[0], row[1]),
    )
)
def test_no_record_has_two_partners_above_one_half(rows: list[tuple[int, int, float]]) -> None:
    probability, _ = _probabilities([(f"a{a}", f"b{b}", bits) for a, b, bits in rows], (7, 7))
    for side in (0, 1):
        totals: dict[str, float] = {}
        for pair, p in probability.items():
            assert 0 <= p <= 1
            totals[pair[side]] = totals.get(pair[side], 0) + p
        assert all(total <= 1 + 1e-9 for total in totals.values())
