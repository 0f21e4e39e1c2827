"""One-to-one linkage of two files that each list a person at most once.

Splink scores each pair on its own, against a prior that any two records match. When each file
holds a person at most once, a pair's probability should also depend on the other candidates of
both of its records: a weak pair with no rival is likely, a strong pair with a stronger rival is
not. The model here treats each record as having at most one partner, to be found among its
candidates, and estimates the number of partners (the overlap of the two files) by expectation
maximisation. It works on the scored pairs only, in SQL.

For a record ``a`` of file 1 with candidates ``b`` in file 2, where ``n2`` records are in file 2
and ``π`` is the share of file 1 that has a partner::

    P(a is b) = (π / n2) · BF(a, b) / ((1 − π) + (π / n2) · Σ BF(a, b'))

and the same from the side of ``b``; a pair's one-to-one probability is the smaller of the two,
so above one half each record has at most one linked partner.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

MAX_ITERATIONS = 50
CONVERGED = 0.01  # expected partners
MAX_SHARE = 1 - 1e-6  # a share of exactly one would make the "no partner" term vanish


@dataclass(frozen=True)
class Overlap:
    """The estimated number of people in both files, and the iterations it took."""

    partners: float
    iterations: int


def _share(partners: float, records: int) -> float:
    return min(max(partners / max(records, 1), 0.0), MAX_SHARE)


def score(
    connection: duckdb.DuckDBPyConnection,
    pairs: str,
    prior: float,
    records: tuple[int, int],
    into: str,
) -> Overlap:
    """Add ``one_to_one_probability`` to the scored ``pairs`` (columns file_l, node_id_l, file_r,
    node_id_r, match_weight; files named '1' and '2'), written to the temp table ``into``.

    ``prior`` is the model's probability that two random records match, which Splink's match
    weight already includes; it is taken out to leave the Bayes factor of the evidence."""
    n1, n2 = records
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _one_to_one AS
        SELECT CASE WHEN file_l = '1' THEN node_id_l ELSE node_id_r END AS a,
               CASE WHEN file_l = '1' THEN node_id_r ELSE node_id_l END AS b,
               pow(2.0, match_weight) * {(1 - prior) / prior!r} AS bayes_factor
        FROM {pairs}
        """
    )
    partners, iterations = _estimate_partners(connection, n1, n2)
    share_1, share_2 = _share(partners, n1), _share(partners, n2)
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {into} AS
        SELECT p.*, least(o.from_1, o.from_2) AS one_to_one_probability
        FROM {pairs} AS p
        JOIN ({_posterior_sql(share_1, share_2, n1, n2)}) AS o
          ON o.a = CASE WHEN p.file_l = '1' THEN p.node_id_l ELSE p.node_id_r END
         AND o.b = CASE WHEN p.file_l = '1' THEN p.node_id_r ELSE p.node_id_l END
        """
    )
    connection.execute("DROP TABLE _one_to_one")
    return Overlap(partners=partners, iterations=iterations)


def _estimate_partners(
    connection: duckdb.DuckDBPyConnection, n1: int, n2: int
) -> tuple[float, int]:
    """EM for the number of people in both files, from half the smaller file."""
    partners = min(n1, n2) / 2
    for iteration in range(1, MAX_ITERATIONS + 1):
        updated = _expected_partners(connection, partners, n1, n2)
        if abs(updated - partners) < CONVERGED:
            return updated, iteration
        partners = updated
    return partners, MAX_ITERATIONS


def _posterior_sql(share_1: float, share_2: float, n1: int, n2: int) -> str:
    """Each pair's probability seen from its file-1 record (from_1) and file-2 record (from_2)."""
    weight_1, weight_2 = share_1 / max(n2, 1), share_2 / max(n1, 1)
    return f"""
        SELECT a, b,
               {weight_1!r} * bayes_factor
                 / ({1 - share_1!r} + {weight_1!r} * sum(bayes_factor) OVER (PARTITION BY a))
                 AS from_1,
               {weight_2!r} * bayes_factor
                 / ({1 - share_2!r} + {weight_2!r} * sum(bayes_factor) OVER (PARTITION BY b))
                 AS from_2
        FROM _one_to_one
    """


def _expected_partners(
    connection: duckdb.DuckDBPyConnection, partners: float, n1: int, n2: int
) -> float:
    """One EM step: the expected number of partners given the current estimate."""
    posterior = _posterior_sql(_share(partners, n1), _share(partners, n2), n1, n2)
    from_1, from_2 = connection.execute(
        f"SELECT coalesce(sum(from_1), 0), coalesce(sum(from_2), 0) FROM ({posterior})"
    ).fetchall()[0]
    return (float(from_1) + float(from_2)) / 2
