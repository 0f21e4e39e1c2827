"""The referral's state machine: submitted, then accepted, merged, signposted or declined.

Every step is one function here; each checks the referral's state under a row lock, changes it
and records the step in the audit chain in one transaction. A step the state does not allow
(deciding a referral twice, merging into a decided one) is refused (AC-17). Audit details name
the referral and its person_key, never the person's name or address.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, Role, permissions_of
from joinedup.web.audit.chain import record_by
from joinedup.web.cases.casework import open_case
from joinedup.web.cases.models import Case, CaseStatus
from joinedup.web.references import save_with_reference
from joinedup.web.referrals.models import Referral, Status

REFERENCE_PREFIX = "REF"
# The only moves there are: a submitted referral is decided once.
NEXT: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset(
        {Status.ACCEPTED, Status.MERGED, Status.SIGNPOSTED, Status.DECLINED}
    ),
}


class WorkflowError(ValueError):
    """A step the referral's state does not allow, or without what the step needs."""


def submit(referral: Referral) -> Referral:
    """Save a new referral (its referrer, organisation and match already set) as submitted."""
    if referral.pk is not None:
        raise WorkflowError(f"{referral.reference} has been submitted already")
    with transaction.atomic():
        referral.status = Status.SUBMITTED
        save_with_reference(referral, lambda pk: f"{REFERENCE_PREFIX}-{pk:06d}")
        _audit(
            referral,
            "submitted",
            referral.referred_by,
            urgency=referral.urgency,
            organisation=referral.organisation.name,
            match=referral.match,
            source=referral.source,
        )
    return referral


def merge(referral: Referral, into: Referral, *, by: User) -> Referral:
    """Count ``referral`` as part of ``into``, another waiting referral for the same person."""
    with transaction.atomic():
        current, target = _locked(referral, by, Status.MERGED), _locked_waiting(into)
        if target.pk == current.pk:
            raise WorkflowError("A referral cannot be joined with itself")
        if not current.person_key or current.person_key != target.person_key:
            raise WorkflowError("Only referrals matched to the same person can be joined")
        # Referrals already joined with this one follow it, so one referral holds them all.
        followers = list(current.merged.values_list("reference", flat=True))
        current.merged.update(merged_into=target)
        _decide(current, by, Status.MERGED, merged_into=target)
        _audit(current, "merged", by, merged_into=target.reference, followers=followers)
    return target


def accept_into_new_case(referral: Referral, *, by: User, lead_professional: User) -> Case:
    """Open a case for the referred person with ``lead_professional`` leading it."""
    roles = lead_professional.roles
    if not lead_professional.is_active or Role.PRACTITIONER not in roles:
        raise WorkflowError("The lead professional must be a practitioner who can sign in")
    with transaction.atomic():
        current = _locked(referral, by, Status.ACCEPTED)
        _need_person(current)
        case = open_case(
            current.person_key,
            organisation=lead_professional.organisation,
            opened_by=by,
            lead_professional=lead_professional,
        )
        _accept(current, by, case, "new")
    return case


def accept_into_open_case(referral: Referral, case: Case, *, by: User) -> Case:
    """Add the referral to the person's open case: its lead professional sees what it says."""
    with transaction.atomic():
        current = _locked(referral, by, Status.ACCEPTED)
        _need_person(current)
        found = Case.objects.select_for_update().get(pk=case.pk)
        if found.status != CaseStatus.OPEN or found.person_key != current.person_key:
            raise WorkflowError(f"{found.reference} is not an open case for this person")
        _accept(current, by, found, "existing")
    return found


def signpost(referral: Referral, *, by: User, to: str) -> None:
    """Send the referral elsewhere (``to`` names where): the team does not take it on."""
    _close(referral, by, Status.SIGNPOSTED, to, "Say where the referral is signposted to")


def decline(referral: Referral, *, by: User, reason: str) -> None:
    _close(referral, by, Status.DECLINED, reason, "Give the reason for declining")


def _close(referral: Referral, by: User, to: Status, outcome: str, missing: str) -> None:
    if not outcome.strip():
        raise WorkflowError(missing)
    with transaction.atomic():
        current = _locked(referral, by, to)
        _decide(current, by, to, outcome=outcome.strip())
        # The words stay on the referral: free text may name people, and the audit must not.
        _audit(current, to.value, by)


def _accept(referral: Referral, by: User, case: Case, into: str) -> None:
    _decide(referral, by, Status.ACCEPTED, case=case)
    _audit(referral, "accepted", by, case=case.reference, into=into)


def _locked(referral: Referral, by: User, to: Status) -> Referral:
    """The referral, locked for this transaction, once ``by`` may move it to ``to``."""
    if Permission.TRIAGE_REFERRALS not in permissions_of(by.roles):
        raise WorkflowError("Only the hub coordinator triages referrals")
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if to not in NEXT.get(current.status, frozenset()):
        raise WorkflowError(
            f"{current.reference} is {current.get_status_display().lower()}: "
            f"it cannot be {to.label.lower()} now"
        )
    return current


def _locked_waiting(referral: Referral) -> Referral:
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if current.status != Status.SUBMITTED:
        raise WorkflowError(f"{current.reference} has been decided: it cannot take another")
    return current


def _need_person(referral: Referral) -> None:
    if not referral.person_key:
        raise WorkflowError(
            f"{referral.reference} is not matched to one person in the person index, "
            "so no case can be opened for it: signpost or decline it"
        )


def _decide(referral: Referral, by: User, to: Status, **changes: Any) -> None:
    referral.status, referral.decided_by, referral.decided_at = to, by, timezone.now()
    for name, value in changes.items():
        setattr(referral, name, value)
    referral.save(update_fields=["status", "decided_by", "decided_at", *changes])


def _audit(referral: Referral, step: str, by: User, **detail: Any) -> None:
    audit(f"referral.{step}", referral.reference, by, person_key=referral.person_key, **detail)


def audit(verb: str, reference: str, by: User, **detail: Any) -> None:
    """One audit event about a referral, in the caller's transaction if there is one."""
    with transaction.atomic():
        record_by(
            by,
            verb,
            "referral",
            reference,
            {"referral": reference, **detail},
        )
