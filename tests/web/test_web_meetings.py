"""Meetings and the action log: importing minutes, matters arising, updating actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import signed_in
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

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
