"""Accessible SVG charts for locality profiles: a choropleth map, compare-areas bars, trends.

Drawn on the server with no JavaScript and nothing fetched: each function returns one
self-contained ``<svg>`` element as text, built with xml.etree so every label is escaped. To
assistive technology each chart is one image (``role="img"``) named by its ``<title>`` and
summarised in its ``<desc>``; hover titles carry each figure. A page showing a chart should also
give its figures as a table.

Colours are the GOV.UK Design System's (text, greys, blues, yellow) and, for trend lines, the
Government Analysis Function's categorical palette, chosen for colour-blind readers. Every mark
has 3:1 contrast with the white background or a dark outline; text has at least 4.5:1. Classes and
series differ in lightness or marker shape as well as in hue.
"""

from __future__ import annotations

import hashlib
import math
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

import numpy as np

from joinedup.analytics.stats import NO_DENOMINATOR, Comparison, Estimate, compare_to_benchmark

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "Arial, Helvetica, sans-serif"  # GDS Transport is licensed for GOV.UK's own pages only
FONT_SIZE = 14
CHAR_WIDTH = 0.6 * FONT_SIZE  # a generous average: text is laid out without measuring it
WIDTH = 720
MARGIN = 16

TEXT = "#0b0c0c"  # GOV.UK text: 19:1 on white
SECONDARY_TEXT = "#505a5f"  # GOV.UK secondary text: 7:1 on white
GRID = "#b1b4b6"  # GOV.UK mid-grey: gridlines are guides, not data
LIGHT_GREY = "#f3f2f1"  # GOV.UK light grey
WHITE = "#ffffff"

# Light to dark: two tints of GOV.UK light blue, then light blue, blue and dark blue. One hue
# ramping in lightness reads the same with any colour vision deficiency.
MAP_CLASS_COLOURS = ("#d5e4f2", "#aacae4", "#5694ca", "#1d70b8", "#003078")
MAP_WIDTH = 440
NO_DATA_LABEL = "suppressed or no data"

# Fingertips' colours for indicators with no better or worse direction, in GOV.UK colours:
# dark for higher, light for lower, yellow for similar; they differ in lightness too.
COMPARISON_COLOURS: dict[Comparison, str] = {
    "higher": "#003078",
    "similar": "#ffdd00",
    "lower": "#5694ca",
    "not compared": LIGHT_GREY,
}
NO_BENCHMARK_COLOUR = "#1d70b8"
# Government Statistical Service shorthand, as joinedup.analytics.disclosure publishes it.
SUPPRESSED_MARK = "[c]"  # confidential: suppressed, or not computed from what was published
NOT_APPLICABLE_MARK = "[z]"  # nothing to divide by
MARK_MEANINGS = {
    SUPPRESSED_MARK: "suppressed or not computed",
    NOT_APPLICABLE_MARK: "no denominator",
}
ROW_HEIGHT = 28
VALUE_COLUMN = 150

# Government Analysis Function categorical palette (each 3:1 on white, chosen for colour-blind
# readers), with a marker shape per series as a second cue: (sides, first vertex angle), 0 a circle.
SERIES_COLOURS = ("#12436d", "#28a197", "#801650", "#f46a25", "#3d3d3d", "#a285d1")
MARKER_SHAPES = ((0, 0.0), (4, 45.0), (3, -90.0), (4, 0.0), (3, 90.0), (6, 0.0))
PLOT_HEIGHT = 280

BarValue = Estimate | tuple[float, float, float] | None


# Drawing


def image_svg(
    key: str,
    size: tuple[float, float],
    title: str,
    description: str,
    *,
    font_size: int = FONT_SIZE,
    css_class: str = "",
    title_attributes: Mapping[str, str] | None = None,
) -> ET.Element:
    """An SVG root as wide as its container that assistive technology reads as one image, named
    by its ``<title>`` and summarised in its ``<desc>``; ``key`` makes their ids unique on the
    page. The caller draws inside it."""
    width, height = size
    attributes = {
        "xmlns": SVG_NS,
        "role": "img",
        "viewBox": f"0 0 {width} {height}",
        "width": "100%",
        "aria-labelledby": f"{key}-title {key}-desc",
        "font-family": FONT,
        "font-size": str(font_size),
    }
    root = ET.Element("svg", attributes | ({"class": css_class} if css_class else {}))
    ET.SubElement(root, "title", {"id": f"{key}-title", **(title_attributes or {})}).text = title
    ET.SubElement(root, "desc", {"id": f"{key}-desc"}).text = description
    return root


def _attr(value: str | float) -> str:
    return value if isinstance(value, str) else f"{round(value, 1):g}"


def _add(
    parent: ET.Element, tag: str, attrs: Mapping[str, str | float] | None = None, text: str = ""
) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _attr(v) for k, v in (attrs or {}).items()})
    if text:
        element.text = text
    return element


def _options(attrs: Mapping[str, str | float]) -> dict[str, str | float]:
    """Keyword arguments as SVG attributes: ``text_anchor`` becomes ``text-anchor``."""
    return {k.replace("_", "-"): v for k, v in attrs.items()}


def _line(
    parent: ET.Element, d: str, stroke: str, width: float = 1.0, **attrs: str | float
) -> ET.Element:
    base: dict[str, str | float] = {"d": d, "stroke": stroke, "stroke-width": width, "fill": "none"}
    return _add(parent, "path", base | _options(attrs))


def _swatch(parent: ET.Element, x: float, y: float, fill: str, size: float = 18) -> None:
    box = {"x": x, "y": y, "width": size, "height": size}
    _add(parent, "rect", box | {"fill": fill, "stroke": TEXT})


def _text(
    parent: ET.Element, x: float, y: float, lines: str | Sequence[str], **attrs: str | float
) -> ET.Element:
    """Text at (x, y), a list of lines continuing below."""
    rows = [lines] if isinstance(lines, str) else list(lines)
    position: dict[str, str | float] = {"x": x, "y": y, "fill": TEXT}
    element = _add(parent, "text", position | _options(attrs), rows[0])
    for row in rows[1:]:
        _add(element, "tspan", {"x": x, "dy": "1.2em"}, row)
    return element


def _hover(element: ET.Element, text: str) -> None:
    """The element's tooltip: a title, as its first child, as SVG asks."""
    title = ET.Element("title")
    title.text = text
    element.insert(0, title)


def _wrap(text: str, width: float, font_size: float = FONT_SIZE) -> list[str]:
    return textwrap.wrap(text, max(8, int(width / (0.6 * font_size)))) or [""]


def _svg(kind: str, title: str) -> tuple[ET.Element, str, float]:
    """The root with its title, an empty desc and the visible heading; returns the root, the
    prefix for ids inside it, and the y below the heading.

    Ids come from the kind and title, so different charts on one page do not share them and a
    chart is drawn the same way every time.
    """
    prefix = f"{kind}-{hashlib.blake2b(title.encode(), digest_size=4).hexdigest()}"
    root = ET.Element("svg", {"xmlns": SVG_NS, "role": "img"})
    root.attrib |= {"aria-labelledby": f"{prefix}-title {prefix}-desc", "font-family": FONT}
    root.set("font-size", str(FONT_SIZE))
    _add(root, "title", {"id": f"{prefix}-title"}, title)
    _add(root, "desc", {"id": f"{prefix}-desc"})
    _add(root, "rect", {"width": "100%", "height": "100%", "fill": WHITE})
    heading = _wrap(title, WIDTH - 2 * MARGIN, 18)
    _text(root, MARGIN, MARGIN + 18, heading, font_size=18, font_weight="bold")
    return root, prefix, MARGIN + 18 + 22 * len(heading)


def _finish(root: ET.Element, description: str, height: float) -> str:
    desc = root.find("desc")
    assert desc is not None
    desc.text = description
    size = {"width": str(WIDTH), "height": _attr(height)}
    root.attrib |= size | {"viewBox": f"0 0 {WIDTH} {size['height']}"}
    return ET.tostring(root, encoding="unicode")


def _format(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _many(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _present(value: float | None) -> TypeGuard[float]:
    return value is not None and math.isfinite(value)


@dataclass(frozen=True)
class _Scale:
    """A linear map from data values (low..high) to pixels (start..end)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def _nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round ticks (steps of 1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    if high <= low:
        spread = abs(low) * 0.1 or 1.0
        low, high = low - spread, high + spread
    raw = (high - low) / target
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def _tick_decimals(ticks: Sequence[float]) -> int:
    step = ticks[1] - ticks[0]
    return next((d for d in range(7) if abs(round(step, d) - step) < 1e-9 * step), 6)


# Choropleth map

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class _Area:
    code: str
    name: str
    polygons: list[list[Ring]]  # each polygon: its outer ring, then any holes


def _areas(geojson: Mapping[str, Any], code_property: str, name_property: str) -> list[_Area]:
    areas = []
    for feature in geojson.get("features", []):
        properties = feature.get("properties") or {}
        if code_property not in properties or name_property not in properties:
            raise ValueError("every map feature needs the code and the name property")
        code, name = str(properties[code_property]), str(properties[name_property])
        areas.append(_Area(code, name, _polygons(feature.get("geometry") or {})))
    return areas


def _polygons(geometry: Mapping[str, Any]) -> list[list[Ring]]:
    coordinates: Any = geometry.get("coordinates")
    if geometry.get("type") == "Polygon":
        coordinates = [coordinates]
    elif geometry.get("type") != "MultiPolygon":
        raise ValueError("map features must be Polygons or MultiPolygons")
    return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in poly] for poly in coordinates]


@dataclass(frozen=True)
class _Projection:
    """Equirectangular, longitude shrunk by the cosine of the mean latitude: near enough true
    in shape across one borough."""

    x: _Scale
    y: _Scale
    squeeze: float

    @classmethod
    def fit(cls, areas: Sequence[_Area], left: float, top: float, width: float) -> _Projection:
        points = np.array([p for a in areas for poly in a.polygons for ring in poly for p in ring])
        (west, south), (east, north) = points.min(axis=0), points.max(axis=0)
        squeeze = math.cos(math.radians((south + north) / 2))
        height = width * (north - south) / max((east - west) * squeeze, 1e-9)
        x = _Scale(west * squeeze, east * squeeze, left, left + width)
        return cls(x, _Scale(north, south, top, top + height), squeeze)

    @property
    def bottom(self) -> float:
        return self.y.end

    def path(self, polygons: Iterable[list[Ring]]) -> str:
        return "".join(self._ring(ring) for polygon in polygons for ring in polygon)

    def _ring(self, ring: Ring) -> str:
        points: list[str] = []
        for lon, lat in ring:
            point = f"{self.x(lon * self.squeeze):.1f} {self.y(lat):.1f}"
            if not points or points[-1] != point:  # drop what rounding to 0.1 px merged
                points.append(point)
        return "M" + "L".join(points) + "Z"


@dataclass(frozen=True)
class _Classes:
    """Quantile classes. A value's class is the number of thresholds it reaches; thresholds are
    data values above the minimum, so no class is empty, and tied values share a class."""

    thresholds: list[float]
    colours: list[str]

    @classmethod
    def of(cls, values: Sequence[float], classes: int) -> _Classes:
        if not values:
            return cls([], [])
        data = np.array(values, dtype=np.float64)
        cuts = np.quantile(data, np.arange(1, classes) / classes, method="inverted_cdf")
        thresholds = [float(cut) for cut in np.unique(cuts) if cut > data.min()]
        count = len(thresholds) + 1
        picks = np.linspace(0, len(MAP_CLASS_COLOURS) - 1, count).round().astype(int)
        colours = [MAP_CLASS_COLOURS[i] for i in picks] if count > 1 else [MAP_CLASS_COLOURS[2]]
        return cls(thresholds, colours)

    def index(self, value: float) -> int:
        return int(np.searchsorted(self.thresholds, value, side="right"))

    def legend(self, values: Iterable[float], decimals: int) -> list[tuple[str, str]]:
        """Each class's colour and the range of the values in it, with how many there are."""
        members: list[list[float]] = [[] for _ in self.colours]
        for value in values:
            members[self.index(value)].append(value)
        entries = []
        for colour, inside in zip(self.colours, members, strict=True):
            low, high = _format(min(inside), decimals), _format(max(inside), decimals)
            span = low if low == high else f"{low} to {high}"
            entries.append((colour, f"{span} ({len(inside)})"))
        return entries


def choropleth_svg(
    geojson: Mapping[str, Any],
    values: Mapping[str, float | None],
    *,
    code_property: str,
    name_property: str,
    title: str,
    legend_title: str,
    classes: int = 5,
    decimals: int = 1,
) -> str:
    """A map of a GeoJSON FeatureCollection's areas (WGS84), shaded in quantile classes.

    Areas whose value is None, not finite or absent are hatched grey and counted in the legend
    as suppressed or no data. A value for a code not on the map is an error: usually a mix-up
    of geographies, such as 2011 codes on a 2021 map.

    Example::

        choropleth_svg(wards_geojson, {"E05013064": 12.5, "E05013065": None},
                       code_property="ward_code", name_property="ward_name",
                       title="Adults with obesity by ward", legend_title="% of adults")
    """
    if not 2 <= classes <= len(MAP_CLASS_COLOURS):
        raise ValueError(f"classes must be between 2 and {len(MAP_CLASS_COLOURS)}")
    areas = _areas(geojson, code_property, name_property)
    if not areas:
        raise ValueError("the map has no features")
    if set(values) - {a.code for a in areas}:
        raise ValueError("values were given for areas that are not on the map")
    shown = {a.code: float(v) for a in areas if _present(v := values.get(a.code))}
    shading = _Classes.of(list(shown.values()), classes)
    root, prefix, top = _svg("map", title)
    no_data = _hatch(root, f"{prefix}-no-data")
    projection = _Projection.fit(areas, MARGIN, top, MAP_WIDTH)
    group = _add(root, "g", {"stroke": SECONDARY_TEXT, "stroke-width": 0.75})
    for area in areas:
        value = shown.get(area.code)
        fill = no_data if value is None else shading.colours[shading.index(value)]
        figure = NO_DATA_LABEL if value is None else _format(value, decimals)
        path = _add(group, "path", {"d": projection.path(area.polygons), "fill": fill})
        path.attrib |= {"fill-rule": "evenodd", "data-code": area.code}
        _hover(path, f"{area.name} ({area.code}): {figure}")
    entries = shading.legend(shown.values(), decimals)
    if len(shown) < len(areas):
        entries.append((no_data, f"{NO_DATA_LABEL} ({len(areas) - len(shown)})"))
    bottom = _map_legend(root, legend_title, entries, top)
    description = _map_description(areas, shown, shading, legend_title, decimals)
    return _finish(root, description, max(projection.bottom, bottom) + MARGIN)


def _hatch(root: ET.Element, pattern_id: str) -> str:
    """Defines the no-data hatching; returns the fill that uses it."""
    pattern = _add(_add(root, "defs"), "pattern", {"id": pattern_id, "width": 6, "height": 6})
    pattern.attrib |= {"patternUnits": "userSpaceOnUse", "patternTransform": "rotate(45)"}
    _add(pattern, "rect", {"width": 6, "height": 6, "fill": LIGHT_GREY})
    _line(pattern, "M0 0V6", SECONDARY_TEXT, 2)
    return f"url(#{pattern_id})"


def _map_legend(
    root: ET.Element, legend_title: str, entries: Sequence[tuple[str, str]], top: float
) -> float:
    left = MARGIN + MAP_WIDTH + 24
    heading = _wrap(legend_title, WIDTH - MARGIN - left)
    _text(root, left, top + FONT_SIZE, heading, font_weight="bold")
    y = top + 12 + 18 * len(heading)
    for fill, label in entries:
        _swatch(root, left, y, fill)
        _text(root, left + 26, y + 14, label)
        y += 26
    return y


def _map_description(
    areas: Sequence[_Area],
    shown: Mapping[str, float],
    shading: _Classes,
    legend_title: str,
    decimals: int,
) -> str:
    parts = [f"Map of {_many(len(areas), 'area')} shaded by {legend_title}."]
    if shown:
        classes = len(shading.colours)
        parts.append(f"{classes} classes of about equal numbers of areas; darker is higher.")
        names = {a.code: a.name for a in areas}
        for word, pick in (("Highest", max), ("Lowest", min)):
            code = pick(shown, key=shown.__getitem__)
            parts.append(f"{word}: {names[code]}, {_format(shown[code], decimals)}.")
    parts.append(f"{_many(len(areas) - len(shown), 'area')} {NO_DATA_LABEL}.")
    return " ".join(parts)


# Compare-areas bar chart


def bar_chart_svg(
    rows: Sequence[tuple[str, BarValue]],
    benchmark: float | None,
    title: str,
    unit: str,
    *,
    benchmark_label: str = "Borough",
    decimals: int = 1,
) -> str:
    """Horizontal bars with confidence-interval whiskers and the benchmark as a dashed line,
    like Fingertips' "compare areas" chart. Each bar is shaded by how it compares with the
    benchmark; a row with no value is marked [c], never drawn as zero.

    A row's value is an :class:`Estimate`, a ``(value, lower, upper)`` tuple, or None.

    Example::

        bar_chart_svg([("Chorley 001A", wilson_interval(12, 80)), ("Chorley 001B", None)],
                      0.12, "Smoking at booking", "proportion", benchmark_label="Chorley")
    """
    estimates = [(label, _as_estimate(value)) for label, value in rows]
    label_width = min(220.0, max([80.0] + [len(label) * CHAR_WIDTH for label, _ in rows]))
    plot_left = MARGIN + label_width + 12
    x = _Scale(*_bar_domain(estimates, benchmark), plot_left, WIDTH - MARGIN - VALUE_COLUMN)
    root, _, top = _svg("bars", title)
    top += 24  # room for the benchmark's label
    y = top
    for label, estimate in estimates:
        lines = _wrap(label, label_width)
        height = max(ROW_HEIGHT, 18 * len(lines) + 10)
        row = _add(root, "g")
        _text(row, plot_left - 12, y + height / 2 + 14 - 9 * len(lines), lines, text_anchor="end")
        _bar(row, label, estimate, benchmark, benchmark_label, x, y + height / 2, decimals)
        y += height
    if benchmark is not None:
        _benchmark_line(root, x, benchmark, benchmark_label, (top, y), decimals)
    y = _bar_legend(
        root, benchmark_label if benchmark is not None else None, _x_axis(root, x, y, unit)
    )
    _text(root, MARGIN, y, _bar_notes(estimates), fill=SECONDARY_TEXT)
    description = _bar_description(estimates, benchmark, benchmark_label, title, unit, decimals)
    return _finish(root, description, y + MARGIN)


def _as_estimate(value: BarValue) -> Estimate:
    if value is None:
        return Estimate(None, None, None, "suppressed")
    return value if isinstance(value, Estimate) else Estimate(*value, method="given")


def _bar_domain(
    estimates: Sequence[tuple[str, Estimate]], benchmark: float | None
) -> tuple[float, float]:
    numbers = [0.0] if benchmark is None else [0.0, benchmark]
    for _, e in estimates:
        numbers += [v for v in (e.value, e.lower, e.upper) if v is not None]
    ticks = _nice_ticks(min(numbers), max(numbers))
    return ticks[0], ticks[-1]


def _bar(
    row: ET.Element,
    label: str,
    estimate: Estimate,
    benchmark: float | None,
    benchmark_label: str,
    x: _Scale,
    middle: float,
    decimals: int,
) -> None:
    if estimate.value is None or estimate.lower is None or estimate.upper is None:
        mark = _mark(estimate)
        _hover(row, f"{label}: {MARK_MEANINGS[mark]} {mark}")
        _text(row, x.end + 10, middle + 5, mark)  # where the figure would be; no bar, not zero
        return
    comparison = compare_to_benchmark(estimate, benchmark)
    left, right = sorted((x(0.0), x(estimate.value)))
    fill = NO_BENCHMARK_COLOUR if benchmark is None else COMPARISON_COLOURS[comparison]
    bar = {"x": left, "y": middle - 8, "width": max(right - left, 1), "height": 16}
    _add(row, "rect", bar | {"fill": fill, "stroke": TEXT})
    # The whisker is drawn white under dark so it shows on dark and light bars alike.
    low, high = x(estimate.lower), x(estimate.upper)
    whisker = f"M{low:.1f} {middle:.1f}H{high:.1f}M{low:.1f} {middle - 5:.1f}v10M{high:.1f} {middle - 5:.1f}v10"
    _line(row, whisker, WHITE, 4)
    _line(row, whisker, TEXT, 1.5)
    interval = f"{_format(estimate.lower, decimals)} to {_format(estimate.upper, decimals)}"
    _text(row, x.end + 10, middle + 5, f"{_format(estimate.value, decimals)} ({interval})")
    summary = f"{label}: {_format(estimate.value, decimals)}, 95% confidence interval {interval}"
    if benchmark is not None:
        summary += f", {_comparison_phrase(comparison, benchmark_label)}"
    _hover(row, summary)


def _comparison_phrase(comparison: Comparison, benchmark_label: str) -> str:
    joiner = {"higher": "higher than", "lower": "lower than", "similar": "similar to"}
    return f"{joiner.get(comparison, 'not compared with')} {benchmark_label}"


def _benchmark_line(
    root: ET.Element,
    x: _Scale,
    benchmark: float,
    label: str,
    span: tuple[float, float],
    decimals: int,
) -> None:
    at = x(benchmark)
    d = f"M{at:.1f} {span[0] - 4:.1f}V{span[1] + 4:.1f}"
    _line(root, d, WHITE, 4)
    _line(root, d, TEXT, 2, stroke_dasharray="6 4")
    text = f"{label}: {_format(benchmark, decimals)}"
    _text(root, at, span[0] - 10, text, text_anchor="middle", font_weight="bold")


def _x_axis(root: ET.Element, x: _Scale, top: float, unit: str) -> float:
    ticks = _nice_ticks(x.low, x.high)
    decimals = _tick_decimals(ticks)
    _line(root, f"M{x.start:.1f} {top:.1f}H{x.end:.1f}", TEXT)
    for tick in ticks:
        _line(root, f"M{x(tick):.1f} {top:.1f}v5", TEXT)
        label = _format(tick, decimals)
        _text(root, x(tick), top + 20, label, text_anchor="middle", fill=SECONDARY_TEXT)
    _text(root, (x.start + x.end) / 2, top + 42, unit, text_anchor="middle")
    return top + 56


def _bar_legend(root: ET.Element, benchmark_label: str | None, top: float) -> float:
    """The key to the bar colours, when bars were compared; returns the y of the next line."""
    if benchmark_label is None:
        return top + 14
    x = MARGIN + (len(benchmark_label) + 16) * CHAR_WIDTH
    _text(root, MARGIN, top + 14, f"Compared with {benchmark_label}:")
    for comparison in ("higher", "similar", "lower"):
        _swatch(root, x, top + 1, COMPARISON_COLOURS[comparison], 16)
        _text(root, x + 22, top + 14, comparison)
        x += 22 + (len(comparison) + 3) * CHAR_WIDTH
    return top + 40


def _mark(estimate: Estimate) -> str:
    return NOT_APPLICABLE_MARK if estimate.reason == NO_DENOMINATOR else SUPPRESSED_MARK


def _marks_used(estimates: Sequence[tuple[str, Estimate]]) -> dict[str, int]:
    marks = [_mark(e) for _, e in estimates if not e.computed]
    return {mark: marks.count(mark) for mark in MARK_MEANINGS if mark in marks}


def _bar_notes(estimates: Sequence[tuple[str, Estimate]]) -> str:
    notes = [f"{mark} {MARK_MEANINGS[mark]}." for mark in _marks_used(estimates)]
    return " ".join(["Lines show 95% confidence intervals.", *notes])


def _bar_description(
    estimates: Sequence[tuple[str, Estimate]],
    benchmark: float | None,
    benchmark_label: str,
    title: str,
    unit: str,
    decimals: int,
) -> str:
    rows = _many(len(estimates), "area")
    parts = [f"Bar chart of {title} ({unit}) for {rows}, with 95% confidence intervals."]
    if benchmark is not None:
        parts.append(f"{benchmark_label}: {_format(benchmark, decimals)}.")
        comparisons = [compare_to_benchmark(e, benchmark) for _, e in estimates]
        for comparison in ("higher", "similar", "lower"):
            count = comparisons.count(comparison)
            parts.append(f"{count} {_comparison_phrase(comparison, benchmark_label)}.")
    for mark, count in _marks_used(estimates).items():
        parts.append(f"{count} {MARK_MEANINGS[mark]}, marked {mark}.")
    return " ".join(parts)


# Trend line chart


def line_chart_svg(
    series: Mapping[str, Sequence[tuple[str, float | None]]],
    title: str,
    unit: str,
    *,
    decimals: int = 1,
) -> str:
    """Trend lines, one per series (at most six), over the periods in the order they first
    appear. A missing value (None) breaks its line; each point has a marker and a hover title.

    Example::

        line_chart_svg({"Chorley": [("2022/23", 21.5), ("2023/24", None)],
                        "England": [("2022/23", 22.7), ("2023/24", 22.1)]},
                       "Year 6 obesity", "% of children measured")
    """
    if not 1 <= len(series) <= len(SERIES_COLOURS):
        raise ValueError(f"a trend chart shows between 1 and {len(SERIES_COLOURS)} series")
    periods = list(dict.fromkeys(period for points in series.values() for period, _ in points))
    values = [v for points in series.values() for _, v in points if _present(v)]
    root, _, top = _svg("trend", title)
    top = _series_legend(root, list(series), top)
    ticks = _nice_ticks(min(values, default=0.0), max(values, default=1.0))
    y = _Scale(ticks[0], ticks[-1], top + 32 + PLOT_HEIGHT, top + 32)
    plot_left = MARGIN + 8 + max(len(_format(t, _tick_decimals(ticks))) for t in ticks) * CHAR_WIDTH
    last, half_label = len(periods) - 1, max(map(len, periods), default=0) * CHAR_WIDTH / 2
    right = WIDTH - MARGIN - max(12.0, half_label)  # so the last period's label fits
    x = _Scale(0, last, plot_left + 12, right) if last else _Scale(-1, 1, plot_left, right)
    _y_axis(root, y, ticks, plot_left, unit)
    for index, (name, points) in enumerate(series.items()):
        _draw_series(
            root, name, points, [x(periods.index(p)) for p, _ in points], y, index, decimals
        )
    bottom = _period_axis(root, periods, x, y.start)
    return _finish(root, _trend_description(series, periods, title, unit, decimals), bottom)


def _series_legend(root: ET.Element, names: Sequence[str], top: float) -> float:
    x, y = float(MARGIN), top
    for index, name in enumerate(names):
        width = 40 + len(name) * CHAR_WIDTH
        if x + width > WIDTH - MARGIN and x > MARGIN:
            x, y = float(MARGIN), y + 24
        _line(root, f"M{x:.1f} {y + 8:.1f}h24", SERIES_COLOURS[index], 3)
        _add(root, "path", {"d": _marker(index, x + 12, y + 8), "fill": SERIES_COLOURS[index]})
        _text(root, x + 30, y + 13, name)
        x += width + 16
    return y + 24


def _y_axis(root: ET.Element, y: _Scale, ticks: Sequence[float], left: float, unit: str) -> None:
    decimals = _tick_decimals(ticks)
    _text(root, MARGIN, y.end - 18, unit, fill=SECONDARY_TEXT)
    for tick in ticks:
        _line(root, f"M{left:.1f} {y(tick):.1f}H{WIDTH - MARGIN}", GRID, 0.75)
        label = _format(tick, decimals)
        _text(root, left - 6, y(tick) + 5, label, text_anchor="end", fill=SECONDARY_TEXT)


def _draw_series(
    root: ET.Element,
    name: str,
    points: Sequence[tuple[str, float | None]],
    xs: Sequence[float],
    y: _Scale,
    index: int,
    decimals: int,
) -> None:
    colour, group = SERIES_COLOURS[index], _add(root, "g")
    runs: list[list[str]] = [[]]
    for px, (_, value) in zip(xs, points, strict=True):
        if _present(value):
            runs[-1].append(f"{px:.1f} {y(value):.1f}")
        else:
            runs.append([])
    d = "".join("M" + "L".join(run) for run in runs if len(run) > 1)
    if d:
        _line(group, d, colour, 2.5, stroke_linejoin="round")
    for px, (period, value) in zip(xs, points, strict=True):
        if _present(value):
            marker = {"d": _marker(index, px, y(value)), "fill": colour, "stroke": WHITE}
            label = f"{name}, {period}: {_format(value, decimals)}"
            _hover(_add(group, "path", marker), label)


def _marker(index: int, x: float, y: float, r: float = 5.0) -> str:
    sides, start = MARKER_SHAPES[index]
    if sides == 0:
        return f"M{x - r:.1f} {y:.1f}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0Z"
    r *= 1.35 if sides < 6 else 1.1  # corners reach further than a circle: match its weight
    angles = [math.radians(start + 360 * i / sides) for i in range(sides)]
    corners = [f"{x + r * math.cos(a):.1f} {y + r * math.sin(a):.1f}" for a in angles]
    return "M" + "L".join(corners) + "Z"


def _period_axis(root: ET.Element, periods: Sequence[str], x: _Scale, baseline: float) -> float:
    _line(root, f"M{x.start - 12:.1f} {baseline:.1f}H{x.end + 12:.1f}", TEXT)
    widest = max((len(p) for p in periods), default=1) * CHAR_WIDTH + 12
    every = max(1, math.ceil(len(periods) * widest / (x.end - x.start + widest)))
    for index in range(0, len(periods), every):
        at = x(index)
        _line(root, f"M{at:.1f} {baseline:.1f}v5", TEXT)
        _text(root, at, baseline + 22, periods[index], text_anchor="middle", fill=SECONDARY_TEXT)
    return baseline + 22 + MARGIN


def _trend_description(
    series: Mapping[str, Sequence[tuple[str, float | None]]],
    periods: Sequence[str],
    title: str,
    unit: str,
    decimals: int,
) -> str:
    span = f"from {periods[0]} to {periods[-1]}" if periods else "with no periods"
    parts = [f"Line chart of {title} ({unit}), {_many(len(periods), 'period')} {span}."]
    for name, points in series.items():
        known = [(p, v) for p, v in points if _present(v)]
        if not known:
            parts.append(f"{name}: {NO_DATA_LABEL}.")
            continue
        (first, a), (last, b) = known[0], known[-1]
        gaps = len(points) - len(known)
        note = f" ({_many(gaps, 'period')} {NO_DATA_LABEL})" if gaps else ""
        parts.append(
            f"{name}: {_format(a, decimals)} in {first}, {_format(b, decimals)} in {last}{note}."
        )
    return " ".join(parts)
