"""The meeting pack: one PDF (agenda, previous minutes, action log, risk summary) and the logs
as an Excel workbook."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import signed_in, today
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.programme.meetings import update_action
from joinedup.web.programme.models import (
    ActionLogEntry,
    ActionStatus,
    AttendanceKind,
    Body,
    Meeting,
    Risk,
)
from joinedup.web.programme.pack import build_pack, pack_pdf


def in_pdf(text: str) -> bytes:
    """Text as an uncompressed PDF's content stream holds it (brackets escaped)."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("latin-1")


@pytest.fixture
def officer_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.PROGRAMME_OFFICER, full_name="Pat Office")


@pytest.fixture
def meetings(officer_user: User) -> tuple[Meeting, Meeting]:
    """An Executive held in January (two actions set, one since cleared) and its next meeting."""
    body = Body.objects.create(name="Executive")
    held = Meeting.objects.create(
        body=body, date=dt.date(2026, 1, 6), title="Reform Executive", venue="Town Hall"
    )
    held.attendance.create(kind=AttendanceKind.ATTENDED, name="Gary Hall", chair=True)
    held.attendance.create(
        kind=AttendanceKind.APOLOGIES, name="Jan Ledward", organisation="Lancashire Police"
    )
    held.items.create(
        number="3", title="Evaluation", text="Findings to date", decisions="Dashboard agreed"
    )
    ActionLogEntry.objects.create(
        body=body, raised_at=held, wording="Draft terms of reference", owner_name="PMO"
    )
    cleared = ActionLogEntry.objects.create(
        body=body, raised_at=held, wording="Circulate the dashboard", owner_name="Steve"
    )
    update_action(cleared, "Sent to members", ActionStatus.CLEARED, officer_user)
    following = Meeting.objects.create(
        body=body, date=dt.date(2026, 3, 3), title="Reform Executive \u2013 March"
    )
    following.items.create(number="1", title="Apologies", position=0)
    following.items.create(number="2", title="Matters arising", position=1)
    following.items.create(number="3", title="=1+1 formula bait", position=2)
    Risk.objects.create(
        title="Data sharing stalls",
        owner="IG lead",
        likelihood=4,
        impact=4,
        review_on=dt.date(2099, 1, 1),
    )
    Risk.objects.create(
        title="Small slippage", owner="PMO", likelihood=1, impact=2, review_on=dt.date(2099, 1, 1)
    )
    return held, following


def test_the_pdf_holds_the_agenda_minutes_action_log_and_risks(
    meetings: tuple[Meeting, Meeting],
) -> None:
    _, following = meetings
    pack = build_pack(following, dt.date(2026, 2, 20))
    assert [a.wording for a in pack.matters_arising] == ["Draft terms of reference"]
    assert [a.wording for a in pack.cleared] == ["Circulate the dashboard"]
    assert [r.title for r, _ in pack.escalated] == ["Data sharing stalls"]
    assert pack.heat_map[1][1][3] == (4, 1, "red")  # likelihood 4, impact 4
    pdf = pack_pdf(pack, compress=False)
    assert pdf.startswith(b"%PDF")
    for text in (
        "Reform Executive - March",  # the en dash, written as the standard fonts can
        "Matters arising",
        "Draft terms of reference",
        "Minutes of the previous meeting, 6 January 2026",
        "Gary Hall (chair)",
        "Jan Ledward (Lancashire Police)",
        "Decision: Dashboard agreed",
        "Cleared since the last meeting",
        "Circulate the dashboard",
        "Sent to members",
        "Data sharing stalls",
        "Likelihood 4",
    ):
        assert in_pdf(text) in pdf, text
    assert pack_pdf(pack).startswith(b"%PDF")  # compressed, as downloaded


def test_a_first_meeting_has_no_previous_minutes(db: None) -> None:
    first = Meeting.objects.create(body=Body.objects.create(name="Executive"), date=today())
    pdf = pack_pdf(build_pack(first, today()), compress=False)
    assert in_pdf("This is the first Executive meeting in JoinedUp.") in pdf
    assert in_pdf("No open actions.") in pdf and in_pdf("No risks to escalate.") in pdf


def test_the_downloads_are_audited_and_the_workbook_holds_the_logs(
    meetings: tuple[Meeting, Meeting], officer_user: User
) -> None:
    _, following = meetings
    client = signed_in(officer_user)
    pdf = client.get(reverse("programme:meeting_pack_pdf", args=[following.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "executive-2026-03-03-meeting-pack.pdf" in pdf["Content-Disposition"]
    xlsx = client.get(reverse("programme:meeting_pack_xlsx", args=[following.pk]))
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Agenda", "Action log", "Risks", "Heat map"]
    agenda = [[c.value for c in row] for row in book["Agenda"].iter_rows()]
    assert agenda[0] == ["Number", "Item", "Text", "Decisions"]
    assert [row[1] for row in agenda[1:]] == ["Apologies", "Matters arising", "'=1+1 formula bait"]
    log = [[c.value for c in row] for row in book["Action log"].iter_rows(values_only=False)]
    assert log[0][:3] == ["Status", "Action", "Owner"]
    assert [(r[0], r[1], r[2]) for r in log[1:]] == [
        ("Open", "Draft terms of reference", "PMO"),
        ("Cleared", "Circulate the dashboard", "Steve"),
    ]
    assert "Sent to members" in log[2][6] and log[2][3] == "6 January 2026"
    risks = [[c.value for c in row] for row in book["Risks"].iter_rows()]
    assert risks[1][:6] == ["Data sharing stalls", "IG lead", 4, 4, 16, "Red"]
    assert "Score 16 is 15 or more" in risks[1][7] and not risks[2][7]
    heat = [[c.value for c in row] for row in book["Heat map"].iter_rows()]
    assert heat[0] == ["Likelihood", "Impact 1", "Impact 2", "Impact 3", "Impact 4", "Impact 5"]
    assert heat[2] == [4, 0, 0, 0, 1, 0] and heat[5] == [1, 0, 1, 0, 0, 0]
    formats = list(
        AuditEvent.objects.filter(verb="programme.pack_downloaded").values_list(
            "detail__format", flat=True
        )
    )
    assert formats == ["pdf", "xlsx"]


def test_the_meeting_page_links_to_the_pack_for_executive_members(
    meetings: tuple[Meeting, Meeting], make_user: Callable[..., User]
) -> None:
    _, following = meetings
    member = signed_in(make_user(Role.EXECUTIVE_MEMBER))
    page = member.get(reverse("programme:meeting", args=[following.pk])).content.decode()
    assert reverse("programme:meeting_pack_pdf", args=[following.pk]) in page
    assert reverse("programme:meeting_pack_xlsx", args=[following.pk]) in page
    assert "Add an agenda item" not in page  # reading, not changing
    got = member.get(reverse("programme:meeting_pack_pdf", args=[following.pk]))
    assert got.status_code == 200


def test_practitioners_cannot_download_the_pack(
    meetings: tuple[Meeting, Meeting], make_user: Callable[..., User]
) -> None:
    _, following = meetings
    practitioner = signed_in(make_user(Role.PRACTITIONER))
    url = reverse("programme:meeting_pack_pdf", args=[following.pk])
    assert practitioner.get(url).status_code == 403


def test_text_outside_latin_1_does_not_break_the_pdf(db: None) -> None:
    meeting = Meeting.objects.create(
        body=Body.objects.create(name="Executive"),
        date=dt.date(2026, 5, 5),
        title="\u201cPlace\u201d \u2014 \u0141\u00f3d\u017a visit \u2026 \U0001f600",
    )
    pdf = pack_pdf(build_pack(meeting, dt.date(2026, 5, 1)), compress=False)
    assert b'"Place" - ?\xf3d? visit ... ?' in pdf
