"""Editing the programme and checking measures in a real browser, each page passing axe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from test_web_browser import assert_accessible, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright
from test_web_programme_browser import seeded as seeded  # the fixture, shared

from conftest import today
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.programme.models import (
    Body,
    Grant,
    Measure,
    Meeting,
    Phase,
    Risk,
    Workstream,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_checking_measures_and_editing_phases_in_the_browser(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    seeded: None,
    tmp_path: Path,
) -> None:
    officer = make_user(Role.PROGRAMME_OFFICER)
    executive = Body.objects.get(name="Executive")  # the seed programme has it
    meeting = Meeting.objects.create(body=executive, date=today() + dt.timedelta(days=14))
    Measure.objects.filter(kind="cohort_size").delete()  # no hub is built for this test
    page = signed_in_page(browser, live_server.url, officer)
    page.goto(f"{live_server.url}/programme/measures/")
    page.get_by_role("button", name="Check measures now").click()
    page.wait_for_url("**/programme/measures/")
    assert page.get_by_text("2 measures read").is_visible()
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "measures.png"), full_page=True)
    # One item for each of the four seed risks (each overdue for review, one also flagged by its
    # measure) and one for the referrals testbed, whose measure is below its threshold.
    titles = list(meeting.items.values_list("title", flat=True))
    assert len(titles) == len(set(titles)) == 5
    assert "Workstream escalated: Standard Referrals Testbed" in titles

    page.get_by_role("link", name="Transformation Challenge Award not spent by March 2016").click()
    assert page.get_by_text("Flagged for review").first.is_visible()
    assert page.locator("svg.programme-trend").is_visible()
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "risk.png"), full_page=True)

    workstream = Workstream.objects.get(name="Extended MDT")
    first = workstream.phases.order_by("start", "id").first()
    last = Phase.objects.filter(depends_on__isnull=False, workstream=workstream).last()
    assert first is not None and last is not None
    page.goto(f"{live_server.url}/programme/phases/{first.pk}/edit/")
    assert_accessible(page)
    page.get_by_label(f"{last.title} ({workstream.name})").check()
    page.get_by_role("button", name="Save phase").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "loop" in summary.inner_text()
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "phase_loop.png"), full_page=True)
    risk = Risk.objects.get(title="Transformation Challenge Award not spent by March 2016")
    for path in (
        "/programme/themes/new/",
        f"/programme/workstreams/{workstream.pk}/edit/",
        f"/programme/workstreams/{workstream.pk}/phases/new/",
        f"/programme/funding/{Grant.objects.get().pk}/edit/",
        f"/programme/risks/{risk.pk}/measures/new/",
        f"/programme/workstreams/{workstream.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").is_visible(), path
        assert_accessible(page)
    page.close()
