"""Cases of the Integrated Action Team, and the workers on them.

A worker on an open case is the legitimate relationship that opens the case's person to them
(``people.access``). The person is held by their pseudonymous ``person_key`` only: their
identifiers stay in the identity zone and are read, audited, when someone with the
relationship opens the person.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import Organisation, User


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    reference = models.CharField(max_length=32, unique=True)
    person_key = models.CharField(max_length=64, db_index=True)
    # The organisation that leads the case; others join through their workers.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cases_opened")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-opened_at"]

    def __str__(self) -> str:
        return self.reference


class CaseRole(models.TextChoices):
    LEAD_PROFESSIONAL = "lead_professional", "Lead professional"
    WORKER = "worker", "Worker"


class CaseWorker(models.Model):
    """A user working on a case, from when they were added until they were taken off it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="workers")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_work")
    role = models.CharField(max_length=32, choices=CaseRole.choices, default=CaseRole.WORKER)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["added_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="one_current_place_per_worker",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.case}"
