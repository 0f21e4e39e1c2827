"""A figure's trend as a small SVG line, drawn on the server with no JavaScript.

A card's chart is a glance, not a reading: its only numbers are the first and last published
values, as the card shows them, and no axis ticks (a tick of 5 would read as a count of five).
The figures themselves are in the table beside the chart. To assistive technology the chart is one
image (``role="img"``) named by its ``<title>`` and summarised in its ``<desc>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from joinedup.analytics.charts import SECONDARY_TEXT, SERIES_COLOURS, TEXT, image_svg
from joinedup.web.dashboard.figures import Figure, display, plotted

WIDTH, HEIGHT = 320, 120
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 22, 28


def trend_svg(figure: Figure) -> str:
    """The trend of ``figure`` as a line; hidden points break it, and the gaps are described."""
    prefix = f"trend-{figure.key}"
    root = image_svg(
        prefix,
        (WIDTH, HEIGHT),
        f"Trend: {figure.title}",
        describe(figure),
        font_size=13,
        css_class="dashboard-trend",
        # A figure's title is a name ("... Year 6"), not a figure: marked so checks pass it by.
        title_attributes={"data-not-a-count": ""},
    )
    points = [(point.label, plotted(point.value)) for point in figure.trend]
    values = [v for _, v in points if v is not None]
    if len(points) < 2 or not values:
        _label(root, LEFT, HEIGHT / 2, "No trend to show", "start")
        return ET.tostring(root, encoding="unicode")
    low, high = min(values), max(values)
    span = (high - low) or 1.0

    def xy(index: int, value: float) -> tuple[float, float]:
        x = LEFT + index * (WIDTH - LEFT - RIGHT) / (len(points) - 1)
        y = TOP + (high - value) / span * (HEIGHT - TOP - BOTTOM)
        return round(x, 1), round(y, 1)

    runs: list[list[str]] = [[]]
    for index, (_, value) in enumerate(points):
        if value is None:
            runs.append([])
            continue
        x, y = xy(index, value)
        runs[-1].append(f"{x} {y}")
        ET.SubElement(
            root, "circle", {"cx": str(x), "cy": str(y), "r": "3", "fill": SERIES_COLOURS[0]}
        )
    path = "".join("M" + "L".join(run) for run in runs if len(run) > 1)
    if path:
        ET.SubElement(
            root,
            "path",
            {"d": path, "fill": "none", "stroke": SERIES_COLOURS[0], "stroke-width": "2"},
        )
    first, last = figure.trend[0], figure.trend[-1]
    _label(root, LEFT, 14, display(first.value), "start")
    _label(root, WIDTH - RIGHT, 14, display(last.value), "end")
    _label(root, LEFT, HEIGHT - 8, first.label, "start", SECONDARY_TEXT)
    _label(root, WIDTH - RIGHT, HEIGHT - 8, last.label, "end", SECONDARY_TEXT)
    return ET.tostring(root, encoding="unicode")


def _label(root: ET.Element, x: float, y: float, text: str, anchor: str, fill: str = TEXT) -> None:
    attributes = {"x": str(x), "y": str(y), "text-anchor": anchor, "fill": fill}
    ET.SubElement(root, "text", attributes).text = text


def describe(figure: Figure) -> str:
    """The chart in words: its span, first and last values, and how many points are hidden."""
    if not figure.trend:
        return "No trend to show."
    first, last = figure.trend[0], figure.trend[-1]
    hidden = [p.label for p in figure.trend if plotted(p.value) is None]
    text = (
        f"In {figure.unit}, from {first.label} to {last.label}: "
        f"{display(first.value)} in {first.label}, {display(last.value)} in {last.label}."
    )
    if hidden:
        text += " Hidden by disclosure control in " + ", ".join(hidden) + "."
    return text
