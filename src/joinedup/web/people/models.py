"""Break-glass access to a person, and the information governance lead's review of it.

Break-glass opens one person to one practitioner for a short time without a case, when a person
may come to harm if the practitioner waits. It is recorded with its reason, shown to the IG
lead at once, and reviewed by them afterwards.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import User


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    NOT_JUSTIFIED = "not_justified", "Not justified: raised with the user's organisation"


class BreakGlass(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass")
    person_key = models.CharField(max_length=64, db_index=True)
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-started_at"]

    def __str__(self) -> str:
        return f"break-glass #{self.pk} by {self.user}"

    def in_force(self, at: dt.datetime) -> bool:
        return self.started_at <= at < self.expires_at


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESPONDED = "responded", "Responded"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SubjectAccessRequest(models.Model):
    """A person's request for their data, and the clock that runs on it (``deadlines``)."""

    reference = models.CharField(max_length=32, unique=True)
    received_on = models.DateField()
    # How the request came and from whom, in the IG lead's words: never shown outside the register.
    description = models.TextField()
    person_key = models.CharField(max_length=64, blank=True)
    identity_asked_on = models.DateField(null=True, blank=True)
    identity_received_on = models.DateField(null=True, blank=True)
    # [[asked, answered], ...] ISO dates: waiting for clarification stops the clock.
    pauses = models.JSONField(default=list)
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    responded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["received_on", "reference"]

    def __str__(self) -> str:
        return self.reference
