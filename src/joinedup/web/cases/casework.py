"""Every change to a case, each audited with it, inside the one transaction.

Which cases a user may reach is ``cases_of``: the one query every case page, MDT page and API
route filters through, so that another organisation's or team's case is "not found" rather
than "forbidden". It is read on every request: someone taken off a case loses it at their very
next request (AC-10). What a case's state allows is ``workflow``'s business (AC-17).

Audit details carry ids, codes and the ``person_key`` only: never the text of a note, a need,
an action or a discussion, and never a name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Permission, permissions_of
from joinedup.web.audit.chain import record_by
from joinedup.web.cases import workflow
from joinedup.web.cases.measures import swemwbs_raw
from joinedup.web.cases.models import (
    Action,
    ActionStatus,
    Case,
    CaseNote,
    CaseRole,
    CaseStatus,
    CaseWorker,
    ConsentRecord,
    Need,
    PamAssessment,
    SwemwbsAssessment,
)
from joinedup.web.cases.workflow import WorkflowError
from joinedup.web.references import save_with_reference

AssessmentT = TypeVar("AssessmentT", PamAssessment, SwemwbsAssessment)
REFERENCE_PREFIX = "IAT"
LARGEST_ID = 2**63 - 1  # a bigger number in an address is no case, not a database error


class CaseworkError(WorkflowError):
    """A change the case does not allow (a worker twice on it, an owner who is not on it...)."""


def cases_of(user: User) -> QuerySet[Case]:
    """The cases ``user`` currently works on, open or closed."""
    return Case.objects.filter(workers__user=user, workers__removed_at__isnull=True).distinct()


def find_case(user: User, case_id: int, *, path: str, method: str) -> Case | None:
    """The case, if ``user`` works on it now; else None, and the refusal audited."""
    found = cases_of(user).filter(pk=case_id).first() if 0 < case_id <= LARGEST_ID else None
    if found is None:
        record_refusal(user, case_id, path=path, method=method)
    return found


def current_workers(case: Case) -> QuerySet[CaseWorker]:
    return case.workers.filter(removed_at__isnull=True).select_related("user__organisation")


def works_on(case: Case, user: User) -> bool:
    return current_workers(case).filter(user=user).exists()


def lead_professional(case: Case) -> User | None:
    place = current_workers(case).filter(role=CaseRole.LEAD_PROFESSIONAL).first()
    return place.user if place else None


def may_manage_workers(case: Case, user: User) -> bool:
    """The lead professional, or a hub coordinator (who chairs the MDT) working on the case."""
    if not works_on(case, user):
        return False
    if Permission.CHAIR_MDT in permissions_of(user.roles):
        return True
    return current_workers(case).filter(user=user, role=CaseRole.LEAD_PROFESSIONAL).exists()


def may_work_cases(user: User) -> bool:
    return user.is_active and Permission.WORK_CASES in permissions_of(user.roles)


def audit(verb: str, by: User, object_type: str, object_id: str, **detail: Any) -> None:
    """One audit event of a change ``by`` made (inside the change's transaction)."""
    record_by(
        by,
        verb,
        object_type,
        object_id,
        detail,
    )


def _audit(verb: str, by: User, case: Case, **detail: Any) -> None:
    audit(verb, by, "case", case.reference, person_key=case.person_key, **detail)


def _require_worker(case: Case, user: User) -> None:
    # The pages and the API find the case through cases_of already; this holds for any caller.
    if not works_on(case, user):
        raise CaseworkError(f"{user.email} does not work on {case.reference}")


def _require_changeable(case: Case, by: User) -> None:
    workflow.require_open(case)
    _require_worker(case, by)


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
        case = Case(person_key=person_key, organisation=organisation, opened_by=opened_by)
        save_with_reference(case, lambda pk: f"{REFERENCE_PREFIX}-{pk:06d}")
        _audit("case.opened", opened_by, case, organisation_id=organisation.pk)
        add_worker(case, lead_professional, added_by=opened_by, role=CaseRole.LEAD_PROFESSIONAL)
        for worker in workers:
            if worker != lead_professional:
                add_worker(case, worker, added_by=opened_by)
    return case


def add_worker(
    case: Case, worker: User, *, added_by: User, role: CaseRole = CaseRole.WORKER
) -> CaseWorker:
    with transaction.atomic():
        workflow.require_open(case)
        if not may_work_cases(worker):
            raise CaseworkError(f"{worker.email} does not hold a role that works on cases")
        if works_on(case, worker):
            raise CaseworkError(f"{worker.email} already works on {case.reference}")
        place = CaseWorker.objects.create(case=case, user=worker, role=role, added_by=added_by)
        _audit("case.worker_added", added_by, case, worker_id=worker.pk, role=role.value)
    return place


def remove_worker(case: Case, worker: User, *, removed_by: User) -> None:
    """Take ``worker`` off the case: their next request for it, or its person, is refused."""
    with transaction.atomic():
        places = current_workers(case).filter(user=worker)
        if places.filter(role=CaseRole.LEAD_PROFESSIONAL).exists():
            raise CaseworkError("The lead professional stays on the case while it has no other")
        if not places.update(removed_at=timezone.now()):
            raise CaseworkError(f"{worker.email} does not work on {case.reference}")
        _audit("case.worker_removed", removed_by, case, worker_id=worker.pk)


def add_need(case: Case, *, by: User, domain: str, need: str, goal: str) -> Need:
    with transaction.atomic():
        _require_changeable(case, by)
        made = Need.objects.create(case=case, domain=domain, need=need, goal=goal, added_by=by)
        _audit("case.need_added", by, case, need=made.pk, domain=domain)
    return made


def update_goal(need: Need, *, by: User, goal_status: str) -> None:
    with transaction.atomic():
        _require_changeable(need.case, by)
        need.goal_status = goal_status
        need.save(update_fields=["goal_status"])
        _audit("case.need_updated", by, need.case, need=need.pk, goal_status=goal_status)


def add_action(
    case: Case,
    *,
    by: User,
    description: str,
    owner: User,
    due: dt.date,
    meeting: int | None = None,
) -> Action:
    """A new open action; its owner works on the case (else they could not see it)."""
    with transaction.atomic():
        _require_changeable(case, by)
        if not works_on(case, owner):
            raise CaseworkError("The owner of an action works on the case")
        if due < timezone.localdate():
            raise CaseworkError("An action is due today or later")
        made = Action.objects.create(
            case=case, description=description, owner=owner, due=due, added_by=by
        )
        extra = {"meeting": meeting} if meeting is not None else {}
        _audit("case.action_added", by, case, action=made.pk, owner_id=owner.pk, **extra)
    return made


def update_action(action: Action, *, by: User, status: str) -> None:
    with transaction.atomic():
        _require_changeable(action.case, by)
        workflow.require_action_move(action.status, status)
        action.status, action.updated_at, action.updated_by = status, timezone.now(), by
        action.save(update_fields=["status", "updated_at", "updated_by"])
        _audit("case.action_updated", by, action.case, action=action.pk, status=status)


def add_note(case: Case, *, author: User, text: str) -> CaseNote:
    if not text.strip():
        raise CaseworkError("A note needs some text")
    with transaction.atomic():
        _require_changeable(case, author)
        note = CaseNote.objects.create(case=case, author=author, text=text)
        _audit("case.note_added", author, case, note=note.pk)
    return note


def record_consent(
    case: Case, *, by: User, decision: str, decided_on: dt.date, lawful_basis: str = ""
) -> ConsentRecord:
    workflow.require_consent_basis(decision, lawful_basis)
    if decided_on > timezone.localdate():
        raise CaseworkError("The consent decision is dated today or earlier")
    with transaction.atomic():
        _require_changeable(case, by)
        made = ConsentRecord.objects.create(
            case=case,
            decision=decision,
            decided_on=decided_on,
            lawful_basis=lawful_basis,
            recorded_by=by,
        )
        _audit(
            "case.consent_recorded",
            by,
            case,
            consent=made.pk,
            decision=decision,
            lawful_basis=lawful_basis,
        )
    return made


def current_consent(case: Case) -> ConsentRecord | None:
    return case.consents.first()


def set_review(case: Case, *, by: User, next_review: dt.date) -> None:
    if next_review < timezone.localdate():
        raise CaseworkError("The next review is today or later")
    with transaction.atomic():
        _require_changeable(case, by)
        case.next_review = next_review
        case.save(update_fields=["next_review"])
        _audit("case.review_set", by, case, next_review=next_review.isoformat())


def _record_assessment(
    model: type[AssessmentT],
    verb: str,
    case: Case,
    *,
    by: User,
    assessed_on: dt.date,
    assessor: User,
    **figures: Any,
) -> AssessmentT:
    with transaction.atomic():
        _require_changeable(case, by)
        if assessed_on > timezone.localdate():
            raise CaseworkError("The assessment is dated today or earlier")
        if not works_on(case, assessor):
            raise CaseworkError("The assessor works on the case")
        made = model.objects.create(
            case=case, assessed_on=assessed_on, assessor=assessor, recorded_by=by, **figures
        )
        _audit(verb, by, case, assessment=made.pk)
    return made


def record_pam(
    case: Case, *, by: User, level: int, score: Decimal, assessed_on: dt.date, assessor: User
) -> PamAssessment:
    """A PAM level and score as the licensed tool gave them: recorded, never computed here."""
    if level not in range(1, 5) or not Decimal(0) <= score <= Decimal(100):
        raise CaseworkError("A PAM level is 1 to 4 and its score 0 to 100")
    return _record_assessment(
        PamAssessment,
        "case.pam_recorded",
        case,
        by=by,
        assessed_on=assessed_on,
        assessor=assessor,
        level=level,
        score=score,
    )


def record_swemwbs(
    case: Case, *, by: User, answers: Sequence[int], assessed_on: dt.date, assessor: User
) -> SwemwbsAssessment:
    try:
        raw = swemwbs_raw(answers)
    except ValueError as error:
        raise CaseworkError(str(error)) from error
    return _record_assessment(
        SwemwbsAssessment,
        "case.swemwbs_recorded",
        case,
        by=by,
        assessed_on=assessed_on,
        assessor=assessor,
        answers=list(answers),
        raw_total=raw,
    )


def open_actions(case: Case) -> QuerySet[Action]:
    return case.actions.filter(status=ActionStatus.OPEN)


def close_case(case: Case, *, closed_by: User, outcome: str, reason: str = "") -> None:
    """Close with an outcome: with no open actions, or with a reason to close with them open."""
    with transaction.atomic():
        still_open = open_actions(case).count()
        workflow.require_closable(case, outcome, still_open, reason)
        _require_worker(case, closed_by)
        case.status, case.closed_at, case.closed_by = CaseStatus.CLOSED, timezone.now(), closed_by
        case.outcome = outcome
        case.closed_with_open_actions_because = reason.strip() if still_open else ""
        case.save(
            update_fields=[
                "status",
                "closed_at",
                "closed_by",
                "outcome",
                "closed_with_open_actions_because",
            ]
        )
        _audit("case.closed", closed_by, case, outcome=outcome, open_actions=still_open)


def record_view(case: Case, user: User, *, via: str) -> None:
    """Audit one reading of a case record (its person is held by key; notes are about them)."""
    with transaction.atomic():
        _audit("case.viewed", user, case, via=via)


def record_refusal(
    user: User,
    object_id: object,
    *,
    path: str,
    method: str,
    object_type: str = "case",
    reason: str = "not among the user's cases",
) -> None:
    """Audit a request for something not among the user's (or that does not exist): the same
    event either way, as the answer is the same "not found" either way."""
    with transaction.atomic():
        record_by(
            user,
            "access.denied",
            object_type,
            str(object_id)[:64],
            {"path": path, "method": method, "reason": reason},
        )
