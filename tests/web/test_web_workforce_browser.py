"""The workforce pages in a real browser: a programme officer plans a Making Every Contact Count
session, records two completions and sees coverage rise; axe finds no serious or critical
problem on any page on the way."""

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

from conftest import today
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role
from joinedup.web.workforce.models import Completion, DevelopmentProgramme, Session, Team

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_plans_a_session_records_two_completions_and_sees_coverage_rise(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    organisation: Organisation,
    tmp_path: Path,
) -> None:
    officer = make_user(Role.PROGRAMME_OFFICER)
    on = today()
    mecc = DevelopmentProgramme.objects.create(
        name="Making Every Contact Count, level 1",
        kind="mecc_1",
        target_date=on + dt.timedelta(days=300),
    )
    DevelopmentProgramme.objects.create(
        name="Emerging leaders",
        kind="emerging_leaders",
        goal_percent=5,
        target_date=on,
        position=2,
    )
    team = Team.objects.create(organisation=organisation, name="Customer services", headcount=8)
    Completion.objects.create(
        team=team, programme=mecc, staff_name="CC-001", completed_on=on - dt.timedelta(days=40)
    )
    page = signed_in_page(browser, live_server.url, officer)
    page.get_by_role("link", name="The frontline workforce").click()
    page.wait_for_url("**/workforce/")
    assert page.get_by_text("1 of 8 frontline staff trained (12%)").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Sessions").click()
    page.get_by_role("button", name="Plan a session").click()
    assert_accessible(page)
    page.get_by_label("Programme").select_option(label=mecc.name)
    page.get_by_label("Date").fill(on.isoformat())
    page.get_by_label("Venue").fill("Chorley Town Hall")
    page.get_by_label("Trainer").fill("Public health practitioner")
    page.get_by_label("Places", exact=True).fill("12")
    page.get_by_label("Places booked").fill("2")
    page.get_by_role("button", name="Plan the session").click()
    session = Session.objects.get()
    page.wait_for_url(f"**/workforce/sessions/{session.pk}/")
    for name, role in (("CC-002", "Advisor"), ("CC-003", "Team leader")):
        page.get_by_label("Team").select_option(label=str(team))
        page.get_by_label("Name or staff reference").fill(name)
        page.get_by_label("Role").fill(role)
        page.get_by_role("button", name="Record the completion").click()
        page.get_by_role("cell", name=name).wait_for()
    page.screenshot(path=str(tmp_path / "session.png"), full_page=True)
    assert_accessible(page)

    page.goto(f"{live_server.url}/workforce/")
    page.get_by_label("Programme").select_option(label=mecc.name)
    page.get_by_role("button", name="Show coverage").click()
    page.wait_for_url(f"**/workforce/?programme={mecc.pk}")
    assert page.get_by_text("3 of 8 frontline staff trained (37%)").is_visible()
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    for path in (f"/workforce/teams/{team.pk}/", "/workforce/register/", "/workforce/sessions/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").is_visible(), path
        assert_accessible(page)
    page.close()
