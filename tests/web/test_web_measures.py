"""Governance tied to evidence: measures, their readings, and escalation to the Executive."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import signed_in, today
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.models import Case
from joinedup.web.programme import charts, measures
from joinedup.web.programme.changes import MEASURE_FIELDS
from joinedup.web.programme.importer import import_programme
from joinedup.web.programme.meetings import MeetingDetails, create_meeting
from joinedup.web.programme.models import (
    AgendaItem,
    Body,
    Escalation,
    Grant,
    Measure,
    MeasureKind,
    MeasureReading,
    Meeting,
    Risk,
    SpendLine,
    StatusChange,
    Theme,
    Workstream,
)


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.PROGRAMME_OFFICER)


def _risk(title: str = "Award not spent", likelihood: int = 2, impact: int = 3) -> Risk:
    """A risk that would not be escalated by its score or its review date."""
    return Risk.objects.create(
        title=title,
        owner="PMO",
        likelihood=likelihood,
        impact=impact,
        review_on=today() + dt.timedelta(days=60),
    )


def _unspent_measure(risk: Risk, threshold: int = 0) -> tuple[Measure, Grant]:
    """A grant of £1,000 with £400 spent: £600 unspent at the deadline."""
    grant = Grant.objects.create(
        name="Award", funder="DCLG", amount=1000, spend_by=today() + dt.timedelta(days=90)
    )
    SpendLine.objects.create(grant=grant, amount=400, on=today(), kind="actual")
    measure = Measure.objects.create(
        name="Money left unspent",
        kind=MeasureKind.UNSPENT_AT_DEADLINE,
        grant=grant,
        threshold=threshold,
        direction="above",
        risk=risk,
    )
    return measure, grant


def _meeting(body: str, days_ahead: int) -> Meeting:
    found, _ = Body.objects.get_or_create(name=body)
    meeting = Meeting.objects.create(body=found, date=today() + dt.timedelta(days=days_ahead))
    AgendaItem.objects.create(meeting=meeting, number="1", title="Apologies", position=0)
    return meeting


def test_a_crossing_puts_exactly_one_item_on_the_next_executive_agenda(db: None) -> None:
    risk = _risk()
    measure, _ = _unspent_measure(risk)
    past = _meeting("Executive", -7)
    later = _meeting("Executive", 60)
    next_one = _meeting("Executive", 14)
    other_body = _meeting("Implementation Group", 7)

    report = measures.check_measures()

    assert [r.value for r in report.read] == [Decimal("600.00")]
    items = list(next_one.items.order_by("position"))
    assert [i.title for i in items] == ["Apologies", "Risk escalated: Award not spent"]
    assert "Measure past its threshold: Money left unspent is £600.00, above £0" in items[1].text
    assert items[1].position == 1
    for untouched in (past, later, other_body):
        assert untouched.items.count() == 1
    risk.refresh_from_db()
    assert risk.review_flagged
    assert "Flagged for review: Money left unspent is £600.00" in risk.history.get().note
    # Still past the threshold when checked again: not a new crossing, nothing added.
    measures.check_measures()
    assert next_one.items.count() == 2
    assert measure.readings.count() == 2 and all(r.crossed for r in measure.readings.all())
    assert Escalation.objects.count() == 1
    assert verify().intact


def test_a_measure_within_its_threshold_puts_nothing_on_the_agenda(db: None) -> None:
    risk = _risk()
    measure, _ = _unspent_measure(risk, threshold=1000)
    meeting = _meeting("Executive", 14)
    measures.check_measures()
    reading = measure.readings.get()
    assert (reading.value, reading.crossed) == (Decimal("600.00"), False)
    assert meeting.items.count() == 1
    assert not Escalation.objects.exists()
    risk.refresh_from_db()
    assert not risk.review_flagged and not risk.history.exists()


def test_held_until_an_executive_meeting_exists_then_attached_once(db: None) -> None:
    _unspent_measure(_risk())
    report = measures.check_measures()
    assert report.meeting is None and report.attached == []
    pending = Escalation.objects.get()
    assert pending.pending and not AgendaItem.objects.exists()

    meeting = _meeting("Executive", 21)
    attached = measures.attach_pending_escalations()
    assert attached == [pending]
    assert measures.attach_pending_escalations() == []
    assert meeting.items.filter(title__startswith="Risk escalated").count() == 1
    pending.refresh_from_db()
    assert pending.agenda_item is not None and pending.agenda_item.meeting == meeting
    assert AuditEvent.objects.filter(verb="programme.escalations_attached").count() == 1


def test_setting_up_the_executives_next_meeting_puts_what_waits_on_its_agenda(
    db: None, officer: User
) -> None:
    _unspent_measure(_risk())
    measures.check_measures()
    later = today() + dt.timedelta(days=30)
    implementation = create_meeting(
        MeetingDetails(body="Implementation Group", date=later), officer
    )
    assert not implementation.items.filter(title__startswith="Risk escalated").exists()

    executive = create_meeting(MeetingDetails(body="Executive", date=later), officer)
    titles = list(executive.items.values_list("title", flat=True))
    assert titles[:3] == ["Apologies", "Minutes of the previous meeting", "Matters arising"]
    assert sum(title.startswith("Risk escalated") for title in titles) == 1
    assert not Escalation.objects.filter(agenda_item__isnull=True).exists()


def test_crossing_again_after_coming_back_is_a_new_item(db: None) -> None:
    risk = _risk()
    measure, grant = _unspent_measure(risk)
    meeting = _meeting("Executive", 14)
    measures.check_measures()
    spend = SpendLine.objects.create(grant=grant, amount=600, on=today(), kind="forecast")
    measures.check_measures()  # all forecast spent: back within the threshold
    spend.delete()
    measures.check_measures()  # past it again
    assert [r.crossed for r in measure.readings.order_by("id")] == [True, False, True]
    assert meeting.items.filter(title__startswith="Risk escalated").count() == 2


def test_risks_escalated_by_score_or_overdue_review_go_on_the_agenda_once_each(db: None) -> None:
    high = _risk("High", 4, 4)
    overdue = Risk.objects.create(
        title="Overdue", owner="PMO", likelihood=1, impact=1, review_on=today() - dt.timedelta(1)
    )
    _risk("Quiet")
    meeting = _meeting("Executive", 14)
    measures.check_measures()
    measures.check_measures()
    titles = sorted(meeting.items.exclude(title="Apologies").values_list("title", flat=True))
    assert titles == ["Risk escalated: High", "Risk escalated: Overdue"]
    assert "Score 16 is 15 or more" in meeting.items.get(title="Risk escalated: High").text
    # A new review date that passes too is a new occasion.
    overdue.review_on = today() - dt.timedelta(days=2)
    overdue.save()
    high.impact = 5  # a new escalating score is another
    high.save()
    measures.check_measures()
    assert meeting.items.filter(title="Risk escalated: Overdue").count() == 2
    assert meeting.items.filter(title="Risk escalated: High").count() == 2


def test_a_workstream_measure_notes_its_history(db: None, organisation: Organisation) -> None:
    theme = Theme.objects.create(name="T")
    workstream = Workstream.objects.create(theme=theme, name="Extended MDT", status="on_track")
    Measure.objects.create(
        name="Open cases",
        kind=MeasureKind.OPEN_CASES,
        threshold=2,
        direction="above",
        workstream=workstream,
    )
    opener = User.objects.create_user("p@example.org", "x" * 20, organisation=organisation)
    for n in range(3):
        Case.objects.create(
            reference=f"C{n}", person_key=f"P{n}", organisation=organisation, opened_by=opener
        )
    report = measures.check_measures()
    assert report.read[0].value == 3 and report.read[0].crossed
    note = StatusChange.objects.get(workstream=workstream)
    assert (note.old_status, note.new_status) == ("on_track", "on_track")
    # Three people: a count too small to publish, so the note shows it hidden.
    assert "Open cases is [c], above 2" in note.note
    assert Escalation.objects.get().workstream == workstream


def test_counts_of_people_are_shown_through_disclosure_control(
    db: None, make_user: Callable[..., User]
) -> None:
    risk = _risk()
    measure = Measure.objects.create(
        name="Referrals in 28 days",
        kind=MeasureKind.REFERRALS_RECEIVED,
        days=28,
        threshold=5,
        direction="below",
        risk=risk,
    )
    for value, crossed in ((13, False), (3, True)):
        MeasureReading.objects.create(measure=measure, value=value, crossed=crossed)
    html = (
        signed_in(make_user(Role.EXECUTIVE_MEMBER))
        .get(reverse("programme:risk", kwargs={"risk_id": risk.pk}))
        .content.decode()
    )
    cells = html.split("Readings of Referrals in 28 days</caption>")[1].split("</table>")[0]
    assert ">15<" in cells and ">[c]<" in cells
    assert ">13<" not in cells and ">3<" not in cells
    assert "<svg" in html and "Past the threshold" in html


def test_a_hidden_count_is_past_a_threshold_only_when_every_value_it_could_be_is() -> None:
    assert measures.beyond(None, Decimal(8), measures.Direction.BELOW)
    assert not measures.beyond(None, Decimal(7), measures.Direction.BELOW)
    assert measures.beyond(None, Decimal(0), measures.Direction.ABOVE)  # 1 to 7 are all above 0
    assert not measures.beyond(None, Decimal(1), measures.Direction.ABOVE)
    assert measures.beyond(Decimal(4), Decimal(5), measures.Direction.BELOW)
    assert not measures.beyond(Decimal(5), Decimal(5), measures.Direction.BELOW)


def test_the_trend_breaks_where_a_reading_was_hidden() -> None:
    line = charts.trend([10.0, None, 20.0, 30.0], [False, False, True, True], 25.0)
    assert len(line.lines) == 2 and len(line.points) == 3
    assert line.points[-1].y < line.threshold_y < line.points[0].y  # higher values sit higher
    assert [p.crossed for p in line.points] == [False, True, True]


def test_the_officer_checks_measures_from_the_browser(db: None, officer: User) -> None:
    _unspent_measure(_risk())
    meeting = _meeting("Executive", 14)
    client = signed_in(officer)
    assert "Check measures now" in client.get(reverse("programme:measures")).content.decode()
    response = client.post(reverse("programme:measures_check"), follow=True)
    html = response.content.decode()
    assert "1 measure read; 1 new for the Executive; 1 put on the agenda" in html
    assert meeting.items.count() == 2
    event = AuditEvent.objects.get(verb="programme.measures_checked")
    assert event.actor == officer.email
    read = AuditEvent.objects.get(verb="programme.measure_read")
    assert read.detail["crossed"] and read.detail["escalated"]


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.EXECUTIVE_MEMBER])
def test_only_the_programme_officer_may_check_measures(
    db: None, role: Role, make_user: Callable[..., User]
) -> None:
    _unspent_measure(_risk())
    client = signed_in(make_user(role))
    assert client.post(reverse("programme:measures_check")).status_code == 403
    assert not MeasureReading.objects.exists()
    page = client.get(reverse("programme:measures"))
    if role is Role.PRACTITIONER:
        assert page.status_code == 403
    else:
        assert page.status_code == 200 and "Check measures now" not in page.content.decode()


def test_the_cli_checks_measures(db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from joinedup.cli import app

    _unspent_measure(_risk())
    monkeypatch.setattr("joinedup.web.cli.open_hub", lambda home: tmp_path)
    result = CliRunner().invoke(app, ["programme", "check-measures", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["readings"] == {"Money left unspent": "£600.00"}
    assert summary["escalated"] == ["Risk flagged for review: Award not spent"]
    assert summary["pending"] == 1
    assert AuditEvent.objects.get(verb="programme.measures_checked").actor == measures.CHECKED_BY


def test_the_seed_names_illustrative_measures(db: None) -> None:
    import_programme()
    import_programme()
    assert sorted(Measure.objects.values_list("kind", flat=True)) == [
        "cohort_size",
        "referrals_received",
        "unspent_at_deadline",
    ]
    unspent = Measure.objects.get(kind="unspent_at_deadline")
    assert unspent.risk is not None and unspent.grant is not None
    assert measures.read_value(unspent) == Decimal("32000.00")


def test_a_cohort_measure_reads_the_published_size(db: None, on_linked_home: Path) -> None:
    theme = Theme.objects.create(name="T")
    measure = Measure.objects.create(
        name="Multi-agency residents",
        kind=MeasureKind.COHORT_SIZE,
        cohort="multi_agency_contact",
        threshold=0,
        direction="above",
        workstream=Workstream.objects.create(theme=theme, name="W"),
    )
    value = measures.read_value(measure)
    # The published total: rounded to 5, never the raw count.
    assert value is not None and value > 0 and value % 5 == 0
    missing = Measure(name="x", kind=MeasureKind.COHORT_SIZE, cohort="no_such_cohort")
    with pytest.raises(measures.MeasureUnreadableError):
        measures.read_value(missing)


def test_every_reason_for_one_risk_goes_in_one_agenda_item(db: None) -> None:
    risk = Risk.objects.create(
        title="Award not spent", owner="PMO", likelihood=4, impact=4,
        review_on=today() - dt.timedelta(days=1),
    )  # fmt: skip
    _unspent_measure(risk)
    meeting = _meeting("Executive", 14)
    measures.check_measures()
    assert Escalation.objects.filter(risk=risk).count() == 3
    item = meeting.items.get(title="Risk escalated: Award not spent")
    reasons = item.text.splitlines()
    assert len(reasons) == 3
    assert reasons[0].startswith("Measure past its threshold: Money left unspent is £600.00")
    assert reasons[1].startswith("Score 16 is 15 or more")
    assert reasons[2].startswith("Review was due")


def test_the_officer_adds_and_changes_a_measure(db: None, officer: User) -> None:
    risk = _risk()
    client = signed_in(officer)
    url = reverse("programme:risk_measure_new", kwargs={"risk_id": risk.pk})
    form = client.get(url).content.decode()
    assert "multi_agency_contact" in form  # the built-in cohorts are offered
    fields = {
        "name": "Frail older people",
        "kind": "cohort_size",
        "cohort": "",
        "days": "28",
        "threshold": "400",
        "direction": "above",
    }
    refused = client.post(url, fields).content.decode()
    assert "govuk-error-summary" in refused and "Choose the cohort to count" in refused
    assert not Measure.objects.exists()
    response = client.post(url, {**fields, "cohort": "frail_older_people"})
    assert response.status_code == 302
    measure = Measure.objects.get()
    # The days belong to another kind of measure, and are not kept.
    assert (measure.risk, measure.cohort, measure.days) == (risk, "frail_older_people", None)
    edit = reverse("programme:measure_edit", kwargs={"measure_id": measure.pk})
    assert client.post(edit, {**fields, "kind": "open_cases", "threshold": "50"}).status_code == 302
    measure.refresh_from_db()
    assert (measure.kind, measure.cohort, measure.threshold) == ("open_cases", "", Decimal(50))
    verbs = list(
        AuditEvent.objects.filter(object_type="measure").values_list("verb", "detail__fields")
    )
    assert verbs == [
        ("programme.measure_created", list(MEASURE_FIELDS)),
        ("programme.measure_updated", ["kind", "cohort", "threshold"]),
    ]
    assert verify().intact


def test_the_overview_says_what_waits_for_an_executive_meeting(
    db: None, make_user: Callable[..., User]
) -> None:
    _unspent_measure(_risk())
    client = signed_in(make_user(Role.EXECUTIVE_MEMBER))
    assert (
        "waiting for the Executive"
        not in client.get(reverse("programme:overview")).content.decode()
    )
    measures.check_measures()
    html = client.get(reverse("programme:overview")).content.decode()
    assert "1 item waiting for the Executive's next meeting to be scheduled" in html
