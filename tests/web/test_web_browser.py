"""In a real browser (Debian's headless chromium): an IG lead signs in, sets up two-factor
sign-in, adds an agreement; axe finds no serious or critical accessibility problem on the way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from conftest import PASSWORD
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.governance.models import Agreement

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in this thread; the ORM calls made here around
    it (creating the user, reading the result, flushing) are ordinary synchronous ones. Only for
    this module: the deployment check refuses the variable."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(orm_beside_playwright: None) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()


def test_an_ig_lead_signs_in_with_two_factor_and_adds_an_agreement(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.IG_LEAD)
    page = browser.new_page()
    page.goto(f"{live_server.url}/")
    assert_accessible(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/two-factor/set-up/")
    assert_accessible(page)
    secret = page.locator("#totp-key").inner_text().strip()
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Data sharing agreements").click()
    page.get_by_role("button", name="Add an agreement").click()
    assert_accessible(page)
    page.get_by_label("Reference").fill("DSA-BROWSER-001")
    page.get_by_label("Title").fill("Browser partner: referrals")
    page.get_by_label("Partner sharing the data").fill("Browser partner")
    page.get_by_label("Recipient").fill("Chorley Intelligence Hub")
    page.get_by_label("Purpose", exact=True).fill("Direct care")
    page.get_by_label("Lawful basis (UK GDPR Article 6)").select_option(
        "UK GDPR Article 6(1)(e): public task"
    )
    page.get_by_label("Special category condition (Article 9, or None)").fill("None")
    page.get_by_label("Start date").fill("2025-01-01")
    page.get_by_label("Review date").fill("2026-01-01")
    page.get_by_label("End date").fill("2027-01-01")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Datasets and fields").fill("referrals: Referral ID, Reason")
    page.get_by_label("Purpose codes").fill("direct_care")
    page.get_by_role("button", name="Save agreement").click()

    page.wait_for_url("**/agreements/DSA-BROWSER-001/")
    assert page.get_by_role("heading", name="Browser partner: referrals").is_visible()
    assert_accessible(page)
    assert Agreement.objects.get(reference="DSA-BROWSER-001").fields == {
        "referrals": ["Referral ID", "Reason"]
    }
    page.close()


def test_a_mistyped_password_shows_an_accessible_error(
    browser: Browser, live_server: Any, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.ANALYST)
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    # The answer comes back to the same URL, so wait for the alert itself (is_visible does not).
    page.get_by_role("alert").wait_for(state="visible")
    assert_accessible(page)
    page.close()


def sign_in_as(page: Page, base_url: str, user: User) -> None:
    """Password, then the second factor if the user has one (every role that needs it does)."""
    page.goto(f"{base_url}/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if user.has_two_factor:
        page.wait_for_url("**/two-factor/")
        page.get_by_label("Security code").fill(pyotp.TOTP(user.totp_secret).now())
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base_url}/")


def signed_in_page(browser: Browser, base_url: str, user: User) -> Page:
    """A new page as wide as a desk's screen (downloads accepted), signed in as ``user``."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in_as(page, base_url, user)
    return page


def test_an_output_goes_through_the_airlock_on_accessible_pages(
    browser: Browser, live_server: Any, make_user: Callable[..., User], tmp_path: Path
) -> None:
    analyst = make_user(Role.ANALYST)
    coordinator = make_user(Role.HUB_COORDINATOR, totp_secret=pyotp.random_base32())
    table = tmp_path / "wards.csv"
    table.write_text("ward,people\nAstley,52\nChisnall,3\nEuxton,40\nWhittle,61\n")

    page = browser.new_page()
    sign_in_as(page, live_server.url, analyst)
    page.get_by_role("link", name="Your outputs (release airlock)").click()
    assert_accessible(page)
    page.get_by_role("button", name="Ask to release a table").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("People by ward")
    page.get_by_label("Purpose").fill("Board report")
    page.get_by_label("Table").set_input_files(str(table))
    page.get_by_role("button", name="Ask for review").click()
    page.wait_for_url("**/outputs/*/")
    assert page.get_by_text("Waiting for review").is_visible()
    assert_accessible(page)
    page.close()

    review = browser.new_page()
    sign_in_as(review, live_server.url, coordinator)
    review.get_by_role("link", name="Outputs to review").click()
    assert_accessible(review)
    review.get_by_role("link", name="People by ward").click()
    review.get_by_label("Approve release").check()
    review.get_by_label("Reason").fill("Counts rounded; small cells hidden")
    assert_accessible(review)
    review.get_by_role("button", name="Record decision").click()
    review.wait_for_url("**/outputs/review/")
    review.close()

    page = browser.new_page()
    sign_in_as(page, live_server.url, analyst)
    page.get_by_role("link", name="Your outputs (release airlock)").click()
    page.get_by_role("link", name="People by ward").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert "Chisnall,[c]" in Path(download.value.path()).read_text()
    page.close()


def test_a_practitioner_is_refused_a_person_until_they_use_emergency_access(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    linked_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(linked_home))
    practitioner = make_user(Role.PRACTITIONER, totp_secret=pyotp.random_base32())
    person_key = "P000000001"

    page = browser.new_page()
    sign_in_as(page, live_server.url, practitioner)

    page.goto(f"{live_server.url}/people/{person_key}/")
    assert page.get_by_role("heading", name="You cannot see this person").is_visible()
    assert page.locator("#identifiers").count() == 0
    assert_accessible(page)
    assert AuditEvent.objects.filter(verb="access.denied", object_id=person_key).count() == 1

    page.get_by_label("Why must you see this person's record now?").fill("too short")
    page.get_by_role("button", name="Use emergency access").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)

    page.get_by_label("Why must you see this person's record now?").fill(
        "Carer reports he has not answered the door for two days; welfare check now"
    )
    page.get_by_role("button", name="Use emergency access").click()
    page.wait_for_url(f"**/people/{person_key}/")
    assert page.locator("#identifiers").is_visible()
    assert "Break-glass" in page.locator("#relationship").inner_text()
    assert_accessible(page)
    assert list(AuditEvent.objects.filter(object_id=person_key).values_list("verb", flat=True)) == [
        "access.denied",
        "person.break_glass",
        "person.viewed",
    ]
    page.close()
