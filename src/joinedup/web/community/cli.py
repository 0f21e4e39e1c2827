"""``joinedup community ...``: the community asset directory from a terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from joinedup.web.cli import HomeOption, JsonOption, open_hub

community_app = typer.Typer(
    help="The community asset directory: groups, services and activities that meet needs.",
    no_args_is_help=True,
)
stderr = Console(stderr=True)


@community_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A spreadsheet of assets: CSV or Excel (.xlsx).")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add or update the directory's assets from FILE, all or nothing.

    If any row is wrong, nothing is saved and each problem is printed with its line and column;
    the exit status is then 1. See docs/community.md for the columns.

    Example: joinedup community import assets.xlsx
    """
    open_hub(home)
    from joinedup.web.community.importer import AssetFileError, import_assets

    try:
        report = import_assets(file, actor="joinedup community import")
    except AssetFileError as error:
        stderr.print(f"[red]Not imported, nothing was saved:[/red] {escape(file.name)}")
        for problem in error.problems:
            stderr.print(f"  {escape(str(problem))}", soft_wrap=True)
        raise typer.Exit(1) from None
    except OSError as error:
        stderr.print(f"[red]Could not read {escape(str(file))}: {error.strerror}[/red]")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
    else:
        stderr.print(f"Imported {report.created} new assets, updated {report.updated}")
