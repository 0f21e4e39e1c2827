"""Background jobs: started from a page, followed on the job's page, seen by their starter only."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from conftest import signed_in
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.jobs import runner
from joinedup.web.jobs.models import HEARTBEAT_TIMEOUT, Job, JobStatus


@runner.register("test.add")
def _add(params: Mapping[str, Any], progress: runner.Progress) -> dict[str, Any]:
    for done in range(params["steps"]):
        progress(done / params["steps"], f"Step {done + 1} of {params['steps']}")
    return {"sum": params["a"] + params["b"], "url": "/somewhere/", "label": "See the sum"}


@runner.register("test.fail")
def _fail(params: Mapping[str, Any], progress: runner.Progress) -> dict[str, Any]:
    progress(0.5, "Halfway")
    raise ValueError("The cohort definition names no such code list: frailty_v9")


@pytest.fixture
def analyst(make_user: Callable[..., User]) -> User:
    return make_user(Role.ANALYST, email="ana@council.example")


def test_a_job_runs_to_its_result_which_its_page_links_to(db: None, analyst: User) -> None:
    job = runner.start("test.add", "Add two numbers", {"a": 2, "b": 3, "steps": 4}, analyst)
    assert job.status == JobStatus.SUCCEEDED and job.result["sum"] == 5 and job.percent == 100
    page = signed_in(analyst).get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-job-status="succeeded"' in page and 'href="/somewhere/"' in page
    assert 'http-equiv="refresh"' not in page
    started = AuditEvent.objects.get(verb="job.started")
    assert started.actor == analyst.email and started.detail == {"kind": "test.add"}


def test_a_failing_job_says_why_on_its_page(db: None, analyst: User) -> None:
    job = runner.start("test.fail", "Run a cohort", {}, analyst)
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    page = signed_in(analyst).get(f"/jobs/{job.pk}/").content.decode()
    assert "names no such code list: frailty_v9" in page


def test_a_running_job_shows_its_progress_and_reloads_itself(db: None, analyst: User) -> None:
    job = Job.objects.create(
        kind="test.add", title="Link the borough", started_by=analyst, status=JobStatus.RUNNING,
        progress=0.42, step="Scoring pairs", heartbeat_at=timezone.now(),
    )  # fmt: skip
    page = signed_in(analyst).get(f"/jobs/{job.pk}/").content.decode()
    assert '<progress id="job-' in page and 'value="42"' in page and "Scoring pairs" in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_a_job_not_heard_from_is_shown_as_interrupted(db: None, analyst: User) -> None:
    silent_since = timezone.now() - HEARTBEAT_TIMEOUT - dt.timedelta(seconds=1)
    job = Job.objects.create(
        kind="test.add", title="Link the borough", started_by=analyst, status=JobStatus.RUNNING,
        heartbeat_at=silent_since,
    )  # fmt: skip
    page = signed_in(analyst).get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-job-status="interrupted"' in page and "http-equiv" not in page


def test_nobody_sees_a_job_someone_else_started(
    db: None, analyst: User, make_user: Callable[..., User]
) -> None:
    job = runner.start("test.add", "Add", {"a": 1, "b": 1, "steps": 1}, analyst)
    other = signed_in(make_user(Role.ANALYST, email="other@council.example"))
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert "Add" not in other.get("/jobs/").content.decode()
    assert "Add" in signed_in(analyst).get("/jobs/").content.decode()


def test_an_unknown_kind_of_job_is_refused_and_nothing_recorded(db: None, analyst: User) -> None:
    with pytest.raises(runner.UnknownJobKindError):
        runner.start("no.such.kind", "Nothing", {}, analyst)
    assert not Job.objects.exists() and not AuditEvent.objects.filter(verb="job.started").exists()


@pytest.mark.django_db(transaction=True)
def test_in_the_web_process_a_job_runs_on_a_thread_of_its_own(analyst: User) -> None:
    with override_settings(JOINEDUP_JOBS="thread"):
        job = runner.start("test.add", "Add", {"a": 20, "b": 22, "steps": 3}, analyst)
    deadline = time.monotonic() + 30
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["sum"] == 42
