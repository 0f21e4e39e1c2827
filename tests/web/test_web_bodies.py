"""The Executive and the Implementation Group with their members: who should be at a meeting,
who is not yet recorded there; and date pickers that show the date a form is changing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser
from test_web_browser import assert_accessible, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright

from conftest import signed_in
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.programme.importer import SEED_PROGRAMME, ProgrammeFileError, import_programme
from joinedup.web.programme.meetings import members_not_recorded
from joinedup.web.programme.models import (
    EXECUTIVE,
    IMPLEMENTATION_GROUP,
    AttendanceKind,
    Body,
    BodyMember,
    Meeting,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Callable[..., User]) -> Client:
    return signed_in(make_user(Role.PROGRAMME_OFFICER))


@pytest.fixture
def executive() -> Body:
    body = Body.objects.create(name=EXECUTIVE)
    body.members.create(name="Gary Hall", role="Chief Executive", organisation="Chorley Council")
    body.members.create(name="Councillor Alistair Bradley", chair=True)
    body.members.create(name="Sue Moore", organisation="Lancashire Care NHS Foundation Trust")
    return body


def member(name: str) -> BodyMember:
    return BodyMember.objects.get(name=name)


def test_the_officer_adds_a_member_and_the_body_page_lists_them(
    officer: Client, executive: Body
) -> None:
    response = officer.post(
        reverse("programme:body_member_new", args=[executive.pk]),
        {
            "name": "Jon Clegg",
            "role": "Early Action",
            "organisation": "Lancashire Constabulary",
            "chair": "False",
            "member_from": "2016-01-01",
            "member_until": "",
        },
    )
    assert response.status_code == 302
    added = member("Jon Clegg")
    assert added.body == executive and added.member_from == dt.date(2016, 1, 1)
    page = officer.get(reverse("programme:body", args=[executive.pk])).content.decode()
    assert "Jon Clegg" in page and "Lancashire Constabulary" in page and "Add a member" in page
    event = AuditEvent.objects.get(verb="programme.member_added")
    assert event.object_id == str(executive.pk) and event.detail["member"] == added.pk
    assert verify().intact


def test_a_membership_cannot_end_before_it_began(officer: Client, executive: Body) -> None:
    response = officer.post(
        reverse("programme:body_member_edit", args=[executive.pk, member("Gary Hall").pk]),
        {
            "name": "Gary Hall",
            "chair": "False",
            "member_from": "2016-05-01",
            "member_until": "2016-04-01",
        },
    )
    assert response.status_code == 200 and b"must end on or after" in response.content
    assert member("Gary Hall").member_until is None


def test_ending_a_membership_takes_them_off_the_current_members_but_keeps_them(
    officer: Client, executive: Body
) -> None:
    sue = member("Sue Moore")
    response = officer.post(reverse("programme:body_member_end", args=[executive.pk, sue.pk]))
    assert response.status_code == 302
    sue.refresh_from_db()
    assert sue.member_until == timezone.localdate()
    page = officer.get(reverse("programme:body", args=[executive.pk])).content.decode()
    current, past = page.split("Past and future members")
    assert "Sue Moore" not in current and "Sue Moore" in past
    assert AuditEvent.objects.filter(verb="programme.member_ended").count() == 1


def test_the_meetings_page_links_each_body_to_its_page(officer: Client, executive: Body) -> None:
    page = officer.get(reverse("programme:meetings")).content.decode()
    assert reverse("programme:body", args=[executive.pk]) in page


def test_a_meeting_lists_the_members_neither_present_nor_sending_apologies(
    officer: Client, executive: Body
) -> None:
    meeting = Meeting.objects.create(body=executive, date=dt.date(2016, 7, 19))
    meeting.attendance.create(kind=AttendanceKind.ATTENDED, name="gary hall")  # any case
    meeting.attendance.create(kind=AttendanceKind.APOLOGIES, name="Sue Moore")
    executive.members.create(name="Left Before", member_until=dt.date(2016, 7, 1))
    executive.members.create(name="Joined After", member_from=dt.date(2016, 8, 1))
    assert [m.name for m in members_not_recorded(meeting)] == ["Councillor Alistair Bradley"]
    page = officer.get(reverse("programme:meeting", args=[meeting.pk])).content.decode()
    missing = page.split("Members not recorded")[1].split('id="agenda"')[0]
    assert "Councillor Alistair Bradley" in missing and "Sue Moore" not in missing
    assert "Left Before" not in missing and "Joined After" not in missing


def test_one_click_records_the_members_not_yet_recorded_as_present(
    officer: Client, executive: Body, make_user: Callable[..., User]
) -> None:
    meeting = Meeting.objects.create(body=executive, date=timezone.localdate())
    meeting.attendance.create(kind=AttendanceKind.APOLOGIES, name="Sue Moore")
    url = reverse("programme:meeting_members_present", args=[meeting.pk])
    reader = signed_in(make_user(Role.EXECUTIVE_MEMBER, email="exec@example.org"))
    assert reader.post(url).status_code == 403
    assert (
        b"Record the members as present"
        in officer.get(reverse("programme:meeting", args=[meeting.pk])).content
    )
    assert officer.post(url).status_code == 302
    present = meeting.attendance.filter(kind=AttendanceKind.ATTENDED)
    assert sorted(present.values_list("name", flat=True)) == [
        "Councillor Alistair Bradley",
        "Gary Hall",
    ]
    assert present.get(name="Councillor Alistair Bradley").chair
    assert present.get(name="Gary Hall").organisation == "Chorley Council"
    assert meeting.attendance.filter(name="Sue Moore").get().kind == AttendanceKind.APOLOGIES
    officer.post(url)  # a second click adds nobody
    assert meeting.attendance.count() == 3
    page = officer.get(reverse("programme:meeting", args=[meeting.pk])).content.decode()
    assert "Members not recorded" not in page
    recorded = AuditEvent.objects.get(verb="programme.members_recorded_present")  # once
    assert len(recorded.detail["members"]) == 2
    assert verify().intact


def test_changing_a_record_shows_its_date_in_the_date_picker(
    officer: Client, executive: Body, client_as: Callable[..., Client]
) -> None:
    from joinedup.web.governance.importer import import_register
    from joinedup.web.governance.models import Agreement

    meeting = Meeting.objects.create(body=executive, date=dt.date(2026, 3, 5))
    page = officer.get(reverse("programme:meeting_edit", args=[meeting.pk])).content.decode()
    assert 'value="2026-03-05"' in page
    gary = member("Gary Hall")
    BodyMember.objects.filter(pk=gary.pk).update(member_from=dt.date(2015, 4, 1))
    page = officer.get(
        reverse("programme:body_member_edit", args=[executive.pk, gary.pk])
    ).content.decode()
    assert 'value="2015-04-01"' in page
    import_register()
    agreement = Agreement.objects.get(reference="DSA-GP-001")
    ig_lead = client_as(Role.IG_LEAD)
    page = ig_lead.get(
        reverse("governance:agreement_edit", kwargs={"reference": "DSA-GP-001"})
    ).content.decode()
    assert f'value="{agreement.start:%Y-%m-%d}"' in page
    assert f'value="{agreement.start:%d/%m/%Y}"' not in page


def test_the_seed_gives_the_executive_the_members_its_minutes_name() -> None:
    report = import_programme()
    executive = Body.objects.get(name=EXECUTIVE)
    assert report.bodies == 2 and report.members == executive.members.count() == 17
    chair = executive.members.get(chair=True)
    assert chair.name == "Councillor Alistair Bradley"
    gary = executive.members.get(name="Gary Hall")
    assert (gary.role, gary.organisation) == ("Chief Executive", "Chorley Council")
    assert not executive.members.filter(name__icontains="Hasina Khan").exists()  # observer
    assert not Body.objects.get(name=IMPLEMENTATION_GROUP).members.exists()


def test_importing_the_seed_again_keeps_an_ended_membership_and_adds_nobody_twice() -> None:
    import_programme()
    ended = dt.date(2017, 3, 31)
    BodyMember.objects.filter(name="John Buck").update(member_until=ended)
    import_programme()
    assert BodyMember.objects.count() == 17
    assert member("John Buck").member_until == ended


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('name = "Cabinet"', "not one of"),
        ('name = "Executive"\n[[body.member]]\nname = "A"\nchair = "yes"', "chair"),
        ('name = "Executive"\n[[body.member]]\nname = "A"\n[[body.member]]\nname = "a"', "twice"),
        (
            'name = "Executive"\n[[body.member]]\nname = "A"\n'
            "member_from = 2016-05-01\nmember_until = 2016-04-01",
            "on or after",
        ),
    ],
)
def test_a_bad_body_is_refused_with_the_whole_file(tmp_path: Path, body: str, why: str) -> None:
    bad = tmp_path / "bad.toml"
    good = SEED_PROGRAMME.read_text(encoding="utf-8").split("\n[[body]]")[0]
    bad.write_text(f"{good}\n[[body]]\n{body}\n", encoding="utf-8")
    with pytest.raises(ProgrammeFileError, match=why):
        import_programme(bad)
    assert not Body.objects.exists() and not BodyMember.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_body_and_meeting_pages_are_accessible_and_dates_show(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    orm_beside_playwright: None,
    tmp_path: Path,
) -> None:
    import_programme()
    executive = Body.objects.get(name=EXECUTIVE)
    meeting = Meeting.objects.create(body=executive, date=dt.date(2026, 3, 5), venue="Town Hall")
    page = signed_in_page(browser, live_server.url, make_user(Role.PROGRAMME_OFFICER))
    page.goto(f"{live_server.url}/programme/bodies/{executive.pk}/")
    assert page.get_by_role("cell", name="Gary Hall", exact=True).is_visible()
    page.screenshot(path=str(tmp_path / "body.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Add a member").click()
    page.get_by_label("Name").fill("Hayley Hughes")
    page.get_by_label("Member from (optional)").fill("2016-01-04")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/programme/bodies/{executive.pk}/#members")
    assert page.get_by_role("cell", name="Hayley Hughes", exact=True).is_visible()
    hayley = member("Hayley Hughes")
    page.goto(f"{live_server.url}/programme/bodies/{executive.pk}/members/{hayley.pk}/")
    assert page.get_by_label("Member from (optional)").input_value() == "2016-01-04"
    assert_accessible(page)
    page.goto(f"{live_server.url}/programme/meetings/{meeting.pk}/")
    assert page.get_by_role("heading", name="Members not recorded (18)").is_visible()
    page.screenshot(path=str(tmp_path / "meeting.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Record the members as present").click()
    page.wait_for_url(f"**/programme/meetings/{meeting.pk}/#attendance")
    assert not page.get_by_text("Members not recorded").is_visible()
    assert meeting.attendance.count() == 18
    page.goto(f"{live_server.url}/programme/meetings/{meeting.pk}/edit/")
    assert page.get_by_label("Date", exact=True).input_value() == "2026-03-05"
    page.close()
