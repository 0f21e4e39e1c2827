"""Clerical review: the pairs the model is unsure of, and the decisions reviewers make on them.

Decisions are kept in a small store of their own (``HOME/linkage/decisions.duckdb``), keyed by the
two identity nodes, so a decision outlives every later load and run: a pair decided "same person"
is linked whatever the model says, and a pair decided "not the same person" is never linked by the
model again. The queue itself is rebuilt by each run and published with the identity zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from joinedup.linkage.paths import decisions_path
from joinedup.linkage.published import connect_linked

DECISIONS = ("same_person", "not_same_person")
EVIDENCE_FIELDS = ("given", "family", "birth_date", "sex", "postcode", "address", "nhs_number")


class ReviewError(ValueError):
    """A decision that cannot be recorded (an unknown pair, an unknown decision)."""


DECISIONS_TABLE = """
    CREATE TABLE IF NOT EXISTS link_decisions (
        node_id_l VARCHAR NOT NULL,
        node_id_r VARCHAR NOT NULL,
        decision VARCHAR NOT NULL CHECK (decision IN ('same_person', 'not_same_person')),
        reviewer VARCHAR NOT NULL,
        note VARCHAR,
        decided_at TIMESTAMP NOT NULL,
        PRIMARY KEY (node_id_l, node_id_r)
    )
"""


def load_decisions(connection: duckdb.DuckDBPyConnection, home: Path) -> int:
    """The temp table ``link_decisions`` holding every decision made so far."""
    path = decisions_path(home)
    connection.execute(DECISIONS_TABLE.replace("TABLE IF NOT EXISTS", "OR REPLACE TEMP TABLE"))
    if path.exists():
        escaped = str(path).replace("'", "''")
        connection.execute(f"ATTACH '{escaped}' AS decisions (READ_ONLY)")
        connection.execute("INSERT INTO link_decisions SELECT * FROM decisions.link_decisions")
        connection.execute("DETACH decisions")
    count: int = connection.execute("SELECT count(*) FROM link_decisions").fetchall()[0][0]
    return count


@dataclass(frozen=True)
class ReviewPair:
    pair_id: int
    match_probability: float
    match_weight: float
    left: dict[str, Any]
    right: dict[str, Any]
    levels: dict[str, str]


def queue(home: Path, limit: int | None = None) -> list[ReviewPair]:
    """Open pairs (no decision yet), most likely matches first, with their evidence side by side."""
    connection = connect_linked(home)
    load_decisions(connection, home)
    rows = connection.execute(
        f"""
        SELECT q.pair_id, q.match_probability, q.match_weight, q.node_id_l, q.node_id_r, q.levels,
               {_fields("l")}, {_fields("r")}
        FROM link_review_queue AS q
        JOIN link_nodes AS l ON l.node_id = q.node_id_l
        JOIN link_nodes AS r ON r.node_id = q.node_id_r
        ANTI JOIN link_decisions AS d
          ON d.node_id_l = least(q.node_id_l, q.node_id_r)
         AND d.node_id_r = greatest(q.node_id_l, q.node_id_r)
        ORDER BY q.match_probability DESC, q.pair_id
        """
    ).fetchall()
    connection.close()
    pairs = []
    width = len(EVIDENCE_FIELDS)
    for row in rows:
        left = dict(zip(EVIDENCE_FIELDS, row[6 : 6 + width], strict=True))
        right = dict(zip(EVIDENCE_FIELDS, row[6 + width :], strict=True))
        pairs.append(ReviewPair(row[0], row[1], row[2], left, right, dict(row[5])))
    return pairs[:limit] if limit is not None else pairs


def _fields(alias: str) -> str:
    return ", ".join(f"{alias}.{f}" for f in EVIDENCE_FIELDS)


def decide(
    home: Path, pair_id: int, decision: str, reviewer: str, note: str | None = None
) -> tuple[str, str]:
    """Record a reviewer's decision on a queued pair; it overrides the model from the next run."""
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if not reviewer.strip():
        raise ReviewError("a decision needs the reviewer's name")
    connection = connect_linked(home)
    rows = connection.execute(
        "SELECT node_id_l, node_id_r FROM link_review_queue WHERE pair_id = ?", [pair_id]
    ).fetchall()
    connection.close()
    if not rows:
        raise ReviewError(f"no pair {pair_id} in the review queue")
    left, right = rows[0]
    record_decision(home, left, right, decision, reviewer, note)
    return left, right


def record_decision(
    home: Path, left: str, right: str, decision: str, reviewer: str, note: str | None
) -> None:
    """Keep a decision on two nodes (in either order); a later decision replaces an earlier one."""
    path = decisions_path(home)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    low, high = sorted((left, right))
    with duckdb.connect(str(path)) as connection:
        connection.execute(DECISIONS_TABLE)
        connection.execute(
            "INSERT OR REPLACE INTO link_decisions VALUES (?, ?, ?, ?, ?, ?)",
            [low, high, decision, reviewer.strip(), note, dt.datetime.now(dt.UTC)],
        )
    path.chmod(0o600)
