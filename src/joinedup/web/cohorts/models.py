"""What the hub keeps about cohorts: each text of a definition it has seen, and each run.

A definition's versions live in text files (the package's library and HOME/cohorts), which
keep no history; the hub records every text it reads, by its SHA-256, so that the history of a
definition and the differences between its versions can be shown after the file has changed.
A run keeps only what it published: figures already through disclosure control.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from joinedup.analytics.cohorts.language import Definition, parse
from joinedup.web.accounts.models import User
from joinedup.web.airlock.models import OutputRequest
from joinedup.web.jobs.models import Job


class CohortVersion(models.Model):
    name = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    text = models.TextField()
    origin = models.CharField(max_length=500)  # 'built-in' or the file's path
    first_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "first_seen", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["name", "sha256"], name="one_row_per_definition_text")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.sha256[:12]})"


class CohortRun(models.Model):
    definition = models.ForeignKey(CohortVersion, on_delete=models.PROTECT, related_name="runs")
    parameters = models.JSONField(default=dict)
    run_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cohort_runs")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True)
    finished_at = models.DateTimeField(default=timezone.now)
    provenance_run_id = models.CharField(max_length=64)
    # CohortRun.as_dict() of joinedup.analytics.cohorts.run: controlled figures, no person_keys.
    published = models.JSONField()
    release = models.ForeignKey(
        OutputRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.definition}"

    @property
    def title(self) -> str:
        return str(self.published.get("title", self.definition.name))

    @property
    def people(self) -> Any:
        return self.published.get("people")

    def definition_parsed(self) -> Definition:
        """The text this run ran, read again: its words still say what was counted."""
        return parse(self.definition.text, self.definition.origin)
