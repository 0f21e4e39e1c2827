"""The work programme (themes, workstreams, phases), its funding and its risk register.

Every change is made through ``changes.py``, audited in the same transaction; a workstream's
status and a risk's score keep their history in their own tables as well.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.programme import scoring


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"


# The GOV.UK tag colour of each status: green, amber, red (RAG), grey and blue.
STATUS_TAGS = {
    Status.NOT_STARTED: "govuk-tag--grey",
    Status.ON_TRACK: "govuk-tag--green",
    Status.AT_RISK: "govuk-tag--yellow",
    Status.OFF_TRACK: "govuk-tag--red",
    Status.COMPLETE: "govuk-tag--blue",
}


class Theme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Workstream(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="workstreams")
    name = models.CharField(max_length=200)
    objective = models.TextField(blank=True)
    lead_name = models.CharField(max_length=200, blank=True)
    lead_organisation = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["theme__position", "position", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["theme", "name"], name="workstream_unique_in_theme")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS[Status(self.status)]


class StatusChange(models.Model):
    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="history")
    old_status = models.CharField(max_length=16, choices=Status.choices)
    new_status = models.CharField(max_length=16, choices=Status.choices)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-changed_at", "-id"]


class Phase(models.Model):
    """A deliverable or phase of a workstream, with its dates and what it waits for."""

    workstream = models.ForeignKey(Workstream, on_delete=models.CASCADE, related_name="phases")
    key = models.CharField(max_length=100, unique=True)  # the import file's name for it
    title = models.CharField(max_length=300)
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["start", "end", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="phase_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValidationError(
                {"end": "The end date must be the same as or after the start date"}
            )

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS[Status(self.status)]


class Grant(models.Model):
    name = models.CharField(max_length=200, unique=True)
    funder = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    conditions = models.TextField(blank=True)
    spend_by = models.DateField()

    class Meta:
        ordering: ClassVar[list[str]] = ["spend_by", "name"]

    def __str__(self) -> str:
        return self.name


class SpendKind(models.TextChoices):
    ACTUAL = "actual", "Actual"
    FORECAST = "forecast", "Forecast"


class SpendLine(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="spend")
    workstream = models.ForeignKey(
        Workstream, on_delete=models.SET_NULL, null=True, blank=True, related_name="spend"
    )
    description = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    on = models.DateField()
    kind = models.CharField(max_length=16, choices=SpendKind.choices)

    class Meta:
        ordering: ClassVar[list[str]] = ["on", "id"]


class Risk(models.Model):
    title = models.CharField(max_length=300)
    cause = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    owner = models.CharField(max_length=200)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    mitigations = models.TextField(blank=True)
    review_on = models.DateField()
    # Set when a measure that shows the risk crosses its threshold; cleared when it is saved.
    review_flagged = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-likelihood", "-impact", "title"]  # refined in views
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(
                    likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5
                ),
                name="risk_scored_one_to_five",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return scoring.score(self.likelihood, self.impact)

    @property
    def rag(self) -> str:
        return scoring.rag(self.score)

    @property
    def rag_label(self) -> str:
        return scoring.RAG_LABELS[self.rag]

    @property
    def rag_tag(self) -> str:
        return scoring.RAG_TAGS[self.rag]

    def review_overdue(self, today: dt.date) -> bool:
        return self.review_on < today

    def escalation_reasons(self, today: dt.date) -> list[scoring.EscalationReason]:
        return scoring.escalation_reasons(self.score, self.review_on, today)


class RiskScoreChange(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="history")
    old_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    old_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    new_likelihood = models.PositiveSmallIntegerField()
    new_impact = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-changed_at", "-id"]

    @property
    def old_score(self) -> int | None:
        if self.old_likelihood is None or self.old_impact is None:
            return None
        return self.old_likelihood * self.old_impact

    @property
    def new_score(self) -> int:
        return self.new_likelihood * self.new_impact


# Governance tied to evidence: the measures that show a risk or a workstream, their readings,
# and what is waiting for (or already on) the Executive's agenda because of them.


class MeasureKind(models.TextChoices):
    COHORT_SIZE = "cohort_size", "People in a built-in cohort"
    REFERRALS_RECEIVED = "referrals_received", "Referrals received in the last N days"
    OPEN_CASES = "open_cases", "Open cases"
    UNSPENT_AT_DEADLINE = "unspent_at_deadline", "Money a grant's forecast leaves unspent"


# Measures that count people: shown only through disclosure control.
PEOPLE_KINDS = frozenset(
    {MeasureKind.COHORT_SIZE, MeasureKind.REFERRALS_RECEIVED, MeasureKind.OPEN_CASES}
)


class Direction(models.TextChoices):
    ABOVE = "above", "Above"
    BELOW = "below", "Below"


class Measure(models.Model):
    """A figure that shows how a risk or a workstream is going, and the line it must not cross."""

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=MeasureKind.choices)
    cohort = models.CharField(max_length=100, blank=True)  # COHORT_SIZE: the cohort's name
    days = models.PositiveIntegerField(null=True, blank=True)  # REFERRALS_RECEIVED: the window
    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )  # UNSPENT_AT_DEADLINE
    threshold = models.DecimalField(max_digits=12, decimal_places=2)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    risk = models.ForeignKey(
        Risk, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )
    workstream = models.ForeignKey(
        Workstream, on_delete=models.CASCADE, null=True, blank=True, related_name="measures"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(risk__isnull=False, workstream__isnull=True)
                | models.Q(risk__isnull=True, workstream__isnull=False),
                name="measure_shows_a_risk_or_a_workstream",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Each kind needs its own detail (and keeps no other kind's)."""
        kind = MeasureKind(self.kind)
        if kind is not MeasureKind.COHORT_SIZE:
            self.cohort = ""
        if kind is not MeasureKind.REFERRALS_RECEIVED:
            self.days = None
        if kind is not MeasureKind.UNSPENT_AT_DEADLINE:
            self.grant = None
        missing = {
            MeasureKind.COHORT_SIZE: ("cohort", not self.cohort, "Choose the cohort to count"),
            MeasureKind.REFERRALS_RECEIVED: (
                "days",
                not self.days,
                "Give the number of days of referrals to count",
            ),
            MeasureKind.UNSPENT_AT_DEADLINE: (
                "grant",
                self.grant_id is None,
                "Choose the grant whose forecast to read",
            ),
        }.get(kind)
        if missing is not None and missing[1]:
            raise ValidationError({missing[0]: missing[2]})

    @property
    def counts_people(self) -> bool:
        return self.kind in PEOPLE_KINDS


class MeasureReading(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="readings")
    # None when a cohort was too small for its size to be published (fewer than 8 people).
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    read_at = models.DateTimeField(default=timezone.now)
    crossed = models.BooleanField()

    class Meta:
        ordering: ClassVar[list[str]] = ["read_at", "id"]


class Escalation(models.Model):
    """Something for the Executive's next meeting: a risk's score or overdue review, or a
    measure past its threshold. Pending until a future Executive meeting exists to take it."""

    key = models.CharField(max_length=200, unique=True)  # once each: why, and at what
    title = models.CharField(max_length=500)
    reason = models.TextField()
    risk = models.ForeignKey(
        Risk, on_delete=models.CASCADE, null=True, blank=True, related_name="escalations"
    )
    workstream = models.ForeignKey(
        Workstream, on_delete=models.CASCADE, null=True, blank=True, related_name="escalations"
    )
    reading = models.ForeignKey(
        MeasureReading, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    # Escalations of one risk or workstream pending together share an agenda item.
    agenda_item = models.ForeignKey(
        "AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["raised_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def pending(self) -> bool:
        return self.agenda_item_id is None


ZERO = Decimal("0.00")


# Meetings and the action log: the Executive's and the Implementation Group's meetings, who
# came, and the actions set at them (kept open until cleared, with their updates).


# The two bodies that run the partnership; the Executive's next meeting takes escalations.
EXECUTIVE = "Executive"
IMPLEMENTATION_GROUP = "Implementation Group"


class Body(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=300, blank=True)
    date = models.DateField()
    venue = models.CharField(max_length=300, blank=True)
    previous_minutes_approved = models.BooleanField(default=False)
    # Who recorded, at this meeting, that the previous meeting's minutes were a correct record
    # (empty when the approval came in with imported minutes).
    previous_minutes_approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    previous_minutes_approved_at = models.DateTimeField(null=True, blank=True)
    previous_minutes_amendments = models.TextField(blank=True)
    next_meeting_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-date", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["body", "date"], name="meeting_unique_per_body_day")
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.date:%d %B %Y}"


class AttendanceKind(models.TextChoices):
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Apologies"
    OBSERVER = "observer", "Observer"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    kind = models.CharField(max_length=16, choices=AttendanceKind.choices)
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=300, blank=True)
    organisation = models.CharField(max_length=300, blank=True)
    chair = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.CharField(max_length=20, blank=True)
    title = models.CharField(max_length=500)
    text = models.TextField(blank=True)
    decisions = models.TextField(blank=True)  # one a line
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_matters_arising(self) -> bool:
        return self.title.strip().lower() == "matters arising"

    @property
    def decision_lines(self) -> list[str]:
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLEARED = "cleared", "Cleared"


class ActionLogEntry(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="actions")
    raised_at = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    item = models.CharField(max_length=500, blank=True)
    wording = models.TextField()
    owner_name = models.CharField(max_length=300, blank=True)
    due_on = models.DateField(null=True, blank=True)
    due_next_meeting = models.BooleanField(default=False)
    due_text = models.CharField(max_length=100, blank=True)  # as the minutes had it
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["raised_at__date", "id"]

    def __str__(self) -> str:
        return self.wording

    @property
    def due_label(self) -> str:
        if self.due_next_meeting:
            return "Next meeting"
        if self.due_on is not None:
            return f"{self.due_on:%d %B %Y}"
        return self.due_text


class ActionUpdate(models.Model):
    action = models.ForeignKey(ActionLogEntry, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True)
    by_name = models.CharField(max_length=300, blank=True)  # from imported minutes

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]


class ActionReminder(models.Model):
    """One reminder emailed to an action owner before a meeting: a second run the same day
    finds it and does not send again."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(max_length=300)
    actions = models.PositiveIntegerField()
    sent_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-sent_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["meeting", "recipient", "sent_on"], name="one_reminder_a_day"
            )
        ]
