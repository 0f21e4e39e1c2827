"""The cohort pages: the library, a definition with its versions, a run's form, a run's results
and downloads, and the request to release them. Who reaches each page is the policy table's
business; what a run does is the analytic domain's."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.analytics.cohorts.describe import describe
from joinedup.analytics.cohorts.language import CohortSyntaxError
from joinedup.analytics.cohorts.library import Entry
from joinedup.analytics.disclosure import RULE
from joinedup.home import resolve_home
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.airlock import release as airlock
from joinedup.web.airlock.models import Kind, Status
from joinedup.web.airlock.outputs import published_cohort_content
from joinedup.web.audit.chain import record_by
from joinedup.web.cohorts import results, running, versions
from joinedup.web.cohorts.forms import ReleaseForm, RunForm
from joinedup.web.cohorts.models import CohortRun, CohortVersion

RECENT_RUNS = 20


def _unreadable(request: HttpRequest, error: CohortSyntaxError) -> HttpResponse:
    """A definition in the hub's folder that cannot be read: every page of the library says so."""
    return render(request, "cohorts/unreadable.html", {"error": str(error)}, status=500)


def _current(name: str) -> tuple[Entry, CohortVersion]:
    """The definition the hub can run now under this name, with its version row (else 404)."""
    found = versions.current(resolve_home())
    if name not in found:
        raise Http404("No such cohort")
    return found[name]


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    try:
        found = versions.current(resolve_home())
    except CohortSyntaxError as error:
        return _unreadable(request, error)
    rows = [(entry, row, describe(entry.definition)) for entry, row in found.values()]
    recent = CohortRun.objects.select_related("definition", "run_by")[:RECENT_RUNS]
    context = {"rows": rows, "runs": recent, "rule": RULE}
    return render(request, "cohorts/library.html", context)


@require_GET
def definition(request: HttpRequest, name: str) -> HttpResponse:
    try:
        entry, row = _current(name)
    except CohortSyntaxError as error:
        return _unreadable(request, error)
    history = versions.history(name)
    old, new = _compared(request, history)
    context = {
        "entry": entry,
        "row": row,
        "description": describe(entry.definition),
        "history": history,
        "old": old,
        "new": new,
        "diff": versions.differences(old.text, new.text) if old and new else [],
        "runs": CohortRun.objects.filter(definition__name=name).select_related("run_by")[:10],
    }
    return render(request, "cohorts/definition.html", context)


def _compared(
    request: HttpRequest, history: list[CohortVersion]
) -> tuple[CohortVersion | None, CohortVersion | None]:
    """The two versions to compare: those chosen, else the latest two."""
    by_id = {str(v.pk): v for v in history}
    chosen = by_id.get(request.GET.get("from", "")), by_id.get(request.GET.get("to", ""))
    if chosen[0] and chosen[1]:
        return chosen
    return (history[-2], history[-1]) if len(history) >= 2 else (None, None)


@require_http_methods(["GET", "POST"])
def run(request: HttpRequest, name: str) -> HttpResponse:
    try:
        entry, _ = _current(name)
    except CohortSyntaxError as error:
        return _unreadable(request, error)
    form = RunForm(entry.definition, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        job = running.start(signed_in_user(request), name, form.cleaned_data)
        return redirect("jobs:job", job_id=job.pk)
    return render(request, "cohorts/run.html", {"entry": entry, "form": form})


def _run_or_404(run_id: int) -> CohortRun:
    return get_object_or_404(
        CohortRun.objects.select_related("definition", "run_by", "release"), pk=run_id
    )


@require_GET
def result(request: HttpRequest, run_id: int) -> HttpResponse:
    found = _run_or_404(run_id)
    published = found.published
    context = {
        "run": found,
        "published": published,
        "tables": results.tables(published),
        "chart": results.ward_chart(published),
        "ward_map": results.area_map(published, "ward"),
        "lsoa_map": results.area_map(published, "lsoa"),
        "description": describe(found.definition_parsed(), published["parameters"]),
        "rule": RULE,
        "may_request": found.release is None or found.release.status == Status.REJECTED,
    }
    return render(request, "cohorts/result.html", context)


@require_GET
def download(request: HttpRequest, run_id: int, file_format: str) -> HttpResponse:
    if file_format not in results.MEDIA_TYPES:
        raise Http404("No such format")
    found = _run_or_404(run_id)
    chosen: results.Format = "xlsx" if file_format == "xlsx" else "csv"
    data = results.as_file(found, chosen)
    with transaction.atomic():
        detail = {"format": chosen, "bytes": len(data)}
        record_by(signed_in_user(request), "cohort.downloaded", "cohort_run", str(found.pk), detail)
    response = HttpResponse(data, content_type=results.MEDIA_TYPES[chosen])
    filename = f"cohort-{found.definition.name}-run-{found.pk}.{chosen}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def request_release(request: HttpRequest, run_id: int) -> HttpResponse:
    found = _run_or_404(run_id)
    if found.release is not None and found.release.status != Status.REJECTED:
        return redirect("cohorts:result", run_id=found.pk)
    initial = {"title": f"{found.title}: people by area (run {found.pk})"}
    form = ReleaseForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            output = airlock.request_release(
                signed_in_user(request),
                title=form.cleaned_data["title"],
                purpose=form.cleaned_data["purpose"],
                kind=Kind.COHORT,
                content=published_cohort_content(found.published),
            )
            found.release = output
            found.save(update_fields=["release"])
        return redirect("cohorts:result", run_id=found.pk)
    return render(request, "cohorts/release.html", {"run": found, "form": form})
