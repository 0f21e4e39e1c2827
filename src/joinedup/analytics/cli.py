"""``joinedup cohorts``: list, show, check and run cohort definitions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from joinedup import exports
from joinedup.analytics import provenance
from joinedup.analytics.base import NotReadyError
from joinedup.analytics.cohorts import library
from joinedup.analytics.cohorts.compiler import CohortParameterError
from joinedup.analytics.cohorts.language import CohortSyntaxError, parse_file
from joinedup.analytics.cohorts.run import CohortRun, run_cohort
from joinedup.analytics.provenance import VersionConflictError
from joinedup.engines import EngineError
from joinedup.engines.cli import EngineOption
from joinedup.feeds.agreements import AgreementRefusedError
from joinedup.feeds.cli import HomeOption, JsonOption
from joinedup.home import resolve_home

stderr = Console(stderr=True)
stdout = Console()
cohorts_app = typer.Typer(help="Cohort definitions: list them, check them and run them.")
REFUSALS = (
    CohortSyntaxError,
    CohortParameterError,
    AgreementRefusedError,
    VersionConflictError,
    NotReadyError,
    LookupError,
    EngineError,
)


def _fail(message: str) -> typer.Exit:
    stderr.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


def _parameters(items: list[str]) -> dict[str, str]:
    parameters = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise _fail(f"--param {item!r}: write it as NAME=VALUE, e.g. year=2018")
        parameters[name.strip()] = value.strip()
    return parameters


@cohorts_app.command("list")
def list_command(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Every cohort the hub can run: the built-in library and the hub's own definitions."""
    try:
        found = library.entries(resolve_home(home))
    except CohortSyntaxError as error:
        raise _fail(str(error)) from error
    rows = [
        {
            "name": e.name,
            "title": e.definition.title,
            "version": e.definition.version,
            "purpose": e.definition.purpose,
            "parameters": {n: p.default.text for n, p in e.definition.parameters.items()},
            "origin": e.origin,
        }
        for e in found.values()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("Name", "Title", "Version", "Parameters (defaults)", "From")
    for row in rows:
        parameters = ", ".join(f"{k}={v}" for k, v in row["parameters"].items())  # type: ignore[attr-defined]
        table.add_row(
            str(row["name"]), str(row["title"]), str(row["version"]), parameters, str(row["origin"])
        )
    stdout.print(table)


@cohorts_app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="A cohort's name.")], home: HomeOption = None
) -> None:
    """Print a definition as written."""
    try:
        definition = library.find(resolve_home(home), name)
    except (CohortSyntaxError, LookupError) as error:
        raise _fail(str(error)) from error
    typer.echo(definition.text, nl=False)


@cohorts_app.command("check")
def check_command(path: Annotated[Path, typer.Argument(help="A .cohort file to check.")]) -> None:
    """Check a definition file without running it; errors name the line."""
    try:
        definition = parse_file(path)
    except (CohortSyntaxError, OSError) as error:
        raise _fail(str(error)) from error
    stdout.print(f"{path}: cohort {definition.name} version {definition.version} reads correctly")


@cohorts_app.command("run")
def run_command(
    name: Annotated[str, typer.Argument(help="A cohort's name, or a .cohort file.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", help="NAME=VALUE for a parameter (repeat).")
    ] = None,
    case_finding: Annotated[
        bool,
        typer.Option(
            "--case-finding",
            help="Also release the cohort's person_keys (pseudonymous), for case finding. "
            "Recorded in the provenance log.",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="With --case-finding: write the person_keys here (CSV)."),
    ] = None,
    engine: EngineOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a cohort: counts by area, sex and age band after disclosure control."""
    if out is not None and not case_finding:
        raise _fail("--out writes the case-finding list: add --case-finding")
    try:
        with stderr.status("Running the cohort") as status:
            result = run_cohort(
                resolve_home(home),
                name,
                _parameters(param or []),
                case_finding=case_finding,
                progress=lambda step: status.update(f"Building the analysis base: {step}"),
                engine=engine,
            )
    except REFUSALS as error:
        raise _fail(str(error)) from error
    if out is not None and result.person_keys is not None:
        exports.write_csv(out, ["person_key"], ([k] for k in result.person_keys))
        provenance.record_case_finding_file(resolve_home(home), result.run_id, out)
    if as_json:
        document = result.as_dict()
        if out is not None:
            document.pop("person_keys", None)
            document["person_keys_written_to"] = str(out)
        typer.echo(json.dumps(document, indent=2))
        return
    _print(result, out)


def _print(result: CohortRun, out: Path | None) -> None:
    stdout.print(
        f"[bold]{result.title}[/bold] (version {result.version}) on {result.population_date}: "
        f"[bold]{escape(result.total.display)}[/bold] people"
    )
    stdout.print(
        f"parameters {result.parameters}; purpose {result.purpose} under {', '.join(result.agreements)}"
    )
    table = Table("Ward", "People")
    for ward, figure in result.by_ward.cells.items():
        table.add_row(escape(ward), escape(figure.display))
    table.add_row("[bold]Total[/bold]", escape(result.by_ward.total.display))
    stdout.print(table)
    stdout.print(
        escape(
            "Counts of 1 to 7 show as [c], and so does a second count where one [c] could be "
            "worked out from the total; other counts are rounded to the nearest 5. "
            f"Run {result.run_id}."
        )
    )
    if result.person_keys is not None:
        where = f"written to {out}" if out else "in --json"
        stdout.print(f"Case finding: {len(result.person_keys):,} person_keys {where} (recorded).")
