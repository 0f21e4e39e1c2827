"""Cohorts in a real browser (Debian's headless chromium): an analyst reads a definition, runs it
with a parameter changed, follows the job to its end and finds only controlled counts on the
results page (every text node, the chart and the maps included) and in both downloads, then asks
for the counts' release; the hub coordinator approves it; axe finds no serious or critical
problem on the way."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import openpyxl
import pyotp
import pytest
from playwright.sync_api import Browser, Page
from test_web_browser import assert_accessible, sign_in_as, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright
from test_web_dashboard import csv_rows, is_controlled_count
from test_web_dashboard_browser import assert_no_small_count_on_page, download

from joinedup.analytics.cohorts import library
from joinedup.analytics.disclosure import RULE
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.airlock.models import OutputRequest, Status
from joinedup.web.cohorts.models import CohortRun

pytestmark = pytest.mark.django_db(transaction=True)
LIBRARY = Path(str(files(library.__package__ or "").joinpath("library")))
FRAIL = "Frail older people (moderate or severe frailty)"

# The figure of every bar and every area on the page's charts and maps, from their hover titles.
DRAWN_FIGURES = """() => [...document.querySelectorAll(
    '.cohort-chart svg g[data-label] > title, .cohort-map svg path[data-code] > title'
  )].map(t => t.textContent.split(': ').pop().split(' ')[0])"""


def assert_only_controlled_figures_drawn(page: Page) -> None:
    drawn: list[str] = page.evaluate(DRAWN_FIGURES)
    assert len(drawn) > 20
    bad = [f for f in drawn if f != "suppressed" and not is_controlled_count(f)]
    assert bad == []


def test_an_analyst_runs_a_cohort_and_a_coordinator_approves_its_release(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    on_linked_home: Path,
    tmp_path: Path,
) -> None:
    analyst = make_user(Role.ANALYST, email="ade@council.example")
    coordinator = make_user(
        Role.HUB_COORDINATOR, email="hana@council.example", totp_secret=pyotp.random_base32()
    )
    page = signed_in_page(browser, live_server.url, analyst)
    page.get_by_role("link", name="Cohorts: the library of definitions").click()
    page.wait_for_url("**/cohorts/")
    assert page.get_by_text("with at least 6 A&E attendances").first.is_visible()
    assert_accessible(page)

    page.get_by_role("link", name=FRAIL, exact=True).click()
    page.wait_for_url("**/cohorts/definitions/frail_older_people/")
    assert page.get_by_role("heading", name="In plain English").is_visible()
    assert page.get_by_role("heading", name="As written").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Run this cohort").click()
    page.wait_for_url("**/definitions/frail_older_people/run/")
    page.get_by_label("Youngest").fill("60")
    assert_accessible(page)
    page.get_by_role("button", name="Start the run").click()
    page.wait_for_url("**/jobs/*/")
    page.locator('[data-job-status="succeeded"]').wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="See the counts by area").click()
    page.wait_for_url("**/cohorts/runs/*/")
    run = CohortRun.objects.get()
    assert run.published["parameters"]["youngest"] == "60"

    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.screenshot(path=str(tmp_path / "cohort-result.png"), full_page=True)
    assert page.locator(".cohort-map svg path[data-code]").count() > 10
    assert_no_small_count_on_page(page)
    assert_only_controlled_figures_drawn(page)
    assert page.locator(".cohort-chart svg rect").count() > 3  # wards big enough to show
    assert RULE.hidden_symbol in page.locator("[data-count]").all_inner_texts()
    assert_accessible(page)

    as_csv = download(page, "Download the counts (CSV)", tmp_path)
    header, rows = csv_rows(as_csv)
    assert header == ["breakdown", "group", "people"]
    assert rows and all(is_controlled_count(row[2]) for row in rows)
    saved = tmp_path / "counts.xlsx"
    saved.write_bytes(download(page, "Download the counts (Excel)", tmp_path))
    sheet = list(openpyxl.load_workbook(saved)["Counts"].iter_rows(values_only=True))
    assert all(is_controlled_count(row[2]) for row in sheet[1:])

    page.get_by_role("button", name="Ask to release these counts").click()
    page.wait_for_url("**/release/")
    page.get_by_label("Purpose").fill("Locality board: frailty by ward")
    assert_accessible(page)
    page.get_by_role("button", name="Ask for review").click()
    page.wait_for_url(f"**/cohorts/runs/{run.pk}/")
    assert page.locator("#release-status").inner_text() == "Waiting for review"
    page.close()

    review = signed_in_page(browser, live_server.url, coordinator)
    review.get_by_role("link", name="Outputs to review").click()
    output = OutputRequest.objects.get()
    review.get_by_role("link", name=output.title).click()
    review.get_by_label("Approve release").check()
    review.get_by_label("Reason").fill("Counts rounded; small cells hidden")
    review.get_by_role("button", name="Record decision").click()
    review.wait_for_url("**/outputs/review/")
    review.goto(f"{live_server.url}/cohorts/runs/{run.pk}/")
    assert review.locator("#release-status").inner_text() == "Approved"
    assert review.get_by_text(coordinator.email).first.is_visible()
    assert_no_small_count_on_page(review)
    assert_accessible(review)
    review.close()
    output.refresh_from_db()
    assert output.status == Status.APPROVED and output.decided_by == coordinator


def test_the_differences_between_two_versions_are_accessible(
    browser: Browser, live_server: Any, make_user: Callable[..., User], on_linked_home: Path
) -> None:
    analyst = make_user(Role.ANALYST, email="ade@council.example")
    folder = on_linked_home / "cohorts"
    folder.mkdir(exist_ok=True)
    variant = folder / "browser_variant.cohort"  # a name of its own: removed when done
    text = (LIBRARY / "frail_older_people.cohort").read_text()
    text = text.replace("cohort frail_older_people", "cohort browser_variant")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        variant.write_text(text)
        sign_in_as(page, live_server.url, analyst)
        page.goto(f"{live_server.url}/cohorts/definitions/browser_variant/")
        variant.write_text(text.replace("version 1", "version 2").replace("= 65", "= 70"))
        page.reload()
        rows = page.locator("table.app-cohort-diff tr[data-change=changed]")
        assert rows.count() == 2
        assert rows.nth(1).locator("ins").inner_text() == "parameter youngest integer = 70"
        assert page.get_by_text("aged at least 70").is_visible()
        assert_accessible(page)
    finally:
        variant.unlink(missing_ok=True)
        page.close()
