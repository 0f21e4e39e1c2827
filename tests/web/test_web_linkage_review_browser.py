"""Linkage review in a real browser (Debian's headless chromium): the hub coordinator decides
three pairs with the keyboard, runs linkage from the page, follows the job to its end and sees
the person index change; an analyst sees linkage quality and is refused the pairs. axe finds no
serious or critical accessibility problem on any of the pages."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, Page
from test_web_browser import assert_accessible, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright
from test_web_linkage_review import apart, person_of, run_id

from joinedup.home import HOME_ENVIRONMENT_VARIABLE
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
KEYS = {"same_person": "a", "not_same_person": "r"}


@pytest.fixture
def hub_copy(linked_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "hub"
    shutil.copytree(linked_home, copy, symlinks=True)
    monkeypatch.setenv(HOME_ENVIRONMENT_VARIABLE, str(copy))
    return copy


def shown_pair(page: Page) -> int:
    return int(page.locator("input[name=pair_id]").get_attribute("value") or "0")


def press(page: Page, key: str) -> None:
    """A shortcut key pressed outside any field, and the page it sends the browser to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_the_coordinator_decides_three_pairs_by_keyboard_and_the_next_run_applies_them(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    hub_copy: Path,
    tmp_path: Path,
) -> None:
    (same_a, *a), (apart_b, *b), (same_c, *c) = apart(hub_copy, 3)
    after = run_id(hub_copy) + 1
    plan = {same_a: "same_person", apart_b: "not_same_person", same_c: "same_person"}
    coordinator = make_user(Role.HUB_COORDINATOR, totp_secret=pyotp.random_base32())
    page = signed_in_page(browser, live_server.url, coordinator)
    page.get_by_role("link", name="Linkage review: pairs to decide, and flags").click()
    assert page.get_by_role("heading", name="Linkage review", exact=True).is_visible()
    assert page.get_by_role("img", name="Match weights for this pair").is_visible()
    page.screenshot(path=str(tmp_path / "queue.png"), full_page=True)
    assert_accessible(page)

    decided = 0
    while decided < len(plan):
        pair_id = shown_pair(page)
        if decided == 0 and pair_id in plan:
            # Letters typed into the note are the note's, not shortcuts.
            where = page.url
            page.get_by_label("Note (optional)").press_sequentially("as records show")
            assert shown_pair(page) == pair_id and page.url == where
            page.locator("h1").click()  # out of the field: the keys are shortcuts again
        press(page, KEYS[plan[pair_id]] if pair_id in plan else "s")
        decided += pair_id in plan
    assert page.locator("#done").inner_text() == (
        "Decided: same person. Applied at the next linkage run."
    )
    assert AuditEvent.objects.filter(verb="linkage.pair_decided").count() == 3
    assert page.get_by_role("cell", name="as records show").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Run linkage now").first.click()
    assert page.get_by_text("3 decisions made since the last run will be applied.").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start the linkage run").click()
    page.wait_for_url("**/jobs/*/")
    assert page.locator("[data-job-status=succeeded]").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"See what run {after} changed").click()
    page.wait_for_url(f"**/linkage-review/runs/{after}/")
    assert page.locator("#decided-merges").inner_text() == "2"
    assert "2 fewer" in page.locator("#persons").inner_text()
    page.screenshot(path=str(tmp_path / "run.png"), full_page=True)
    assert_accessible(page)

    assert person_of(hub_copy, a[0]) == person_of(hub_copy, a[1])
    assert person_of(hub_copy, c[0]) == person_of(hub_copy, c[1])
    assert person_of(hub_copy, b[0]) != person_of(hub_copy, b[1])
    page.close()


def test_an_analyst_sees_linkage_quality_but_not_the_pairs(
    browser: Browser, live_server: Any, make_user: Callable[..., User], linked_home: Path,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv(HOME_ENVIRONMENT_VARIABLE, str(linked_home))
    analyst = make_user(Role.ANALYST)
    page = signed_in_page(browser, live_server.url, analyst)
    page.get_by_role("link", name="Linkage quality over time").click()
    assert page.get_by_role(
        "img", name="Share of uncertain and linked pairs sent to review, by run"
    ).is_visible()
    assert page.get_by_role("table", name="Every run, latest first").is_visible()
    page.screenshot(path=str(tmp_path / "quality.png"), full_page=True)
    assert_accessible(page)
    refused = page.goto(f"{live_server.url}/linkage-review/")
    assert refused is not None and refused.status == 403
    assert AuditEvent.objects.filter(verb="access.denied", actor=analyst.email).count() == 1
    page.close()
