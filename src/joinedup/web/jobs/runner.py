"""Starting jobs and running them: one registry of the kinds of job, one way to run each.

A kind of job is a plain function of its parameters and a :class:`Progress` to report to; it
returns what the job's page shows when it ends (``url`` and ``label`` give a link to the
result). The web process runs each job on a thread of its own (``JOINEDUP_JOBS = "thread"``),
so a page returns at once; the test settings run it before returning (``"inline"``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

# Progress is written to the database at most this often, so a tight loop costs nothing.
REPORT_EVERY_SECONDS = 0.5


class Progress:
    """What a running job calls to say how far it has got (``fraction`` from 0 to 1)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._last = 0.0

    def __call__(self, fraction: float, step: str = "") -> None:
        now = time.monotonic()
        if now - self._last < REPORT_EVERY_SECONDS and fraction < 1:
            return
        self._last = now
        Job.objects.filter(pk=self.job_id).update(
            progress=min(max(fraction, 0.0), 1.0), step=step[:300], heartbeat_at=timezone.now()
        )


JobFunction = Callable[[Mapping[str, Any], Progress], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    name: str
    run: JobFunction


KINDS: dict[str, JobKind] = {}


def register(name: str) -> Callable[[JobFunction], JobFunction]:
    """Decorate the function that does a kind of job."""

    def add(function: JobFunction) -> JobFunction:
        KINDS[name] = JobKind(name, function)
        return function

    return add


class UnknownJobKindError(LookupError):
    pass


def start(kind: str, title: str, params: Mapping[str, Any], by: User) -> Job:
    """Record the job, audited, and set it running; the job as it stands when this returns."""
    if kind not in KINDS:
        raise UnknownJobKindError(f"There is no kind of job called {kind!r}.")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title[:300], params=dict(params), started_by=by)
        record_by(by, "job.started", "job", str(job.pk), {"kind": kind})
    if getattr(settings, "JOINEDUP_JOBS", "thread") == "inline":
        run(job.pk)
    else:
        transaction.on_commit(lambda: _thread(job.pk))
    job.refresh_from_db()
    return job


def _thread(job_id: int) -> None:
    threading.Thread(target=_run_closing, args=(job_id,), name=f"job-{job_id}", daemon=True).start()


def _run_closing(job_id: int) -> None:
    try:
        run(job_id)
    finally:
        close_old_connections()


def run(job_id: int) -> None:
    """Run one job to its end, recording how it ended; never raises."""
    job = Job.objects.get(pk=job_id)
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    try:
        result = KINDS[job.kind].run(job.params, Progress(job_id))
    except Exception as error:  # any failure ends the job, and its page says why
        # The log names the kind and the error's type only: messages may quote data.
        logger.warning("job %s (%s) failed: %s", job_id, job.kind, type(error).__name__)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED, progress=1.0, result=result, finished_at=timezone.now()
    )
