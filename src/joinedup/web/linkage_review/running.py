"""The next linkage run, started from the browser as a background job.

The job is ``joinedup link`` on the hub's data directory: the same function, the same lock on
the zones, the saved model, every reviewer's decision applied. Linkage names each of its steps
as it starts it; the job's progress bar moves a step at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.urls import reverse

from joinedup.linkage.run import link
from joinedup.web.accounts.models import User
from joinedup.web.jobs import runner
from joinedup.web.jobs.models import Job, JobStatus

KIND = "linkage.run"
# The steps linkage reports, in order (linkage/run.py); one of the two model steps happens.
STEPS = 5


def run_under_way() -> Job | None:
    """A linkage run started from the web app and still going, if any: one at a time."""
    going = Job.objects.filter(kind=KIND, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
    return next((job for job in going.select_related("started_by") if not job.interrupted), None)


def start_run(home: Path, by: User) -> Job:
    return runner.start(KIND, "Run linkage now", {"home": str(home)}, by)


@runner.register(KIND)
def run_linkage(params: Mapping[str, Any], progress: runner.Progress) -> dict[str, Any]:
    reported = 0

    def step(name: str) -> None:
        nonlocal reported
        progress(reported / STEPS, name)
        reported += 1

    report = link(Path(params["home"]), progress=step)
    progress(1.0, "Published")
    return {
        "run_id": report.run_id,
        "persons": report.persons,
        "merged_keys": report.merged_keys,
        "split_keys": report.split_keys,
        "decisions_applied": report.decisions_applied,
        "url": reverse("linkage_review:run", kwargs={"run_id": report.run_id}),
        "label": f"See what run {report.run_id} changed",
    }
