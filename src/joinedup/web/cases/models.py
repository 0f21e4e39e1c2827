"""Cases of the Integrated Action Team, the workers on them, and what is recorded in a case.

A worker on an open case is the legitimate relationship that opens the case's person to them
(``people.access``). The person is held by their pseudonymous ``person_key`` only: their
identifiers stay in the identity zone and are read, audited, when someone with the
relationship opens the person.

A case holds its needs and goals (by domain), its actions, its case notes (append-only), its
consent record, its next review date, its outcome measures (PAM and SWEMWBS) and, once closed,
its outcome. Every change goes through ``casework`` (audited) and ``workflow`` (what the
case's state allows).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import Organisation, User
from joinedup.web.cases.measures import swemwbs_metric
from joinedup.web.governance.sharing import Domain, LawfulBasis


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ClosureOutcome(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    GOALS_PARTLY_MET = "goals_partly_met", "Goals partly met"
    STEPPED_DOWN = "stepped_down", "Stepped down to universal or community services"
    TRANSFERRED = "transferred", "Transferred to another service"
    DISENGAGED = "disengaged", "The person stopped engaging"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    DIED = "died", "Died"


class Case(models.Model):
    reference = models.CharField(max_length=32, unique=True)
    person_key = models.CharField(max_length=64, db_index=True)
    # The organisation that leads the case; others join through their workers.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cases_opened")
    closed_at = models.DateTimeField(null=True, blank=True)
    # The date by which the case is next reviewed: it puts the case on the MDT agenda.
    next_review = models.DateField(null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=32, choices=ClosureOutcome.choices, blank=True)
    # Given only when the case closed with actions still open: why it could not wait for them.
    closed_with_open_actions_because = models.TextField(blank=True)

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


class GoalStatus(models.TextChoices):
    WORKING = "working", "Working towards it"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"


class Added(models.Model):
    """When, and by whom, something was added to a case."""

    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class Need(Added):
    """One need in one domain, and the goal agreed with the person for it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    domain = models.CharField(max_length=32, choices=Domain.choices)
    need = models.TextField(max_length=2000)
    goal = models.TextField(max_length=2000)
    goal_status = models.CharField(
        max_length=16, choices=GoalStatus.choices, default=GoalStatus.WORKING
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["domain", "added_at"]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} need on {self.case}"

    def describe(self) -> str:
        return f"{self.get_domain_display()}. Goal: {self.goal}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Action(Added):
    """Something one worker on the case will do by a date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_actions")
    due = models.DateField()
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["due", "added_at"]

    def __str__(self) -> str:
        return f"action {self.pk} on {self.case}"

    def describe(self) -> str:
        return f"Action: {self.description} (due {self.due:%d %B %Y})"

    def overdue(self, today: dt.date | None = None) -> bool:
        return self.status == ActionStatus.OPEN and self.due < (today or timezone.localdate())

    @property
    def is_overdue(self) -> bool:
        return self.overdue()


class AppendOnlyError(RuntimeError):
    """A case note was changed or deleted: notes are written once and kept as written."""


class CaseNote(models.Model):
    """A note on the case. Append-only: never edited or deleted, so the record stays honest."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(max_length=5000)

    class Meta:
        ordering: ClassVar[list[str]] = ["written_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.case}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("a case note is written once: add another note instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("a case note is never deleted")


class ConsentDecision(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    NOT_SOUGHT = "not_sought", "Consent not sought: shared on a lawful basis"


class ConsentRecord(models.Model):
    """One consent decision, kept with every one before it: the latest is the one in force."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    decision = models.CharField(max_length=16, choices=ConsentDecision.choices)
    decided_on = models.DateField()
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} on {self.case}"

    @property
    def sharing_allowed(self) -> bool:
        return self.decision == ConsentDecision.GIVEN or bool(self.lawful_basis)


class Assessment(models.Model):
    """What every outcome measure records besides its own figures: when, by whom, who entered it."""

    assessed_on = models.DateField()
    assessor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
        ordering: ClassVar[list[str]] = ["assessed_on", "recorded_at"]


class PamAssessment(Assessment):
    """A Patient Activation Measure as the licensed PAM tool gave it: JoinedUp never computes it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pam_assessments")
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    score = models.DecimalField(
        max_digits=4, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta(Assessment.Meta):
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="pam_level_1_to_4"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="pam_score_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"PAM level {self.level} on {self.case}"


class SwemwbsAssessment(Assessment):
    """The seven SWEMWBS answers (1-5 each) and their raw total; the metric score is read from
    the conversion table in ``measures``, never stored twice."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="swemwbs_assessments")
    answers = models.JSONField()
    raw_total = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(7), MaxValueValidator(35)]
    )

    class Meta(Assessment.Meta):
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(raw_total__gte=7, raw_total__lte=35),
                name="swemwbs_raw_total_7_to_35",
            )
        ]

    def __str__(self) -> str:
        return f"SWEMWBS {self.raw_total} on {self.case}"

    @property
    def metric(self) -> float:
        return swemwbs_metric(self.raw_total)
