"""Linkage quality over time as SVG lines drawn on the server, one chart a measure.

To assistive technology each chart is one image named by its title and summarised in its
description; every figure is in the table beside it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from joinedup.analytics.charts import GRID, SECONDARY_TEXT, SERIES_COLOURS, TEXT, image_svg

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 40, 44


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


def line_chart(
    key: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    shown: Callable[[float], str] = lambda v: f"{v:,.0f}",
) -> str:
    """Lines over runs (``labels``), from zero up to the highest value, with a legend."""
    root = image_svg(key, (WIDTH, HEIGHT), title, describe(labels, series, shown))
    high = max((v for s in series for v in s.values), default=0.0) or 1.0
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def xy(index: int, value: float) -> tuple[float, float]:
        step = plot_width / (len(labels) - 1) if len(labels) > 1 else 0
        x = LEFT + (index * step if len(labels) > 1 else plot_width / 2)
        return round(x, 1), round(TOP + (1 - value / high) * plot_height, 1)

    for value in (0.0, high):
        _, y = xy(0, value)
        _line(root, LEFT, y, WIDTH - RIGHT, y, GRID)
        _text(root, LEFT - 6, y + 5, shown(value), "end", SECONDARY_TEXT)
    for index, label in enumerate(labels):
        x, _ = xy(index, 0.0)
        _text(root, x, HEIGHT - BOTTOM + 20, label, "middle", SECONDARY_TEXT)
    for number, line in enumerate(series):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        points = [xy(i, v) for i, v in enumerate(line.values)]
        if len(points) > 1:
            path = "M" + "L".join(f"{x} {y}" for x, y in points)
            ET.SubElement(
                root, "path", {"d": path, "fill": "none", "stroke": colour, "stroke-width": "2"}
            )
        for x, y in points:
            ET.SubElement(root, "circle", {"cx": str(x), "cy": str(y), "r": "4", "fill": colour})
        legend_x = LEFT + number * 200
        ET.SubElement(
            root,
            "rect",
            {"x": str(legend_x), "y": "10", "width": "14", "height": "14", "fill": colour},
        )
        _text(root, legend_x + 20, 22, line.name, "start", TEXT)
    return ET.tostring(root, encoding="unicode")


def _line(root: ET.Element, x1: float, y1: float, x2: float, y2: float, colour: str) -> None:
    ET.SubElement(
        root,
        "line",
        {"x1": str(x1), "y1": str(y1), "x2": str(x2), "y2": str(y2), "stroke": colour},
    )


def _text(root: ET.Element, x: float, y: float, text: str, anchor: str, fill: str) -> None:
    attributes = {"x": str(x), "y": str(y), "text-anchor": anchor, "fill": fill}
    ET.SubElement(root, "text", attributes).text = text


def describe(labels: Sequence[str], series: Sequence[Series], shown: Callable[[float], str]) -> str:
    if not labels:
        return "No runs yet."
    parts = [
        f"{s.name}: {shown(s.values[0])} at {labels[0]}, {shown(s.values[-1])} at {labels[-1]}"
        for s in series
        if s.values
    ]
    return f"{len(labels)} run{'s' if len(labels) != 1 else ''}. " + "; ".join(parts) + "."
