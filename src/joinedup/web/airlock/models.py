"""Outputs waiting to leave the hub: what was asked for, by whom, and the second person's decision.

``content`` holds the output only as it will be released: figures already through disclosure
control (``disclosure.publish``), never raw counts or person-level rows.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import User


class Kind(models.TextChoices):
    COHORT = "cohort", "Cohort counts"
    TABLE = "table", "Uploaded table"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class OutputRequest(models.Model):
    title = models.CharField(max_length=200)
    purpose = models.TextField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # {"header": [...], "rows": [[...], ...], "disclosure_control": RULE.version, "source": {...}}
    content = models.JSONField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="output_requests")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="output_decisions"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # The database itself refuses a decision by the requester (defence in depth).
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="output_not_decided_by_its_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title} ({self.status})"

    @property
    def header(self) -> list[str]:
        return [str(h) for h in self.content.get("header", [])]

    @property
    def rows(self) -> list[list[object]]:
        return [list(row) for row in self.content.get("rows", [])]
