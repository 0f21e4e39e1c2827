"""Running a cohort from the web app: a background job, its progress reported step by step, and
the run kept with the figures it published.

The run itself is the analytic domain's (``run_cohort``: purpose checked against the agreements,
query, disclosure control, provenance); this module starts it, follows it and records it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.db import transaction
from django.urls import reverse

from joinedup.analytics.cohorts import library
from joinedup.analytics.cohorts.run import STEPS, run_cohort
from joinedup.home import resolve_home
from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.cohorts.models import CohortRun
from joinedup.web.cohorts.versions import remember
from joinedup.web.jobs import runner
from joinedup.web.jobs.models import Job

KIND = "cohort.run"
# How far along each step of a run is, for the job's progress bar. Building the analysis base
# (once a data snapshot) reports its own steps, all before the first of these.
FRACTIONS = {step: (index + 1) / (len(STEPS) + 1) for index, step in enumerate(STEPS)}
BUILDING_BASE = 0.1


def start(user: User, name: str, parameters: Mapping[str, str]) -> Job:
    """Start a run of the definition called ``name``; the job, to follow on its page."""
    definition = library.find(resolve_home(), name)
    title = f"Run the cohort {definition.title}"
    return runner.start(KIND, title, {"name": name, "parameters": dict(parameters)}, user)


@runner.register(KIND)
def _run_job(params: Mapping[str, Any], progress: runner.Progress) -> dict[str, Any]:
    job = Job.objects.select_related("started_by").get(pk=progress.job_id)
    run = run_and_record(
        resolve_home(),
        str(params["name"]),
        {str(k): str(v) for k, v in dict(params.get("parameters", {})).items()},
        job.started_by,
        job=job,
        progress=lambda step: progress(FRACTIONS.get(step, BUILDING_BASE), step),
    )
    return {
        "url": reverse("cohorts:result", kwargs={"run_id": run.pk}),
        "label": "See the counts by area",
        "cohort_run": run.pk,
    }


def run_and_record(
    home: Path,
    name: str,
    parameters: Mapping[str, str],
    by: User,
    *,
    job: Job | None = None,
    progress: Callable[[str], None] = lambda _step: None,
) -> CohortRun:
    """Run the definition and keep what it published, audited; person_keys are never asked for."""
    entry = library.entries(home).get(name)
    if entry is None:
        raise LookupError(f"There is no cohort called {name!r} in the library")
    published = run_cohort(home, name, parameters, case_finding=False, progress=progress)
    figures = published.as_dict()
    figures.pop("person_keys", None)
    with transaction.atomic():
        run = CohortRun.objects.create(
            definition=remember(entry.definition, entry.origin),
            parameters=published.parameters,
            run_by=by,
            job=job,
            provenance_run_id=published.run_id,
            published=figures,
        )
        record_by(
            by,
            "cohort.run",
            "cohort_run",
            str(run.pk),
            {
                "cohort": name,
                "version": published.version,
                "parameters": published.parameters,
                "provenance_run_id": published.run_id,
            },
        )
    return run
