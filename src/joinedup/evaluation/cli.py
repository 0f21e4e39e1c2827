"""``joinedup evaluate``: the impact of an intervention against a comparison, as a summary, as
JSON, or as a report (HTML or PDF). Every figure shown has been through disclosure control."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from joinedup.analytics.base import NotReadyError
from joinedup.evaluation.design import Design, Windows, comparison_group, intervention_group
from joinedup.evaluation.evaluate import Evaluation, evaluate
from joinedup.evaluation.groups import NoReferralsError
from joinedup.evaluation.publish import to_record
from joinedup.evaluation.report import interval_text, render_html
from joinedup.evaluation.report_pdf import render_pdf
from joinedup.evaluation.value import PROGRAMME, Appraisal, appraise
from joinedup.feeds.cli import HomeOption, JsonOption
from joinedup.feeds.store import StoreBusyError
from joinedup.home import resolve_home

stderr = Console(stderr=True)
stdout = Console()


def evaluate_command(
    intervention: Annotated[
        str | None,
        typer.Option(
            "--intervention",
            help="iat (the Integrated Action Team's referrals; the default) or locality names, "
            "comma-separated.",
        ),
    ] = None,
    comparison: Annotated[
        str | None,
        typer.Option(
            "--comparison",
            help="control-area (the default), matched, or locality names, comma-separated.",
        ),
    ] = None,
    months: Annotated[
        int,
        typer.Option("--months", help="Months before and after the index date (6, 12, 18, 24)."),
    ] = 12,
    index_date: Annotated[
        str | None,
        typer.Option("--index-date", help="For a locality intervention: the day it started."),
    ] = None,
    costs: Annotated[
        str | None,
        typer.Option(
            "--costs",
            help="Costs of the work for value for money: pounds, or 'programme' for the "
            "programme's own spend.",
        ),
    ] = None,
    price_year: Annotated[
        str, typer.Option("--price-year", help="Price year of the costs, e.g. 2024-25.")
    ] = "2024-25",
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the report to PATH.html or PATH.pdf.")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Evaluate an intervention against a comparison: difference-in-differences with intervals,
    a parallel-trends check and placebo tests.

    Example: joinedup evaluate --intervention iat --comparison matched --report evaluation.pdf
    """
    if report is not None and report.suffix.lower() not in (".html", ".pdf"):
        raise typer.BadParameter("the report is PATH.html or PATH.pdf", param_hint="--report")
    try:
        design = Design(
            intervention_group(intervention),
            comparison_group(comparison),
            Windows(months, months),
            dt.date.fromisoformat(index_date) if index_date else None,
        )
        with stderr.status("Evaluating"):
            result = evaluate(resolve_home(home), design)
    except (NotReadyError, NoReferralsError, StoreBusyError, ValueError) as error:
        stderr.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(1) from error
    try:
        appraisal = appraise(result, _costs(costs), price_year)
    except ValueError as error:  # an unknown price year, a cost outside the appraisal period
        stderr.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(1) from error
    if report is not None:
        _write_report(report, result, appraisal)
    if as_json:
        record = to_record(result)
        record["value_for_money"] = _value_record(appraisal)
        typer.echo(json.dumps(record, indent=2, sort_keys=True, default=str))
    else:
        _print_summary(result)


def _costs(text: str | None) -> float | str | None:
    if text is None or text.strip().lower() == PROGRAMME:
        return None if text is None else PROGRAMME
    try:
        return float(text.replace(",", "").lstrip("£"))
    except ValueError as error:
        raise typer.BadParameter(
            f"{text!r} is not an amount of pounds or 'programme'", param_hint="--costs"
        ) from error


def _write_report(path: Path, result: Evaluation, appraisal: Appraisal) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".pdf":
        path.write_bytes(render_pdf(result, appraisal))
    else:
        path.write_text(render_html(result, appraisal), encoding="utf-8")
    stderr.print(f"Report written to {path}", highlight=False)


def _value_record(appraisal: Appraisal) -> dict[str, object]:
    return {
        "avoided_events_by_unit_cost": appraisal.avoided_by_code,
        "result": None if appraisal.result is None else appraisal.result.to_dict(),
        "missing": appraisal.missing,
    }


def _print_summary(result: Evaluation) -> None:
    record = to_record(result)
    table = Table(
        title=f"{record['intervention']['group']} ({record['intervention']['people']}) against "
        f"{record['comparison']['group']} ({record['comparison']['people']})"
    )
    for column in ("outcome", "rate ratio (95% CI)", "difference per person-year (95% CI)"):
        table.add_column(column)
    for item in record["outcomes"].values():
        table.add_row(
            item["label"],
            interval_text(item),
            interval_text(item["absolute_difference_per_person_year"]),
        )
    stdout.print(table)
    stdout.print(record["parallel_trends"]["statement"], highlight=False)
    for name, placebo in record["placebo"].items():
        if placebo is not None:
            verdict = "no effect" if placebo["no_effect"] else "AN EFFECT: check the design"
            stdout.print(f"Placebo {name}: {interval_text(placebo)}: {verdict}", highlight=False)
