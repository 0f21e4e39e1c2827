"""The programme pages in a real browser: each passes axe with no serious or critical problem."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from test_web_browser import assert_accessible, signed_in_page
from test_web_browser import browser as browser  # the fixture, shared
from test_web_browser import orm_beside_playwright as orm_beside_playwright

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.programme.importer import import_programme
from joinedup.web.programme.models import Grant, Risk, Workstream

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(orm_beside_playwright: None) -> Iterator[None]:
    import_programme()
    yield


def test_the_programme_pages_are_accessible(
    browser: Browser,
    live_server: Any,
    make_user: Callable[..., User],
    seeded: None,
    tmp_path: Path,
) -> None:
    officer = make_user(Role.PROGRAMME_OFFICER)
    workstream = Workstream.objects.get(name="Extended MDT")
    grant, risk = Grant.objects.get(), Risk.objects.first()
    assert risk is not None
    page = signed_in_page(browser, live_server.url, officer)
    for name, path in (
        ("overview", "/programme/"),
        ("timeline", "/programme/timeline/"),
        ("workstream", f"/programme/workstreams/{workstream.pk}/"),
        ("status", f"/programme/workstreams/{workstream.pk}/status/"),
        ("grants", "/programme/funding/"),
        ("grant", f"/programme/funding/{grant.pk}/"),
        ("risks", "/programme/risks/"),
        ("risk", f"/programme/risks/{risk.pk}/"),
        ("risk_edit", f"/programme/risks/{risk.pk}/edit/"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").is_visible(), path
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        assert_accessible(page)
    page.goto(f"{live_server.url}/programme/workstreams/{workstream.pk}/status/")
    page.get_by_label("Status").select_option("off_track")
    page.get_by_label("Note").fill("No protocol")
    page.get_by_role("button", name="Save status").click()
    page.wait_for_url(f"**/programme/workstreams/{workstream.pk}/")
    assert page.get_by_text("No protocol").is_visible()
    page.close()
