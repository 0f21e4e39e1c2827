"""A run's counts as horizontal bars, drawn on the server with no JavaScript.

Each bar is labelled with its figure exactly as the table shows it (after disclosure control);
a hidden figure is marked [c] where its value would be, with no bar, never a bar of zero. There
are no axis ticks: a tick of 5 would read as a count of five. To assistive technology the chart
is one image named by its title and summarised in its description; the figures are also in the
table beside it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from joinedup.analytics.charts import SECONDARY_TEXT, SERIES_COLOURS, TEXT, image_svg
from joinedup.analytics.disclosure import RULE

WIDTH, ROW, LABEL_WIDTH, VALUE_WIDTH, TOP = 760, 26, 300, 70, 40

Bar = tuple[str, int | str]  # a label and its published figure: a count, or a mark


def bar_chart_svg(bars: Sequence[Bar], title: str, key: str) -> str:
    """Bars of published counts; ``key`` makes the chart's ids unique on its page."""
    height = TOP + ROW * len(bars) + 16
    root = image_svg(key, (WIDTH, height), title, describe(bars, title), css_class="cohort-bars")
    _text(root, 0, 20, title, "start", TEXT, bold=True)
    shown = [v for _, v in bars if isinstance(v, int)]
    largest = max(shown, default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 16
    for index, (label, value) in enumerate(bars):
        y = TOP + index * ROW
        row = ET.SubElement(root, "g", {"data-label": label})
        ET.SubElement(row, "title").text = f"{label}: {_figure(value)}"
        _text(row, LABEL_WIDTH - 8, y + 17, label, "end", TEXT)
        if isinstance(value, int):
            width = max(round(span * value / largest, 1), 1.0 if value else 0.0)
            box = {"x": str(LABEL_WIDTH), "y": str(y + 4), "width": str(width), "height": "18"}
            ET.SubElement(row, "rect", box | {"fill": SERIES_COLOURS[0]})
            _text(row, LABEL_WIDTH + width + 6, y + 17, f"{value:,}", "start", TEXT)
        else:
            _text(row, LABEL_WIDTH + 6, y + 17, value, "start", SECONDARY_TEXT)
    return ET.tostring(root, encoding="unicode")


def describe(bars: Sequence[Bar], title: str) -> str:
    hidden = [label for label, value in bars if not isinstance(value, int)]
    text = f"Bar chart: {title}, {len(bars)} bars, each labelled with its figure."
    if hidden:
        text += f" Hidden by disclosure control ({RULE.hidden_symbol}): " + ", ".join(hidden) + "."
    return text


def _figure(value: int | str) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value} (hidden by disclosure control)"


def _text(
    parent: ET.Element, x: float, y: float, text: str, anchor: str, fill: str, bold: bool = False
) -> None:
    attributes = {"x": str(x), "y": str(y), "text-anchor": anchor, "fill": fill}
    if bold:
        attributes |= {"font-weight": "bold", "font-size": "16"}
    ET.SubElement(parent, "text", attributes).text = text
