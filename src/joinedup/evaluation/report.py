"""The evaluation report as the Executive reads it: one self-contained HTML page (this module) or
a PDF (:mod:`joinedup.evaluation.report_pdf`), both made from the published record only, so
nothing in them has escaped disclosure control.

The sections follow the partnership's year-one evaluation: the question, the cohort and the
comparison, the results with their intervals and charts, the checks, value for money, and the
caveats.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from joinedup.analytics.charts import bar_chart_svg, line_chart_svg
from joinedup.evaluation.evaluate import PRIMARY, Evaluation
from joinedup.evaluation.publish import quarter_label, to_record
from joinedup.evaluation.value import Appraisal

CAVEATS = (
    "This is an observational study: people were not allocated to the intervention at random. "
    "The comparison group stands for what would have happened without it only as far as the "
    "assumptions hold.",
    "Intervals are 95% confidence intervals, clustered by person. An interval that holds 1 "
    "(for a rate ratio) or 0 (for a difference) is consistent with no effect.",
    "Only what partners' feeds record is counted: contacts with services outside the "
    "partnership, and events linkage could not place, are missing from both groups.",
    "Figures are rounded and small counts hidden by disclosure control ([c]).",
)


def quarterly_series(record: Mapping[str, Any]) -> dict[str, list[tuple[str, float | None]]]:
    """The published quarterly A&E rates of both groups, a hidden one as None."""
    rates = record["quarterly_ae_rate_per_person_year"]
    return {
        label: [
            (quarter, value if isinstance(value, float | int) else None)
            for quarter, value in zip(rates["quarters"], rates[group], strict=True)
        ]
        for label, group in (("Intervention", "intervention"), ("Comparison", "comparison"))
    }


def trend_chart(record: Mapping[str, Any]) -> str:
    """A&E attendances per person-year in each quarter, both groups."""
    return line_chart_svg(
        quarterly_series(record),
        "A&E attendances per person-year, by quarter before (Q-4 to Q-1) and after the index date",
        "per person-year",
        decimals=2,
    )


def ratio_chart(rows: Sequence[tuple[str, Mapping[str, Any]]], title: str) -> str:
    """Rate ratios with their intervals against the line of no effect (1)."""
    bars: list[tuple[str, tuple[float, float, float] | None]] = []
    for label, item in rows:
        value, interval = item.get("estimate"), item.get("ci95") or ()
        numbers = [x for x in (value, *interval) if isinstance(x, float | int)]
        bars.append((label, (numbers[0], numbers[1], numbers[2]) if len(numbers) == 3 else None))
    return bar_chart_svg(bars, 1.0, title, "rate ratio", benchmark_label="No effect", decimals=2)


def render_html(evaluation: Evaluation, appraisal: Appraisal | None = None) -> str:
    """The whole report as one HTML page with its charts inline."""
    record = to_record(evaluation)
    parts = [
        _head(),
        "<h1>Impact evaluation</h1>",
        f"<p class='lede'>{_e(record['question'])}</p>",
        _cohort_section(record),
        _results_section(record),
        _checks_section(record),
        _value_section(appraisal),
        _list_section("Assumptions", record["assumptions"]),
        _list_section("Caveats", CAVEATS),
        _provenance(record),
        "</main></body></html>",
    ]
    return "\n".join(parts)


def _e(value: object) -> str:
    return html.escape(str(value))


def _head() -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Impact evaluation</title><style>"
        "body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;max-width:960px;margin:2em auto;"
        "padding:0 1em;line-height:1.4}table{border-collapse:collapse;margin:1em 0}"
        "th,td{border-bottom:1px solid #b1b4b6;padding:.4em .8em;text-align:left}"
        "td.n{text-align:right}caption{font-weight:bold;text-align:left;padding:.4em 0}"
        ".lede{font-size:1.2em}.verdict{border-left:5px solid #1d70b8;padding-left:1em}"
        "</style></head><body><main>"
    )


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th scope='col'>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def interval_text(item: Mapping[str, Any]) -> str:
    if item.get("estimate") is None:
        return f"not computed ({item.get('not_computed')})"
    low, high = item["ci95"]
    return f"{item['estimate']} (95% CI {low} to {high})"


def _cohort_section(record: Mapping[str, Any]) -> str:
    windows = record["windows_months"]
    rows = [
        ("Intervention", record["intervention"]["group"], record["intervention"]["people"]),
        ("Comparison", record["comparison"]["group"], record["comparison"]["people"]),
    ]
    text = (
        f"<h2>The cohort and the comparison</h2><p>Each person is followed for "
        f"{windows['before']} months before their index date and {windows['after']} months after "
        "it. For people referred to the Integrated Action Team the index date is the referral; "
        "for others it is drawn from the referral dates.</p>"
    )
    text += _table("Who is compared", ("Group", "Who", "People"), rows)
    matching = record.get("matching")
    if matching:
        text += (
            f"<p>Matched by {matching['method']}: {matching['matched_intervention']} of the "
            f"intervention matched, {matching['unmatched_intervention']} left unmatched, from a "
            f"pool of {matching['pool']}.</p>"
        )
        balance = [
            (row["characteristic"], row["smd_before"], row["smd_after"])
            for row in matching["balance"]
        ]
        text += _table(
            "Balance: standardised mean differences (below 0.1 is well balanced)",
            ("Characteristic", "Before matching", "After matching"),
            balance,
        )
    return text


def _results_section(record: Mapping[str, Any]) -> str:
    outcomes = record["outcomes"]
    rows = [
        (
            item["label"],
            item["rate_per_person_year"].get("intervention_before", ""),
            item["rate_per_person_year"].get("intervention_after", ""),
            item["rate_per_person_year"].get("comparison_before", ""),
            item["rate_per_person_year"].get("comparison_after", ""),
            interval_text(item),
            interval_text(item["absolute_difference_per_person_year"]),
        )
        for item in outcomes.values()
    ]
    primary = outcomes[PRIMARY]
    return (
        "<h2>Results</h2>"
        f"<p class='verdict'>A&amp;E attendances: rate ratio {_e(interval_text(primary))}. "
        "A ratio below 1 means fewer attendances than the comparison group's trend predicts.</p>"
        + _table(
            "Use of services per person-year before and after, and the difference-in-differences",
            (
                "Outcome",
                "Intervention before",
                "Intervention after",
                "Comparison before",
                "Comparison after",
                "Rate ratio",
                "Difference per person-year",
            ),
            rows,
        )
        + trend_chart(record)
        + ratio_chart(
            [(item["label"], item) for item in outcomes.values()],
            "Difference-in-differences rate ratio by outcome, with 95% intervals",
        )
    )


def _checks_section(record: Mapping[str, Any]) -> str:
    trends, placebo = record["parallel_trends"], record["placebo"]
    rows = [("Parallel trends (ratio of yearly trends)", interval_text(trends), trends["verdict"])]
    for name, item in (("Placebo date", placebo["date"]), ("Placebo area", placebo["area"])):
        if item is not None:
            verdict = (
                "no effect, as expected" if item["no_effect"] else "an effect: check the design"
            )
            rows.append((name, interval_text(item), verdict))
    leads = [(quarter_label(row["quarter"]), row) for row in record["event_study"]]
    return (
        "<h2>Checks</h2>"
        f"<p class='verdict'>{_e(trends['statement'])}</p>"
        + _table("Checks of the design", ("Check", "Rate ratio", "Verdict"), rows)
        + "".join(
            f"<p>{_e(name)}: {_e(item['description'])}</p>"
            for name, item in (("Placebo date", placebo["date"]), ("Placebo area", placebo["area"]))
            if item
        )
        + ratio_chart(
            leads, "A&E rate ratio by quarter against the last quarter before the index date"
        )
    )


def _value_section(appraisal: Appraisal | None) -> str:
    text = "<h2>Value for money</h2>"
    if appraisal is None:
        return text + "<p>Not appraised.</p>"
    avoided = [(code, f"{n:,.1f}") for code, n in appraisal.avoided_by_code.items()]
    text += _table(
        "Events avoided in the year after, priced (unit cost code)",
        ("Unit cost", "Avoided"),
        avoided,
    )
    if appraisal.result is None:
        return text + f"<p>Value for money not worked out: {_e(appraisal.missing)}.</p>"
    summary = appraisal.result.to_dict()
    rows = [
        (label, summary.get(key))
        for label, key in (
            ("Fiscal return on investment (£ per £1)", "fiscal_roi"),
            ("Present value of benefits (£)", "present_value_benefits_gbp"),
            ("Present value of costs (£)", "present_value_costs_gbp"),
            ("Net present budget impact (£)", "net_present_budget_impact_gbp"),
        )
    ]
    rows.append(("Payback", (summary.get("payback") or {}).get("description", "")))
    text += _table(f"Value for money ({appraisal.price_year} prices)", ("Measure", "Value"), rows)
    agencies = [(a.get("agency"), a.get("present_value_gbp")) for a in summary.get("by_agency", [])]
    text += _table("Who gains", ("Agency", "Present value (£)"), agencies)
    costs = [
        (
            u.get("code"),
            u.get("item"),
            u.get("cost_gbp"),
            u.get("published_price_year"),
            u.get("source"),
        )
        for u in summary.get("unit_costs", [])
    ]
    return text + _table(
        f"Unit costs used, uprated to {appraisal.price_year} prices",
        ("Code", "Item", "Cost (£)", "Published price year", "Source"),
        costs,
    )


def _list_section(title: str, items: Sequence[str]) -> str:
    return f"<h2>{_e(title)}</h2><ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _provenance(record: Mapping[str, Any]) -> str:
    snapshot = record["snapshot"]
    return (
        "<h2>About these figures</h2>"
        f"<p>Data snapshot {_e(snapshot['zone_version'])}, linkage run {_e(snapshot['linkage_run'])} "
        f"(model {_e(snapshot['linkage_model'])}), data to {_e(snapshot['last_event'])}. "
        f"Disclosure control: {_e(record['disclosure_control'])}.</p>"
    )
