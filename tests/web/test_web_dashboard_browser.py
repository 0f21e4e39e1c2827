"""The Executive dashboard in a real browser (Debian's headless chromium), as an executive member:
no count below the disclosure threshold anywhere on its pages (every text node, SVG text
included) or in its downloads; a trace opens; axe finds no serious or critical problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from test_web_browser import assert_accessible, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright
from test_web_dashboard import (
    assert_no_small_count_in_rows,
    csv_rows,
    is_controlled_count,
    make_casework,
    small_numbers,
    xlsx_rows,
)

from joinedup.analytics.disclosure import RULE
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.programme.importer import import_programme

pytestmark = pytest.mark.django_db(transaction=True)

# Every text node of the page outside the parts marked as not counts (names, dates, the rule's
# own wording, the map legend's tally of areas), and the text of every element marked a count.
PAGE_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest('[data-not-a-count], script, style')) {
      texts.push(walker.currentNode.textContent);
    }
  }
  const counts = [...document.querySelectorAll('[data-count]')].map(e => e.textContent.trim());
  return {texts, counts};
}"""


def assert_no_small_count_on_page(page: Page) -> None:
    found: dict[str, list[str]] = page.evaluate(PAGE_TEXT)
    assert found["counts"], page.url
    assert [c for c in found["counts"] if not is_controlled_count(c)] == [], page.url
    assert small_numbers(found["texts"]) == [], page.url


def download(page: Page, link: str, folder: Path) -> bytes:
    with page.expect_download() as started:
        page.get_by_role("link", name=link).click()
    saved = folder / started.value.suggested_filename
    started.value.save_as(saved)
    return saved.read_bytes()


def test_an_executive_member_sees_no_small_count_on_the_dashboard_or_in_its_downloads(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    on_linked_home: Path,
    tmp_path: Path,
) -> None:
    import_programme()
    make_casework(make_user)
    executive = make_user(Role.EXECUTIVE_MEMBER, email="executive@example.org")
    page = signed_in_page(browser, live_server.url, executive)
    page.get_by_role("link", name="Executive dashboard").click()
    page.wait_for_url("**/dashboard/")
    assert page.locator("h1").inner_text() == "Executive dashboard"
    assert page.locator("svg[role=img]").count() >= 6

    page.screenshot(path=str(tmp_path / "dashboard-top.png"))
    trace = page.locator(".dashboard-trace").first
    trace.locator("summary").click()
    assert trace.get_by_text(RULE.version).is_visible()
    assert trace.get_by_text("Linkage model").is_visible()
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert_no_small_count_on_page(page)
    assert_accessible(page)

    for link in ("Download every figure (CSV)", "Download every figure (Excel)"):
        data = download(page, link, tmp_path)
        header, rows = xlsx_rows(data) if "Excel" in link else csv_rows(data)
        assert_no_small_count_in_rows(header, rows)
    assert (
        AuditEvent.objects.filter(verb="dashboard.downloaded", actor=executive.email).count() == 2
    )

    page.get_by_role("link", name="Localities").click()
    page.wait_for_url("**/dashboard/localities/")
    page.get_by_label("Indicator").select_option("cohort_high_intensity_ae")
    page.get_by_label("Neighbourhoods (LSOAs)").check()
    page.get_by_role("button", name="Show on the map").click()
    page.wait_for_url("**/localities/?indicator=cohort_high_intensity_ae&level=lsoa")
    assert page.locator(".dashboard-map svg path[data-code]").count() > 10
    page.screenshot(path=str(tmp_path / "localities.png"), full_page=True)
    assert_no_small_count_on_page(page)
    assert_accessible(page)

    page.locator(".dashboard-map svg a").nth(3).click()  # an area on the map: its profile
    page.wait_for_url("**/dashboard/localities/E*/")
    assert page.get_by_role("columnheader", name="Borough", exact=True).is_visible()
    page.screenshot(path=str(tmp_path / "locality.png"), full_page=True)
    assert_no_small_count_on_page(page)
    assert_accessible(page)
    page.close()
