"""Rows per delivery of one feed as a small SVG bar chart, drawn on the server with no JavaScript.

Each bar is a delivery: its rows loaded, with its rows quarantined stacked on top in another
colour. The figures are in the table beside it; to assistive technology the chart is one image
named by its ``<title>`` and summarised in its ``<desc>``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from joinedup.analytics.charts import SECONDARY_TEXT, SERIES_COLOURS, TEXT, image_svg
from joinedup.feeds.history import DeliveryRecord

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 24, 40
LOADED, QUARANTINED = SERIES_COLOURS[0], SERIES_COLOURS[2]


def rows_per_delivery_svg(feed: str, deliveries: list[DeliveryRecord]) -> str:
    title = f"Rows per delivery of {feed}"
    root = image_svg("rows", (WIDTH, HEIGHT), title, describe(deliveries), font_size=13)
    if not deliveries:
        _text(root, LEFT, HEIGHT / 2, "No deliveries yet", "start")
        return ET.tostring(root, encoding="unicode")
    most = max(d.read for d in deliveries) or 1
    slot = (WIDTH - LEFT - RIGHT) / len(deliveries)
    bar = max(min(slot * 0.7, 48.0), 2.0)
    plot = HEIGHT - TOP - BOTTOM
    for index, record in enumerate(deliveries):
        x = LEFT + index * slot + (slot - bar) / 2
        loaded = plot * record.loaded / most
        quarantined = plot * record.quarantined / most
        base = TOP + plot
        _bar(root, x, base - loaded, bar, loaded, LOADED)
        # At least a sliver, so that a delivery with a few refused rows shows them.
        shown = max(quarantined, 2.0) if record.quarantined else 0.0
        _bar(root, x, base - loaded - shown, bar, shown, QUARANTINED)
        if len(deliveries) <= 12:
            _text(root, x + bar / 2, base + 16, f"#{record.delivery_id}", "middle")
    _key(root)
    return ET.tostring(root, encoding="unicode")


def describe(deliveries: list[DeliveryRecord]) -> str:
    if not deliveries:
        return "No deliveries yet."
    last = deliveries[-1]
    return (
        f"{len(deliveries)} deliveries. The latest, number {last.delivery_id}, had "
        f"{last.read:,} rows read, {last.loaded:,} loaded and {last.quarantined:,} quarantined."
    )


def _bar(root: ET.Element, x: float, y: float, width: float, height: float, fill: str) -> None:
    if height <= 0:
        return
    ET.SubElement(
        root,
        "rect",
        {
            "x": f"{x:.1f}",
            "y": f"{y:.1f}",
            "width": f"{width:.1f}",
            "height": f"{height:.1f}",
            "fill": fill,
        },
    )


def _text(
    root: ET.Element, x: float, y: float, text: str, anchor: str, fill: str = SECONDARY_TEXT
) -> None:
    label = ET.SubElement(
        root, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "text-anchor": anchor, "fill": fill}
    )
    label.text = text


def _key(root: ET.Element) -> None:
    for offset, (colour, words) in enumerate(((LOADED, "Loaded"), (QUARANTINED, "Quarantined"))):
        x = LEFT + offset * 130
        _bar(root, x, 6, 12, 12, colour)
        _text(root, x + 18, 16, words, "start", TEXT)
