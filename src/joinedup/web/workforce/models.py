"""Frontline teams, the shared development programmes, their sessions and who completed them.

Completions are about staff, not residents, and hold as little as the coverage needs: a name
(or staff reference) and a role, nothing else (docs/workforce.md says why). Every change goes
through ``changes.py``, audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import Organisation, User


class Team(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="workforce_teams"
    )
    name = models.CharField(max_length=200)
    frontline = models.BooleanField(
        default=True, help_text="Staff who meet residents face to face or on the phone"
    )
    headcount = models.PositiveIntegerField(
        verbose_name="Frontline staff", help_text="How many frontline staff the team has now"
    )
    manager_name = models.CharField(max_length=200, blank=True, verbose_name="Manager")

    class Meta:
        ordering: ClassVar[list[str]] = ["organisation__name", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_in_org")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class ProgrammeKind(models.TextChoices):
    MECC_1 = "mecc_1", "Making Every Contact Count, level 1"
    MECC_2 = "mecc_2", "Making Every Contact Count, level 2"
    EMERGING_LEADERS = "emerging_leaders", "Emerging leaders"
    OTHER = "other", "Other shared development"


class DevelopmentProgramme(models.Model):
    """A course or programme of shared development, and its goal: a share of frontline staff
    (100% for "all frontline staff") trained by a target date."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=ProgrammeKind.choices)
    goal = models.CharField(max_length=300, default="All frontline staff")
    goal_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    target_date = models.DateField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    programme = models.ForeignKey(
        DevelopmentProgramme, on_delete=models.PROTECT, related_name="sessions"
    )
    date = models.DateField()
    venue = models.CharField(max_length=300)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    places_booked = models.PositiveIntegerField(default=0)
    trainer = models.CharField(max_length=200)

    class Meta:
        ordering: ClassVar[list[str]] = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.programme} on {self.date:%-d %B %Y} at {self.venue}"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_booked, 0)

    def is_past(self, today: dt.date) -> bool:
        return self.date <= today


class Completion(models.Model):
    """One member of staff completing a programme: their name or staff reference and role only."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="completions")
    programme = models.ForeignKey(
        DevelopmentProgramme, on_delete=models.PROTECT, related_name="completions"
    )
    staff_name = models.CharField(max_length=200, verbose_name="Name or staff reference")
    staff_role = models.CharField(max_length=200, blank=True, verbose_name="Role")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="completions"
    )
    completed_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-completed_on", "staff_name", "id"]
