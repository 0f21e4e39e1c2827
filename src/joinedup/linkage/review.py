"""Clerical review: the pairs the model is unsure of, and the decisions reviewers make on them.

Decisions are kept in a small store of their own (``HOME/linkage/decisions.duckdb``), keyed by the
two identity nodes, so a decision outlives every later load and run: a pair decided "same person"
is linked whatever the model says, and a pair decided "not the same person" is never linked by the
model again. The queue itself is rebuilt by each run and published with the identity zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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


# Practitioners' flags (the web app's "Flag a problem with this record") become decisions here.

# Evidence that no reviewer's decision undoes: a partner's own id, a shared valid NHS number.
UNDECIDABLE = frozenset({"same partner record", "same valid NHS number"})


@dataclass(frozen=True)
class Split:
    """How to part a person's flagged records from the rest: the model's links to decide
    "not the same person", and the evidence that holds flagged records to the rest regardless."""

    pairs: list[tuple[str, str]]
    held_by: list[str]  # evidence joining flagged and other records that no decision undoes


def plan_split(home: Path, person_key: str, records: list[tuple[str, str]]) -> Split:
    """Which links to cut so that the records ``[(feed, record_id), ...]`` leave ``person_key``.

    Records without identifiers (an appointment, say) follow the record of their partner's own
    id; identities joined by a partner's id or a valid NHS number stay together (``held_by``).
    Every other link between the flagged identities and the rest is the model's, or a reviewer's
    "same person", and is decided "not the same person".
    """
    connection = connect_linked(home)
    try:
        rows = connection.execute(
            """
            SELECT r.feed, i.record_id, r.node_id
            FROM link_record_persons AS r JOIN identity_records AS i USING (feed, record_key)
            WHERE r.person_key = ? AND r.node_id IS NOT NULL
            """,
            [person_key],
        ).fetchall()
        edges = connection.execute(
            """
            SELECT e.node_id_l, e.node_id_r, e.evidence FROM link_edges AS e
            JOIN link_person_nodes AS l ON l.node_id = e.node_id_l
            WHERE l.person_key = ? ORDER BY 1, 2
            """,
            [person_key],
        ).fetchall()
    finally:
        connection.close()
    node_of = {(feed, record_id): node for feed, record_id, node in rows}
    unknown = [
        f"{feed} {record_id}" for feed, record_id in records if (feed, record_id) not in node_of
    ]
    if unknown:
        raise ReviewError(f"not records of {person_key}: {', '.join(unknown)}")
    flagged = {node_of[r] for r in records}
    # Identities (not partners' own ids) of the records left behind.
    others = {n for n in node_of.values() if n.startswith("i")} - flagged
    group = _groups([(left, right) for left, right, evidence in edges if evidence in UNDECIDABLE])
    flagged_groups = {group(n) for n in flagged}
    other_groups = {group(n) for n in others}
    held = flagged_groups & other_groups
    held_by = sorted({e for left, _, e in edges if e in UNDECIDABLE and group(left) in held})
    pairs = [
        (left, right)
        for left, right, evidence in edges
        if evidence not in UNDECIDABLE
        and len({group(left), group(right)} & (flagged_groups - held)) == 1
    ]
    return Split(pairs, held_by)


def _groups(links: list[tuple[str, str]]) -> Callable[[str], str]:
    """A function giving each node its group's representative under ``links`` (union-find)."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.get(node, node) != node:
            parent[node] = parent.get(parent[node], parent[node])
            node = parent[node]
        return node

    for left, right in links:
        parent[find(left)] = find(right)
    return find


def record_split(
    home: Path, person_key: str, records: list[tuple[str, str]], reviewer: str, note: str
) -> Split:
    """Decide "not the same person" on every link ``plan_split`` finds; applied at the next run."""
    split = plan_split(home, person_key, records)
    for left, right in split.pairs:
        record_decision(home, left, right, "not_same_person", reviewer, note)
    return split


def record_join(home: Path, person_key: str, other_key: str, reviewer: str, note: str) -> None:
    """Decide that two person_keys are one person: "same person" on an identity of each."""
    if person_key == other_key:
        raise ReviewError("give the other person's key, not this one's")
    connection = connect_linked(home)
    try:
        rows = connection.execute(
            """
            SELECT person_key, coalesce(min(node_id) FILTER (node_id LIKE 'i%'), min(node_id))
            FROM link_person_nodes
            WHERE person_key IN (?, ?) GROUP BY 1
            """,
            [person_key, other_key],
        ).fetchall()
    finally:
        connection.close()
    nodes = dict(rows)
    missing = [k for k in (person_key, other_key) if k not in nodes]
    if missing:
        raise ReviewError(f"no person {', '.join(missing)} in the published linkage")
    record_decision(home, nodes[person_key], nodes[other_key], "same_person", reviewer, note)
