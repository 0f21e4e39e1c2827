"""The Executive dashboard: its figures, its pages and downloads, and who may see them.

The borough is the web suite's linked synthetic borough; the web app's records are made here, with
small counts on purpose (three cases closed), so that a figure that forgot disclosure control
would show them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from joinedup.analytics import provenance
from joinedup.analytics.cohorts.run import run_cohort
from joinedup.analytics.disclosure import RULE
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.casework import close_case, open_case, record_pam
from joinedup.web.dashboard import analytic, localities
from joinedup.web.dashboard import dashboard as dashboard_figures
from joinedup.web.dashboard.figures import EXPORT_HEADER, is_count
from joinedup.web.programme.importer import import_programme
from joinedup.web.referrals.models import Referral

pytestmark = pytest.mark.django_db

CASES_OPEN, CASES_CLOSED, REFERRALS, WITH_PAM_FOLLOW_UP = 9, 3, 13, 10
MARKS = {RULE.hidden_symbol, RULE.not_applicable_symbol}
NOT_COUNTS = {"£", "PAM score points"}


# What a page or a file may hold -----------------------------------------------------------------


def small_numbers(texts: Iterable[str]) -> list[str]:
    """Whole numbers from 1 to 7 standing on their own in ``texts``: what a count below the
    threshold looks like. "5.0", "£5", "2019-12-31", "v1" and "Q4" are not whole numbers."""
    found = []
    for text in texts:
        for token in text.split():
            bare = token.strip("()[]:;,.!?\"'")
            if re.fullmatch(r"\d+", bare) and 0 < int(bare) < RULE.smallest_shown_count:
                found.append(text.strip())
    return found


def is_controlled_count(shown: object) -> bool:
    """0, a mark, or a multiple of the rounding base no smaller than the smallest shown count."""
    text = str(shown).replace(",", "").strip()
    if text in MARKS or text == "0":
        return True
    if not re.fullmatch(r"\d+", text):
        return False
    number = int(text)
    return number >= RULE.smallest_shown_count and number % RULE.rounding_base == 0


class PageText(HTMLParser):
    """The text of a page outside elements marked ``data-not-a-count``, and the text of each
    element marked ``data-count``."""

    VOID = frozenset({"area", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool, bool]] = []  # tag, exempt, a count
        self.texts: list[str] = []
        self.counts: list[str] = []
        self._count_text: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        names = {name for name, _ in attrs}
        exempt = "data-not-a-count" in names or tag in ("script", "style")
        self.stack.append((tag, exempt, "data-count" in names))
        if "data-count" in names:
            self._count_text.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.stack:
            return
        opened, _, counted = self.stack.pop()
        assert opened == tag, f"<{opened}> closed by </{tag}>"
        if counted:
            self.counts.append("".join(self._count_text.pop()).strip())

    def handle_data(self, data: str) -> None:
        for parts in self._count_text:
            parts.append(data)
        if not any(exempt for _, exempt, _ in self.stack):
            self.texts.append(data)


def page_text(html: str) -> PageText:
    parser = PageText()
    parser.feed(html)
    return parser


def assert_no_small_count_on(html: str) -> PageText:
    text = page_text(html)
    assert text.counts, "the page marks no count"
    assert [c for c in text.counts if not is_controlled_count(c)] == []
    assert small_numbers(text.texts) == [], small_numbers(text.texts)
    return text


def assert_no_small_count_in_rows(header: list[str], rows: list[list[object]]) -> None:
    """Every count is controlled; the only other values are money and a mean change (which a
    spreadsheet may store as a whole number: 5.0 comes back as 5)."""
    value, unit = header.index("Value"), header.index("Unit")
    assert rows
    for row in rows:
        if is_count(str(row[unit])):
            assert is_controlled_count(row[value]), row
        else:
            assert row[unit] in NOT_COUNTS, row


def csv_rows(data: bytes) -> tuple[list[str], list[list[object]]]:
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    return header, [list(row) for row in rows]


def xlsx_rows(data: bytes) -> tuple[list[str], list[list[object]]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Figures"]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [str(h) for h in header], rows


# The hub: the linked borough, the seed programme, and a small Integrated Action Team -----------


def make_casework(make_user: Callable[..., User]) -> None:
    worker = make_user(Role.PRACTITIONER, email="iat-worker@example.org")
    referrer = make_user(Role.PRACTITIONER, email="referrer@example.org")
    today = timezone.localdate()
    for n in range(CASES_OPEN + CASES_CLOSED):
        case = open_case(
            f"P{n:09d}",
            organisation=worker.organisation,
            opened_by=worker,
            lead_professional=worker,
        )
        if n < WITH_PAM_FOLLOW_UP:
            for days, score in ((30, Decimal("40.0")), (0, Decimal("45.0"))):
                on = today - dt.timedelta(days=days)
                record_pam(case, by=worker, level=2, score=score, assessed_on=on, assessor=worker)
        if n >= CASES_OPEN:
            close_case(case, closed_by=worker, outcome="goals_met")
    for n in range(REFERRALS):
        Referral.objects.create(
            reference=f"REF-{n:06d}",
            given_name="A",
            family_name="B",
            birth_date="1970-01-01",
            address="Market Street",
            postcode="PR7 1DP",
            consent="given",
            urgency="routine",
            tried="t",
            referred_by=referrer,
            organisation=referrer.organisation,
            match="none",
        )


@pytest.fixture
def hub(on_linked_home: Path, make_user: Callable[..., User]) -> Path:
    import_programme()
    make_casework(make_user)
    return on_linked_home


@pytest.fixture
def executive(client_as: Callable[..., Client]) -> Client:
    return client_as(Role.EXECUTIVE_MEMBER)


def figure(key: str, home: Path) -> dashboard_figures.Figure:
    return next(f for f in dashboard_figures.build(home).figures if f.key == key)


# The figures ------------------------------------------------------------------------------------


def test_the_web_apps_figures_are_counted_and_controlled(hub: Path) -> None:
    assert figure("cases-open", hub).value.export() == 10  # 9 rounded to 5
    closed = figure("cases-closed", hub)
    assert closed.value.export() == RULE.hidden_symbol  # 3 closed: too few to show
    assert {p.value.export() for p in closed.breakdown} <= {0, RULE.hidden_symbol}
    assert figure("referrals", hub).value.export() == 15  # 13 rounded to 5
    pam = figure("pam-change", hub)
    assert pam.value.export() == 5.0  # ten cases, each five points up
    assert pam.trend[-1].value.export() == 5.0
    assert pam.trend[0].value.export() == RULE.hidden_symbol  # no follow-up a year ago


def test_a_cohorts_figure_is_what_the_cohort_runner_publishes(hub: Path) -> None:
    high_intensity = figure("cohort-high_intensity_ae", hub)
    run = run_cohort(hub, "high_intensity_ae", {"at": "2019-12-31"})
    assert high_intensity.value == run.total
    assert high_intensity.value_label == "on 2019-12-31"
    assert [p.label for p in high_intensity.trend][-2:] == ["2019 Q3", "2019 Q4"]
    assert "high_intensity_ae v1" in high_intensity.trace.definition
    assert high_intensity.trace.disclosure_control == RULE.version
    assert "model" in high_intensity.trace.linkage_model


def test_the_linked_figures_are_computed_once_a_snapshot_and_recorded(hub: Path) -> None:
    analytic.forget()
    before = len(provenance.history(hub))
    first = dashboard_figures.build(hub)
    again = dashboard_figures.build(hub)
    runs = [e for e in provenance.history(hub)[before:] if e["kind"] == "dashboard"]
    assert len(runs) == 1
    assert {f.trace.run_id for f in first.figures if f.key.startswith("cohort-")} == {
        runs[0]["run_id"]
    }
    assert again.seconds < 1.0, again.seconds


def test_the_programmes_figures_count_risks_actions_and_money(hub: Path) -> None:
    risks = figure("risks", hub)
    assert [p.label for p in risks.breakdown] == ["Red", "Amber", "Green"]
    assert all(is_controlled_count(p.value.export()) for p in risks.breakdown)
    grants = [f for f in dashboard_figures.build(hub).figures if f.key.startswith("grant-")]
    assert grants and all(isinstance(f.value, Decimal) for f in grants)


# The pages and downloads -----------------------------------------------------------------------


def test_no_count_below_the_threshold_is_on_the_dashboard(hub: Path, executive: Client) -> None:
    started = time.perf_counter()
    executive.get("/dashboard/")
    response = executive.get("/dashboard/")
    seconds = time.perf_counter() - started
    assert response.status_code == 200
    html = response.content.decode()
    text = assert_no_small_count_on(html)
    assert "How this is made" in html and RULE.version in html
    assert "<svg" in html and "<desc" in html
    assert RULE.hidden_symbol in text.counts  # the three closed cases
    print(f"the dashboard twice in {seconds:.2f} s")


def test_no_count_below_the_threshold_is_in_the_downloads(hub: Path, executive: Client) -> None:
    as_csv = executive.get("/dashboard/download.csv")
    assert as_csv["Content-Disposition"].startswith("attachment;")
    header, rows = csv_rows(as_csv.content)
    assert header == list(EXPORT_HEADER)
    assert_no_small_count_in_rows(header, rows)
    as_xlsx = executive.get("/dashboard/download.xlsx")
    header, rows = xlsx_rows(as_xlsx.content)
    assert_no_small_count_in_rows(header, rows)
    assert [e.detail["format"] for e in AuditEvent.objects.filter(verb="dashboard.downloaded")] == [
        "csv",
        "xlsx",
    ]
    assert executive.get("/dashboard/download.pdf").status_code == 404


def test_the_checks_find_a_small_count() -> None:
    assert small_numbers(["Cases closed 3", "2019 Q4", "5.0", "£5", "v1"]) == ["Cases closed 3"]
    assert not is_controlled_count(12) and is_controlled_count("1,005")
    with pytest.raises(AssertionError):
        assert_no_small_count_on("<p><span data-count>4</span></p>")
    assert_no_small_count_on("<p><span data-count>[c]</span><i data-not-a-count>5</i></p>")


def test_the_locality_view_maps_an_indicator_and_profiles_each_area(
    hub: Path, executive: Client
) -> None:
    response = executive.get(
        "/dashboard/localities/?indicator=cohort_frail_older_people&level=lsoa"
    )
    html = response.content.decode()
    assert_no_small_count_on(html)
    assert "<path" in html and "Frail older people" in html
    found = localities.localities(hub, timezone.localdate())
    lsoa = found.profiles.lsoas[0]
    assert f'<a href="/dashboard/localities/{lsoa.code}/" aria-label="{lsoa.name}' in html  # map
    assert f'<a class="govuk-link" href="/dashboard/localities/{lsoa.code}/">' in html
    profile = executive.get(f"/dashboard/localities/{lsoa.code}/").content.decode()
    assert_no_small_count_on(profile)
    assert lsoa.name in profile and "95% interval" in profile and "Borough" in profile
    ward = executive.get(f"/dashboard/localities/{found.profiles.wards[0].code}/")
    assert ward.status_code == 200
    assert executive.get("/dashboard/localities/E99999999/").status_code == 404


def test_a_practitioner_is_refused_and_the_refusal_audited(
    hub: Path, client_as: Callable[..., Client]
) -> None:
    practitioner = client_as(Role.PRACTITIONER)
    for url in ("/dashboard/", "/dashboard/download.csv", "/dashboard/localities/"):
        assert practitioner.get(url).status_code == 403
    assert AuditEvent.objects.filter(verb="access.denied").count() == 3


def test_without_linked_data_the_dashboard_still_shows_the_web_apps_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, executive: Client
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(tmp_path))
    html = executive.get("/dashboard/").content.decode()
    assert "no linked data yet" in html and "Referrals received" in html
    assert "no linked data yet" in executive.get("/dashboard/localities/").content.decode()
