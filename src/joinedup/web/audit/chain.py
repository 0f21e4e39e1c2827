"""Writing and verifying the hash chain of audit events.

Each event's hash is SHA-256 over the canonical JSON of its own fields and the previous
event's hash, so editing, deleting, inserting or reordering any row breaks the chain at that
row. ``record`` must run inside the transaction of the change it records: the change and its
audit event are committed together or not at all (AUD-06).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from joinedup.web.audit.models import GENESIS_HASH, AuditEvent, ChainHead


class AuditOutsideTransactionError(RuntimeError):
    """``record`` called outside a transaction: the event could outlive a rolled-back change."""


def seal(fields: dict[str, Any]) -> str:
    """The SHA-256 of the canonical JSON of ``fields`` (sorted keys, no spaces, UTF-8).

    >>> seal({"b": 1, "a": "x"}) == seal({"a": "x", "b": 1})
    True
    """
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sealed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
        "previous_hash": event.previous_hash,
    }


def record(
    verb: str,
    *,
    actor_id: int | None = None,
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call it inside ``transaction.atomic()`` with the change.

    Example: ``record("agreement.created", actor_id=user.pk, actor=user.email,
    object_type="agreement", object_id="DSA-GP-001")``
    """
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransactionError(f"audit event {verb!r} recorded outside a transaction")
    # Locking the head row makes concurrent writers take turns: the chain never forks (AUD-05).
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    event = AuditEvent(
        sequence=head.sequence + 1,
        at=timezone.now(),
        actor_id=actor_id,
        actor=actor,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
        previous_hash=head.hash,
    )
    event.hash = seal(sealed_fields(event))
    event.save()
    head.sequence, head.hash = event.sequence, event.hash
    head.save(update_fields=["sequence", "hash"])
    return event


class Actor(Protocol):
    pk: Any
    email: str


def record_by(
    user: Actor, verb: str, object_type: str, object_id: str, detail: dict[str, Any] | None = None
) -> AuditEvent:
    """``record`` for something a signed-in user did, the actor as their id and email."""
    return record(
        verb,
        actor_id=user.pk,
        actor=user.email,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


@dataclass(frozen=True)
class Verdict:
    """The outcome of walking the chain: ``broken_at`` is the first sequence number that fails."""

    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify() -> Verdict:
    """Walk the whole chain in sequence order and report the first broken link."""
    expected_previous, expected_sequence, checked = GENESIS_HASH, 1, 0
    for event in _in_order():
        problem = _problem(event, expected_sequence, expected_previous)
        if problem:
            return Verdict(checked, event.sequence, problem)
        expected_previous, expected_sequence, checked = event.hash, event.sequence + 1, checked + 1
    head = ChainHead.objects.filter(pk=1).first() or ChainHead(sequence=0, hash=GENESIS_HASH)
    if head.sequence != checked or head.hash != expected_previous:
        return Verdict(
            checked,
            checked + 1,
            f"the chain ends at event {checked} but its head records event {head.sequence}: "
            "events at the end were deleted",
        )
    return Verdict(checked)


def _in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("sequence", "id").iterator(chunk_size=2000)


def _problem(event: AuditEvent, expected_sequence: int, expected_previous: str) -> str:
    if event.sequence != expected_sequence:
        return f"expected event {expected_sequence} next, found {event.sequence}: events were deleted, inserted or reordered"
    if event.previous_hash != expected_previous:
        return "its previous hash does not match the event before it: events were deleted, inserted or reordered"
    if seal(sealed_fields(event)) != event.hash:
        return "its contents do not match its hash: the event was edited"
    return ""
