"""The airlock over the API: request, list, decide, download; the rules are airlock.release's."""

from __future__ import annotations

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from joinedup.home import resolve_home
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.airlock import release
from joinedup.web.airlock.models import Kind, OutputRequest
from joinedup.web.airlock.models import Status as OutputStatus
from joinedup.web.airlock.outputs import UnusableTableError, cohort_content, table_content
from joinedup.web.api.schemas import (
    CohortRequestIn,
    DecisionIn,
    OutputOut,
    Problem,
    TableRequestIn,
)

router = Router(tags=["airlock"])


def _out(output: OutputRequest) -> OutputOut:
    return OutputOut(
        id=output.pk,
        title=output.title,
        purpose=output.purpose,
        kind=output.kind,
        status=output.status,
        requested_by=output.requested_by.email,
        requested_at=output.requested_at,
        decided_by=output.decided_by.email if output.decided_by else None,
        decided_at=output.decided_at,
        decision_reason=output.decision_reason,
        header=output.header,
        rows=output.rows,  # type: ignore[arg-type]  # JSON cells: text or numbers
        disclosure_control=str(output.content.get("disclosure_control", "")),
    )


def _listed(found: QuerySet[OutputRequest]) -> list[OutputOut]:
    return [_out(o) for o in found.select_related("requested_by", "decided_by")[:200]]


@router.get("/outputs", response=list[OutputOut], url_name="outputs")
def list_own_outputs(request: HttpRequest) -> list[OutputOut]:
    return _listed(release.own_requests(signed_in_user(request)))


@router.post(
    "/outputs/table", response={201: OutputOut, 400: Problem}, url_name="output_request_table"
)
def request_table(request: HttpRequest, body: TableRequestIn) -> Status[object]:
    try:
        content = table_content(body.csv.encode("utf-8"))
    except UnusableTableError as error:
        return Status(400, Problem(detail=str(error)))
    made = release.request_release(
        signed_in_user(request),
        title=body.title,
        purpose=body.purpose,
        kind=Kind.TABLE,
        content=content,
    )
    return Status(201, _out(made))


@router.post(
    "/outputs/cohort", response={201: OutputOut, 400: Problem}, url_name="output_request_cohort"
)
def request_cohort(request: HttpRequest, body: CohortRequestIn) -> Status[object]:
    try:
        content = cohort_content(resolve_home(), body.cohort, body.parameters)
    except (LookupError, ValueError, OSError) as error:
        return Status(400, Problem(detail=f"The cohort could not be run: {error}"))
    made = release.request_release(
        signed_in_user(request),
        title=body.title,
        purpose=body.purpose,
        kind=Kind.COHORT,
        content=content,
    )
    return Status(201, _out(made))


@router.get("/outputs/{output_id}", response={200: OutputOut, 404: Problem}, url_name="output")
def read_own_output(request: HttpRequest, output_id: int) -> OutputOut:
    return _out(get_object_or_404(release.own_requests(signed_in_user(request)), pk=output_id))


@router.get(
    "/outputs/{output_id}/download",
    response={200: None, 403: Problem, 404: Problem},
    url_name="output_download",
)
def download_output(
    request: HttpRequest, output_id: int, format: Literal["csv", "xlsx"] = "csv"
) -> HttpResponse | Status[Problem]:
    user = signed_in_user(request)
    found = get_object_or_404(release.own_requests(user), pk=output_id)
    try:
        data = release.download(found, user, format)
    except release.AirlockRefusalError as refusal:
        return Status(403, Problem(detail=str(refusal)))
    response = HttpResponse(data, content_type=release.MEDIA_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="output-{found.pk}.{format}"'
    return response


@router.get("/reviews", response=list[OutputOut], url_name="reviews")
def list_reviews(request: HttpRequest, pending_only: bool = True) -> list[OutputOut]:
    waiting = release.review_queue(signed_in_user(request))
    return _listed(waiting.filter(status=OutputStatus.PENDING) if pending_only else waiting)


@router.post(
    "/reviews/{output_id}/decision",
    response={200: OutputOut, 403: Problem, 404: Problem, 409: Problem},
    url_name="review_decision",
)
def decide(request: HttpRequest, output_id: int, body: DecisionIn) -> Status[object]:
    get_object_or_404(OutputRequest, pk=output_id)
    try:
        decided = release.decide(
            output_id, signed_in_user(request), approve=body.approve, reason=body.reason
        )
    except release.AirlockRefusalError as refusal:
        status = 403 if refusal.audit_verb == "output.self_approval_refused" else 409
        return Status(status, Problem(detail=str(refusal)))
    return Status(200, _out(decided))
