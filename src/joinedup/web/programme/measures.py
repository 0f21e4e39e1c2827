"""Governance tied to evidence: read each measure, keep the reading, and escalate.

A measure crosses its threshold when a reading is beyond it (above or below, as the measure
says) and the reading before was not. Then the risk it shows is flagged for review (its
history says why), or the workstream's history says so, and an item waits for the Executive's
next meeting. Risks escalated by their score or an overdue review (``scoring``) go the same way.

Each escalation has a key naming its occasion (this reading, this score, this review date), so
checking again never puts the same thing on the agenda twice. An escalation waits (pending)
until a future meeting of the Executive exists; ``attach_pending_escalations`` puts everything
waiting on that meeting's agenda. It runs whenever measures are checked, and should run
whenever a meeting is created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
from django.db import models, transaction
from django.utils import timezone

from joinedup.analytics import disclosure
from joinedup.analytics.cohorts.run import run_cohort
from joinedup.home import resolve_home
from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record
from joinedup.web.cases.models import Case, CaseStatus
from joinedup.web.programme import charts
from joinedup.web.programme.models import (
    EXECUTIVE,
    AgendaItem,
    Direction,
    Escalation,
    Measure,
    MeasureKind,
    MeasureReading,
    Meeting,
    Risk,
    RiskScoreChange,
    StatusChange,
)
from joinedup.web.referrals.models import Referral

CHECKED_BY = "joinedup programme check-measures"
ATTACHED_BY = "JoinedUp (escalation to the Executive)"


class MeasureUnreadableError(Exception):
    """The figure behind a measure could not be read (the hub not built, a cohort refused)."""


def read_value(
    measure: Measure, home: Path | None = None, now: dt.datetime | None = None
) -> Decimal | None:
    """The measure's figure now. A cohort's size is its published (disclosure-controlled)
    total: None when too few people to publish; other counts are raw, controlled when shown."""
    kind = MeasureKind(measure.kind)
    if kind is MeasureKind.COHORT_SIZE:
        try:
            total = run_cohort(home or resolve_home(), measure.cohort).total
        except (LookupError, ValueError, OSError, duckdb.Error) as error:
            raise MeasureUnreadableError(str(error)) from error
        return None if total.value is None else Decimal(total.value)
    if kind is MeasureKind.REFERRALS_RECEIVED:
        since = (now or timezone.now()) - dt.timedelta(days=measure.days or 0)
        return Decimal(Referral.objects.filter(submitted_at__gte=since).count())
    if kind is MeasureKind.OPEN_CASES:
        return Decimal(Case.objects.filter(status=CaseStatus.OPEN).count())
    if measure.grant is None:
        raise MeasureUnreadableError(f"{measure.name} names no grant")
    return charts.spend_summary(measure.grant).unspent_at_deadline


def beyond(value: Decimal | None, threshold: Decimal, direction: Direction) -> bool:
    """Whether a figure is past its threshold. A hidden cohort size (1 to 7 people) is past
    it only when every value it could be is.

    >>> beyond(Decimal(20), Decimal(15), Direction.ABOVE), beyond(None, Decimal(10), Direction.BELOW)
    (True, True)
    >>> beyond(None, Decimal(5), Direction.BELOW), beyond(Decimal(15), Decimal(15), Direction.ABOVE)
    (False, False)
    """
    if value is None:
        lowest, highest = 1, disclosure.RULE.smallest_shown_count - 1
        return highest < threshold if direction == Direction.BELOW else lowest > threshold
    return value < threshold if direction == Direction.BELOW else value > threshold


def shown(measure: Measure, value: Decimal | None) -> str:
    """A reading as it may be shown: counts of people through disclosure control."""
    if measure.counts_people:
        if value is None:
            return disclosure.RULE.hidden_symbol
        return disclosure.control_count(int(value)).display
    return "–" if value is None else f"£{value:,.2f}"


def shown_number(measure: Measure, value: Decimal | None) -> float | None:
    """A reading as a number for a chart, after disclosure control; None when hidden."""
    if value is None:
        return None
    if measure.counts_people:
        return disclosure.control_count(int(value)).value
    return float(value)


def threshold_text(measure: Measure) -> str:
    amount = (
        f"{measure.threshold:,.0f}"
        if measure.counts_people or measure.threshold == measure.threshold.to_integral()
        else f"{measure.threshold:,.2f}"
    )
    money = "" if measure.counts_people else "£"
    return f"{Direction(measure.direction).label.lower()} {money}{amount}"


def _audit(
    by: User | None, verb: str, object_type: str, object_id: str, detail: dict[str, object]
) -> None:
    record(
        verb,
        actor_id=None if by is None else by.pk,
        actor=CHECKED_BY if by is None else by.email,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def _escalate(
    by: User | None, key: str, title: str, reason: str, **about: object
) -> Escalation | None:
    """A new escalation, audited, or None when this occasion was escalated already; call
    inside a transaction."""
    escalation, created = Escalation.objects.get_or_create(
        key=key, defaults={"title": title, "reason": reason, **about}
    )
    if not created:
        return None
    _audit(
        by, "programme.escalated", "escalation", str(escalation.pk), {"key": key, "title": title}
    )
    return escalation


def _crossed(measure: Measure, reading: MeasureReading, by: User | None) -> Escalation | None:
    """What crossing a threshold does: the risk flagged for review, or the workstream's history
    noted; the Executive told."""
    why = (
        f"{measure.name} is {shown(measure, reading.value)}, "
        f"{threshold_text(measure)} (read {timezone.localtime(reading.read_at):%-d %B %Y})"
    )
    about: dict[str, object]
    if measure.risk is not None:
        risk = Risk.objects.select_for_update().get(pk=measure.risk.pk)
        risk.review_flagged = True
        risk.save(update_fields=["review_flagged"])
        RiskScoreChange.objects.create(
            risk=risk,
            old_likelihood=risk.likelihood,
            old_impact=risk.impact,
            new_likelihood=risk.likelihood,
            new_impact=risk.impact,
            note=f"Flagged for review: {why}",
            changed_by=by,
        )
        subject, about = f"Risk flagged for review: {risk.title}", {"risk": risk}
    else:
        workstream = measure.workstream
        assert workstream is not None  # a measure shows a risk or a workstream
        StatusChange.objects.create(
            workstream=workstream,
            old_status=workstream.status,
            new_status=workstream.status,
            note=f"Measure crossed its threshold: {why}",
            changed_by=by,
        )
        subject, about = (
            f"Workstream measure crossed: {workstream.name}",
            {"workstream": workstream},
        )
    return _escalate(
        by,
        f"measure-{measure.pk}-reading-{reading.pk}",
        subject,
        f"Measure past its threshold: {why}.",
        reading=reading,
        **about,
    )


def read_measure(
    measure: Measure, by: User | None, home: Path | None = None
) -> tuple[MeasureReading, Escalation | None]:
    """Read ``measure`` and keep the reading; when it has just crossed its threshold, act."""
    value = read_value(measure, home)
    with transaction.atomic():
        # Two checks at once must not both see "not crossed before" and both escalate.
        Measure.objects.select_for_update().filter(pk=measure.pk).first()
        previous = measure.readings.order_by("-read_at", "-id").first()
        crossed = beyond(value, measure.threshold, Direction(measure.direction))
        reading = MeasureReading.objects.create(measure=measure, value=value, crossed=crossed)
        escalation = None
        if crossed and (previous is None or not previous.crossed):
            escalation = _crossed(measure, reading, by)
        _audit(
            by,
            "programme.measure_read",
            "measure",
            str(measure.pk),
            {"reading": reading.pk, "crossed": crossed, "escalated": escalation is not None},
        )
    return reading, escalation


def escalate_risks(
    risks: Iterable[Risk], today: dt.date, by: User | None = None
) -> list[Escalation]:
    """Risks whose score or overdue review sends them to the Executive, each occasion once;
    call inside a transaction."""
    raised = []
    for risk in risks:
        for reason in risk.escalation_reasons(today):
            escalation = _escalate(
                by,
                f"risk-{risk.pk}-{reason.key}",
                f"Risk escalated: {risk.title}",
                f"{reason.text}. Score {risk.score} ({risk.rag_label}); owner {risk.owner}.",
                risk=risk,
            )
            if escalation is not None:
                raised.append(escalation)
    return raised


def next_executive_meeting(today: dt.date) -> Meeting | None:
    """The Executive's first meeting after today, if one is scheduled."""
    return (
        Meeting.objects.filter(body__name=EXECUTIVE, date__gt=today).order_by("date", "id").first()
    )


def _agenda_title(escalation: Escalation) -> str:
    if escalation.risk is not None:
        return f"Risk escalated: {escalation.risk.title}"
    assert escalation.workstream is not None  # an escalation is of a risk or a workstream
    return f"Workstream escalated: {escalation.workstream.name}"


def attach_pending_escalations(today: dt.date | None = None) -> list[Escalation]:
    """Put every pending escalation on the agenda of the Executive's next meeting, if there is
    one: an item for each risk or workstream, giving every reason. What it attached. Call it
    whenever a meeting is created, too."""
    with transaction.atomic():
        meeting = next_executive_meeting(today or timezone.localdate())
        if meeting is None:
            return []
        pending = list(
            Escalation.objects.select_for_update()
            .filter(agenda_item__isnull=True)
            .order_by("raised_at", "id")
        )
        by_subject: dict[str, list[Escalation]] = {}
        for escalation in pending:
            by_subject.setdefault(_agenda_title(escalation), []).append(escalation)
        last = meeting.items.aggregate(last=models.Max("position"))["last"]
        position = -1 if last is None else last
        for title, escalations in by_subject.items():
            position += 1
            item = AgendaItem.objects.create(
                meeting=meeting,
                title=title,
                text="\n".join(e.reason for e in escalations),
                position=position,
            )
            for escalation in escalations:
                escalation.agenda_item = item
                escalation.save(update_fields=["agenda_item"])
        if pending:
            record(
                "programme.escalations_attached",
                actor=ATTACHED_BY,
                object_type="meeting",
                object_id=str(meeting.pk),
                detail={"escalations": [e.pk for e in pending]},
            )
    return pending


@dataclass
class CheckReport:
    read: list[MeasureReading] = field(default_factory=list)
    unreadable: list[tuple[Measure, str]] = field(default_factory=list)
    escalated: list[Escalation] = field(default_factory=list)
    attached: list[Escalation] = field(default_factory=list)
    meeting: Meeting | None = None

    @property
    def crossed(self) -> list[MeasureReading]:
        return [r for r in self.read if r.crossed]

    def summary(self) -> str:
        read = len(self.read)
        meeting = f" of {self.meeting}" if self.meeting is not None and self.attached else ""
        return (
            f"{read} measure{'' if read == 1 else 's'} read; "
            f"{len(self.escalated)} new for the Executive; "
            f"{len(self.attached)} put on the agenda{meeting}; "
            f"{Escalation.objects.filter(agenda_item__isnull=True).count()} waiting for a "
            "meeting of the Executive"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "measures_read": len(self.read),
            "beyond_threshold": [r.measure.name for r in self.crossed],
            "unreadable": {m.name: why for m, why in self.unreadable},
            "escalated": [e.title for e in self.escalated],
            "put_on_agenda": [e.title for e in self.attached],
            "meeting": None if self.meeting is None else str(self.meeting),
            "pending": Escalation.objects.filter(agenda_item__isnull=True).count(),
        }


def check_measures(
    by: User | None = None, today: dt.date | None = None, home: Path | None = None
) -> CheckReport:
    """Read every measure, escalate what crossed and the risks due to go, and put everything
    waiting on the Executive's next agenda."""
    day = today or timezone.localdate()
    report = CheckReport()
    for measure in Measure.objects.select_related("risk", "workstream", "grant"):
        try:
            reading, escalation = read_measure(measure, by, home)
        except MeasureUnreadableError as error:
            report.unreadable.append((measure, str(error)))
            continue
        report.read.append(reading)
        if escalation is not None:
            report.escalated.append(escalation)
    with transaction.atomic():
        report.escalated.extend(escalate_risks(Risk.objects.all(), day, by))
    report.attached = attach_pending_escalations(day)
    report.meeting = next_executive_meeting(day)
    with transaction.atomic():
        _audit(
            by,
            "programme.measures_checked",
            "programme",
            "measures",
            {k: v for k, v in report.as_dict().items() if k != "meeting"},
        )
    return report


@dataclass(frozen=True)
class MeasureView:
    """A measure as its page shows it: every figure already through disclosure control."""

    measure: Measure
    threshold: str
    readings: list[tuple[MeasureReading, str]]  # newest first
    trend: charts.Trend | None

    @property
    def latest(self) -> tuple[MeasureReading, str] | None:
        return self.readings[0] if self.readings else None


TREND_READINGS = 24  # the most recent readings drawn


def measure_view(measure: Measure) -> MeasureView:
    readings = list(measure.readings.order_by("-read_at", "-id"))
    drawn = list(reversed(readings[:TREND_READINGS]))
    line = (
        charts.trend(
            [shown_number(measure, r.value) for r in drawn],
            [r.crossed for r in drawn],
            float(measure.threshold),
        )
        if drawn
        else None
    )
    return MeasureView(
        measure, threshold_text(measure), [(r, shown(measure, r.value)) for r in readings], line
    )
