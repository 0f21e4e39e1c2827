"""A practitioner's flag on a person's linkage, and the hub coordinator's resolution of it.

A practitioner who can open a person and believes that records of two people were joined, or
that the person also has another record, flags it from the person page. The flag names the
partner records in question by agency and record id, never by name; the practitioner's details
stay on the flag. The hub coordinator resolves it: the records are split or merged at the next
linkage run (through the linkage's own decisions), or the linkage was right.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import User


class FlagKind(models.TextChoices):
    NOT_SAME_PERSON = "not_same_person", "These records are not all the same person"
    ANOTHER_RECORD = "another_record", "This person also has another record"


class FlagOutcome(models.TextChoices):
    CHANGED = "changed", "Records split or merged at the next linkage run"
    LINKAGE_RIGHT = "linkage_right", "Checked: the linkage is right"


class LinkageFlag(models.Model):
    person_key = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    # [{"feed": ..., "agency": ..., "record_id": ...}, ...]: the records that look wrong.
    records = models.JSONField(default=list)
    details = models.TextField()
    flagged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="linkage_flags")
    flagged_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=FlagOutcome.choices, blank=True)
    note = models.TextField(blank=True)
    # For a merge: the person_key the coordinator found for the other record.
    other_person_key = models.CharField(max_length=64, blank=True)
    # Decisions recorded for the next linkage run, and the evidence none could undo.
    decisions = models.PositiveIntegerField(default=0)
    held_by = models.JSONField(default=list)

    class Meta:
        ordering: ClassVar[list[str]] = ["flagged_at", "pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"FLAG-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def agencies(self) -> list[str]:
        return sorted({str(r["agency"]) for r in self.records})
