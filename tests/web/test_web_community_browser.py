"""Community capacity in a real browser: a link worker finds an asset for a lonely older
resident, refers them and records that they attended; a coordinator sees the ward with the
largest gap between isolated older residents and befriending places. axe finds no serious or
critical problem on any community page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Browser
from test_web_browser import assert_accessible, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.cases.casework import add_need, open_case
from joinedup.web.community.models import Asset, AssetReferral
from joinedup.web.community.seed import seed_directory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(orm_beside_playwright: None) -> None:
    seed_directory()


def test_a_link_worker_refers_a_lonely_older_resident_and_records_attendance(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    seeded: None,
    tmp_path: Path,
) -> None:
    link_worker = make_user(Role.PRACTITIONER, totp_secret=pyotp.random_base32())
    case = open_case(
        "P000000077",
        organisation=link_worker.organisation,
        opened_by=link_worker,
        lead_professional=link_worker,
    )
    add_need(case, by=link_worker, domain="loneliness", need="Aged 81, lives alone", goal="Company")
    page = signed_in_page(browser, live_server.url, link_worker)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("button", name="Find community support").click()
    page.wait_for_url(f"**/community/cases/{case.pk}/")
    assert page.get_by_label("Loneliness and isolation").is_checked()
    page.get_by_label("Ward").select_option(label="Euxton")
    page.get_by_role("button", name="Search").click()
    assets = page.locator("#assets")
    assert assets.get_by_role("link", name="Euxton Neighbours Befriending", exact=True).is_visible()
    page.screenshot(path=str(tmp_path / "finder.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("link", name="Refer to Euxton Neighbours Befriending").click()
    assert page.get_by_label("Which need is this referral for?").input_value() == "loneliness"
    assert_accessible(page)
    page.get_by_role("button", name="Record the referral").click()
    page.wait_for_url(f"**/community/cases/{case.pk}/")
    referrals = page.locator("#asset-referrals")
    assert referrals.get_by_text("Referred: not heard yet").is_visible()
    referrals.get_by_role("link", name="Record take-up").click()
    page.get_by_label("Did they take it up?").select_option("attended")
    page.get_by_label("Outcome", exact=True).fill("Went twice; wants to keep going")
    page.get_by_label("Outcome score (optional)").fill("7")
    assert_accessible(page)
    page.get_by_role("button", name="Save take-up").click()
    page.wait_for_url(f"**/community/cases/{case.pk}/")
    assert referrals.get_by_text("Attended", exact=True).is_visible()
    assert referrals.get_by_text("Went twice; wants to keep going (score 7)").is_visible()
    referral = AssetReferral.objects.get()
    assert (referral.asset.name, referral.take_up) == ("Euxton Neighbours Befriending", "attended")
    referrals.get_by_role("link", name="Euxton Neighbours Befriending", exact=True).click()
    assert page.locator("h1").get_by_text("Euxton Neighbours Befriending").is_visible()
    assert_accessible(page)
    page.close()


def test_a_coordinator_sees_the_ward_with_the_largest_befriending_gap(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    seeded: None,
    tmp_path: Path,
) -> None:
    coordinator = make_user(Role.HUB_COORDINATOR, totp_secret=pyotp.random_base32())
    page = signed_in_page(browser, live_server.url, coordinator)
    page.get_by_role(
        "link", name="Needs against community assets, and the befriending audit"
    ).click()
    page.get_by_role("link", name="Befriending audit").click()
    page.wait_for_url("**/community/befriending-audit/")
    largest = page.locator("#largest")
    assert largest.get_by_text("Largest gap: Clayton East, Brindle & Hoghton").is_visible()
    assert largest.get_by_text("496 residents aged 66 or over living alone").is_visible()
    first = page.locator("#largest-gap")
    assert first.get_by_text("Clayton East, Brindle & Hoghton").is_visible()
    assert page.locator('#gap-map path[data-highlight="1"]').get_attribute("data-code") == (
        "E05013072"
    )
    page.screenshot(path=str(tmp_path / "befriending.png"), full_page=True)
    assert_accessible(page)
    page.get_by_label("Count places in neighbouring wards as within reach").check()
    page.get_by_role("button", name="Show").click()
    assert page.locator("#largest").is_visible()
    assert_accessible(page)
    asset = Asset.objects.get(name="Coppull Circle of Friends")
    for path in (
        "/community/",
        "/community/needs/?need=debt",
        f"/community/assets/{asset.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").is_visible(), path
        page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '-')}.png"))
        assert_accessible(page)
    page.close()


def test_the_import_page_is_accessible_with_its_problems_listed(
    browser: Browser, live_server: Any, make_user: Callable[..., User], tmp_path: Path
) -> None:
    officer = make_user(Role.PROGRAMME_OFFICER)
    broken = tmp_path / "assets.csv"
    broken.write_text(
        "name,kind,sector,run_by,needs,age_group,address,ward,places_per_week,contact,owner,"
        "review_on\nTea club,tea,faith,Church,loneliness,adults,Hall,Coppull,9,c,o,2030-01-01\n",
        encoding="utf-8",
    )
    page = signed_in_page(browser, live_server.url, officer)
    page.goto(f"{live_server.url}/community/import/")
    assert_accessible(page)
    page.get_by_label("Spreadsheet of assets").set_input_files(str(broken))
    page.get_by_role("button", name="Import").click()
    problems = page.locator("#problems")
    assert problems.get_by_text("Line 2, column kind").is_visible()
    assert_accessible(page)
    assert not Asset.objects.exists()
    page.close()


def test_an_officer_marks_a_stale_entry_reviewed_and_the_entry_form_is_accessible(
    browser: Browser, live_server: Any, make_user: Callable[..., User], seeded: None
) -> None:
    officer = make_user(Role.PROGRAMME_OFFICER)
    page = signed_in_page(browser, live_server.url, officer)
    page.goto(f"{live_server.url}/community/")
    page.get_by_role("link", name="Entries to review").click()
    stale = Asset.objects.filter(review_on__lt=timezone.localdate()).order_by("name", "pk")
    first = stale.first()
    assert first is not None
    count = stale.count()
    assert_accessible(page)
    row = page.locator("#assets tbody tr", has_text=first.name)
    row.get_by_role("button", name="Mark as reviewed").click()
    page.wait_for_url("**/community/?stale=on")
    assert page.locator("#assets caption").inner_text().startswith(f"{count - 1} asset")
    first.refresh_from_db()
    assert not first.is_stale
    page.goto(f"{live_server.url}/community/assets/new/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Tea and Talk")
    page.get_by_role("button", name="Add the asset").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Select at least one need the asset meets").is_visible()
    assert_accessible(page)
    page.close()
