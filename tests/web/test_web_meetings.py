"""Meetings and the action log: importing minutes, matters arising, updating actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import signed_in, today
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.programme.models import (
    ActionLogEntry,
    ActionStatus,
    AttendanceKind,
    Body,
    Meeting,
)

SEED = Path("/work/shared/seeds/001_ae13a8ea92fc074c.txt")
XSS = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def seed_text() -> str:
    if not SEED.exists():
        pytest.skip("the seed minutes are not here")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def officer(make_user: Callable[..., User]) -> Client:
    return signed_in(make_user(Role.PROGRAMME_OFFICER))


@pytest.fixture
def imported(officer: Client) -> Meeting:
    text = seed_text()
    url = reverse("programme:minutes_import")
    preview = officer.post(url, {"text": text})
    assert preview.status_code == 200
    assert b"Check the minutes" in preview.content and b"Save the meeting" in preview.content
    assert Meeting.objects.count() == 0  # nothing is saved before it is confirmed
    done = officer.post(url, {"text": text, "body": "Executive", "confirm": "1"})
    assert done.status_code == 302
    return Meeting.objects.get(date=dt.date(2016, 7, 19))


def test_importing_the_seed_minutes_makes_a_meeting_with_its_attendance_and_actions(
    officer: Client, imported: Meeting
) -> None:
    assert imported.body.name == "Executive"
    assert imported.attendance.filter(kind=AttendanceKind.ATTENDED).count() == 13
    assert imported.attendance.filter(kind=AttendanceKind.APOLOGIES).count() == 4
    assert imported.next_meeting_on == dt.date(2016, 9, 27)
    assert imported.actions.count() == 7
    assert AuditEvent.objects.filter(verb="programme.minutes_imported").count() == 1
    page = officer.get(reverse("programme:meeting", args=[imported.pk]))
    assert page.status_code == 200 and b"Councillor Alistair Bradley" in page.content
    log = officer.get(reverse("programme:actions")).content.decode()
    assert "PMO to arrange discussions" in log and "Executive" in log


def test_importing_the_same_minutes_twice_is_refused(officer: Client, imported: Meeting) -> None:
    url = reverse("programme:minutes_import")
    again = officer.post(url, {"text": seed_text(), "body": "Executive", "confirm": "1"})
    assert again.status_code == 200 and b"already has minutes" in again.content
    assert imported.actions.count() == 7


def test_the_next_meeting_lists_the_open_actions_as_matters_arising(
    officer: Client, imported: Meeting
) -> None:
    following = Meeting.objects.get(body=imported.body, date=dt.date(2016, 9, 27))
    url = reverse("programme:meeting", args=[following.pk])
    assert officer.get(url).content.decode().count("PMO to arrange discussions") == 1
    # the meeting that set them does not list them as arising from earlier meetings
    own = officer.get(reverse("programme:meeting", args=[imported.pk])).content.decode()
    assert "No open actions from earlier meetings" in own


def test_clearing_an_action_with_an_update_removes_it_from_matters_arising(
    officer: Client, imported: Meeting
) -> None:
    action = ActionLogEntry.objects.get(wording__startswith="PMO to arrange")
    update_url = reverse("programme:action_update", args=[action.pk])
    officer.post(update_url, {"text": "Meetings booked", "status": "in_progress"})
    response = officer.post(update_url, {"text": "All held", "status": "cleared"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.CLEARED
    assert [u.text for u in action.updates.all()] == ["Meetings booked", "All held"]
    following = Meeting.objects.get(body=imported.body, date=dt.date(2016, 9, 27))
    page = officer.get(reverse("programme:meeting", args=[following.pk])).content.decode()
    assert "PMO to arrange discussions" not in page
    assert "Vicky to contact LCC" in page
    history = officer.get(update_url).content.decode()
    assert "Meetings booked" in history and "All held" in history
    assert AuditEvent.objects.filter(verb="programme.action_updated").count() == 2


def test_text_that_is_not_minutes_is_refused_with_an_error_message(officer: Client) -> None:
    response = officer.post(reverse("programme:minutes_import"), {"text": " \n "})
    assert response.status_code == 200
    assert b"govuk-error-message" in response.content
    empty = SimpleUploadedFile("notes.txt", b"\n\n")
    response = officer.post(reverse("programme:minutes_import"), {"upload": empty})
    assert b"govuk-error-message" in response.content
    assert b"no minutes to read" in response.content
    assert Meeting.objects.count() == 0


def test_an_upload_must_be_text_or_html(officer: Client) -> None:
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF")
    response = officer.post(reverse("programme:minutes_import"), {"upload": upload})
    assert b".txt or .html" in response.content


@pytest.mark.parametrize(
    "name", ["programme:meetings", "programme:actions", "programme:minutes_import"]
)
def test_practitioners_are_refused(make_user: Callable[..., User], name: str) -> None:
    assert signed_in(make_user(Role.PRACTITIONER)).get(reverse(name)).status_code == 403


def test_what_the_minutes_say_is_escaped(officer: Client, db: None) -> None:
    body = Body.objects.create(name=XSS)
    earlier = Meeting.objects.create(body=body, date=dt.date(2016, 1, 1), venue=XSS, title=XSS)
    later = Meeting.objects.create(body=body, date=dt.date(2016, 2, 1))
    earlier.attendance.create(kind=AttendanceKind.ATTENDED, name=XSS, organisation=XSS)
    earlier.items.create(title=XSS, text=XSS)
    ActionLogEntry.objects.create(body=body, raised_at=earlier, wording=XSS, owner_name=XSS)
    for url in (
        reverse("programme:meeting", args=[earlier.pk]),
        reverse("programme:meeting", args=[later.pk]),
        reverse("programme:meetings"),
        reverse("programme:actions"),
    ):
        content = officer.get(url).content.decode()
        assert XSS not in content and ESCAPED in content


def test_the_preview_escapes_what_the_minutes_say(officer: Client) -> None:
    text = seed_text().replace("Allan Jones", XSS)
    preview = officer.post(reverse("programme:minutes_import"), {"text": text})
    assert preview.status_code == 200
    assert XSS not in preview.content.decode()


# Meetings made by hand: details, attendance, agenda; approving the previous minutes.


def test_a_meeting_made_by_hand_opens_its_agenda_with_the_standing_items(
    officer: Client, db: None
) -> None:
    response = officer.post(
        reverse("programme:meeting_new"),
        {
            "body": "Implementation Group",
            "date": "2026-12-03",
            "title": "Implementation Group",
            "venue": "Town Hall, Committee Room 1",
            "next_meeting_on": "2027-01-14",
        },
    )
    assert response.status_code == 302
    made = Meeting.objects.get()
    assert made.body.name == "Implementation Group" and made.venue.startswith("Town Hall")
    assert made.next_meeting_on == dt.date(2027, 1, 14)
    assert [i.title for i in made.items.all()] == [
        "Apologies",
        "Minutes of the previous meeting",
        "Matters arising",
    ]
    assert AuditEvent.objects.filter(verb="programme.meeting_created").count() == 1
    page = officer.get(response["Location"]).content.decode()
    assert "Committee Room 1" in page and "No open actions from earlier meetings" in page


def test_the_next_meeting_must_come_after_this_one(officer: Client, db: None) -> None:
    response = officer.post(
        reverse("programme:meeting_new"),
        {"body": "Executive", "date": "2026-12-03", "next_meeting_on": "2026-12-01"},
    )
    assert b"The next meeting must be after this one" in response.content
    assert not Meeting.objects.exists()


def test_minutes_fill_in_a_meeting_made_by_hand_and_the_next_meeting_takes_their_actions(
    officer: Client, db: None
) -> None:
    new = reverse("programme:meeting_new")
    officer.post(new, {"body": "Executive", "date": "2016-07-19", "venue": "Chorley Town Hall"})
    made = Meeting.objects.get()
    assert made.items.count() == 3
    url = reverse("programme:minutes_import")
    done = officer.post(url, {"text": seed_text(), "body": "Executive", "confirm": "1"})
    assert done.status_code == 302 and done["Location"].endswith(f"/{made.pk}/")
    made.refresh_from_db()
    assert made.title == "Chorley Public Service Reform Executive"
    assert made.venue == "Chorley Town Hall"  # the minutes gave none: kept
    assert made.actions.count() == 7 and made.items.first().title != "Apologies"
    decided = made.items.exclude(decisions="").values_list("decisions", flat=True)
    assert any("supported the elements of evaluation" in d for d in decided)
    # the minutes pencilled in 27 September; making it by hand fills that one in
    pencilled = Meeting.objects.get(date=dt.date(2016, 9, 27))
    following = officer.post(
        new, {"body": "Executive", "date": "2016-09-27", "venue": "Union Street Offices"}
    )
    assert following["Location"].endswith(f"/{pencilled.pk}/")
    page = officer.get(following["Location"]).content.decode()
    arising = page.split('id="matters-arising"')[1]
    assert "Matters arising" in arising and "PMO to arrange discussions" in arising
    assert page.count("2. Minutes of the previous meeting</h3>") == 1
    # a second meeting the same day is refused
    again = officer.post(new, {"body": "Executive", "date": "2016-07-19"})
    assert again.status_code == 200 and b"already has a meeting" in again.content


def test_changing_a_meeting_onto_another_meetings_day_is_refused(officer: Client, db: None) -> None:
    body = Body.objects.create(name="Executive")
    first = Meeting.objects.create(body=body, date=dt.date(2026, 1, 6))
    Meeting.objects.create(body=body, date=dt.date(2026, 3, 3))
    edit = reverse("programme:meeting_edit", args=[first.pk])
    assert b"2026-01-06" in officer.get(edit).content
    refused = officer.post(edit, {"body": "Executive", "date": "2026-03-03"})
    assert b"already has a meeting" in refused.content
    changed = officer.post(edit, {"body": "Executive", "date": "2026-01-13", "title": "Moved"})
    assert changed.status_code == 302
    first.refresh_from_db()
    assert (first.date, first.title) == (dt.date(2026, 1, 13), "Moved")
    assert AuditEvent.objects.filter(verb="programme.meeting_changed").count() == 1
    # filed under the wrong body: its actions move with it
    set_there = ActionLogEntry.objects.create(body=body, raised_at=first, wording="Report back")
    officer.post(edit, {"body": "Implementation Group", "date": "2026-01-13"})
    set_there.refresh_from_db()
    assert set_there.body.name == "Implementation Group"


def test_attendance_is_added_changed_and_removed(officer: Client, db: None) -> None:
    meeting = Meeting.objects.create(
        body=Body.objects.create(name="Executive"), date=dt.date(2026, 1, 6)
    )
    add = reverse("programme:meeting_attendance_new", args=[meeting.pk])
    person = {"kind": "attended", "name": "Gary Hall", "role": "Chief Executive"}
    officer.post(add, {**person, "organisation": "Chorley Council", "chair": "True"})
    officer.post(add, {"kind": "apologies", "name": "Jan Ledward", "chair": "False"})
    gary, jan = meeting.attendance.all()
    assert gary.chair and gary.kind == AttendanceKind.ATTENDED and not jan.chair
    edit = reverse("programme:meeting_attendance_edit", args=[meeting.pk, jan.pk])
    officer.post(edit, {"kind": "observer", "name": "Jan Ledward", "chair": "False"})
    jan.refresh_from_db()
    assert jan.kind == AttendanceKind.OBSERVER
    remove = reverse("programme:meeting_attendance_remove", args=[meeting.pk, gary.pk])
    assert officer.get(remove).status_code == 405
    assert officer.post(remove).status_code == 302
    assert [a.name for a in meeting.attendance.all()] == ["Jan Ledward"]
    verbs = list(AuditEvent.objects.filter(verb__startswith="programme.attendance_"))
    assert [e.verb.rsplit("_", 1)[1] for e in verbs] == ["added", "added", "changed", "removed"]


def test_agenda_items_are_added_changed_reordered_and_removed(officer: Client, db: None) -> None:
    officer.post(reverse("programme:meeting_new"), {"body": "Executive", "date": "2026-01-06"})
    meeting = Meeting.objects.get()
    add = reverse("programme:meeting_item_new", args=[meeting.pk])
    officer.post(add, {"number": "4", "title": "Risk register", "decisions": "Agreed\n\nNoted"})
    risk = meeting.items.get(title="Risk register")
    assert risk.decision_lines == ["Agreed", "Noted"]
    officer.post(
        reverse("programme:meeting_item_edit", args=[meeting.pk, risk.pk]),
        {"number": "4", "title": "The risk register", "text": "Two risks escalated"},
    )
    move = reverse("programme:meeting_item_move", args=[meeting.pk, risk.pk])
    officer.post(move, {"direction": "up"})
    titles = [i.title for i in meeting.items.all()]
    assert titles == [
        "Apologies",
        "Minutes of the previous meeting",
        "The risk register",
        "Matters arising",
    ]
    apologies = meeting.items.get(title="Apologies")
    officer.post(reverse("programme:meeting_item_move", args=[meeting.pk, apologies.pk]))
    assert meeting.items.all()[1].title == "Apologies"
    officer.post(reverse("programme:meeting_item_remove", args=[meeting.pk, risk.pk]))
    assert "The risk register" not in [i.title for i in meeting.items.all()]
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "programme.agenda_item_added",
        "programme.agenda_item_changed",
        "programme.agenda_item_moved",
        "programme.agenda_item_removed",
    } <= verbs


def test_approving_the_previous_minutes_is_shown_on_both_meetings(
    officer: Client, make_user: Callable[..., User], db: None
) -> None:
    body = Body.objects.create(name="Executive")
    earlier = Meeting.objects.create(body=body, date=dt.date(2026, 1, 6))
    later = Meeting.objects.create(body=body, date=dt.date(2026, 3, 3))
    approve = reverse("programme:meeting_approve_minutes", args=[earlier.pk])
    refused = officer.post(approve, {"amendments": ""})
    assert refused.status_code == 200 and b"no previous minutes to approve" in refused.content
    earlier.refresh_from_db()
    assert not earlier.previous_minutes_approved
    response = officer.post(
        reverse("programme:meeting_approve_minutes", args=[later.pk]),
        {"amendments": "Item 3: Lancashire Constabulary, not Lancashire Police"},
    )
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.previous_minutes_approved and later.previous_minutes_approved_at is not None
    assert later.previous_minutes_approved_by is not None
    own = officer.get(reverse("programme:meeting", args=[later.pk])).content.decode()
    assert "Approved as a correct record" in own and "not Lancashire Police" in own
    before = officer.get(reverse("programme:meeting", args=[earlier.pk])).content.decode()
    assert "Approved as a correct record at the meeting of" in before
    assert "3 March 2026" in before
    event = AuditEvent.objects.get(verb="programme.minutes_approved")
    assert event.object_id == str(earlier.pk) and event.detail["at_meeting"] == later.pk


# Reminders before a meeting.


@pytest.fixture
def upcoming(imported: Meeting) -> Meeting:
    """The meeting after the seed's, moved to next week, with the seed's actions arising."""
    following = Meeting.objects.get(body=imported.body, date=dt.date(2016, 9, 27))
    following.date = today() + dt.timedelta(days=5)
    following.venue = "Union Street Offices"
    following.save()
    return following


def test_owners_with_accounts_get_one_reminder_a_day_and_the_rest_are_listed(
    upcoming: Meeting, make_user: Callable[..., User]
) -> None:
    from django.core import mail

    from joinedup.web.programme.reminders import remind_before_meetings

    make_user(Role.EXECUTIVE_MEMBER, email="vicky@chorley.example", full_name=" vicky  WILLETT ")
    make_user(Role.EXECUTIVE_MEMBER, email="steve@chorley.example", full_name="Steve Winterson")
    User.objects.filter(email="steve@chorley.example").update(is_active=False)
    on = today()
    assert remind_before_meetings(on, days=4) == []  # the meeting is 5 days off
    (report,) = remind_before_meetings(on, days=7, actor="test")
    assert [r.email for r in report.sent] == ["vicky@chorley.example"]
    (message,) = mail.outbox
    assert message.to == ["vicky@chorley.example"]
    assert "Vicky to contact LCC" in message.body and "Union Street Offices" in message.body
    assert f"{upcoming.date:%-d %B %Y}" in message.subject
    chase = {r.owner for r in report.to_chase}
    assert {"Steve Winterson", "PMO", "Executive"} <= chase  # Steve's account is inactive
    assert AuditEvent.objects.filter(verb="programme.reminder_sent").count() == 1
    (again,) = remind_before_meetings(on, days=7, actor="test")
    assert again.sent == [] and [r.owner for r in again.already_sent] == ["Vicky Willett"]
    assert len(mail.outbox) == 1


def test_the_reminder_button_reports_who_to_chase(
    officer: Client, upcoming: Meeting, make_user: Callable[..., User]
) -> None:
    from django.core import mail

    make_user(Role.HUB_COORDINATOR, email="pmo@chorley.example", full_name="PMO")
    remind = reverse("programme:meeting_remind", args=[upcoming.pk])
    page = officer.post(remind).content.decode()
    assert "pmo@chorley.example" in page and "To chase by hand" in page
    assert "Vicky Willett" in page.split("To chase by hand")[1]
    assert [m.to for m in mail.outbox] == [["pmo@chorley.example"]]
    shown = officer.get(reverse("programme:meeting", args=[upcoming.pk])).content.decode()
    assert "Reminders sent (1)" in shown and "PMO (pmo@chorley.example), 1 open action<" in shown
    past = Meeting.objects.get(date=dt.date(2016, 7, 19))
    held = officer.post(reverse("programme:meeting_remind", args=[past.pk])).content.decode()
    assert "reminders go only before a meeting" in held
    assert len(mail.outbox) == 1


def test_the_remind_command_emails_owners(
    upcoming: Meeting,
    make_user: Callable[..., User],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core import mail
    from typer.testing import CliRunner

    from joinedup.cli import app

    make_user(Role.EXECUTIVE_MEMBER, email="vicky@chorley.example", full_name="Vicky Willett")
    monkeypatch.setattr("joinedup.programme.cli.open_hub", lambda home: tmp_path)
    result = CliRunner().invoke(app, ["programme", "remind", "--days", "7", "--json"])
    assert result.exit_code == 0, result.output
    assert '"email": "vicky@chorley.example"' in result.output
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(verb="programme.reminder_sent")
    assert event.actor == "joinedup programme remind"
    quiet = CliRunner().invoke(app, ["programme", "remind", "--days", "1"])
    assert "No meetings in the next 1 days." in quiet.output


def test_what_officers_type_is_escaped_on_the_new_pages(
    officer: Client, make_user: Callable[..., User], db: None
) -> None:
    from django.core import mail

    body = Body.objects.create(name="Executive")
    earlier = Meeting.objects.create(body=body, date=dt.date(2026, 1, 6), title=XSS)
    later = Meeting.objects.create(
        body=body, date=today() + dt.timedelta(days=3), title=XSS, venue=XSS
    )
    person = earlier.attendance.create(kind=AttendanceKind.ATTENDED, name=XSS, role=XSS)
    item = later.items.create(title=XSS, text=XSS, decisions=XSS)
    ActionLogEntry.objects.create(body=body, raised_at=earlier, wording=XSS, owner_name=XSS)
    make_user(Role.EXECUTIVE_MEMBER, email="owner@example.org", full_name=XSS)
    officer.post(reverse("programme:meeting_approve_minutes", args=[later.pk]), {"amendments": XSS})
    pages = [
        officer.get(reverse("programme:meeting", args=[earlier.pk])),
        officer.get(reverse("programme:meeting", args=[later.pk])),
        officer.get(reverse("programme:meeting_edit", args=[later.pk])),
        officer.get(reverse("programme:meeting_attendance_edit", args=[earlier.pk, person.pk])),
        officer.get(reverse("programme:meeting_item_edit", args=[later.pk, item.pk])),
        officer.get(reverse("programme:meeting_approve_minutes", args=[later.pk])),
        officer.post(reverse("programme:meeting_remind", args=[later.pk])),
    ]
    for page in pages:
        content = page.content.decode()
        assert page.status_code == 200 and XSS not in content and ESCAPED in content
    (message,) = mail.outbox  # the owner matched by a name nobody should have
    assert message.to == ["owner@example.org"]
