"""Cohorts in the web app: the library in plain English beside each definition's text, versions
and their differences, a run as a background job, results by area after disclosure control on
the page, the chart, the maps and the downloads, and a release through the airlock.

The borough is the web suite's small linked synthetic borough: its cohorts are a few dozen
people spread over the wards, so most wards' counts are small, and a figure that forgot
disclosure control would show them.
"""

from __future__ import annotations

import io
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from test_web_dashboard import (
    assert_no_small_count_on,
    csv_rows,
    is_controlled_count,
)

from conftest import signed_in
from joinedup.analytics import provenance
from joinedup.analytics.cohorts.run import STEPS, run_cohort
from joinedup.analytics.disclosure import RULE
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.airlock.models import OutputRequest, Status
from joinedup.web.airlock.outputs import published_cohort_content
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cohorts.models import CohortRun, CohortVersion
from joinedup.web.cohorts.running import run_and_record
from joinedup.web.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
HIGH_INTENSITY = {"at": "2019-12-31", "attendances": "6", "months": "12"}


@pytest.fixture
def analyst(make_user: Callable[..., User]) -> User:
    return make_user(Role.ANALYST, email="ade@council.example")


@pytest.fixture
def analyst_client(analyst: User) -> Client:
    return signed_in(analyst)


def start_run(client: Client, name: str, parameters: dict[str, str]) -> CohortRun:
    """Run a cohort through its form and follow the job to its result, as an analyst does."""
    started = time.perf_counter()
    response = client.post(f"/cohorts/definitions/{name}/run/", parameters)
    print(f"{name} run as a job in {time.perf_counter() - started:.2f} s")
    assert response.status_code == 302, response.content.decode()[:2000]
    job_page = response["Location"]
    assert re.fullmatch(r"/jobs/\d+/", job_page)
    page = client.get(job_page).content.decode()
    assert 'data-job-status="succeeded"' in page, page
    run = CohortRun.objects.get(job__pk=int(job_page.split("/")[2]))
    assert f'href="/cohorts/runs/{run.pk}/"' in page
    return run


# The library ------------------------------------------------------------------------------------


def test_the_library_shows_every_definition_in_plain_english(
    on_linked_home: Path, analyst_client: Client
) -> None:
    html = analyst_client.get("/cohorts/").content.decode()
    for name in ("phm_first_phase", "high_intensity_ae", "fire_risk", "frail_older_people"):
        assert f'href="/cohorts/definitions/{name}/"' in html
        assert f'href="/cohorts/definitions/{name}/run/"' in html
    assert "with at least 6 A&amp;E attendances in the 12 months up to the population date" in html
    assert CohortVersion.objects.filter(name="high_intensity_ae").count() == 1


def test_a_definition_shows_its_words_its_source_and_its_parameters(
    on_linked_home: Path, analyst_client: Client
) -> None:
    html = analyst_client.get("/cohorts/definitions/phm_first_phase/").content.decode()
    assert "In plain English" in html and "As written" in html
    assert "aged between 45 and 60" in html
    assert "events gp_appointment &gt;= {appointments} in year {year}" in html  # the source
    assert "GP appointments attended in the year, at least" in html  # a parameter's help
    assert "Version history" in html
    assert analyst_client.get("/cohorts/definitions/no_such_cohort/").status_code == 404


def test_a_changed_definition_keeps_its_history_and_shows_the_differences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, analyst_client: Client
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(tmp_path))
    folder = tmp_path / "cohorts"
    folder.mkdir()
    text = (
        Path(__file__).parents[2]
        / "src/joinedup/analytics/cohorts/library/high_intensity_ae.cohort"
    ).read_text()
    local = folder / "high_intensity_ae.cohort"
    local.write_text(text)
    first = analyst_client.get("/cohorts/definitions/high_intensity_ae/").content.decode()
    assert "Differences between versions" not in first
    local.write_text(
        text.replace("version 1", "version 2").replace(
            "attendances integer = 6", "attendances integer = 10"
        )
    )
    html = analyst_client.get("/cohorts/definitions/high_intensity_ae/").content.decode()
    versions = CohortVersion.objects.filter(name="high_intensity_ae").order_by("first_seen", "id")
    assert [v.version for v in versions] == [1, 2]
    assert "Differences between versions" in html
    assert "<del>version 1</del>" in html
    assert "<ins>version 2</ins>" in html
    assert "with at least 10 A&amp;E attendances" in html  # the words follow the text
    assert html.count('data-change="changed"') == 2
    # Any two versions: the same one against itself shows no change.
    old = versions[0].pk
    same = analyst_client.get(f"/cohorts/definitions/high_intensity_ae/?from={old}&to={old}")
    assert 'data-change="changed"' not in same.content.decode()
    listed = analyst_client.get("/cohorts/").content.decode()
    assert "(the hub's own)" in listed


def test_a_definition_with_a_mistake_is_named_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, analyst_client: Client
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(tmp_path))
    (tmp_path / "cohorts").mkdir()
    (tmp_path / "cohorts" / "broken.cohort").write_text("cohort broken\nvresion 2\n")
    for path in (
        "/cohorts/",
        "/cohorts/definitions/fire_risk/",
        "/cohorts/definitions/fire_risk/run/",
    ):
        response = analyst_client.get(path)
        assert response.status_code == 500
        assert "broken.cohort: line 2: unknown statement" in response.content.decode()


# Running --------------------------------------------------------------------------------------


def test_a_run_is_a_background_job_that_reports_each_step(
    on_linked_home: Path, analyst: User
) -> None:
    steps: list[str] = []
    run = run_and_record(
        on_linked_home, "high_intensity_ae", HIGH_INTENSITY, analyst, progress=steps.append
    )
    assert [s for s in steps if s in STEPS] == list(STEPS)
    logged = [e for e in provenance.history(on_linked_home) if e["run_id"] == run.provenance_run_id]
    assert logged and logged[0]["definition"]["name"] == "high_intensity_ae"
    assert "person_keys" not in run.published


def test_an_analyst_runs_a_cohort_and_sees_only_controlled_counts(
    on_linked_home: Path, analyst: User, analyst_client: Client
) -> None:
    run = start_run(analyst_client, "high_intensity_ae", HIGH_INTENSITY)
    job = run.job
    assert job is not None and job.status == JobStatus.SUCCEEDED and job.started_by == analyst
    expected = run_cohort(on_linked_home, "high_intensity_ae", HIGH_INTENSITY).as_dict()
    assert run.published["people"] == expected["people"]
    assert run.published["by_ward"] == expected["by_ward"]
    audit = AuditEvent.objects.get(verb="cohort.run")
    assert audit.actor == analyst.email and audit.detail["cohort"] == "high_intensity_ae"

    started = time.perf_counter()
    html = analyst_client.get(f"/cohorts/runs/{run.pk}/").content.decode()
    print(f"the results page in {time.perf_counter() - started:.2f} s")
    text = assert_no_small_count_on(html)
    assert RULE.hidden_symbol in text.counts  # the borough is small: some wards are hidden
    assert f'<span data-count id="cohort-total">{expected["people"]}</span>' in html
    for figure in (
        chart_figures(html) + map_figures(html, "ward-map") + map_figures(html, "lsoa-map")
    ):
        assert figure == "suppressed or no data" or is_controlled_count(figure), figure
    assert "suppressed or no data" in map_figures(html, "ward-map")


def test_a_run_that_cannot_be_made_says_why_on_its_job_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, analyst_client: Client
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(tmp_path))  # a hub with nothing loaded
    response = analyst_client.post("/cohorts/definitions/fire_risk/run/", {})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/" and job.status == JobStatus.FAILED
    page = analyst_client.get(response["Location"]).content.decode()
    assert "nothing is loaded yet" in page
    assert not CohortRun.objects.exists()


def test_a_wrong_parameter_is_refused_on_the_form(
    on_linked_home: Path, analyst_client: Client
) -> None:
    response = analyst_client.post(
        "/cohorts/definitions/high_intensity_ae/run/", {**HIGH_INTENSITY, "attendances": "six"}
    )
    assert response.status_code == 200
    assert "must be a whole number" in response.content.decode()
    assert not Job.objects.exists()


def test_the_downloads_hold_only_controlled_counts_and_are_audited(
    on_linked_home: Path, analyst_client: Client
) -> None:
    run = start_run(analyst_client, "high_intensity_ae", HIGH_INTENSITY)
    as_csv = analyst_client.get(f"/cohorts/runs/{run.pk}/download.csv")
    assert as_csv["Content-Disposition"].startswith("attachment;")
    header, rows = csv_rows(as_csv.content)
    assert header == ["breakdown", "group", "people"]
    assert_counts_controlled(rows)
    assert any(row[2] == RULE.hidden_symbol for row in rows)
    workbook = openpyxl.load_workbook(
        io.BytesIO(analyst_client.get(f"/cohorts/runs/{run.pk}/download.xlsx").content)
    )
    sheet = [list(row) for row in workbook["Counts"].iter_rows(values_only=True)]
    assert sheet[0] == header
    assert_counts_controlled(sheet[1:])
    notes = dict(workbook["Notes"].iter_rows(values_only=True))
    assert notes["Disclosure control"] == RULE.version and notes["Run"] == run.provenance_run_id
    downloads = AuditEvent.objects.filter(verb="cohort.downloaded", object_id=str(run.pk))
    assert [e.detail["format"] for e in downloads.order_by("sequence")] == ["csv", "xlsx"]
    assert analyst_client.get(f"/cohorts/runs/{run.pk}/download.pdf").status_code == 404


# Release ----------------------------------------------------------------------------------------


def test_a_release_goes_to_the_airlock_and_a_second_person_approves_it(
    on_linked_home: Path, analyst: User, analyst_client: Client, coordinator: User
) -> None:
    run = start_run(analyst_client, "high_intensity_ae", HIGH_INTENSITY)
    response = analyst_client.post(
        f"/cohorts/runs/{run.pk}/release/",
        {"title": "High intensity users by ward", "purpose": "Board"},
    )
    assert response["Location"] == f"/cohorts/runs/{run.pk}/"
    output = OutputRequest.objects.get()
    assert output.requested_by == analyst and output.status == Status.PENDING
    assert output.content == published_cohort_content(run.published)
    page = analyst_client.get(f"/cohorts/runs/{run.pk}/").content.decode()
    assert "Waiting for review" in page and "Ask to release these counts" not in page
    # Asking again while one waits sends the analyst back to the result.
    assert analyst_client.get(f"/cohorts/runs/{run.pk}/release/").status_code == 302

    refused = analyst_client.post(
        f"/outputs/review/{output.pk}/", {"decision": "approve", "reason": "ok"}
    )
    assert refused.status_code == 403  # an analyst may not release outputs at all
    reviewer = signed_in(coordinator)
    reviewer.post(
        f"/outputs/review/{output.pk}/",
        {"decision": "approve", "reason": "Rounded; small cells hidden"},
    )
    output.refresh_from_db()
    assert output.status == Status.APPROVED and output.decided_by == coordinator
    page = analyst_client.get(f"/cohorts/runs/{run.pk}/").content.decode()
    assert 'id="release-status">Approved</strong>' in page and coordinator.email in page


def test_other_roles_cannot_reach_the_cohort_pages(
    on_linked_home: Path, client_as: Callable[..., Client]
) -> None:
    for role in (Role.EXECUTIVE_MEMBER, Role.PRACTITIONER, Role.PROGRAMME_OFFICER):
        assert client_as(role).get("/cohorts/").status_code == 403


def test_the_home_page_links_to_the_cohorts_for_analysts_only(
    analyst_client: Client, client_as: Callable[..., Client]
) -> None:
    assert 'href="/cohorts/"' in analyst_client.get("/").content.decode()
    assert 'href="/cohorts/"' not in client_as(Role.EXECUTIVE_MEMBER).get("/").content.decode()


# Helpers ----------------------------------------------------------------------------------------


def assert_counts_controlled(rows: list[list[object]]) -> None:
    assert rows
    for row in rows:
        assert is_controlled_count(row[2]), row


def _svg_in(html: str, element_id: str | None) -> ET.Element:
    if element_id is None:
        found = re.search(r'<div class="cohort-chart">(<svg.*?</svg>)</div>', html, re.S)
    else:
        found = re.search(
            rf'<div class="cohort-map" id="{element_id}"[^>]*>(<svg.*?</svg>)</div>', html, re.S
        )
    assert found, element_id
    return ET.fromstring(found.group(1))


def chart_figures(html: str) -> list[str]:
    """The figure of each bar, from its hover title and from the text drawn beside it."""
    figures = []
    for bar in _svg_in(html, None).iter(f"{SVG}g"):
        title = bar.findtext(f"{SVG}title", default="")
        figures.append(title.rsplit(": ", 1)[1].split(" ")[0])
        figures += [t.text or "" for t in bar.findall(f"{SVG}text")][1:]
    assert figures
    return figures


def map_figures(html: str, element_id: str) -> list[str]:
    """The figure in each area's hover title: "Name (code): figure"."""
    paths = [p for p in _svg_in(html, element_id).iter(f"{SVG}path") if p.get("data-code")]
    assert len(paths) > 5
    return [p.findtext(f"{SVG}title", default="").rsplit(": ", 1)[1] for p in paths]


def test_the_demo_has_runs_to_show_and_a_release_waiting(on_linked_home: Path) -> None:
    from joinedup.web.cohorts.seed import DEMO_RUNS, seed_cohort_runs
    from joinedup.web.demo import seed_demo

    seed_demo()
    runs = seed_cohort_runs(on_linked_home)
    assert [r.definition.name for r in runs] == list(DEMO_RUNS)
    assert OutputRequest.objects.get().status == Status.PENDING
    assert seed_cohort_runs(on_linked_home) == []
    coordinator = User.objects.get(email="hub.coordinator@demo.example")
    html = signed_in(coordinator).get(f"/cohorts/runs/{runs[0].pk}/").content.decode()
    assert_no_small_count_on(html)
    assert "Waiting for review" in html
