"""A run's published figures arranged for its page and its downloads: the total, tables by
ward, neighbourhood (LSOA), sex and age band, a bar chart and maps. Every figure here is one the
run published after disclosure control; nothing is counted again."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from joinedup.analytics import charts
from joinedup.analytics.disclosure import RULE
from joinedup.analytics.profiles import MAP_PROPERTIES, Boundaries
from joinedup.exports import write_csv, write_workbook
from joinedup.web.airlock.outputs import published_cohort_content
from joinedup.web.cohorts.chart import bar_chart_svg
from joinedup.web.cohorts.models import CohortRun

BREAKDOWNS = {
    "by_ward": "Ward",
    "by_lsoa": "Neighbourhood (LSOA)",
    "by_sex": "Sex",
    "by_age_band": "Age band",
}
Format = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[Format, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Row:
    label: str
    name: str  # the area's name, where the label is a code
    value: int | str


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[Row]
    total: int | str


@cache
def boundaries() -> Boundaries:
    return Boundaries.packaged()


@cache
def _names(level: str) -> dict[str, str]:
    """Area code -> name, from the packaged boundaries."""
    code, name = MAP_PROPERTIES[level]
    return {
        str(f["properties"][code]): str(f["properties"][name])
        for f in boundaries().of(level)["features"]
    }


def tables(published: Mapping[str, Any]) -> list[Table]:
    lsoa_names = _names("lsoa")
    found = []
    for key, title in BREAKDOWNS.items():
        cells: dict[str, int | str] = published[key]["cells"]
        rows = [
            Row(label, lsoa_names.get(label, "") if key == "by_lsoa" else "", value)
            for label, value in cells.items()
        ]
        found.append(Table(key, title, rows, published[key]["total"]))
    return found


def ward_chart(published: Mapping[str, Any]) -> str:
    bars = list(published["by_ward"]["cells"].items())
    title = f"{published['title']}: people by ward"
    return bar_chart_svg(bars, title, "ward-bars")


def area_map(published: Mapping[str, Any], level: str) -> str:
    """The borough's wards or LSOAs shaded by the run's published counts; a hidden count is
    drawn as no data, never as a number."""
    names = _names(level)
    by_code = (
        {code: published["by_lsoa"]["cells"].get(code) for code in names}
        if level == "lsoa"
        else {code: published["by_ward"]["cells"].get(name) for code, name in names.items()}
    )
    values = {code: float(v) if isinstance(v, int) else None for code, v in by_code.items()}
    code_property, name_property = MAP_PROPERTIES[level]
    where = "ward" if level == "ward" else "neighbourhood (LSOA)"
    return charts.choropleth_svg(
        boundaries().of(level),
        values,
        code_property=code_property,
        name_property=name_property,
        title=f"{published['title']}: people by {where}",
        legend_title="People",
        decimals=0,
    )


def download_rows(run: CohortRun) -> tuple[list[str], list[list[object]]]:
    """The run's figures as the airlock would release them: breakdown, group, people."""
    content = published_cohort_content(run.published)
    return list(content["header"]), [list(row) for row in content["rows"]]


def notes(run: CohortRun) -> list[list[object]]:
    published = run.published
    parameters = ", ".join(f"{k}={v}" for k, v in sorted(published["parameters"].items()))
    return [
        ["Cohort", f"{published['title']} ({published['cohort']} version {published['version']})"],
        ["Parameters", parameters or "none"],
        ["Population date", published["population_date"]],
        ["Purpose", published["purpose"]],
        ["Agreements", ", ".join(published["agreements"])],
        ["Run", published["run_id"]],
        ["Disclosure control", RULE.version],
        ["Marks", f"{RULE.hidden_symbol}: hidden by disclosure control"],
    ]


def as_file(run: CohortRun, file_format: Format) -> bytes:
    header, rows = download_rows(run)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"cohort.{file_format}"
        if file_format == "xlsx":
            sheets = [("Counts", header, rows), ("Notes", ["Topic", "Note"], notes(run))]
            write_workbook(path, sheets)
        else:
            write_csv(path, header, rows)
        return path.read_bytes()
