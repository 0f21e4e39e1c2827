"""Flagging a person's linkage, and resolving a flag: each one step, audited in its transaction.

Audit events are about the person (``object_type`` "person"), so they appear with every other
event about them (in a subject access report, say), and name the person_key and the kind of
flag only: the practitioner's details and the coordinator's note stay on the flag.

A split is recorded through the linkage's clerical review decisions (``linkage.review``): each
link the model (or a reviewer) made between the flagged records and the rest is decided "not
the same person", and the records part at the next ``joinedup link``. Records held together by
a partner's own id or a shared NHS number cannot be parted by a decision: the flag says so.
A merge needs the other record's person key: one "same person" decision joins the two.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from joinedup.linkage import review
from joinedup.linkage.persons import SourceRecord
from joinedup.linkage.published import NotLinkedError
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.audit.chain import record_by
from joinedup.web.linkflags.models import FlagKind, FlagOutcome, LinkageFlag


class FlagError(ValueError):
    """A resolution that cannot be recorded (decided already, or nothing the linkage can do)."""


def flag(
    by: User, person_key: str, kind: str, records: list[SourceRecord], details: str
) -> LinkageFlag:
    """A practitioner's flag. The caller has checked the relationship (``people.opening``)."""
    with transaction.atomic():
        made = LinkageFlag.objects.create(
            person_key=person_key,
            kind=kind,
            records=[
                {"feed": r.feed, "agency": r.agency, "record_id": r.record_id} for r in records
            ],
            details=details.strip(),
            flagged_by=by,
        )
        record_by(
            by, "linkage.flagged", "person", person_key, {"person_key": person_key, "kind": kind}
        )
    return made


def open_flags() -> QuerySet[LinkageFlag]:
    """Flags waiting for the hub coordinator, oldest first."""
    return LinkageFlag.objects.filter(resolved_at__isnull=True).select_related(
        "flagged_by__organisation"
    )


def flags_about(person_key: str) -> QuerySet[LinkageFlag]:
    return LinkageFlag.objects.filter(person_key=person_key).select_related(
        "flagged_by__organisation", "resolved_by"
    )


def resolve(
    found: LinkageFlag,
    by: User,
    outcome: str,
    note: str,
    home: Path,
    other_person_key: str = "",
) -> LinkageFlag:
    """Record the coordinator's finding; for a change, the linkage decisions that make it."""
    if Permission.TRIAGE_REFERRALS not in permissions_of(by.roles):
        raise FlagError("Only the hub coordinator resolves flags on the linkage")
    if not found.is_open:
        raise FlagError(f"{found.reference} has been resolved already")
    decisions, held_by = 0, list[str]()
    if outcome == FlagOutcome.CHANGED:
        decisions, held_by = _decide(found, by, other_person_key, home)
    with transaction.atomic():
        current = LinkageFlag.objects.select_for_update().get(pk=found.pk)
        if not current.is_open:
            raise FlagError(f"{current.reference} has been resolved already")
        current.resolved_by, current.resolved_at = by, timezone.now()
        current.outcome, current.note = outcome, note.strip()
        current.other_person_key = other_person_key if outcome == FlagOutcome.CHANGED else ""
        current.decisions, current.held_by = decisions, held_by
        current.save()
        record_by(
            by,
            "linkage.flag_resolved",
            "person",
            current.person_key,
            {
                "person_key": current.person_key,
                "kind": current.kind,
                "flag": current.reference,
                "outcome": outcome,
                "decisions": decisions,
            },
        )
    return current


def _decide(found: LinkageFlag, by: User, other_key: str, home: Path) -> tuple[int, list[str]]:
    """The linkage decisions for a change: how many, and the evidence none could undo."""
    # Staff and flag only: the decisions store keeps no names or details (docs/linkage.md).
    note = f"practitioner flag {found.reference}"
    try:
        if found.kind == FlagKind.ANOTHER_RECORD:
            review.record_join(home, found.person_key, other_key, by.email, note)
            return 1, []
        records = [(str(r["feed"]), str(r["record_id"])) for r in found.records]
        split = review.record_split(home, found.person_key, records, by.email, note)
    except (review.ReviewError, NotLinkedError) as error:
        raise FlagError(f"The linkage cannot record this: {error}") from error
    if not split.pairs:
        raise FlagError(
            "No decision can part these records: they are held to the others by "
            f"{' and '.join(split.held_by) or 'nothing the linkage can change'}. Ask the "
            "agency to correct its record, and record what you found as checked"
        )
    return len(split.pairs), split.held_by
