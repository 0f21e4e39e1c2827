"""Partner feeds in a real browser: the hub coordinator uploads an extract with bad rows, sees
them quarantined with their reasons, fixes one and resubmits it; an analyst reads the same
delivery's counts and reasons but never the rows. axe finds no serious or critical problem on
any feed page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser
from test_web_browser import assert_accessible, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright
from test_web_feeds import FEED, INVALID_DATE_LINE, extract

from joinedup.feeds import fixing, history
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.governance.importer import import_register

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, orm_beside_playwright: None) -> Path:
    home = tmp_path / "hub"
    home.mkdir()
    monkeypatch.setenv("JOINEDUP_HOME", str(home))
    import_register()
    return home


def test_a_coordinator_uploads_bad_rows_fixes_one_and_an_analyst_sees_only_reasons(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    hub: Path,
    tmp_path: Path,
) -> None:
    coordinator = make_user(Role.HUB_COORDINATOR, totp_secret=pyotp.random_base32())
    page = signed_in_page(browser, live_server.url, coordinator)
    page.get_by_role("link", name="Upload a partner's delivery").click()
    assert_accessible(page)
    page.get_by_label("Which partner feed is this file?").select_option(FEED)
    page.get_by_label("The partner's extract").set_input_files(
        str(extract(tmp_path / "cts_november.csv"))
    )
    page.get_by_role("button", name="Upload and load").click()
    page.wait_for_url("**/feeds/deliveries/*/?uploaded=1")
    assert page.get_by_text("Loaded: 3 rows loaded, 3 quarantined.").is_visible()
    quarantined = page.locator("#quarantine")
    for reason in ("invalid_date", "missing_required", "wrong_field_count"):
        assert quarantined.get_by_text(reason).is_visible()
    page.screenshot(path=str(tmp_path / "delivery.png"), full_page=True)
    assert_accessible(page)
    (record,) = history.deliveries(hub, FEED)

    page.get_by_role("link", name=f"Fix line {INVALID_DATE_LINE}").click()
    page.wait_for_url(f"**/lines/{INVALID_DATE_LINE}/")
    assert_accessible(page)
    page.get_by_label("CLAIM_START").fill("30-Feb-2018")
    page.get_by_role("button", name="Check and resubmit").click()
    assert page.get_by_role("alert").get_by_text("CLAIM_START: not a real date").is_visible()
    page.screenshot(path=str(tmp_path / "fix.png"), full_page=True)
    assert_accessible(page)
    page.get_by_label("CLAIM_START").fill("28-Feb-2018")
    page.get_by_role("button", name="Check and resubmit").click()
    page.wait_for_url(f"**/feeds/deliveries/{record.delivery_id}/?fixed={INVALID_DATE_LINE}")
    assert page.get_by_text(f"The row on line {INVALID_DATE_LINE} was fixed").is_visible()
    row = fixing.quarantined_row(hub, record.delivery_id, INVALID_DATE_LINE)
    assert row is not None and row.status == "resolved"

    page.goto(f"{live_server.url}/feeds/")
    assert_accessible(page)
    page.get_by_role("link", name=FEED).click()
    assert page.locator("svg[role=img]").is_visible()
    page.screenshot(path=str(tmp_path / "feed.png"), full_page=True)
    assert_accessible(page)
    page.close()

    analyst = make_user(Role.ANALYST, email="ade@council.example")
    page = signed_in_page(browser, live_server.url, analyst)
    page.get_by_role("link", name="Partner feeds").click()
    page.get_by_role("link", name=f"Delivery {record.delivery_id}", exact=True).first.click()
    assert page.locator("#quarantine").get_by_text("missing_required").is_visible()
    assert page.get_by_role("link", name="Fix line").count() == 0
    assert "DUXBURY" not in page.content()
    assert_accessible(page)
    page.close()
