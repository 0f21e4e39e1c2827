"""Cases over the API: your cases, one case, its notes and actions; the rules are casework's.

A case is found through ``cases_of`` as on the pages: one the caller does not work on now is
404 (the attempt audited), whatever its organisation. Input schemas name the only fields a
client sets: an ``author``, ``status``, ``organisation`` or ``case`` in a body is ignored.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.accounts.models import User
from joinedup.web.api.schemas import Problem
from joinedup.web.cases import casework
from joinedup.web.cases.models import Action, Case, CaseNote, CaseRole
from joinedup.web.cases.views import case_or_404
from joinedup.web.cases.workflow import WorkflowError
from joinedup.web.throttle import person_lookup

router = Router(tags=["cases"])


class WorkerOut(Schema):
    email: str
    name: str
    organisation: str
    role: str


class ActionOut(Schema):
    id: int
    description: str
    owner: str
    due: dt.date
    status: str
    overdue: bool


class NoteOut(Schema):
    id: int
    author: str
    written_at: dt.datetime
    text: str


class CaseSummaryOut(Schema):
    id: int
    reference: str
    person_key: str
    status: str
    organisation: str
    opened_at: dt.datetime
    next_review: dt.date | None
    lead_professional: str | None


class CaseOut(CaseSummaryOut):
    workers: list[WorkerOut]
    agencies: list[str]
    actions: list[ActionOut]
    notes: list[NoteOut]
    consent: str | None
    lawful_basis: str | None
    outcome: str | None


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=5000)


class ActionIn(Schema):
    description: str = Field(min_length=1, max_length=500)
    owner: str = Field(max_length=254, description="The owner's email: someone on the case")
    due: dt.date


def _summary(case: Case) -> CaseSummaryOut:
    lead = casework.lead_professional(case)
    return CaseSummaryOut(
        id=case.pk,
        reference=case.reference,
        person_key=case.person_key,
        status=case.status,
        organisation=case.organisation.name,
        opened_at=case.opened_at,
        next_review=case.next_review,
        lead_professional=lead.email if lead else None,
    )


def _action(action: Action) -> ActionOut:
    return ActionOut(
        id=action.pk,
        description=action.description,
        owner=action.owner.email,
        due=action.due,
        status=action.status,
        overdue=action.is_overdue,
    )


def _note(note: CaseNote) -> NoteOut:
    return NoteOut(id=note.pk, author=note.author.email, written_at=note.written_at, text=note.text)


@router.get("/cases", response=list[CaseSummaryOut], url_name="cases")
def list_own_cases(request: HttpRequest) -> list[CaseSummaryOut]:
    found = casework.cases_of(signed_in_user(request)).select_related("organisation")[:500]
    return [_summary(case) for case in found]


@router.get("/cases/{case_id}", response={200: CaseOut, 404: Problem}, url_name="case")
def read_case(request: HttpRequest, case_id: int) -> CaseOut | HttpResponse:
    if (refused := person_lookup(request)) is not None:
        return refused
    case = case_or_404(request, case_id)
    casework.record_view(case, signed_in_user(request), via="api")
    workers = list(casework.current_workers(case))
    consent = casework.current_consent(case)
    return CaseOut(
        **_summary(case).model_dump(),
        workers=[
            WorkerOut(
                email=w.user.email,
                name=w.user.full_name,
                organisation=w.user.organisation.name,
                role=CaseRole(w.role).value,
            )
            for w in workers
        ],
        agencies=sorted({w.user.organisation.name for w in workers}),
        actions=[_action(a) for a in case.actions.select_related("owner")],
        notes=[_note(n) for n in case.notes.select_related("author")],
        consent=consent.decision if consent else None,
        lawful_basis=(consent.lawful_basis or None) if consent else None,
        outcome=case.outcome or None,
    )


@router.get(
    "/cases/{case_id}/notes", response={200: list[NoteOut], 404: Problem}, url_name="case_notes"
)
def list_notes(request: HttpRequest, case_id: int) -> list[NoteOut]:
    return [_note(n) for n in case_or_404(request, case_id).notes.select_related("author")]


@router.post(
    "/cases/{case_id}/notes",
    response={201: NoteOut, 404: Problem, 409: Problem},
    url_name="case_notes",
)
def add_note(request: HttpRequest, case_id: int, body: NoteIn) -> Status[object]:
    case = case_or_404(request, case_id)
    try:
        note = casework.add_note(case, author=signed_in_user(request), text=body.text)
    except WorkflowError as refusal:
        return Status(409, Problem(detail=str(refusal)))
    return Status(201, _note(note))


@router.get(
    "/cases/{case_id}/actions",
    response={200: list[ActionOut], 404: Problem},
    url_name="case_actions",
)
def list_actions(request: HttpRequest, case_id: int) -> list[ActionOut]:
    return [_action(a) for a in case_or_404(request, case_id).actions.select_related("owner")]


@router.post(
    "/cases/{case_id}/actions",
    response={201: ActionOut, 400: Problem, 404: Problem, 409: Problem},
    url_name="case_actions",
)
def add_action(request: HttpRequest, case_id: int, body: ActionIn) -> Status[object]:
    case = case_or_404(request, case_id)
    owner = User.objects.filter(email=body.owner.strip().lower()).first()
    if owner is None or not casework.works_on(case, owner):
        return Status(400, Problem(detail="The owner of an action works on the case"))
    try:
        action = casework.add_action(
            case,
            by=signed_in_user(request),
            description=body.description,
            owner=owner,
            due=body.due,
        )
    except WorkflowError as refusal:
        status = 409 if case.status != "open" else 400
        return Status(status, Problem(detail=str(refusal)))
    return Status(201, _action(action))
