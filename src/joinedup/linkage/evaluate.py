"""Linkage measured against a known answer: the synthetic borough's ``truth/records.csv``.

Pairwise figures count pairs of source records: a pair is *predicted* when both records hold the
same person_key, *true* when both belong to the same resident. They are computed from counts per
(person_key, resident) cell, never by listing pairs, so a resident with 300 A&E attendances costs
nothing extra. Cluster figures say how many residents came out whole, split or merged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from joinedup.linkage.published import connect_linked


class EvaluationError(ValueError):
    """The truth folder is missing."""


@dataclass(frozen=True)
class PairCounts:
    true_positive: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
            "true_positive_pairs": self.true_positive,
            "predicted_pairs": self.predicted,
            "true_pairs": self.actual,
        }


def _pairs(n: str) -> str:
    return f"sum({n} * ({n} - 1) / 2)"


def pair_counts(connection: duckdb.DuckDBPyConnection, table: str) -> PairCounts:
    """Pairwise counts for ``table(predicted, actual)``: one row per record, each column a label."""
    row = connection.execute(
        f"""
        WITH cells AS (SELECT predicted, actual, count(*) AS n FROM {table} GROUP BY ALL),
             by_predicted AS (SELECT sum(n) AS n FROM cells GROUP BY predicted),
             by_actual AS (SELECT sum(n) AS n FROM cells GROUP BY actual)
        SELECT (SELECT {_pairs("n")} FROM cells), (SELECT {_pairs("n")} FROM by_predicted),
               (SELECT {_pairs("n")} FROM by_actual)
        """
    ).fetchall()[0]
    return PairCounts(*(int(v or 0) for v in row))


def cluster_figures(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    row = connection.execute(
        f"""
        WITH per_actual AS (SELECT actual, count(DISTINCT predicted) AS k FROM {table} GROUP BY actual),
             per_predicted AS (SELECT predicted, count(DISTINCT actual) AS k FROM {table} GROUP BY predicted),
             whole AS (
                 SELECT a.actual FROM per_actual AS a
                 JOIN (SELECT DISTINCT actual, predicted FROM {table}) AS t USING (actual)
                 JOIN per_predicted AS p USING (predicted)
                 WHERE a.k = 1 AND p.k = 1
             )
        SELECT (SELECT count(*) FROM per_actual), (SELECT count(*) FROM per_predicted),
               (SELECT count(*) FROM whole), (SELECT count(*) FROM per_actual WHERE k > 1),
               (SELECT count(*) FROM per_predicted WHERE k > 1)
        """
    ).fetchall()[0]
    residents, clusters, whole, split, merged = row
    return {
        "residents": residents,
        "clusters": clusters,
        "residents_whole": whole,
        "share_whole": round(whole / residents, 6) if residents else 1.0,
        "residents_split": split,
        "clusters_merging_residents": merged,
    }


def per_feed_pair(connection: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, Any]]:
    """Precision and recall of the pairs between each two feeds (LK-04), from per-cell counts."""
    rows = connection.execute(
        f"""
        WITH cells AS (SELECT feed, predicted, actual, count(*) AS n FROM {table} GROUP BY ALL),
        feeds AS (SELECT DISTINCT feed FROM cells),
        pairs AS (SELECT a.feed AS feed_a, b.feed AS feed_b FROM feeds AS a, feeds AS b WHERE a.feed <= b.feed),
        counted AS (
            SELECT p.feed_a, p.feed_b,
                   (SELECT sum(CASE WHEN p.feed_a = p.feed_b THEN x.n * (x.n - 1) / 2 ELSE x.n * y.n END)
                    FROM cells AS x JOIN cells AS y
                      ON x.predicted = y.predicted AND x.actual = y.actual
                     AND x.feed = p.feed_a AND y.feed = p.feed_b) AS tp,
                   (SELECT sum(CASE WHEN p.feed_a = p.feed_b THEN x.n * (x.n - 1) / 2 ELSE x.n * y.n END)
                    FROM (SELECT feed, predicted, sum(n) AS n FROM cells GROUP BY ALL) AS x
                    JOIN (SELECT feed, predicted, sum(n) AS n FROM cells GROUP BY ALL) AS y
                      ON x.predicted = y.predicted AND x.feed = p.feed_a AND y.feed = p.feed_b) AS predicted,
                   (SELECT sum(CASE WHEN p.feed_a = p.feed_b THEN x.n * (x.n - 1) / 2 ELSE x.n * y.n END)
                    FROM (SELECT feed, actual, sum(n) AS n FROM cells GROUP BY ALL) AS x
                    JOIN (SELECT feed, actual, sum(n) AS n FROM cells GROUP BY ALL) AS y
                      ON x.actual = y.actual AND x.feed = p.feed_a AND y.feed = p.feed_b) AS actual
            FROM pairs AS p
        )
        SELECT feed_a, feed_b, coalesce(tp, 0), coalesce(predicted, 0), coalesce(actual, 0)
        FROM counted WHERE coalesce(actual, 0) > 0 OR coalesce(predicted, 0) > 0
        ORDER BY feed_a, feed_b
        """
    ).fetchall()
    return [
        {"feeds": f"{a} + {b}", **PairCounts(int(tp), int(pr), int(ac)).as_dict()}
        for a, b, tp, pr, ac in rows
    ]


def evaluate(home: Path, truth_dir: Path, feed_pairs: bool = True) -> dict[str, Any]:
    """Pairwise, cluster and per-feed-pair figures of the published linkage against the truth."""
    records = truth_dir / "records.csv"
    if not records.is_file():
        raise EvaluationError(
            f"no records.csv in {truth_dir}: give the synthetic borough's truth folder"
        )
    connection = connect_linked(home)
    try:
        escaped = str(records).replace("'", "''")
        connection.execute(
            f"CREATE TEMP TABLE _truth AS SELECT * FROM read_csv('{escaped}', all_varchar = true, header = true)"
        )
        connection.execute(
            """
            CREATE TEMP TABLE _evaluated AS
            SELECT i.feed, p.person_key AS predicted, t.person_id AS actual
            FROM _truth AS t
            JOIN identity_records AS i ON i.feed = t.extract AND i.record_id = t.record_key
            JOIN link_record_persons AS p ON p.feed = i.feed AND p.record_key = i.record_key
            """
        )
        truth_rows = connection.execute("SELECT count(*) FROM _truth").fetchall()[0][0]
        measured = connection.execute("SELECT count(*) FROM _evaluated").fetchall()[0][0]
        result: dict[str, Any] = {
            "records_in_truth": truth_rows,
            "records_measured": measured,
            "pairwise": pair_counts(connection, "_evaluated").as_dict(),
            "clusters": cluster_figures(connection, "_evaluated"),
        }
        if feed_pairs:
            result["feed_pairs"] = per_feed_pair(connection, "_evaluated")
        return result
    finally:
        connection.close()
