"""`joinedup engine`: which engine the hub runs on, and whether it starts."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from joinedup.engines import EngineError, open_engine, resolve_engine
from joinedup.feeds.cli import HomeOption, JsonOption
from joinedup.home import resolve_home

EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="duckdb (embedded, the default) or spark; else $JOINEDUP_ENGINE, else the hub's "
        "settings.toml.",
    ),
]

engine_app = typer.Typer(help="The query engine: DuckDB on this machine, or Apache Spark.")


@engine_app.command("check")
def check_command(
    engine: EngineOption = None, home: HomeOption = None, as_json: JsonOption = False
) -> None:
    """Start the hub's engine and run one query on it."""
    started = time.perf_counter()
    try:
        name = resolve_engine(engine, resolve_home(home))
        opened = open_engine(name)
        try:
            answer = opened.rows("SELECT 40 + 2 AS answer")[0][0]
        finally:
            opened.close()
    except EngineError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    report = {"engine": name, "answer": answer, "seconds": round(time.perf_counter() - started, 2)}
    if as_json:
        typer.echo(json.dumps(report))
        return
    typer.echo(f"{name} started and answered {answer} in {report['seconds']} s")
