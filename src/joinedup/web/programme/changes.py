"""Every change to the programme, each audited in the transaction that makes it."""

from __future__ import annotations

from django.db import transaction

from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.programme.models import (
    Risk,
    RiskScoreChange,
    SpendLine,
    Status,
    StatusChange,
    Workstream,
)


def set_workstream_status(workstream: Workstream, status: Status, note: str, by: User) -> bool:
    """Change a workstream's status, kept in its history; False when it was that already."""
    with transaction.atomic():
        locked = Workstream.objects.select_for_update().get(pk=workstream.pk)
        old = Status(locked.status)
        if old == status and not note:
            return False
        locked.status = status
        locked.save(update_fields=["status"])
        StatusChange.objects.create(
            workstream=locked, old_status=old, new_status=status, note=note, changed_by=by
        )
        record_by(
            by,
            "programme.workstream_status",
            "workstream",
            str(locked.pk),
            {"from": old.value, "to": status.value, "note": note},
        )
    workstream.status = status
    return True


RISK_FIELDS = (
    "title",
    "cause",
    "effect",
    "owner",
    "likelihood",
    "impact",
    "mitigations",
    "review_on",
)


def save_risk(risk: Risk, note: str, by: User) -> Risk:
    """Create or update a risk; a new score (or a new risk) is kept in its score history."""
    with transaction.atomic():
        creating = risk.pk is None
        before = None if creating else Risk.objects.select_for_update().get(pk=risk.pk)
        risk.full_clean()
        risk.save()
        rescored = before is None or (before.likelihood, before.impact) != (
            risk.likelihood,
            risk.impact,
        )
        if rescored:
            RiskScoreChange.objects.create(
                risk=risk,
                old_likelihood=None if before is None else before.likelihood,
                old_impact=None if before is None else before.impact,
                new_likelihood=risk.likelihood,
                new_impact=risk.impact,
                note=note,
                changed_by=by,
            )
        changed = [
            name
            for name in RISK_FIELDS
            if before is None or getattr(before, name) != getattr(risk, name)
        ]
        record_by(
            by,
            "programme.risk_created" if creating else "programme.risk_updated",
            "risk",
            str(risk.pk),
            {"fields": changed, "score": risk.score, "note": note},
        )
    return risk


def add_spend(line: SpendLine, by: User) -> SpendLine:
    """Record spend (actual) or expected spend (forecast) against a grant."""
    with transaction.atomic():
        line.full_clean()
        line.save()
        record_by(
            by,
            "programme.spend_added",
            "grant",
            str(line.grant_id),
            {
                "spend_line": line.pk,
                "amount": f"{line.amount:.2f}",
                "on": line.on.isoformat(),
                "kind": line.kind,
                "workstream": line.workstream_id,
            },
        )
    return line
