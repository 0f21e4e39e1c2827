"""``joinedup load`` and ``joinedup quarantine``: taking partner extracts in, and the rows refused."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from joinedup.feeds import quarantine, store
from joinedup.feeds.agreements import AgreementRefusedError
from joinedup.feeds.contract import ContractError
from joinedup.feeds.load import find_deliveries, load_folder, load_one
from joinedup.feeds.report import LoadReport
from joinedup.feeds.secret import KeyUnavailableError
from joinedup.feeds.store import StoreBusyError
from joinedup.home import ensure_home, resolve_home

stderr = Console(stderr=True)
HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $JOINEDUP_HOME, else ./var)."),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable report on standard output.")
]
zone_app = typer.Typer(
    help="The analytic zone as Parquet, for Apache Spark or any engine that reads Parquet.",
    no_args_is_help=True,
)
quarantine_app = typer.Typer(
    help="Rows refused by a feed contract: list them, export them to fix, resubmit them.",
    no_args_is_help=True,
)


def _progress(show: bool, files: int) -> tuple[Progress, Any]:
    columns = (
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    bar = Progress(*columns, console=stderr, disable=not show)
    return bar, bar.add_task("loading", total=files)


def print_reports(reports: list[LoadReport]) -> None:
    columns = (
        "feed",
        "status",
        "read",
        "loaded",
        "new",
        "superseded",
        "unchanged",
        "quarantined",
        "dedup.",
        "rows/s",
        "reconciles",
    )
    table = Table(*columns)
    for r in reports:
        figures = (
            r.read,
            r.loaded,
            r.new,
            r.superseded,
            r.unchanged,
            r.quarantined,
            r.deduplicated,
        )
        table.add_row(
            r.feed,
            r.status,
            *(f"{n:,}" for n in figures),
            f"{r.rows_per_second:,.0f}",
            "yes" if r.reconciles else "NO",
        )
    stderr.print(table)
    for r in reports:
        if r.status != "loaded":
            stderr.print(f"[bold]{r.feed}[/bold] ({r.file}): {r.message}")
            continue
        notes = [f"{reason} {count:,}" for reason, count in r.by_reason.items()]
        flags = [
            (r.nhs_number_invalid, "invalid NHS numbers (loaded, flagged)"),
            (r.postcode_invalid, "invalid postcodes (loaded, flagged)"),
            (r.free_text_to_review, "free text to review"),
            (r.resolved, "earlier quarantined rows resolved"),
        ]
        notes += [f"{count:,} {what}" for count, what in flags if count]
        if notes:
            stderr.print(f"{r.feed}: " + "; ".join(notes))


def load(
    extracts: Annotated[
        Path,
        typer.Argument(help="A folder of partner extracts, or with --feed one file.", exists=True),
    ],
    feed: Annotated[
        str | None, typer.Option("--feed", help="Load EXTRACTS as this feed (one file).")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate, quarantine, pseudonymise and load partner extracts into the identity and analytic zones.

    Examples: joinedup load out/borough/extracts   |   joinedup load --feed police_incidents incidents.csv
    """
    target = ensure_home(resolve_home(home))
    started = time.perf_counter()
    try:
        if feed is not None:
            if extracts.is_dir():
                raise typer.BadParameter("with --feed, give one file, not a folder")
            unknown: list[Path] = []
            reports = [_load_one_with_progress(target, feed, extracts, as_json)]
        else:
            if not extracts.is_dir():
                raise typer.BadParameter("give a folder of extracts, or --feed NAME with one file")
            reports, unknown = _load_folder_with_progress(target, extracts, as_json)
    except (StoreBusyError, KeyUnavailableError, ContractError, AgreementRefusedError) as error:
        stderr.print(f"[red]Nothing was loaded: {error}[/red]")
        raise typer.Exit(1) from error
    _finish(reports, unknown, time.perf_counter() - started, as_json)


def _load_one_with_progress(
    home: Path, feed: str, path: Path, as_json: bool, kind: str = "delivery"
) -> LoadReport:
    bar, task = _progress(not as_json and sys.stderr.isatty(), 1)
    with bar:
        report = load_one(
            home,
            feed,
            path,
            lambda name, rows: bar.update(task, description=f"{name}: {rows:,} rows"),
            kind,
        )
        bar.update(task, advance=1)
    return report


def _load_folder_with_progress(
    home: Path, folder: Path, as_json: bool
) -> tuple[list[LoadReport], list[Path]]:
    deliveries, _ = find_deliveries(folder)
    bar, task = _progress(not as_json and sys.stderr.isatty(), len(deliveries))
    seen: dict[str, int] = {}

    def step(name: str, rows: int) -> None:
        if name not in seen:
            bar.update(task, advance=1 if seen else 0)
        seen[name] = seen.get(name, 0) + rows
        bar.update(task, description=f"{name}: {seen[name]:,} rows")

    with bar:
        result = load_folder(home, folder, step)
        bar.update(task, completed=len(deliveries))
    return result


def load_demo_extracts(
    home: Path, folder: Path, show: bool
) -> tuple[list[LoadReport], list[Path], float]:
    """Load the demo borough's extracts (used by `joinedup demo`)."""
    started = time.perf_counter()
    reports, unknown = _load_folder_with_progress(home, folder, as_json=not show)
    return reports, unknown, time.perf_counter() - started


def _finish(reports: list[LoadReport], unknown: list[Path], seconds: float, as_json: bool) -> None:
    if as_json:
        payload = {
            "deliveries": [r.as_dict() for r in reports],
            "not_recognised": [p.name for p in unknown],
            "seconds": round(seconds, 2),
            "read": sum(r.read for r in reports),
            "rows_per_second": round(sum(r.read for r in reports) / seconds) if seconds else 0,
        }
        typer.echo(json.dumps(payload, indent=2, sort_keys=True, default=str))
    else:
        print_reports(reports)
        for path in unknown:
            stderr.print(f"Not recognised by any feed contract, left alone: {path.name}")
        total = sum(r.read for r in reports)
        stderr.print(
            f"{total:,} rows read in {seconds:.1f} s ({total / seconds if seconds else 0:,.0f} rows/s)"
        )
    if any(r.status == "refused" for r in reports) or any(not r.reconciles for r in reports):
        raise typer.Exit(1)


def _say(as_json: bool, payload: dict[str, object], sentence: str) -> None:
    """A command's result: JSON on standard output, or a sentence for the person at the terminal."""
    if as_json:
        typer.echo(json.dumps(payload))
    else:
        stderr.print(sentence)


FeedFilter = Annotated[str | None, typer.Option("--feed", help="Only this feed.")]
ReasonFilter = Annotated[
    str | None, typer.Option("--reason", help="Only this reason, e.g. invalid_date.")
]
StatusFilter = Annotated[str, typer.Option("--status", help="open, resolved, closed or all.")]


def _filters(feed: str | None, reason: str | None, status: str) -> quarantine.Filters:
    return quarantine.Filters(feed=feed, reason=reason, status=None if status == "all" else status)


@quarantine_app.command("list")
def list_command(
    feed: FeedFilter = None,
    reason: ReasonFilter = None,
    status: StatusFilter = "open",
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows (0 for all).")] = 50,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where each refused row is (feed, delivery, line, column) and why; not its content."""
    target = resolve_home(home)
    filters = _filters(feed, reason, status)
    entries = quarantine.list_entries(target, filters, limit or None)
    counts = quarantine.summary(target, filters)
    if as_json:
        typer.echo(json.dumps({"counts": counts, "rows": entries}, indent=2, default=str))
        return
    table = Table(*quarantine.COLUMNS)
    for entry in entries:
        table.add_row(*("" if v is None else str(v) for v in entry.values()))
    stderr.print(table)
    for name, reasons in counts.items():
        stderr.print(f"{name}: " + ", ".join(f"{r} {n}" for r, n in reasons.items()))


@quarantine_app.command("export")
def export_command(
    out: Annotated[Path, typer.Argument(help="A .csv or .xlsx file to write.")],
    feed: FeedFilter = None,
    reason: ReasonFilter = None,
    status: StatusFilter = "open",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export refused rows with their content and reasons, to fix and resubmit (identifiable: handle with care)."""
    count = quarantine.export(resolve_home(home), _filters(feed, reason, status), out)
    _say(
        as_json,
        {"exported": count, "file": str(out)},
        f"{count:,} quarantined rows written to {out}",
    )


@quarantine_app.command("close")
def close_command(
    delivery: Annotated[int, typer.Option("--delivery", help="The delivery the rows came in.")],
    lines: Annotated[
        list[int], typer.Option("--line", help="A line to close (repeat for several).")
    ],
    note: Annotated[str, typer.Option("--note", help="Why: e.g. 'partner re-sent the extract'.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close quarantined rows that will not be resubmitted, saying why (kept, with the note)."""
    try:
        closed = quarantine.close(resolve_home(home), delivery, lines, note)
    except (ValueError, StoreBusyError) as error:
        stderr.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    _say(as_json, {"closed": closed}, f"{closed:,} quarantined rows closed")


@quarantine_app.command("resubmit")
def resubmit_command(
    feed: Annotated[str, typer.Option("--feed", help="The feed the fixed rows belong to.")],
    fixed: Annotated[
        Path,
        typer.Argument(
            help="A file in the feed's own format holding the fixed rows.",
            exists=True,
            dir_okay=False,
        ),
    ],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load fixed rows; the quarantined rows they replace are marked resolved."""
    try:
        report = _load_one_with_progress(
            ensure_home(resolve_home(home)), feed, fixed, as_json, kind="resubmission"
        )
    except (StoreBusyError, KeyUnavailableError, ContractError) as error:
        stderr.print(f"[red]Nothing was loaded: {error}[/red]")
        raise typer.Exit(1) from error
    if not as_json:
        stderr.print(f"{report.resolved:,} quarantined rows resolved by the resubmission")
    _finish([report], [], report.seconds, as_json)


@zone_app.command("export-parquet")
def export_parquet_command(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Write the published analytic zone as partitioned Parquet, without loading anything again.

    Every load and linkage run writes it; run this once for a hub loaded before, or after
    pointing $JOINEDUP_ANALYTIC_PARQUET somewhere new (see docs/analytic-zone-parquet.md).
    """
    target = resolve_home(home)
    try:
        written = store.export_parquet(target)
    except StoreBusyError as error:
        stderr.print(f"[red]Nothing was written: {error}[/red]")
        raise typer.Exit(1) from error
    if written is None:
        stderr.print("[red]Nothing is loaded yet: load the partner extracts first.[/red]")
        raise typer.Exit(1)
    tables = {t.name: {"rows": t.rows, "partitioned_by": t.partitioned_by} for t in written.tables}
    report = {
        "location": written.location,
        "tables": tables,
        "unchanged": list(written.reused),
        "seconds": written.seconds,
    }
    unchanged = f", {len(written.reused)} of them unchanged and linked" if written.reused else ""
    _say(
        as_json,
        report,
        f"Wrote {len(tables)} tables ({sum(t.rows for t in written.tables):,} rows) as Parquet "
        f"to {written.location} in {written.seconds:.1f} s{unchanged}",
    )
