from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.jobs.models import Job

# The job's page reloads itself this often while the job runs (no script needed).
REFRESH_SECONDS = 2


@require_GET
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress, for the person who started it only."""
    found = Job.objects.filter(pk=job_id, started_by=signed_in_user(request)).first()
    if found is None:
        raise Http404("No such job")
    return render(
        request,
        "jobs/job.html",
        {"job": found, "refresh": None if found.finished or found.interrupted else REFRESH_SECONDS},
    )


@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    """The jobs this person started, latest first."""
    mine = Job.objects.filter(started_by=signed_in_user(request))[:50]
    return render(request, "jobs/jobs.html", {"jobs": mine})
