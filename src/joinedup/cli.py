"""The ``joinedup`` command: one entry point for everything the hub does from a terminal."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from joinedup import __version__
from joinedup.analytics.cli import cohorts_app
from joinedup.analytics.profiles_cli import profiles_app
from joinedup.analytics.risk_cli import risk_app
from joinedup.backup import backup_command, restore_command
from joinedup.engines.cli import engine_app
from joinedup.evaluation.cli import evaluate_command
from joinedup.feeds.cli import load, load_demo_extracts, print_reports, quarantine_app, zone_app
from joinedup.home import ensure_home, resolve_home
from joinedup.lifecycle.cli import records_app, retention_app
from joinedup.linkage.cli import link_app, link_files_command
from joinedup.linkage.run import link
from joinedup.programme.cli import minutes_app
from joinedup.synth.config import DEFAULT_BAD_ROWS, DEFAULT_END, DEFAULT_START, SynthConfig
from joinedup.synth.generate import generate, total_steps
from joinedup.web.cli import (
    agreements_app,
    audit_app,
    programme_app,
    seed_demo_web,
    serve,
    users_app,
)
from joinedup.web.cli import run_server as run_web_server
from joinedup.web.community.cli import community_app

app = typer.Typer(
    help=(
        "JoinedUp: a shared intelligence hub for a place-based public service partnership.\n\n"
        "Start with `joinedup demo`: it builds a synthetic borough (Chorley, about 118,000 "
        "residents) and shows what the hub makes of it. Everything JoinedUp writes goes to its "
        "data directory: --home DIR, else $JOINEDUP_HOME, else ./var."
    ),
    no_args_is_help=True,
    add_completion=False,
)
stderr = Console(stderr=True)
app.command()(load)
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(zone_app, name="zone")
app.add_typer(link_app, name="link")
app.command("link-files")(link_files_command)
app.add_typer(cohorts_app, name="cohorts")
app.add_typer(engine_app, name="engine")
app.add_typer(profiles_app, name="profiles")
app.add_typer(risk_app, name="risk")
app.command("evaluate")(evaluate_command)
app.add_typer(records_app, name="records")
app.add_typer(retention_app, name="retention")
app.command()(serve)
app.add_typer(users_app, name="users")
app.add_typer(agreements_app, name="agreements")
app.add_typer(audit_app, name="audit")
app.add_typer(minutes_app, name="minutes")
app.add_typer(programme_app, name="programme")
app.add_typer(community_app, name="community")
app.command("backup")(backup_command)
app.command("restore")(restore_command)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $JOINEDUP_HOME, else ./var)."),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable report on standard output.")
]
ScaleOption = Annotated[
    float,
    typer.Option(
        "--scale", help="Size relative to Chorley (1.0 = about 118,000 residents; 15 = an ICS)."
    ),
]
SeedOption = Annotated[
    int,
    typer.Option("--seed", help="Random seed: the same seed gives the same files, byte for byte."),
]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from error


def _run_with_progress(config: SynthConfig, out_dir: Path, show: bool) -> dict[str, Any]:
    columns = (
        TextColumn("{task.description:<42}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=stderr, disable=not show, transient=False) as bar:
        task = bar.add_task("synthetic borough", total=total_steps())

        def step(label: str) -> None:
            bar.update(task, advance=1, description=label)

        summary = generate(config, out_dir, step)
        bar.update(task, completed=total_steps(), description="done")
    return summary


def _print_summary(summary: dict[str, Any], out_dir: Path, seconds: float) -> None:
    population = summary["population"]
    stderr.print(f"\n[bold]Synthetic borough[/bold] written to {out_dir} in {seconds:.1f} s")
    stderr.print(
        f"Residents: {population['residents_at_start']:,} at the start, {population['residents_ever']:,} in all "
        f"({population['born']:,} born, {population['arrived']:,} arrived, {population['died']:,} died, "
        f"{population['left_borough']:,} left); households: {population['households_at_start']:,}"
    )
    table = Table("extract", "partner", "rows", "bad rows", "valid NHS no.", "forename differs")
    for name, report in summary["extracts"].items():
        nhs = report.get("nhs_number_valid_share")
        differs = report.get("forename_differs_from_truth_share")
        table.add_row(
            name,
            report["partner"],
            f"{report['rows']:,}",
            str(report["planted_bad_rows"]),
            "" if nhs is None else f"{nhs:.1%}",
            "" if differs is None else f"{differs:.1%}",
        )
    stderr.print(table)
    effect = summary["intervention"]["planted_effect"]
    stderr.print(
        f"Intervention: {summary['intervention']['referred']:,} residents referred to the Integrated Action Team; "
        f"planted effect on {effect['outcome']}: rate ratio {effect['value']}. Ground truth in {out_dir / 'truth'}."
    )


def _synthesise(
    out_dir: Path, config: SynthConfig, as_json: bool, emit: bool = True
) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        summary = _run_with_progress(config, out_dir, show=not as_json and sys.stderr.isatty())
    except OSError as error:
        stderr.print(
            f"[red]Could not write the synthetic borough to {out_dir}: {error.strerror}[/red]"
        )
        raise typer.Exit(1) from error
    seconds = time.perf_counter() - started
    summary = {**summary, "seconds": round(seconds, 2)}
    if as_json and emit:
        typer.echo(json.dumps(summary, indent=2, sort_keys=True))
    elif emit:
        _print_summary(summary, out_dir, seconds)
    return summary


@app.command()
def synth(
    out_dir: Annotated[
        Path, typer.Argument(help="Folder to write extracts/, truth/ and summary.json into.")
    ],
    scale: ScaleOption = 1.0,
    seed: SeedOption = 42,
    from_date: Annotated[
        str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")
    ] = DEFAULT_START.isoformat(),
    to_date: Annotated[
        str, typer.Option("--to", help="Last day of the period (YYYY-MM-DD).")
    ] = DEFAULT_END.isoformat(),
    bad_rows: Annotated[
        int, typer.Option("--bad-rows", help="Corrupt rows to plant in each extract.")
    ] = DEFAULT_BAD_ROWS,
    as_json: JsonOption = False,
) -> None:
    """Generate the synthetic borough: each partner's extract in its own format, truth kept apart.

    Example: joinedup synth out/borough --scale 0.1 --seed 7
    """
    try:
        config = SynthConfig(
            scale=scale, seed=seed, start=_date(from_date), end=_date(to_date), bad_rows=bad_rows
        )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    _synthesise(out_dir, config, as_json)


@app.command()
def demo(
    scale: ScaleOption = 1.0,
    seed: SeedOption = 42,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the web app afterwards.")
    ] = True,
    reset_passwords: Annotated[
        bool,
        typer.Option("--reset-passwords", help="Give the demo users new passwords (printed once)."),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port for the web app.")] = 8000,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run the hub end to end on the synthetic borough, then (unless --no-serve) the web app.

    The synthetic borough is generated into HOME/demo, its partner extracts are loaded into the
    hub's identity and analytic zones (planted bad rows quarantined), and every record is linked
    into residents with stable person_keys. Then the web app gets the partnership's
    organisations and one user per role; new passwords are printed once, on standard output.
    """
    hub = ensure_home(resolve_home(home))
    try:
        config = SynthConfig(scale=scale, seed=seed)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    summary = _synthesise(hub / "demo", config, as_json, emit=not as_json)
    reports, unknown, seconds = load_demo_extracts(hub, hub / "demo" / "extracts", show=not as_json)
    with stderr.status("Linking residents", spinner="dots") as status:
        linkage = link(hub, progress=lambda step: status.update(step))
    if as_json:
        load = {"deliveries": [r.as_dict() for r in reports], "seconds": round(seconds, 2)}
        everything = {"synth": summary, "load": load, "linkage": linkage.as_dict()}
    else:
        print_reports(reports)
        stderr.print(
            f"Linked {linkage.records:,} records into {linkage.persons:,} residents; "
            f"{linkage.review_queue:,} pair(s) wait for review (joinedup link review)."
        )
    failed = unknown or any(r.status == "refused" or not r.reconciles for r in reports)
    if not failed:
        # With --json the new passwords are in the document, not on lines of their own.
        web = seed_demo_web(hub, reset_passwords, print_passwords=not as_json)
        if as_json:
            everything["web"] = web
    if as_json:
        typer.echo(json.dumps(everything, indent=2, sort_keys=True, default=str))
    if failed:
        raise typer.Exit(1)
    if serve and not as_json:
        run_web_server("127.0.0.1", port, threads=8)


@app.command()
def version() -> None:
    """Print the version of JoinedUp."""
    typer.echo(__version__)


if __name__ == "__main__":
    app()
