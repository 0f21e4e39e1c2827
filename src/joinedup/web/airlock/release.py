"""The airlock's three steps, shared by the web pages and the API: request, decide, download.

Which roles may take each step is the policy table's business (request_outputs,
release_outputs), enforced before any of this runs. What this module adds are the rules about
one output: only the requester sees and downloads their own; a decision is made once, on a
pending output, by someone other than the requester; only an approved output is downloaded.
Every step is audited in the same transaction as the change it makes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from joinedup.exports import write_csv, write_xlsx
from joinedup.web.accounts.models import User
from joinedup.web.airlock.models import Kind, OutputRequest, Status
from joinedup.web.audit.chain import record_by

Format = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


SELF_DECISION = "You cannot decide on an output you asked for"
ALREADY_DECIDED = "This output has been decided already"
NO_REASON = "Give a reason for the decision"
NOT_RELEASED = "Only an approved output can be downloaded, by the person who asked for it"


class AirlockRefusalError(Exception):
    """A step the airlock does not allow; ``audit_verb`` names the refusal in the audit log."""

    def __init__(self, message: str, audit_verb: str) -> None:
        super().__init__(message)
        self.audit_verb = audit_verb


def own_requests(user: User) -> QuerySet[OutputRequest]:
    return OutputRequest.objects.filter(requested_by=user)


def review_queue(user: User) -> QuerySet[OutputRequest]:
    """Everyone else's outputs: nobody is shown their own to review."""
    return OutputRequest.objects.exclude(requested_by=user).select_related("requested_by")


def request_release(
    user: User, *, title: str, purpose: str, kind: Kind, content: dict[str, Any]
) -> OutputRequest:
    with transaction.atomic():
        output = OutputRequest.objects.create(
            title=title, purpose=purpose, kind=kind, content=content, requested_by=user
        )
        _audit("output.requested", user, output.pk, {"kind": kind.value, "title": title})
    return output


def decide(output_id: int, reviewer: User, *, approve: bool, reason: str) -> OutputRequest:
    """Approve or reject someone else's pending output, with a reason."""
    try:
        return _decide(output_id, reviewer, approve, reason.strip())
    except AirlockRefusalError as refusal:
        _audit_refusal(refusal, reviewer, output_id)
        raise


def _decide(output_id: int, reviewer: User, approve: bool, reason: str) -> OutputRequest:
    with transaction.atomic():
        # Locked, so that two reviewers cannot both decide the same output.
        output = OutputRequest.objects.select_for_update().get(pk=output_id)
        if output.requested_by_id == reviewer.pk:
            # Separation of duties holds whatever roles the requester has (hub coordinators
            # hold both request_outputs and release_outputs).
            raise AirlockRefusalError(SELF_DECISION, "output.self_approval_refused")
        if output.status != Status.PENDING:
            raise AirlockRefusalError(ALREADY_DECIDED, "output.decision_refused")
        if not reason:
            raise AirlockRefusalError(NO_REASON, "output.decision_refused")
        output.status = Status.APPROVED if approve else Status.REJECTED
        output.decided_by, output.decided_at = reviewer, timezone.now()
        output.decision_reason = reason
        output.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        verb = "output.approved" if approve else "output.rejected"
        _audit(verb, reviewer, output.pk, {"reason": reason})
    return output


def download(output: OutputRequest, user: User, file_format: Format) -> bytes:
    """The approved output as a file, for its requester only; the download is audited."""
    if output.requested_by_id != user.pk or output.status != Status.APPROVED:
        refusal = AirlockRefusalError(NOT_RELEASED, "output.download_refused")
        _audit_refusal(refusal, user, output.pk)
        raise refusal
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"output.{file_format}"
        writer = write_xlsx if file_format == "xlsx" else write_csv
        writer(path, output.header, output.rows)
        data = path.read_bytes()
    with transaction.atomic():
        _audit("output.downloaded", user, output.pk, {"format": file_format, "bytes": len(data)})
    return data


def _audit_refusal(refusal: AirlockRefusalError, user: User, output_id: int) -> None:
    # Its own transaction: the refused step was rolled back, its refusal must not be.
    with transaction.atomic():
        _audit(refusal.audit_verb, user, output_id, {"why": str(refusal)})


def _audit(verb: str, user: User, output_id: int, detail: dict[str, Any]) -> None:
    record_by(
        user,
        verb,
        "output",
        str(output_id),
        detail,
    )
