"""The locality profiles in a real browser (Debian's headless chromium), as an analyst: choose an
indicator, click an area on the map for its profile, compare two places, download each table as
CSV and Excel; no count below the disclosure threshold on any page or in any file; axe finds no
serious or critical problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from test_web_browser import assert_accessible, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright
from test_web_dashboard import csv_rows, is_controlled_count
from test_web_dashboard_browser import assert_no_small_count_on_page, download
from test_web_localities import xlsx_sheet

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

COUNT_COLUMN_ENDINGS = ("_count", "_denominator")


def assert_file_controlled(data: bytes, sheet: str | None) -> None:
    header, rows = csv_rows(data) if sheet is None else xlsx_sheet(data, sheet)
    columns = [n for n, name in enumerate(header) if name.endswith(COUNT_COLUMN_ENDINGS)]
    assert rows and columns
    for row in rows:
        for column in columns:
            value = row[column]
            assert value in ("", None) or is_controlled_count(value), (header[column], row)


def test_an_analyst_maps_profiles_compares_and_downloads(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    on_linked_home: Path,
    tmp_path: Path,
) -> None:
    analyst = make_user(Role.ANALYST, email="analyst@example.org")
    page = signed_in_page(browser, live_server.url, analyst)
    page.get_by_role("link", name="Locality profiles").click()
    page.wait_for_url("**/localities/")
    assert page.locator("h1").inner_text() == "Map of the borough"

    page.get_by_label("Indicator").select_option("emergency_admissions_rate")
    page.get_by_label("Neighbourhoods (LSOAs)").check()
    page.get_by_role("button", name="Show on the map").click()
    page.wait_for_url("**/localities/?indicator=emergency_admissions_rate&level=lsoa")
    assert page.locator(".localities-map svg path[data-code]").count() > 10
    assert page.get_by_role("columnheader", name="95% interval").is_visible()
    page.screenshot(path=str(tmp_path / "map.png"), full_page=True)
    assert_no_small_count_on_page(page)
    assert_accessible(page)
    for link, sheet in (("CSV", None), ("Excel", "Areas")):
        assert_file_controlled(download(page, link, tmp_path), sheet)

    area = page.locator(".localities-map svg a").nth(2)
    name = str(area.get_attribute("aria-label")).split(" (")[0]
    area.click()  # an area on the map: its profile
    page.wait_for_url("**/localities/E*/")
    assert page.locator("h1").inner_text() == name
    assert page.get_by_role("columnheader", name="Borough", exact=True).is_visible()
    assert page.locator(".localities-spine svg[role=img]").is_visible()
    page.screenshot(path=str(tmp_path / "profile.png"), full_page=True)
    assert_no_small_count_on_page(page)
    assert_accessible(page)
    for link, sheet in (("CSV", None), ("Excel", "Profile")):
        assert_file_controlled(download(page, link, tmp_path), sheet)

    page.get_by_role("link", name=f"Compare {name} with another place").click()
    page.wait_for_url("**/localities/compare/?first=E*")
    page.get_by_role("button", name="Compare").click()  # no second place: an error
    assert page.locator(".govuk-error-summary").get_by_text("Choose the second area").is_visible()
    assert_accessible(page)
    second = page.get_by_label("Second place")
    second.select_option(index=1)  # the first ward
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/localities/compare/?first=E*&second=E*")
    table = page.locator("#comparison")
    assert table.get_by_role("columnheader", name="Difference").is_visible()
    assert (
        table.get_by_text("significantly").count()
        + table.get_by_text("no significant difference").count()
        > 0
    )
    page.get_by_text("Both places as a chart").click()
    assert page.locator(".localities-pair svg[role=img]").is_visible()
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
    assert_no_small_count_on_page(page)
    assert_accessible(page)
    for link, sheet in (("CSV", None), ("Excel", "Comparison")):
        assert_file_controlled(download(page, link, tmp_path), sheet)

    downloads = AuditEvent.objects.filter(verb="localities.downloaded", actor=analyst.email)
    assert [e.detail["table"] for e in downloads.order_by("sequence")] == [
        "areas",
        "areas",
        "profile",
        "profile",
        "comparison",
        "comparison",
    ]
    page.close()
