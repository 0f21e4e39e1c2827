"""The evaluation report as a PDF (fpdf2): the same sections and figures as the HTML page, with
the charts drawn as simple lines and interval whiskers."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from fpdf import FPDF

from joinedup.evaluation.evaluate import Evaluation
from joinedup.evaluation.publish import to_record
from joinedup.evaluation.report import CAVEATS, interval_text, quarterly_series
from joinedup.evaluation.value import Appraisal

BLUE, ORANGE, GREY, BLACK = (29, 112, 184), (244, 119, 56), (177, 180, 182), (11, 12, 12)
WIDTH = 180.0  # usable page width in mm (A4 less 15 mm margins)


def _latin(text: object) -> str:
    """The core PDF fonts hold Latin-1 only: swap the few other characters the report uses."""
    swapped = str(text).replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return swapped.encode("latin-1", "replace").decode("latin-1")


class _Report(FPDF):
    def heading(self, text: str, size: int = 14) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", size)
        self.multi_cell(WIDTH, 7, _latin(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 10)

    def para(self, text: str) -> None:
        self.multi_cell(WIDTH, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.set_font("Helvetica", "", 8)
        self.set_fill_color(255, 255, 255)  # the charts leave their own fill behind
        with self.table(width=WIDTH, text_align="LEFT", line_height=4.5) as table:
            for row in [header, *rows]:
                line = table.row()
                for cell in row:
                    line.cell(_latin("" if cell is None else cell))
        self.set_font("Helvetica", "", 10)
        self.ln(2)


def render_pdf(evaluation: Evaluation, appraisal: Appraisal | None = None) -> bytes:
    """The whole report as PDF bytes."""
    record = to_record(evaluation)
    pdf = _Report(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.heading("Impact evaluation", 20)
    pdf.para(record["question"])
    _cohort(pdf, record)
    _results(pdf, record)
    _checks(pdf, record)
    _value(pdf, appraisal)
    pdf.heading("Assumptions")
    for item in record["assumptions"]:
        pdf.para("- " + item)
    pdf.heading("Caveats")
    for item in CAVEATS:
        pdf.para("- " + item)
    snapshot = record["snapshot"]
    pdf.para(
        f"Data snapshot {snapshot['zone_version']}, linkage run {snapshot['linkage_run']}, data to "
        f"{snapshot['last_event']}. Disclosure control: {record['disclosure_control']}."
    )
    return bytes(pdf.output())


def _cohort(pdf: _Report, record: Mapping[str, Any]) -> None:
    pdf.heading("The cohort and the comparison")
    windows = record["windows_months"]
    pdf.para(
        f"Each person is followed {windows['before']} months before and {windows['after']} months "
        "after their index date (the referral; for others a date drawn from the referral dates)."
    )
    pdf.grid(
        ("Group", "Who", "People"),
        [
            ("Intervention", record["intervention"]["group"], record["intervention"]["people"]),
            ("Comparison", record["comparison"]["group"], record["comparison"]["people"]),
        ],
    )
    matching = record.get("matching")
    if matching:
        pdf.para("Balance (standardised mean differences; below 0.1 is well balanced):")
        pdf.grid(
            ("Characteristic", "Before matching", "After matching"),
            [(r["characteristic"], r["smd_before"], r["smd_after"]) for r in matching["balance"]],
        )


def _results(pdf: _Report, record: Mapping[str, Any]) -> None:
    pdf.heading("Results")
    outcomes = record["outcomes"]
    pdf.grid(
        ("Outcome", "Rate ratio (95% CI)", "Difference per person-year (95% CI)"),
        [
            (o["label"], interval_text(o), interval_text(o["absolute_difference_per_person_year"]))
            for o in outcomes.values()
        ],
    )
    pdf.para("A&E attendances per person-year by quarter (blue: intervention, orange: comparison).")
    _lines(pdf, quarterly_series(record))
    pdf.para("Rate ratios with 95% intervals (the grey line is 1, no effect).")
    _whiskers(pdf, [(o["label"], o) for o in outcomes.values()])


def _checks(pdf: _Report, record: Mapping[str, Any]) -> None:
    pdf.heading("Checks")
    trends = record["parallel_trends"]
    pdf.para(trends["statement"])
    rows = [("Parallel trends", interval_text(trends), trends["verdict"])]
    for name, item in (
        ("Placebo date", record["placebo"]["date"]),
        ("Placebo area", record["placebo"]["area"]),
    ):
        if item is not None:
            rows.append(
                (name, interval_text(item), "no effect" if item["no_effect"] else "an effect")
            )
    pdf.grid(("Check", "Rate ratio (95% CI)", "Verdict"), rows)


def _value(pdf: _Report, appraisal: Appraisal | None) -> None:
    pdf.heading("Value for money")
    if appraisal is None or appraisal.result is None:
        missing = "not appraised" if appraisal is None else appraisal.missing
        pdf.para(f"Value for money not worked out: {missing}.")
        return
    summary = appraisal.result.to_dict()
    pdf.grid(
        ("Measure", "Value"),
        [
            ("Fiscal return on investment (per GBP 1)", summary.get("fiscal_roi")),
            ("Net present budget impact (GBP)", summary.get("net_present_budget_impact_gbp")),
            ("Payback", (summary.get("payback") or {}).get("description")),
        ],
    )
    pdf.grid(
        ("Code", "Unit cost", f"GBP ({appraisal.price_year})", "Published price year", "Source"),
        [
            (u["code"], u["item"], u["cost_gbp"], u["published_price_year"], u["source"])
            for u in summary.get("unit_costs", [])
        ],
    )


def _lines(pdf: _Report, series: Mapping[str, Sequence[tuple[str, float | None]]]) -> None:
    left, top, width, height = pdf.l_margin + 10, pdf.get_y() + 2, WIDTH - 20, 45.0
    labels = [quarter for quarter, _ in next(iter(series.values()))]
    values = [v for points in series.values() for _, v in points if v is not None]
    high = max(values, default=1.0) * 1.1 or 1.0
    pdf.set_draw_color(*GREY)
    pdf.line(left, top + height, left + width, top + height)
    pdf.line(left, top, left, top + height)
    step = width / max(len(labels) - 1, 1)
    for colour, points in zip((BLUE, ORANGE), series.values(), strict=False):
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.6)
        xy = [
            None if v is None else (left + i * step, top + height - v / high * height)
            for i, (_, v) in enumerate(points)
        ]
        for a, b in itertools.pairwise(xy):
            if a is not None and b is not None:  # a hidden rate breaks the line
                pdf.line(*a, *b)
    pdf.set_line_width(0.2)
    pdf.set_font("Helvetica", "", 7)
    for i, label in enumerate(labels):
        pdf.text(left + i * step - 3, top + height + 4, label)
    pdf.text(pdf.l_margin, top + 3, f"{high:.1f}")
    pdf.text(pdf.l_margin, top + height, "0")
    pdf.set_font("Helvetica", "", 10)
    pdf.set_y(top + height + 8)


def _whiskers(pdf: _Report, rows: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    left, width, top = pdf.l_margin + 55, WIDTH - 70, pdf.get_y() + 2
    low, high = 0.25, 2.0  # log scale from a quarter to double

    def place(value: float) -> float:
        return left + (math.log(value) - math.log(low)) / (math.log(high) - math.log(low)) * width

    pdf.set_font("Helvetica", "", 8)
    for index, (label, item) in enumerate(rows):
        y = top + 6 * index + 3
        pdf.text(pdf.l_margin, y + 1, _latin(label))
        if item.get("estimate") is None or not all(
            isinstance(x, float | int) for x in item["ci95"]
        ):
            pdf.text(left, y + 1, "[c] or not computed")
            continue
        lo, hi = (min(max(float(x), low), high) for x in item["ci95"])
        value = min(max(float(item["estimate"]), low), high)
        pdf.set_draw_color(*BLACK)
        pdf.line(place(lo), y, place(hi), y)
        pdf.set_fill_color(*BLUE)
        pdf.rect(place(value) - 1.2, y - 1.2, 2.4, 2.4, style="F")
    bottom = top + 6 * len(rows) + 2
    pdf.set_draw_color(*GREY)
    pdf.line(place(1.0), top, place(1.0), bottom)
    for tick in (0.25, 0.5, 1.0, 2.0):
        pdf.text(place(tick) - 2, bottom + 4, f"{tick:g}")
    pdf.set_font("Helvetica", "", 10)
    pdf.set_y(bottom + 8)
