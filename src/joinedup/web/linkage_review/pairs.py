"""The clerical review queue as the hub coordinator works it: one pair at a time, decided here.

A pair is named by its number in the queue of one linkage run. Each run rebuilds the queue and
numbers it afresh, so a decision names the run it was shown from, and a decision sent after a
newer run has been published is refused rather than applied to whatever pair now has that
number. Decisions go into the linkage's own store (``linkage.review.record_decision``), audited
in the same step; the linkage applies them at its next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from joinedup.linkage import review
from joinedup.linkage.published import connect_linked
from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by

FIELD_LABELS = {
    "given": "Given name",
    "family": "Family name",
    "birth_date": "Date of birth",
    "sex": "Sex",
    "postcode": "Postcode",
    "address": "Address",
    "nhs_number": "NHS number",
}
DECISION_LABELS = {
    "same_person": "Same person",
    "not_same_person": "Not the same person",
}


class StaleQueueError(ValueError):
    """The pair was shown from a run that is no longer the published one."""


@dataclass(frozen=True)
class ComparedField:
    label: str
    left: str
    right: str
    agrees: bool
    missing: bool  # recorded on one side (or neither) only: no evidence either way


@dataclass(frozen=True)
class PendingDecision:
    decision: str
    reviewer: str
    note: str
    decided_at: dt.datetime
    left_name: str
    right_name: str

    @property
    def label(self) -> str:
        return DECISION_LABELS[self.decision]


def published_run(home: Path) -> tuple[int, dt.datetime, str]:
    """The run whose queue is published: its number, when it finished and its model version."""
    connection = connect_linked(home)
    try:
        row = connection.execute(
            "SELECT run_id, finished_at, model_version FROM link_runs ORDER BY run_id DESC LIMIT 1"
        ).fetchall()[0]
    finally:
        connection.close()
    return int(row[0]), row[1], str(row[2])


def next_pair(home: Path, skipped: Collection[int]) -> tuple[review.ReviewPair | None, int]:
    """The most likely match not yet decided nor skipped, and how many pairs are open in all."""
    waiting = review.queue(home)
    chosen = next((p for p in waiting if p.pair_id not in skipped), None)
    return chosen, len(waiting)


def compared_fields(pair: review.ReviewPair) -> list[ComparedField]:
    """Both records field by field, each marked as agreeing, differing or missing on a side."""
    rows = []
    for field, label in FIELD_LABELS.items():
        left, right = _shown(pair.left.get(field)), _shown(pair.right.get(field))
        missing = not left or not right
        rows.append(ComparedField(label, left, right, not missing and left == right, missing))
    return rows


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def decide(
    user: User, home: Path, run_id: int, pair_id: int, decision: str, note: str
) -> tuple[str, str]:
    """Record and audit a decision on a pair shown from run ``run_id``; applied at the next run.

    The audit event names the two identity nodes (opaque keys), the decision and the run; the
    note stays in the decisions store. Raises ``StaleQueueError`` or ``review.ReviewError``.
    """
    current, _, _ = published_run(home)
    if current != run_id:
        raise StaleQueueError(
            f"Linkage has run again (run {current}) since this pair was shown: the queue has "
            "been rebuilt. Decide the pair now shown."
        )
    if decision not in review.DECISIONS:
        raise review.ReviewError(f"{decision!r} is not a decision")
    left, right = _nodes_of(home, pair_id)
    # The audit event first: if the decision cannot be kept, the event is rolled back with it.
    with transaction.atomic():
        record_by(
            user,
            "linkage.pair_decided",
            "linkage_pair",
            "|".join(sorted((left, right))),
            {"decision": decision, "run_id": run_id, "pair_id": pair_id},
        )
        review.record_decision(home, left, right, decision, user.email, note.strip() or None)
    return left, right


def _nodes_of(home: Path, pair_id: int) -> tuple[str, str]:
    connection = connect_linked(home)
    try:
        rows = connection.execute(
            "SELECT node_id_l, node_id_r FROM link_review_queue WHERE pair_id = ?", [pair_id]
        ).fetchall()
    finally:
        connection.close()
    if not rows:
        raise review.ReviewError(f"There is no pair {pair_id} in the review queue.")
    return str(rows[0][0]), str(rows[0][1])


def pending_decisions(home: Path, since: dt.datetime) -> list[PendingDecision]:
    """Decisions made after the published run finished: they take effect at the next run."""
    connection = connect_linked(home)
    try:
        review.load_decisions(connection, home)
        rows = connection.execute(
            """
            SELECT d.decision, d.reviewer, coalesce(d.note, ''), d.decided_at,
                   concat_ws(' ', l.given, l.family), concat_ws(' ', r.given, r.family)
            FROM link_decisions AS d
            LEFT JOIN link_nodes AS l ON l.node_id = d.node_id_l
            LEFT JOIN link_nodes AS r ON r.node_id = d.node_id_r
            WHERE d.decided_at > ?
            ORDER BY d.decided_at DESC
            """,
            [since],
        ).fetchall()
    finally:
        connection.close()
    return [PendingDecision(*row) for row in rows]
