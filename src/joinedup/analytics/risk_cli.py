"""``joinedup risk``: the primary-care and community risk profiles, and the HIU model.

Every figure printed has been through disclosure control. The person-level case-finding list is
written only with ``--case-finding``, to a file of the analyst's choosing, and the release is
recorded in the provenance log.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from joinedup.analytics import hiu_model, households, provenance, risk
from joinedup.analytics.base import NotReadyError
from joinedup.analytics.disclosure import ControlledCrosstab, ControlledTable
from joinedup.engines import EngineError
from joinedup.engines.cli import EngineOption
from joinedup.feeds.agreements import AgreementRefusedError
from joinedup.feeds.cli import HomeOption, JsonOption
from joinedup.feeds.store import StoreBusyError
from joinedup.home import resolve_home

stderr = Console(stderr=True)
stdout = Console()
risk_app = typer.Typer(
    help="Risk profiles (primary care per person, community per area) and the HIU model.",
    no_args_is_help=True,
)
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at", help="The date to profile on, YYYY-MM-DD (default: the last day of data)."
    ),
]
CaseFindingOption = Annotated[
    bool,
    typer.Option(
        "--case-finding",
        help="Also write the pseudonymous list of those in --from-band or above to --out "
        "(recorded in the provenance log).",
    ),
]
FromBandOption = Annotated[
    str, typer.Option("--from-band", help=f"Lowest band listed: {', '.join(risk.BAND_NAMES)}.")
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="CSV file for the case-finding list.")
]
FAILURES = (NotReadyError, AgreementRefusedError, StoreBusyError, EngineError, ValueError)


def _fail(message: str) -> typer.Exit:
    stderr.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


def _date(value: str | None) -> dt.date | None:
    try:
        return None if value is None else dt.date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from error


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title)
    for number, name in enumerate(header):
        table.add_column(str(name), justify="left" if number == 0 else "right")
    for row in rows:
        # Text, not markup: a hidden figure's [c] would otherwise be read as a style tag.
        table.add_row(*(Text(str(cell)) for cell in row))
    stdout.print(table)


def _say(text: str) -> None:
    stdout.print(text, markup=False, highlight=False)


def _steps(steps: Sequence[tuple[float, int]], sign: str = "+") -> str:
    return ", ".join(f"{least:g}{sign}: {points}" for least, points in steps)


# primary-care --------------------------------------------------------------------------------


@risk_app.command("primary-care")
def primary_care_command(
    at: AtOption = None,
    case_finding: CaseFindingOption = False,
    from_band: FromBandOption = "high",
    out: OutOption = None,
    engine: EngineOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score every registered person; publish counts by band and ward (list only on request)."""
    if case_finding and out is None:
        raise typer.BadParameter("--case-finding needs --out FILE.csv for the list")
    try:
        with stderr.status("Primary-care risk profile") as status:
            profile = risk.run_primary_care(
                resolve_home(home),
                _date(at),
                from_band if case_finding else None,
                progress=lambda step: status.update(step),
                engine=engine,
            )
    except FAILURES as error:
        raise _fail(str(error)) from error
    if profile.case_finding is not None and out is not None:
        _write_list(out, profile.case_finding)
        provenance.record_case_finding_file(resolve_home(home), profile.run_id, out)
    if as_json:
        result = profile.as_dict()
        result.pop("case_finding", None)  # the list goes to its file, never to standard output
        typer.echo(json.dumps(result, indent=2))
        return
    _print_primary_care(profile)
    if profile.case_finding is not None:
        _say(
            f"{len(profile.case_finding):,} person_keys written to {out} "
            f"(release recorded as run {profile.run_id})."
        )


def _write_list(out: Path, rows: list[dict[str, Any]]) -> None:
    """The list, readable by its owner only: it is person-level data."""
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["person_key"])
        writer.writeheader()
        writer.writerows(rows)


def _print_primary_care(profile: risk.PrimaryCareProfile) -> None:
    _print_banded(
        profile.parts,
        risk.BANDS,
        (f"Registered people by band on {profile.at}", "people"),
        profile.by_band,
        profile.by_ward,
    )
    _print_left_out(profile.left_out)
    stderr.print(f"Recorded as run {profile.run_id}.")


def _print_banded(
    parts: Sequence[risk.Part],
    bands: Sequence[risk.Band],
    counted: tuple[str, str],
    by_band: ControlledTable[str],
    by_ward: ControlledCrosstab[str, str],
) -> None:
    """A banded score's parts, its bands, and what it counts by band and by ward."""
    _table(
        "Points",
        ["part", "measures", "points"],
        [(p.name, p.measures, _steps(p.points)) for p in parts],
    )
    _table("Bands (total points)", ["band", "from"], [(b.name, b.at_least) for b in bands])
    title, unit = counted
    _table(title, ["band", unit], by_band.export_rows())
    lines = by_ward.export_rows(corner="ward")
    _table("By ward", [str(c) for c in lines[0]], lines[1:])


def _print_left_out(left_out: dict[str, str]) -> None:
    for feed, reason in left_out.items():
        stderr.print(f"[yellow]left out:[/yellow] {feed}: {reason}")


# households ----------------------------------------------------------------------------------


@risk_app.command("households")
def households_command(
    at: AtOption = None,
    case_finding: CaseFindingOption = False,
    from_band: FromBandOption = "high",
    out: OutOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score every household (the community risk profile); publish households by band and ward."""
    if case_finding and out is None:
        raise typer.BadParameter("--case-finding needs --out FILE.csv for the list")
    try:
        profile = households.run_households(
            resolve_home(home), _date(at), from_band if case_finding else None
        )
    except FAILURES as error:
        raise _fail(str(error)) from error
    if profile.listed is not None and out is not None:
        rows = [{**r, "person_keys": " ".join(r["person_keys"])} for r in profile.listed]
        _write_list(out, rows)
        provenance.record_case_finding_file(resolve_home(home), profile.run_id, out)
    if as_json:
        typer.echo(json.dumps(profile.as_dict(), indent=2))
        return
    _print_banded(
        profile.parts,
        households.BANDS,
        (f"Households by band on {profile.population_date}", "households"),
        profile.by_band,
        profile.by_ward,
    )
    _print_left_out(profile.parts_left_out)
    if profile.listed is not None:
        _say(f"{len(profile.listed):,} households written to {out} (run {profile.run_id}).")


# community -----------------------------------------------------------------------------------


@risk_app.command("community")
def community_command(
    at: AtOption = None,
    months: Annotated[
        int, typer.Option("--months", help="Months of events before the date.")
    ] = risk.COMMUNITY_MONTHS,
    purpose: Annotated[
        str, typer.Option("--purpose", help="The purpose the register must allow each feed for.")
    ] = risk.COMMUNITY_PURPOSE,
    level: Annotated[str, typer.Option("--level", help="ward, lsoa or all.")] = "ward",
    engine: EngineOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Each area's published rates and the points they earn against the borough."""
    if level not in ("ward", "lsoa", "all"):
        raise typer.BadParameter("--level is ward, lsoa or all")
    try:
        with stderr.status("Community risk profile") as status:
            profile = risk.run_community(
                resolve_home(home),
                _date(at),
                months,
                purpose,
                progress=lambda step: status.update(step),
                engine=engine,
            )
    except FAILURES as error:
        raise _fail(str(error)) from error
    if as_json:
        typer.echo(json.dumps(profile.as_dict(), indent=2))
        return
    _print_community(profile, level)


def _print_community(profile: risk.CommunityProfile, level: str) -> None:
    _table(
        "Points (rates against the borough's)",
        ["part", "measures", "points"],
        [
            (p.name, p.measures, _steps(p.points, "" if p.name == risk.DEPRIVATION else "x+"))
            for p in profile.parts
        ],
    )
    names = [p.name for p in profile.parts]
    areas = [a for a in profile.areas if level in ("all", a.level)]
    rows = [_area_row(profile.borough), *(_area_row(a) for a in areas)]
    _table(
        f"Community risk on {profile.at}, events over {profile.months} months "
        f"(run {profile.run_id}); value (points)",
        ["area", "residents", *names, "score"],
        rows,
    )
    _print_left_out(profile.left_out)
    stderr.print("Per household: not available (the analytic zone has no household key).")


def _area_row(area: risk.AreaScore) -> list[str]:
    cells = [
        v.display if area.level == "borough" else f"{v.display} ({_points(area.points[n])})"
        for n, v in area.values.items()
    ]
    score = "" if area.level == "borough" else str(area.score)
    return [area.name, area.residents.display, *cells, score]


def _points(points: int | None) -> str:
    return "-" if points is None else str(points)


# hiu-model -----------------------------------------------------------------------------------


@risk_app.command("hiu-model")
def hiu_model_command(
    validation_year: Annotated[
        int | None,
        typer.Option("--validation-year", help="Held-out outcome year (default: the last full)."),
    ] = None,
    threshold: Annotated[
        int, typer.Option("--threshold", help="A&E attendances in a year that make a HIU.")
    ] = hiu_model.THRESHOLD,
    training_years: Annotated[
        int, typer.Option("--training-years", help="Outcome years before it to train on.")
    ] = hiu_model.TRAINING_YEARS,
    class_weight: Annotated[
        str, typer.Option("--class-weight", help="none (calibrated risks) or balanced.")
    ] = "none",
    replicates: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples for the intervals.")
    ] = hiu_model.REPLICATES,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the bootstrap.")] = 20191231,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train the HIU model on earlier years, validate it on a held-out year, save it."""
    if class_weight not in ("none", "balanced"):
        raise typer.BadParameter("--class-weight is none or balanced")
    try:
        with stderr.status("HIU model") as status:
            report = hiu_model.run_hiu_model(
                resolve_home(home),
                validation_year,
                progress=lambda step: status.update(step),
                threshold=threshold,
                training_years=training_years,
                class_weight=None if class_weight == "none" else class_weight,
                replicates=replicates,
                seed=seed,
            )
    except FAILURES as error:
        raise _fail(str(error)) from error
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, default=str))
        return
    print_hiu_report(report)


def print_hiu_report(report: hiu_model.HiuReport) -> None:
    """The held-out year's figures as tables, for the command line and the benchmark."""
    settings, checked = report.settings, report.validation
    _say(
        f"HIU = {settings.threshold}+ A&E attendances in a year. Trained on index years "
        f"{', '.join(map(str, settings.training_index_years))}; validated on features at the end "
        f"of {settings.validation_index_year}, outcome {settings.validation_year} "
        f"(run {report.run_id}; model saved to {report.model_path})."
    )
    _table(
        "Coefficients (per standard deviation of the transformed feature)",
        ["feature", "transform", "coefficient", "odds ratio"],
        [
            (r["feature"], r["transform"], r["coefficient_per_sd"], r["odds_ratio_per_sd"])
            for r in report.coefficients
        ],
    )
    _table(
        "Held-out year, by group",
        GROUP_HEADER,
        [_group_row(g) for g in [checked.overall, *checked.groups]],
    )
    gain = checked.auc_gain
    _say(
        f"AUC gain over the rule: {gain.value.display} ({gain.lower.display} to {gain.upper.display})"
    )
    _table(
        "Calibration by tenth of predicted risk (10 = highest)",
        ["decile", "people", "HIU", "predicted %", "observed %"],
        [
            [d.decile, d.people, d.hiu, d.predicted_percent, d.observed_percent]
            for d in checked.deciles
        ],
    )
    flagged = checked.flagged
    _say(
        f"The rule flags {flagged.people} people, of whom {flagged.rule_hiu} were HIU next year "
        f"({flagged.rule_share_of_hiu}% of all HIU); the model's top {flagged.people} held "
        f"{flagged.model_hiu} ({flagged.model_share_of_hiu}%)."
    )
    _say("Fairness gaps: " + ", ".join(f"{k} {v}" for k, v in checked.gaps.items()))
    _print_left_out(report.left_out)


GROUP_HEADER = [
    "group",
    "people",
    "HIU",
    "observed %",
    "predicted %",
    "AUC (95% CI)",
    "rule AUC (95% CI)",
    "count AUC (95% CI)",
    "calib. intercept",
    "calib. slope",
]


def _group_row(group: hiu_model.GroupFigures) -> list[str]:
    def interval(i: hiu_model.Interval) -> str:
        return f"{i.value.display} ({i.lower.display}-{i.upper.display})"

    return [
        group.group,
        group.people.display,
        group.hiu.display,
        group.observed_percent.display,
        group.predicted_percent.display,
        interval(group.auc),
        interval(group.rule_auc),
        interval(group.count_auc),
        group.calibration_intercept.display,
        group.calibration_slope.display,
    ]
