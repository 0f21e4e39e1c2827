"""Multi-disciplinary team (MDT) meetings of the Integrated Action Team.

A meeting has a date, time, place and chair; an agenda of cases; the attendance (who came, from
which organisation, and who sent apologies); and, per case, the discussion outcome (a short
summary and the decision) and the actions agreed, which are the case's own actions.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import Organisation, User
from joinedup.web.cases.models import Action, Case


class Meeting(models.Model):
    held_on = models.DateField(db_index=True)
    starts_at = models.TimeField()
    place = models.CharField(max_length=200)
    chair = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mdt_meetings_chaired")
    scheduled_at = models.DateTimeField(default=timezone.now)
    scheduled_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["-held_on", "-starts_at"]

    def __str__(self) -> str:
        return f"MDT {self.held_on:%Y-%m-%d}"


class ItemReason(models.TextChoices):
    REVIEW_DUE = "review_due", "Due for review"
    NEW_CASE = "new_case", "Opened since the last meeting"
    ADDED = "added", "Added by the chair"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="mdt_items")
    position = models.PositiveIntegerField()
    reason = models.CharField(max_length=16, choices=ItemReason.choices)
    summary = models.TextField(max_length=2000, blank=True)
    decision = models.TextField(max_length=2000, blank=True)
    discussed_at = models.DateTimeField(null=True, blank=True)
    discussed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["meeting", "case"], name="a_case_once_an_agenda")
        ]

    def __str__(self) -> str:
        return f"item {self.position} of {self.meeting}"


class Presence(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"


class Attendance(models.Model):
    """One person at (or sending apologies to) a meeting, with their organisation then."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="mdt_attendance")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    presence = models.CharField(max_length=16, choices=Presence.choices)

    class Meta:
        ordering: ClassVar[list[str]] = ["presence", "organisation__name", "user__full_name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attends_a_meeting_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.presence} at {self.meeting}"


class ItemAction(models.Model):
    """An action agreed on an agenda item: the case's own action, remembered as the MDT's."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="actions")
    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="mdt_item")

    def __str__(self) -> str:
        return f"{self.action} from {self.item}"
