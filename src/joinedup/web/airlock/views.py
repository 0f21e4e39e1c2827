"""The airlock's pages: the requester's list, the two request forms, the review queue, the
review page and the download. Who reaches each page is the policy table's business."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.home import resolve_home
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.airlock import release
from joinedup.web.airlock.forms import CohortRequestForm, DecisionForm, TableRequestForm
from joinedup.web.airlock.models import Kind, OutputRequest, Status
from joinedup.web.airlock.outputs import (
    MAX_UPLOAD_BYTES,
    UnusableTableError,
    cohort_content,
    table_content,
)


@require_GET
def outputs(request: HttpRequest) -> HttpResponse:
    return render(
        request, "airlock/outputs.html", {"outputs": release.own_requests(signed_in_user(request))}
    )


@require_GET
def output(request: HttpRequest, output_id: int) -> HttpResponse:
    # Someone else's output is "not found", not "forbidden": its existence is not confirmed.
    found = get_object_or_404(release.own_requests(signed_in_user(request)), pk=output_id)
    return render(request, "airlock/output.html", {"output": found})


@require_http_methods(["GET", "POST"])
def request_cohort(request: HttpRequest) -> HttpResponse:
    form = CohortRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            content = cohort_content(resolve_home(), data["cohort"], data["parameters"])
        except (LookupError, ValueError, OSError) as error:
            form.add_error("cohort", f"The cohort could not be run: {error}")
        else:
            return _requested(request, data["title"], data["purpose"], Kind.COHORT, content)
    return render(request, "airlock/request.html", {"form": form, "kind": "cohort"})


@require_http_methods(["GET", "POST"])
def request_table(request: HttpRequest) -> HttpResponse:
    form = TableRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            content = table_content(data["table"].read(MAX_UPLOAD_BYTES + 1))
        except UnusableTableError as error:
            form.add_error("table", str(error))
        else:
            return _requested(request, data["title"], data["purpose"], Kind.TABLE, content)
    return render(request, "airlock/request.html", {"form": form, "kind": "table"})


def _requested(
    request: HttpRequest, title: str, purpose: str, kind: Kind, content: dict[str, object]
) -> HttpResponse:
    made = release.request_release(
        signed_in_user(request), title=title, purpose=purpose, kind=kind, content=content
    )
    return redirect("airlock:output", output_id=made.pk)


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    waiting = release.review_queue(signed_in_user(request))
    return render(
        request,
        "airlock/queue.html",
        {
            "pending": waiting.filter(status=Status.PENDING),
            "decided": waiting.exclude(status=Status.PENDING)[:50],
        },
    )


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, output_id: int) -> HttpResponse:
    reviewer = signed_in_user(request)
    found = get_object_or_404(OutputRequest, pk=output_id)
    form = DecisionForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release.decide(
                found.pk, reviewer, approve=data["decision"] == "approve", reason=data["reason"]
            )
        except release.AirlockRefusalError as refusal:
            if refusal.audit_verb == "output.self_approval_refused":
                return render(request, "forbidden.html", status=403)
            error = str(refusal)
        else:
            return redirect("airlock:queue")
    own = found.requested_by_id == reviewer.pk
    context = {
        "output": found,
        "form": form,
        "error": error,
        "own": own,
        "error_target": "id_reason",
    }
    return render(request, "airlock/review.html", context)


@require_GET
def download(request: HttpRequest, output_id: int, file_format: str) -> HttpResponse:
    if file_format not in release.MEDIA_TYPES:
        raise Http404
    found = get_object_or_404(release.own_requests(signed_in_user(request)), pk=output_id)
    try:
        data = release.download(
            found, signed_in_user(request), "xlsx" if file_format == "xlsx" else "csv"
        )
    except release.AirlockRefusalError:
        return render(request, "forbidden.html", status=403)
    response = HttpResponse(
        data, content_type=release.MEDIA_TYPES["xlsx" if file_format == "xlsx" else "csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="output-{found.pk}.{file_format}"'
    return response
