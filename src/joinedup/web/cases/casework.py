"""Opening and closing cases and putting workers on them: each change audited with it.

Which cases a user may reach is ``cases_of``: the one query every case page and API route
filters through, so that another organisation's case is "not found" rather than "forbidden".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from joinedup.web.accounts.models import Organisation, User
from joinedup.web.audit.chain import record
from joinedup.web.cases.models import Case, CaseRole, CaseStatus, CaseWorker

REFERENCE_PREFIX = "IAT"


class CaseworkError(ValueError):
    """A change the case's state does not allow (closing a closed case, say)."""


def cases_of(user: User) -> QuerySet[Case]:
    """The cases ``user`` currently works on, open or closed."""
    return Case.objects.filter(workers__user=user, workers__removed_at__isnull=True).distinct()


def current_workers(case: Case) -> QuerySet[CaseWorker]:
    return case.workers.filter(removed_at__isnull=True).select_related("user__organisation")


def open_case(
    person_key: str,
    *,
    organisation: Organisation,
    opened_by: User,
    lead_professional: User,
    workers: Iterable[User] = (),
) -> Case:
    """A new open case for ``person_key``, with its lead professional and workers."""
    with transaction.atomic():
        case = Case.objects.create(
            reference=f"pending-{uuid.uuid4().hex[:20]}",
            person_key=person_key,
            organisation=organisation,
            opened_by=opened_by,
        )
        case.reference = f"{REFERENCE_PREFIX}-{case.pk:06d}"
        case.save(update_fields=["reference"])
        record(
            "case.opened",
            actor_id=opened_by.pk,
            actor=opened_by.email,
            object_type="case",
            object_id=case.reference,
            detail={"person_key": person_key, "organisation": organisation.name},
        )
        add_worker(case, lead_professional, added_by=opened_by, role=CaseRole.LEAD_PROFESSIONAL)
        for worker in workers:
            if worker != lead_professional:
                add_worker(case, worker, added_by=opened_by)
    return case


def add_worker(
    case: Case, worker: User, *, added_by: User, role: CaseRole = CaseRole.WORKER
) -> CaseWorker:
    with transaction.atomic():
        if current_workers(case).filter(user=worker).exists():
            raise CaseworkError(f"{worker.email} already works on {case.reference}")
        place = CaseWorker.objects.create(case=case, user=worker, role=role, added_by=added_by)
        record(
            "case.worker_added",
            actor_id=added_by.pk,
            actor=added_by.email,
            object_type="case",
            object_id=case.reference,
            detail={"person_key": case.person_key, "worker": worker.email, "role": role.value},
        )
    return place


def remove_worker(case: Case, worker: User, *, removed_by: User) -> None:
    """Take ``worker`` off the case: their next request for its person is refused (AC-10)."""
    with transaction.atomic():
        changed = current_workers(case).filter(user=worker).update(removed_at=timezone.now())
        if not changed:
            raise CaseworkError(f"{worker.email} does not work on {case.reference}")
        record(
            "case.worker_removed",
            actor_id=removed_by.pk,
            actor=removed_by.email,
            object_type="case",
            object_id=case.reference,
            detail={"person_key": case.person_key, "worker": worker.email},
        )


def close_case(case: Case, *, closed_by: User, outcome: str) -> None:
    if case.status == CaseStatus.CLOSED:
        raise CaseworkError(f"{case.reference} is closed already")
    if not outcome.strip():
        raise CaseworkError("a case closes with an outcome")
    with transaction.atomic():
        case.status, case.closed_at = CaseStatus.CLOSED, timezone.now()
        case.save(update_fields=["status", "closed_at"])
        record(
            "case.closed",
            actor_id=closed_by.pk,
            actor=closed_by.email,
            object_type="case",
            object_id=case.reference,
            detail={"person_key": case.person_key, "outcome": outcome},
        )
