"""Splink's waterfall for one review pair: the prior, each comparison's match weight, the total.

The weights are Splink's own: each run keeps, for every scored pair, each comparison's level and
its match weight (term-frequency adjustment included) from Splink's comparison vectors
(``scoring.predict``), to one decimal place. The prior is the saved model's probability that
two records picked at random are the same person, as a weight (log2 of its odds). The total is
the pair's own match weight from Splink, so the parts, rounded, may differ from it by a little.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from joinedup.analytics.charts import GRID, SECONDARY_TEXT, SERIES_COLOURS, TEXT, image_svg
from joinedup.linkage.paths import models_folder
from joinedup.linkage.review import ReviewPair

# "Exact match on family (+5.0)": the level's label, then its weight.
LEVEL_TEXT = re.compile(r"^(?P<label>.*) \((?P<weight>[+-]?\d+(?:\.\d+)?)\)$")
COMPARISON_LABELS = {
    "given": "Given name",
    "family": "Family name",
    "birth_date": "Date of birth",
    "sex": "Sex",
    "residence": "Postcode and address",
    "nhs_number": "NHS number",
}
FOR_COLOUR, AGAINST_COLOUR = SERIES_COLOURS[1], SERIES_COLOURS[2]
TOTAL_COLOUR = SERIES_COLOURS[0]
WIDTH, ROW, LABEL_WIDTH, VALUE_WIDTH, TOP = 720, 30, 190, 70, 34


@dataclass(frozen=True)
class Step:
    name: str
    level: str
    weight: float
    running: float  # the match weight after this step

    @property
    def probability(self) -> float:
        return probability(self.running)


@dataclass(frozen=True)
class Waterfall:
    steps: list[Step]  # the prior first, then each comparison
    total: float  # Splink's match weight for the pair
    match_probability: float


def probability(weight: float) -> float:
    """A match weight as a probability.

    >>> round(probability(0.0), 2), round(probability(10.0), 4)
    (0.5, 0.999)
    """
    return 1 / (1 + 2 ** (-weight))


def prior_weight(home: Path, model_version: str) -> float:
    """The model's prior as a match weight: log2 of the odds that two random records match."""
    saved = json.loads((models_folder(home) / model_version / "model.json").read_text("utf-8"))
    chance = float(saved["probability_two_random_records_match"])
    return math.log2(chance / (1 - chance))


def waterfall(pair: ReviewPair, prior: float) -> Waterfall:
    steps = [Step("Prior", "Two records chosen at random", round(prior, 1), prior)]
    running = prior
    for name, text in pair.levels.items():
        parsed = LEVEL_TEXT.match(text)
        label, weight = (parsed["label"], float(parsed["weight"])) if parsed else (text, 0.0)
        running += weight
        steps.append(Step(COMPARISON_LABELS.get(name, name), label, weight, running))
    return Waterfall(steps, pair.match_weight, pair.match_probability)


def waterfall_svg(chart: Waterfall) -> str:
    """Horizontal bars, one a step, each starting where the last ended; the total last."""
    rows = len(chart.steps) + 1
    height = TOP + rows * ROW + 24
    ends = (
        [0.0, chart.total]
        + [s.running for s in chart.steps]
        + [s.running - s.weight for s in chart.steps]
    )
    low, high = min(ends), max(ends)
    span = (high - low) or 1.0
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH

    def x(weight: float) -> float:
        return round(LABEL_WIDTH + (weight - low) / span * plot, 1)

    root = image_svg("waterfall", (WIDTH, height), "Match weights for this pair", describe(chart))
    _text(
        root,
        LABEL_WIDTH,
        18,
        "Match weight (evidence against, left; for, right)",
        "start",
        SECONDARY_TEXT,
    )
    zero = x(0.0)
    ET.SubElement(
        root,
        "line",
        {
            "x1": str(zero),
            "x2": str(zero),
            "y1": str(TOP - 6),
            "y2": str(height - 20),
            "stroke": GRID,
        },
    )
    for index, step in enumerate(chart.steps):
        start = step.running - step.weight
        colour = FOR_COLOUR if step.weight >= 0 else AGAINST_COLOUR
        _bar(root, index, x(start), x(step.running), colour, step.name, step.weight)
    _bar(root, len(chart.steps), x(0.0), x(chart.total), TOTAL_COLOUR, "Match weight", chart.total)
    _text(
        root,
        LABEL_WIDTH,
        height - 4,
        f"Match probability {chart.match_probability:.1%}",
        "start",
        TEXT,
    )
    return ET.tostring(root, encoding="unicode")


def _bar(
    root: ET.Element, index: int, start: float, end: float, colour: str, name: str, weight: float
) -> None:
    y = TOP + index * ROW
    left, width = min(start, end), max(abs(end - start), 1.5)
    ET.SubElement(
        root,
        "rect",
        {
            "x": str(left),
            "y": str(y),
            "width": str(round(width, 1)),
            "height": str(ROW - 10),
            "fill": colour,
        },
    )
    _text(root, LABEL_WIDTH - 8, y + 15, name, "end", TEXT)
    _text(root, WIDTH - 4, y + 15, f"{weight:+.1f}", "end", TEXT)


def _text(root: ET.Element, x: float, y: float, text: str, anchor: str, fill: str) -> None:
    attributes = {"x": str(x), "y": str(y), "text-anchor": anchor, "fill": fill}
    ET.SubElement(root, "text", attributes).text = text


def describe(chart: Waterfall) -> str:
    """The chart in words, for those who cannot see it (the table below has every figure)."""
    parts = [f"{s.name} {s.weight:+.1f}" for s in chart.steps]
    return (
        "Match weights added up from the prior: "
        + ", ".join(parts)
        + f"; match weight {chart.total:+.1f}, a match probability of {chart.match_probability:.1%}."
    )
