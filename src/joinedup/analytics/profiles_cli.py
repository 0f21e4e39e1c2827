"""``joinedup profiles build``: every LSOA's and ward's locality profile, beside the borough."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from joinedup.analytics.base import NotReadyError
from joinedup.analytics.profiles import (
    LocalityProfiles,
    ProfileYearError,
    build_profiles,
    display,
)
from joinedup.engines import EngineError
from joinedup.engines.cli import EngineOption
from joinedup.feeds.agreements import AgreementRefusedError
from joinedup.feeds.cli import HomeOption, JsonOption
from joinedup.home import resolve_home

stderr = Console(stderr=True)
stdout = Console()
profiles_app = typer.Typer(
    help="Locality profiles: every LSOA and ward of the borough compared with the borough.",
    no_args_is_help=True,
)


@profiles_app.callback()
def profiles_group() -> None:
    """Locality profiles: every LSOA and ward of the borough compared with the borough."""
    # A callback keeps `build` a subcommand even while it is the only one.


def _fail(message: str) -> typer.Exit:
    stderr.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(1)


@profiles_app.command("build")
def build_command(
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="Calendar year to profile (default: the snapshot's last full year)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder to write to (default: HOME/analytics/profiles/<snapshot>-<year>)."
        ),
    ] = None,
    engine: EngineOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build the profiles: CSVs, an Excel workbook, maps, charts and index.html to open.

    Example: joinedup profiles build --year 2019 --engine spark
    """
    try:
        with stderr.status("Building locality profiles") as status:
            profiles = build_profiles(
                resolve_home(home),
                year,
                out,
                progress=lambda step: status.update(step),
                engine=engine,
            )
    except ProfileYearError as error:
        raise typer.BadParameter(str(error), param_hint="--year") from error
    except (NotReadyError, AgreementRefusedError, EngineError) as error:
        raise _fail(str(error)) from error
    if as_json:
        typer.echo(json.dumps(profiles.as_dict(), indent=2, sort_keys=True, default=str))
    else:
        _print_summary(profiles)


def _print_summary(profiles: LocalityProfiles) -> None:
    table = Table(
        title=f"Locality profiles {profiles.year}: {len(profiles.wards)} wards, "
        f"{len(profiles.lsoas)} LSOAs (snapshot {profiles.snapshot['name']})"
    )
    for column in ("indicator", "borough", "wards higher / similar / lower", "LSOAs hidden"):
        table.add_column(column, justify="left" if column == "indicator" else "right")
    for indicator in profiles.indicators:
        figure = profiles.borough.figures[indicator.key]
        borough = f"{display(figure, indicator)} {indicator.unit}"
        wards = ""
        if indicator.compared:
            comparisons = [w.figures[indicator.key].comparison for w in profiles.wards]
            wards = " / ".join(str(comparisons.count(c)) for c in ("higher", "similar", "lower"))
        hidden = sum(a.figures[indicator.key].value is None for a in profiles.lsoas)
        table.add_row(indicator.title, borough, wards, str(hidden))
    stdout.print(table)
    for name, why in profiles.left_out.items():
        stderr.print(f"[yellow]left out:[/yellow] {name}: {why}", highlight=False)
    stderr.print(
        f"Written to {profiles.folder} in {profiles.seconds:.1f} s (run {profiles.run_id}); "
        f"open {profiles.folder / 'index.html'} in a browser.",
        highlight=False,
    )
