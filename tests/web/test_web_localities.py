"""The analysts' locality profiles: the map by any indicator, an area's profile against the
borough, two places compared, the downloads, and who may see them.

The borough is the web suite's linked synthetic borough. Its neighbourhoods are small, so some of
their counts fall below the disclosure threshold: every page and file is scraped for a count that
escaped control, and the hidden counts are looked for, so that the check cannot pass by having
nothing to find.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from html import escape
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone
from test_web_dashboard import (
    assert_no_small_count_on,
    csv_rows,
    is_controlled_count,
    page_text,
)

from joinedup.analytics.disclosure import RULE
from joinedup.analytics.profiles import Figure
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.dashboard import localities as places
from joinedup.web.localities.comparison import compare_figures
from joinedup.web.localities.tables import COMPARISON_HEADER, PROFILE_HEADER

pytestmark = pytest.mark.django_db

COHORT = "cohort_frail_older_people"
URLS = (
    "/localities/",
    "/localities/map.csv",
    "/localities/compare/",
    "/localities/compare.csv",
)


@pytest.fixture
def analyst(client_as: Callable[..., Client]) -> Client:
    return client_as(Role.ANALYST)


@pytest.fixture
def found(on_linked_home: Path) -> places.Localities:
    return places.localities(on_linked_home, timezone.localdate())


def xlsx_sheet(data: bytes, name: str) -> tuple[list[str], list[list[object]]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[name]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [str(h) for h in header], rows


def resident_count_columns(found: places.Localities, header: list[str]) -> list[int]:
    """The columns of a file that hold counts of residents made from the hub's data."""
    counted = [i.key for i in found.profiles.indicators if places.counts_residents(i)]
    compared = [i.key for i in found.profiles.indicators if i.compared]
    names = {f"{key}_value" for key in counted}
    names |= {f"{key}_{part}" for key in compared for part in ("count", "denominator")}
    return [n for n, column in enumerate(header) if column in names]


def assert_counts_controlled(
    header: list[str], rows: list[list[object]], columns: list[int]
) -> int:
    """Every count in ``columns`` is controlled; how many of them were hidden."""
    assert columns and rows
    hidden = 0
    for row in rows:
        for column in columns:
            assert is_controlled_count(row[column]), (header[column], row)
            hidden += row[column] == RULE.hidden_symbol
    return hidden


# The map ------------------------------------------------------------------------------------------


def test_the_map_shades_any_indicator_and_links_each_area_to_its_profile(
    analyst: Client, found: places.Localities
) -> None:
    html = analyst.get(f"/localities/?indicator={COHORT}&level=lsoa").content.decode()
    text = assert_no_small_count_on(html)
    assert RULE.hidden_symbol in text.counts  # a small neighbourhood's count, hidden
    for theme in ("Who lives here", "Use of services", "The hub&#x27;s cohorts"):
        assert f'<optgroup label="{theme}">' in html
    assert f'<option value="{COHORT}" selected>' in html
    lsoas = found.profiles.lsoas
    linked = set(re.findall(r'<a href="/localities/(E0\d+)/" aria-label=', html))
    assert linked and linked <= {a.code for a in lsoas}
    for area in lsoas:
        assert f'<a class="govuk-link" href="/localities/{area.code}/">{area.name}</a>' in html
    assert "<caption" in html and "<desc" in html


def test_the_map_table_gives_the_interval_and_the_comparison_of_a_rate(
    analyst: Client, found: places.Localities
) -> None:
    html = analyst.get("/localities/?indicator=ae_attendances_rate&level=ward").content.decode()
    assert_no_small_count_on(html)
    ward = found.profiles.wards[0]
    figure = ward.figures["ae_attendances_rate"]
    row = html[html.index(f'href="/localities/{ward.code}/">') :].split("</tr>")[0]
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[0] == f"{figure.value:,.1f}"
    assert cells[1] == f"{figure.lower:,.1f} to {figure.upper:,.1f}"
    assert figure.count is not None and figure.denominator is not None
    shown = [cells[2].replace(",", ""), cells[3].replace(",", ""), cells[4]]
    assert shown == [figure.count.display, figure.denominator.display, figure.comparison]


def test_an_unknown_indicator_or_level_falls_back_to_the_default(
    analyst: Client, found: places.Localities
) -> None:
    html = analyst.get("/localities/?indicator=nonsense&level=street").content.decode()
    assert f'<option value="{places.DEFAULT_INDICATOR}" selected>' in html
    assert 'value="ward" checked' in html


# An area's profile -------------------------------------------------------------------------------


def test_an_areas_profile_shows_every_indicator_against_the_borough(
    analyst: Client, found: places.Localities
) -> None:
    for area in (found.profiles.lsoas[0], found.profiles.wards[0]):
        html = analyst.get(f"/localities/{area.code}/").content.decode()
        assert_no_small_count_on(html)
        for indicator in found.profiles.indicators:
            assert escape(indicator.title) in html
        assert "95% interval" in html and ">Borough<" in html
        compared = [i for i in found.profiles.indicators if i.compared]
        verdicts = [area.figures[i.key].comparison for i in compared]
        # The spine chart shades each bar as the profile compares it, and says so in its summary.
        spine = html[html.index('<div class="localities-spine"') :]
        assert 'role="img"' in spine.split("</div>")[0]
        for word in ("higher", "similar", "lower"):
            assert f"{verdicts.count(word)} {word} " in spine.split("</desc>")[0]


def test_an_unknown_area_or_the_borough_itself_is_not_found(
    analyst: Client, found: places.Localities
) -> None:
    assert analyst.get("/localities/E99999999/").status_code == 404
    assert analyst.get("/localities/borough/").status_code == 404


# Two places ----------------------------------------------------------------------------------------


def test_two_intervals_differ_only_when_they_do_not_overlap() -> None:
    low, high = Figure(10.0, 8.0, 12.0), Figure(20.0, 15.0, 25.0)
    touching = Figure(13.0, 12.0, 14.0)
    assert compare_figures(high, low) == "higher"
    assert compare_figures(low, high) == "lower"
    assert compare_figures(low, touching) == "similar"
    assert compare_figures(low, Figure(None)) == "not compared"


def test_two_places_of_different_levels_are_compared_side_by_side(
    analyst: Client, found: places.Localities
) -> None:
    ward, lsoa = found.profiles.wards[0], found.profiles.lsoas[-1]
    html = analyst.get(f"/localities/compare/?first={ward.code}&second={lsoa.code}").content
    page = html.decode()
    assert_no_small_count_on(page)
    assert "intervals do not overlap" in page and "conservative" in page
    verdicts = []
    for indicator in found.profiles.indicators:
        if not indicator.compared:
            continue
        verdict = compare_figures(ward.figures[indicator.key], lsoa.figures[indicator.key])
        verdicts.append(verdict)
        expected = {
            "higher": f"{ward.name} significantly higher",
            "lower": f"{ward.name} significantly lower",
            "similar": "no significant difference",
        }.get(verdict, "not compared")
        row = page[page.index(escape(indicator.title) + "<span") :]
        assert row.split("</tr>")[0].rstrip().endswith(f"{escape(expected)}</td>"), indicator.key
    assert {"similar", "higher"} <= set(verdicts) or {"similar", "lower"} <= set(verdicts)
    chart = page[page.index('<div class="localities-pair"') :].split("</desc>")[0]
    assert 'role="img"' in chart and f"for {2 * len(verdicts)} areas" in chart


def test_comparing_needs_two_different_places(analyst: Client, found: places.Localities) -> None:
    ward = found.profiles.wards[0].code
    missing = analyst.get(f"/localities/compare/?first={ward}&second=").content.decode()
    assert "There is a problem" in missing and 'href="#second">Choose the second area' in missing
    same = analyst.get(f"/localities/compare/?first={ward}&second={ward}").content.decode()
    assert "Choose a different area from the first" in same
    assert f'<option value="{ward}" selected>' in same
    assert analyst.get(f"/localities/compare.csv?first={ward}&second={ward}").status_code == 404
    blank = analyst.get(f"/localities/compare/?first={ward}").content.decode()
    assert "There is a problem" not in blank and 'id="comparison"' not in blank


# The downloads --------------------------------------------------------------------------------------


def test_no_count_below_the_threshold_is_in_any_download(
    analyst: Client, found: places.Localities
) -> None:
    first, second = found.profiles.wards[0], found.profiles.lsoas[0]
    hidden = 0
    for address in (
        f"/localities/map.{{}}?level=lsoa&indicator={COHORT}",
        "/localities/map.{}?level=ward&indicator=population",
        "/localities/map.{}?level=lsoa&indicator=emergency_admissions_rate",
    ):
        for file_format, sheet in (("csv", None), ("xlsx", "Areas")):
            response = analyst.get(address.format(file_format))
            assert response["Content-Disposition"].startswith("attachment;")
            data = response.content
            header, rows = csv_rows(data) if sheet is None else xlsx_sheet(data, sheet)
            assert header[:3] == ["area_type", "area_code", "area_name"]
            assert rows[-1][0] == "borough"
            hidden += assert_counts_controlled(header, rows, resident_count_columns(found, header))
    assert hidden  # the small neighbourhoods' counts were there to find, hidden

    profile = analyst.get(f"/localities/{second.code}/profile.csv").content
    header, rows = csv_rows(profile)
    assert header == PROFILE_HEADER
    assert [r[0] for r in rows] == [i.key for i in found.profiles.indicators]
    counted = {i.key for i in found.profiles.indicators if places.counts_residents(i)}
    for row in rows:
        columns = ["area_count", "area_denominator", "borough_count", "borough_denominator"]
        if row[0] in counted:
            columns += ["area_value", "borough_value"]
        for column in columns:
            value = row[header.index(column)]
            assert value == "" or is_controlled_count(value), (column, row)

    address = f"/localities/compare.{{}}?first={first.code}&second={second.code}"
    header, rows = xlsx_sheet(analyst.get(address.format("xlsx")).content, "Comparison")
    assert header == COMPARISON_HEADER
    notes, _ = xlsx_sheet(analyst.get(address.format("xlsx")).content, "Notes")
    assert notes == ["Topic", "Note"]
    header, rows = csv_rows(analyst.get(address.format("csv")).content)
    for row in rows:
        for side in ("first", "second"):
            for part in ("count", "denominator"):
                value = row[header.index(f"{side}_{part}")]
                assert value == "" or is_controlled_count(value), row
    assert analyst.get("/localities/map.pdf").status_code == 404


def test_a_download_holds_the_figures_the_page_shows(
    analyst: Client, found: places.Localities
) -> None:
    area = found.profiles.wards[0]
    header, rows = csv_rows(analyst.get(f"/localities/{area.code}/profile.csv").content)
    by_key = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    rate = by_key["ae_attendances_rate"]
    figure = area.figures["ae_attendances_rate"]
    assert float(str(rate["area_value"])) == figure.value
    assert float(str(rate["area_lower"])) == figure.lower
    assert rate["compared_with_borough"] == figure.comparison
    borough = found.profiles.borough.figures["ae_attendances_rate"]
    assert float(str(rate["borough_value"])) == borough.value


def test_every_download_is_audited(analyst: Client, found: places.Localities) -> None:
    first, second = found.profiles.wards[0].code, found.profiles.wards[1].code
    for address in (
        "/localities/map.csv?level=ward&indicator=population",
        f"/localities/{first}/profile.xlsx",
        f"/localities/compare.csv?first={first}&second={second}",
    ):
        assert analyst.get(address).status_code == 200
    events = AuditEvent.objects.filter(verb="localities.downloaded").order_by("sequence")
    assert [(e.object_id, e.detail["table"], e.detail["format"]) for e in events] == [
        ("localities-ward-population", "areas", "csv"),
        (f"locality-{first}", "profile", "xlsx"),
        (f"localities-{first}-{second}", "comparison", "csv"),
    ]
    assert all(e.detail["profile_run"] == found.profiles.run_id for e in events)


def test_the_pages_and_files_are_quick_once_the_profiles_are_built(
    analyst: Client, found: places.Localities
) -> None:
    first, second = found.profiles.wards[0].code, found.profiles.lsoas[0].code
    analyst.get("/localities/")  # the process's first page: templates, the analysis base opened
    timings = {}
    for address in (
        f"/localities/?level=lsoa&indicator={COHORT}",
        f"/localities/{second}/",
        f"/localities/compare/?first={first}&second={second}",
        "/localities/map.xlsx?level=lsoa&indicator=population",
        f"/localities/{second}/profile.xlsx",
        f"/localities/compare.xlsx?first={first}&second={second}",
    ):
        started = time.perf_counter()
        assert analyst.get(address).status_code == 200
        timings[address] = time.perf_counter() - started
    print({address: f"{seconds:.3f} s" for address, seconds in timings.items()})
    assert max(timings.values()) < 2.0, timings


# Who may see them ------------------------------------------------------------------------------


def test_the_coordinator_finds_the_profiles_from_home(
    on_linked_home: Path, client_as: Callable[..., Client]
) -> None:
    coordinator = client_as(Role.HUB_COORDINATOR)
    assert 'href="/localities/"' in coordinator.get("/").content.decode()
    assert coordinator.get("/localities/").status_code == 200


def test_a_practitioner_is_refused_and_the_refusal_audited(
    on_linked_home: Path, client_as: Callable[..., Client], found: places.Localities
) -> None:
    practitioner = client_as(Role.PRACTITIONER)
    assert 'href="/localities/"' not in practitioner.get("/").content.decode()
    code = found.profiles.wards[0].code
    urls = (*URLS, f"/localities/{code}/", f"/localities/{code}/profile.csv")
    for url in urls:
        assert practitioner.get(url).status_code == 403, url
    assert AuditEvent.objects.filter(verb="access.denied").count() == len(urls)
    assert not AuditEvent.objects.filter(verb="localities.downloaded").exists()


def test_without_linked_data_the_pages_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, analyst: Client
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(tmp_path))
    for url in ("/localities/", "/localities/compare/", "/localities/E05000000/"):
        text = " ".join(page_text(analyst.get(url).content.decode()).texts)
        assert "no linked data yet" in analyst.get(url).content.decode(), url
        assert "Locality profiles" in text
    assert analyst.get("/localities/map.csv")["Location"] == "/localities/"
