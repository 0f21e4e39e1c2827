"""Linkage quality over time: what each run of linkage found, and what reviewers changed.

Every run records its report in the identity zone (``link_runs``) and its changes to person
keys with their reasons (``link_key_changes``); this reads both, aggregates only. A merge or a
split that a reviewer's decision caused says so in its reason (``linkage.keys``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from joinedup.linkage.published import connect_linked, identity_table_exists

RUNS_SQL = """
    SELECT r.run_id, r.finished_at, r.model_version, r.report,
           count(c.change) FILTER (WHERE c.change = 'merge') AS merges,
           count(c.change) FILTER (WHERE c.change = 'split') AS splits,
           count(c.change) FILTER (WHERE c.change = 'merge'
                                   AND c.reason LIKE '%reviewer decision%') AS decided_merges,
           count(c.change) FILTER (WHERE c.change = 'split'
                                   AND c.reason LIKE '%reviewer decided%') AS decided_splits
    FROM link_runs AS r LEFT JOIN {changes} AS c USING (run_id)
    GROUP BY ALL ORDER BY r.run_id
"""
NO_CHANGES = "(SELECT NULL::INTEGER AS run_id, NULL AS change, NULL AS reason WHERE false)"


@dataclass(frozen=True)
class RunQuality:
    run_id: int
    finished_at: dt.datetime
    model_version: str
    records: int
    persons: int
    model_links: int
    review_queue: int
    review_share: float
    decisions_applied: int
    merges: int
    splits: int
    decided_merges: int
    decided_splits: int

    @property
    def review_percent(self) -> str:
        return f"{self.review_share:.2%}"


def runs(home: Path) -> list[RunQuality]:
    """Every run of linkage on this hub, oldest first."""
    connection = connect_linked(home)
    try:
        changes = (
            "link_key_changes"
            if identity_table_exists(connection, "link_key_changes")
            else NO_CHANGES
        )
        rows = connection.execute(RUNS_SQL.format(changes=changes)).fetchall()
    finally:
        connection.close()
    return [_quality(row) for row in rows]


def _quality(row: tuple[object, ...]) -> RunQuality:
    run_id, finished_at, model_version, report_text, *changes = row
    report = json.loads(str(report_text))
    merges, splits, decided_merges, decided_splits = (int(str(c)) for c in changes)
    return RunQuality(
        run_id=int(str(run_id)),
        finished_at=finished_at,  # type: ignore[arg-type]
        model_version=str(model_version),
        records=int(report["records"]),
        persons=int(report["persons"]),
        model_links=int(report["model_links"]),
        review_queue=int(report["review_queue"]),
        review_share=float(report["review_share"]),
        decisions_applied=int(report["decisions_applied"]),
        merges=merges,
        splits=splits,
        decided_merges=decided_merges,
        decided_splits=decided_splits,
    )


def run_of(home: Path, run_id: int) -> tuple[RunQuality, RunQuality | None] | None:
    """One run and the run before it (to compare the person index), or None if unknown."""
    history = runs(home)
    for index, run in enumerate(history):
        if run.run_id == run_id:
            return run, history[index - 1] if index else None
    return None


def decided_changes(home: Path, run_id: int) -> list[tuple[str, str, str, str]]:
    """The person keys a run merged or split because a reviewer decided so:
    (change, person_key, other_key, reason)."""
    connection = connect_linked(home)
    try:
        if not identity_table_exists(connection, "link_key_changes"):
            return []
        rows = connection.execute(
            """
            SELECT change, person_key, coalesce(other_key, ''), reason FROM link_key_changes
            WHERE run_id = ? AND change IN ('merge', 'split')
              AND (reason LIKE '%reviewer decision%' OR reason LIKE '%reviewer decided%')
            ORDER BY change, person_key, other_key
            """,
            [run_id],
        ).fetchall()
    finally:
        connection.close()
    return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]
