"""A job: long work (a cohort run, a linkage run) started from a page and run in the background.

The page that started it shows the job's page, which follows its progress until it ends. A job
that stops hearing from its worker (the app was restarted mid-run) is shown as interrupted.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import User

# A running job reports at least this often; silence for longer means its worker has gone.
HEARTBEAT_TIMEOUT = dt.timedelta(minutes=10)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class Job(models.Model):
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)  # 0 to 1
    step = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="jobs")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def interrupted(self) -> bool:
        """Running or waiting, but not heard from for longer than the heartbeat allows."""
        if self.finished:
            return False
        last = self.heartbeat_at or self.created_at
        return timezone.now() - last > HEARTBEAT_TIMEOUT

    @property
    def percent(self) -> int:
        return round(100 * min(max(self.progress, 0.0), 1.0))
