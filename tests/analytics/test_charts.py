"""SVG charts: well-formed, accessible, one shape per area, suppression never shown as a value."""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from joinedup.analytics import charts
from joinedup.analytics.charts import bar_chart_svg, choropleth_svg, line_chart_svg
from joinedup.analytics.stats import Estimate, rate_interval, wilson_interval
from joinedup.reference.files import reference_path

NS = {"svg": charts.SVG_NS}
TRICKY = 'A & B <x> "quoted"'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{{{charts.SVG_NS}}}svg"
    return root


def boundaries(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(reference_path(name).read_text(encoding="utf-8"))
    return loaded


def area_paths(root: ET.Element) -> dict[str, ET.Element]:
    return {p.attrib["data-code"]: p for p in root.iterfind(".//svg:path[@data-code]", NS)}


def hover(element: ET.Element) -> str:
    title = element.find("svg:title", NS)
    assert title is not None and title.text is not None
    return title.text


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iterfind(".//svg:text", NS)]


def square(x: float, y: float) -> list[list[float]]:
    return [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]


def feature(code: str, name: str, geometry: dict[str, Any]) -> dict[str, Any]:
    properties = {"code": code, "name": name}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


TOY_MAP = {
    "type": "FeatureCollection",
    "features": [
        feature("X1", TRICKY, {"type": "Polygon", "coordinates": [square(-2.6, 53.6)]}),
        feature(
            "X2",
            "Islands",
            {"type": "MultiPolygon", "coordinates": [[square(-2.58, 53.6)], [square(-2.56, 53.6)]]},
        ),
        feature("X3", "Quiet", {"type": "Polygon", "coordinates": [square(-2.6, 53.62)]}),
    ],
}


def toy_map(values: dict[str, float | None], **options: Any) -> str:
    return choropleth_svg(
        TOY_MAP,
        values,
        code_property="code",
        name_property="name",
        title="Toy & <map>",
        legend_title="Rate",
        **options,
    )


@pytest.fixture(scope="module")
def lsoa_map() -> tuple[dict[str, Any], dict[str, float | None], ET.Element]:
    geojson = boundaries("chorley_lsoa21_boundaries.geojson")
    codes = [f["properties"]["lsoa21_code"] for f in geojson["features"]]
    values: dict[str, float | None] = {code: 10.0 + i for i, code in enumerate(codes)}
    values[codes[3]] = None  # suppressed; codes[4] is left out: no data
    del values[codes[4]]
    svg = choropleth_svg(
        geojson,
        values,
        code_property="lsoa21_code",
        name_property="lsoa21_name",
        title="Adults with obesity by LSOA",
        legend_title="% of adults",
    )
    return geojson, values, parse(svg)


# Accessibility common to every chart


def assert_accessible(root: ET.Element, title: str) -> None:
    assert root.get("role") == "img"
    labels = (root.get("aria-labelledby") or "").split()
    found = [root.find(f".//*[@id='{label}']") for label in labels]
    assert [e.tag.split("}")[1] for e in found if e is not None] == ["title", "desc"]
    assert found[0] is not None and found[0].text == title
    assert found[1] is not None and (found[1].text or "").strip()
    assert [child.tag.split("}")[1] for child in root][:2] == ["title", "desc"]


def test_every_chart_is_an_accessible_image() -> None:
    rows = [("A", wilson_interval(5, 10))]
    trend = {"A": [("2024", 1.0)]}
    for svg, title in [
        (toy_map({"X1": 1.0}), "Toy & <map>"),
        (bar_chart_svg(rows, 0.4, "Bars & <b>", "%"), "Bars & <b>"),
        (line_chart_svg(trend, "Trend & <t>", "%"), "Trend & <t>"),
    ]:
        assert_accessible(parse(svg), title)
        assert "<script" not in svg and "http" not in svg.replace(charts.SVG_NS, "")


# Choropleth


def test_map_draws_one_path_per_lsoa(lsoa_map: tuple[Any, Any, ET.Element]) -> None:
    geojson, _, root = lsoa_map
    codes = [f["properties"]["lsoa21_code"] for f in geojson["features"]]
    assert len(codes) == 70
    assert sorted(area_paths(root)) == sorted(codes)


def test_ward_map_draws_every_ward_including_multipolygons() -> None:
    geojson = boundaries("chorley_wards2025_boundaries.geojson")
    kinds = {f["geometry"]["type"] for f in geojson["features"]}
    assert kinds == {"Polygon", "MultiPolygon"}
    values = {f["properties"]["ward_code"]: float(i) for i, f in enumerate(geojson["features"])}
    svg = choropleth_svg(
        geojson,
        values,
        code_property="ward_code",
        name_property="ward_name",
        title="Wards",
        legend_title="Rate",
    )
    paths = area_paths(parse(svg))
    assert len(paths) == len(geojson["features"]) == 14
    assert "Adlington &amp; Anderton" in svg
    assert hover(paths["E05013064"]) == "Adlington & Anderton (E05013064): 0.0"


def test_hover_titles_carry_name_and_value(lsoa_map: tuple[Any, Any, ET.Element]) -> None:
    geojson, values, root = lsoa_map
    paths = area_paths(root)
    for f in geojson["features"]:
        code, name = f["properties"]["lsoa21_code"], f["properties"]["lsoa21_name"]
        value = values.get(code)
        shown = "suppressed or no data" if value is None else f"{value:.1f}"
        assert hover(paths[code]) == f"{name} ({code}): {shown}"


def test_suppressed_and_missing_areas_are_hatched_not_the_lowest_class(
    lsoa_map: tuple[Any, Any, ET.Element],
) -> None:
    _, values, root = lsoa_map
    paths = area_paths(root)
    fills = {code: path.attrib["fill"] for code, path in paths.items()}
    blank = {code for code in fills if values.get(code) is None}
    assert len(blank) == 2
    assert {fills[code] for code in blank} == {f"url(#{_pattern_id(root)})"}
    assert charts.MAP_CLASS_COLOURS[0] not in {fills[code] for code in blank}
    assert "suppressed or no data (2)" in texts(root)


def _pattern_id(root: ET.Element) -> str:
    pattern = root.find(".//svg:pattern", NS)
    assert pattern is not None
    return pattern.attrib["id"]


def test_quantile_classes_run_light_to_dark(lsoa_map: tuple[Any, Any, ET.Element]) -> None:
    _, values, root = lsoa_map
    paths = area_paths(root)
    shown = sorted((v, code) for code, v in values.items() if v is not None)
    assert paths[shown[0][1]].attrib["fill"] == charts.MAP_CLASS_COLOURS[0]
    assert paths[shown[-1][1]].attrib["fill"] == charts.MAP_CLASS_COLOURS[-1]
    per_class = [
        sum(p.attrib["fill"] == colour for p in paths.values())
        for colour in charts.MAP_CLASS_COLOURS
    ]
    assert sum(per_class) == 68 and max(per_class) - min(per_class) <= 1
    fills_in_value_order = [paths[code].attrib["fill"] for _, code in shown]
    ranks = [charts.MAP_CLASS_COLOURS.index(fill) for fill in fills_in_value_order]
    assert ranks == sorted(ranks)


def test_tied_values_share_a_class_and_no_class_is_empty() -> None:
    root = parse(toy_map({"X1": 2.0, "X2": 2.0, "X3": 7.0}))
    fills = {code: p.attrib["fill"] for code, p in area_paths(root).items()}
    assert fills["X1"] == fills["X2"] != fills["X3"]
    assert "2.0 (2)" in texts(root) and "7.0 (1)" in texts(root)


def test_labels_are_escaped_and_stay_well_formed() -> None:
    svg = toy_map({"X1": 1.0, "X2": 2.0, "X3": None})
    root = parse(svg)
    assert hover(area_paths(root)["X1"]) == f"{TRICKY} (X1): 1.0"
    assert "A &amp; B &lt;x&gt;" in svg
    assert root.find("svg:title", NS) is not None
    assert "Toy & <map>" in texts(root)


def test_a_multipolygon_is_one_path_with_a_ring_per_part() -> None:
    paths = area_paths(parse(toy_map({"X2": 1.0})))
    assert paths["X2"].attrib["d"].count("M") == 2
    assert paths["X1"].attrib["d"].count("M") == 1


def test_a_map_with_no_values_is_all_hatched() -> None:
    root = parse(toy_map({}))
    assert {p.attrib["fill"] for p in area_paths(root).values()} == {f"url(#{_pattern_id(root)})"}


@pytest.mark.parametrize(
    ("values", "options"),
    [({"NOT-ON-MAP": 1.0}, {}), ({"X1": 1.0}, {"classes": 1}), ({"X1": 1.0}, {"classes": 9})],
)
def test_map_refuses_bad_requests(values: dict[str, float | None], options: Any) -> None:
    with pytest.raises(ValueError):
        toy_map(values, **options)


def test_map_refuses_features_it_cannot_draw() -> None:
    point = feature("P", "Point", {"type": "Point", "coordinates": [-2.6, 53.6]})
    with pytest.raises(ValueError, match="Polygon"):
        choropleth_svg(
            {"features": [point]},
            {},
            code_property="code",
            name_property="name",
            title="t",
            legend_title="l",
        )


def test_charts_are_deterministic_and_ids_differ_between_charts() -> None:
    assert toy_map({"X1": 1.0}) == toy_map({"X1": 1.0})
    first = parse(toy_map({"X1": 1.0}))
    other = parse(
        choropleth_svg(
            TOY_MAP,
            {},
            code_property="code",
            name_property="name",
            title="Another",
            legend_title="l",
        )
    )
    ids = [{e.attrib["id"] for e in root.iterfind(".//*[@id]")} for root in (first, other)]
    assert not ids[0] & ids[1]


# Compare-areas bars


def bar_rows(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iterfind("svg:g", NS) if g.find("svg:title", NS) is not None]


def test_bars_show_values_intervals_and_comparisons() -> None:
    rows: list[tuple[str, charts.BarValue]] = [
        ("High", Estimate(30.0, 25.0, 35.0, "test")),
        ("Similar", (12.0, 9.0, 15.0)),
        ("Low", rate_interval(20, 10_000, per=1000)),
        (TRICKY, None),
    ]
    svg = bar_chart_svg(rows, 12.0, "Admissions & <more>", "per 1,000", benchmark_label="Chorley")
    root = parse(svg)
    groups = bar_rows(root)
    assert len(groups) == 4
    assert all(g[0].tag == f"{{{charts.SVG_NS}}}title" for g in groups)  # tooltips come first
    fills = [[r.attrib["fill"] for r in g.iterfind("svg:rect", NS)] for g in groups]
    expected = [charts.COMPARISON_COLOURS[c] for c in ("higher", "similar", "lower")]
    assert fills == [[colour] for colour in expected] + [[]]
    assert hover(groups[0]) == (
        "High: 30.0, 95% confidence interval 25.0 to 35.0, higher than Chorley"
    )
    assert hover(groups[3]) == f"{TRICKY}: suppressed or not computed [c]"
    assert "Chorley: 12.0" in texts(root)
    assert "30.0 (25.0 to 35.0)" in texts(root)


def test_a_suppressed_row_is_marked_c_and_never_drawn_as_zero() -> None:
    root = parse(bar_chart_svg([("Hidden", None), ("Zero", (0.0, 0.0, 3.7))], 1.0, "t", "u"))
    hidden, zero = bar_rows(root)
    assert hidden.find("svg:rect", NS) is None
    assert [t for t in ("".join(e.itertext()) for e in hidden.iterfind("svg:text", NS))] == [
        "Hidden",
        "[c]",
    ]
    assert zero.find("svg:rect", NS) is not None


def test_nothing_to_divide_by_is_marked_z() -> None:
    root = parse(bar_chart_svg([("Empty", rate_interval(0, 0))], None, "t", "u"))
    assert "[z]" in texts(root)


def test_bars_without_a_benchmark_are_not_compared() -> None:
    root = parse(bar_chart_svg([("A", (1.0, 0.5, 2.0)), ("B", (3.0, 2.0, 4.0))], None, "t", "u"))
    fills = {r.attrib["fill"] for r in root.iterfind(".//svg:g/svg:rect", NS)}
    assert fills == {charts.NO_BENCHMARK_COLOUR}
    assert not any(t.startswith("Compared with") for t in texts(root))


def test_bar_description_counts_the_comparisons() -> None:
    rows: list[tuple[str, charts.BarValue]] = [("A", (9.0, 8.0, 10.0)), ("B", None)]
    desc = parse(bar_chart_svg(rows, 5.0, "t", "u")).find("svg:desc", NS)
    assert desc is not None and desc.text is not None
    assert "1 higher than Borough" in desc.text and "1 suppressed or not computed" in desc.text


# Trends


def test_trend_lines_break_at_missing_values_and_mark_every_point() -> None:
    series: dict[str, list[tuple[str, float | None]]] = {
        "Chorley": [("2019/20", 20.0), ("2020/21", None), ("2021/22", 22.0), ("2022/23", 23.5)],
        "England & <Wales>": [("2019/20", 21.0), ("2020/21", 21.5), ("2022/23", 22.0)],
    }
    svg = line_chart_svg(series, "Year 6 obesity", "%")
    root = parse(svg)
    groups = list(root.iterfind("svg:g", NS))
    lines = [g.find("svg:path[@fill='none']", NS) for g in groups]
    assert [line.attrib["d"].count("M") for line in lines if line is not None] == [1, 1]
    markers = [hover(p) for g in groups for p in g.iterfind("svg:path[svg:title]", NS)]
    assert markers == [
        "Chorley, 2019/20: 20.0",
        "Chorley, 2021/22: 22.0",
        "Chorley, 2022/23: 23.5",
        "England & <Wales>, 2019/20: 21.0",
        "England & <Wales>, 2020/21: 21.5",
        "England & <Wales>, 2022/23: 22.0",
    ]
    assert [t for t in texts(root) if "/" in t] == ["2019/20", "2020/21", "2021/22", "2022/23"]
    desc = root.find("svg:desc", NS)
    assert desc is not None and "Chorley: 20.0 in 2019/20, 23.5 in 2022/23" in (desc.text or "")


def test_a_gap_in_the_middle_splits_the_line() -> None:
    series = {"A": [("1", 1.0), ("2", 2.0), ("3", None), ("4", 4.0), ("5", 5.0)]}
    line = parse(line_chart_svg(series, "t", "u")).find("svg:g/svg:path[@fill='none']", NS)
    assert line is not None and line.attrib["d"].count("M") == 2


def test_each_series_has_its_own_colour_and_marker() -> None:
    series = {f"S{i}": [("2020", float(i)), ("2021", float(i + 1))] for i in range(6)}
    root = parse(line_chart_svg(series, "t", "u"))
    groups = list(root.iterfind("svg:g", NS))
    colours = [g.find("svg:path", NS).attrib["stroke"] for g in groups]  # type: ignore[union-attr]
    shapes = {charts._marker(i, 0, 0) for i in range(6)}
    assert len(set(colours)) == 6 and len(shapes) == 6
    with pytest.raises(ValueError):
        line_chart_svg({f"S{i}": [("2020", 1.0)] for i in range(7)}, "t", "u")


def test_a_trend_with_one_period_or_no_values_still_draws() -> None:
    assert_accessible(parse(line_chart_svg({"A": [("2024", 3.0)]}, "one", "u")), "one")
    assert_accessible(parse(line_chart_svg({"A": [("2024", None)]}, "none", "u")), "none")


# Colours


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_meets_wcag_aa_on_white() -> None:
    for colour in (charts.TEXT, charts.SECONDARY_TEXT):
        assert contrast(colour, charts.WHITE) >= 4.5


def test_marks_meet_the_non_text_contrast_minimum() -> None:
    # WCAG 1.4.11: 3:1 against the background, or the mark's dark outline gives it.
    for colour in (*charts.SERIES_COLOURS, charts.NO_BENCHMARK_COLOUR, charts.SECONDARY_TEXT):
        assert contrast(colour, charts.WHITE) >= 3
    assert contrast(charts.TEXT, charts.WHITE) >= 3  # the outline of bars and swatches


def test_map_classes_step_down_in_lightness() -> None:
    # Ordered by lightness alone, the ramp reads the same with any colour vision deficiency.
    steps = [luminance(c) for c in charts.MAP_CLASS_COLOURS]
    assert steps == sorted(steps, reverse=True)
    assert all(contrast(a, b) >= 1.3 for a, b in itertools.pairwise(charts.MAP_CLASS_COLOURS))


def test_comparison_colours_differ_in_lightness() -> None:
    shades = [charts.COMPARISON_COLOURS[c] for c in ("higher", "lower", "similar")]
    assert all(contrast(a, b) >= 2 for a, b in itertools.combinations(shades, 2))
