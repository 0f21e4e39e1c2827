"""A programme officer runs a meeting in a real browser: makes it by hand, imports its minutes,
confirms the actions, makes the next meeting and finds them there as matters arising, clears
one with an update and downloads the meeting pack. Every page passes axe (no serious or
critical problem)."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from test_web_browser import assert_accessible, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.programme.models import ActionLogEntry, ActionStatus, Meeting

pytestmark = pytest.mark.django_db(transaction=True)

SEED = Path("/work/shared/seeds/001_ae13a8ea92fc074c.txt")
PMO_ACTION = "PMO to arrange discussions across each organisation"


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's content streams, inflated: enough to find the text it prints."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL)
    inflated = []
    for stream in streams:
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            inflated.append(stream)
    return b"\n".join(inflated)


def add_meeting(page: Page, base: str, date: str, venue: str) -> None:
    page.goto(f"{base}/programme/meetings/")
    page.get_by_role("button", name="Add a meeting").click()
    page.get_by_label("Whose meeting").select_option("Executive")
    page.get_by_label("Date", exact=True).fill(date)
    page.get_by_label("Venue").fill(venue)
    page.get_by_role("button", name="Save the meeting").click()
    page.wait_for_url(re.compile(r".*/programme/meetings/\d+/$"))


def test_an_officer_runs_a_meeting_from_agenda_to_pack(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    orm_beside_playwright: None,
    tmp_path: Path,
) -> None:
    if not SEED.exists():
        pytest.skip("the seed minutes are not here")
    officer = make_user(Role.PROGRAMME_OFFICER, full_name="Pat Office")
    base = live_server.url
    page = signed_in_page(browser, base, officer)

    # A meeting made by hand: its agenda opens with the standing items.
    page.goto(f"{base}/programme/meetings/")
    assert_accessible(page)
    page.get_by_role("button", name="Add a meeting").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save the meeting").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    add_meeting(page, base, "2016-07-19", "Chorley Town Hall")
    expect(page.get_by_role("heading", name="3. Matters arising")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add a person").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Gary Hall")
    page.get_by_label("Attendance").select_option("attended")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Gary Hall", exact=True)).to_be_visible()
    page.get_by_role("link", name="Change Gary Hall").click()
    page.get_by_label("Attendance").select_option("apologies")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Apologies", exact=True)).to_be_visible()
    page.get_by_role("button", name="Remove Gary Hall").click()  # so the minutes can fill it
    expect(page.get_by_text("No attendance recorded.")).to_be_visible()
    page.get_by_role("button", name="Add an agenda item").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Year 1 programme update")
    page.get_by_role("button", name="Save the item").click()
    expect(page.get_by_role("heading", name="Year 1 programme update")).to_be_visible()
    page.get_by_role("button", name="Move up Year 1 programme update").click()
    expect(page.locator("#agenda + ol h3")).to_have_text(
        [
            "1. Apologies",
            "2. Minutes of the previous meeting",
            "Year 1 programme update",
            "3. Matters arising",
        ]
    )
    made = Meeting.objects.get()

    # Its minutes imported: the proposal checked, then confirmed.
    page.goto(f"{base}/programme/meetings/import/")
    page.get_by_label("Whose meeting").select_option("Executive")
    page.get_by_label("Paste the minutes").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Read the minutes").click()
    expect(page.get_by_text(PMO_ACTION).first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save the meeting and its actions").click()
    page.wait_for_url(f"**/programme/meetings/{made.pk}/")
    expect(page.get_by_text("Councillor Alistair Bradley").first).to_be_visible()
    assert made.actions.count() == 7

    # The next meeting (the minutes pencilled it in) made by hand: the actions arise there.
    add_meeting(page, base, "2016-09-27", "Union Street Offices")
    following = Meeting.objects.get(date="2016-09-27")
    assert page.url.endswith(f"/programme/meetings/{following.pk}/")
    arising = page.locator("table", has_text="Open actions from earlier meetings")
    expect(arising.get_by_text(PMO_ACTION)).to_be_visible()
    expect(arising.locator("tbody tr")).to_have_count(7)
    assert_accessible(page)

    # The previous minutes approved as a correct record.
    page.get_by_role("button", name="Record the previous minutes as approved").click()
    assert_accessible(page)
    page.get_by_label("Amendments (optional)").fill("Spelling of Khandavalli corrected")
    page.get_by_role("button", name="Record the approval").click()
    expect(page.get_by_text("Spelling of Khandavalli corrected")).to_be_visible()

    # Reminders: the meeting was held long ago, so none go.
    page.get_by_role("button", name="Remind the owners of open actions").click()
    expect(page.get_by_text("reminders go only before a meeting")).to_be_visible()
    assert_accessible(page)

    # One action cleared with an update.
    page.goto(f"{base}/programme/meetings/{following.pk}/")
    row = page.get_by_role("row").filter(has_text=PMO_ACTION)
    row.get_by_role("link", name="Clear this action with an update").click()
    assert_accessible(page)
    page.get_by_label("Update").fill("Discussions held with every partner")
    page.get_by_role("button", name="Save the update").click()
    page.wait_for_url("**/programme/actions/")
    expect(page.get_by_text(PMO_ACTION)).to_have_count(0)
    pmo = ActionLogEntry.objects.get(wording__startswith=PMO_ACTION)
    assert pmo.status == ActionStatus.CLEARED
    page.goto(f"{base}/programme/meetings/{following.pk}/")
    arising = page.locator("table", has_text="Open actions from earlier meetings")
    expect(arising.locator("tbody tr")).to_have_count(6)

    # The meeting pack: one PDF, and the logs in Excel.
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download the meeting pack (PDF)").click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert pdf_download.value.suggested_filename == "executive-2016-09-27-meeting-pack.pdf"
    text = pdf_text(pdf)
    for shown in (
        b"Minutes of the previous meeting, 19 July 2016",
        b"Cleared since the last meeting",
        b"Discussions held with every partner",
        b"Vicky to contact LCC",
    ):
        assert shown in text, shown
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Download the logs (Excel)").click()
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    log = [row for row in book["Action log"].iter_rows(values_only=True)][1:]
    assert len(log) == 7
    assert [r[0] for r in log if str(r[1]).startswith(PMO_ACTION)] == ["Cleared"]
    assert [r[1] for r in book["Agenda"].iter_rows(values_only=True)][1:4] == [
        "Apologies",
        "Minutes of the previous meeting",
        "Matters arising",
    ]
    page.screenshot(path=str(tmp_path / "meeting.png"), full_page=True)
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "programme.meeting_created",
        "programme.minutes_imported",
        "programme.minutes_approved",
        "programme.action_updated",
        "programme.pack_downloaded",
    } <= verbs
    page.close()
