"""``joinedup records ...`` and ``joinedup retention ...``: the data lifecycle from a terminal.

Every command refuses what it cannot do with one sentence on standard error and exit status 1;
with ``--json`` its report goes to standard output. Nothing printed names a person: records are
named by position or by keyed hash, values never.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from joinedup.feeds.agreements import AgreementRefusedError
from joinedup.feeds.cli import HomeOption, JsonOption
from joinedup.feeds.secret import KeyUnavailableError
from joinedup.feeds.store import StoreBusyError
from joinedup.home import resolve_home
from joinedup.lifecycle import erase, holds, rectify, retention
from joinedup.lifecycle.common import LifecycleRefusedError
from joinedup.lifecycle.erase import LifecycleReport
from joinedup.linkage.run import LinkageError

stderr = Console(stderr=True)
REFUSALS = (
    LifecycleRefusedError,
    StoreBusyError,
    KeyUnavailableError,
    AgreementRefusedError,
    LinkageError,
)
records_app = typer.Typer(
    help="Erase records received in error, correct a record's identifiers (GDPR-03, GDPR-04).",
    no_args_is_help=True,
)
retention_app = typer.Typer(
    help="Purge records past their agreement's retention period; legal holds (GDPR-05).",
    no_args_is_help=True,
)
FeedOption = Annotated[str, typer.Option("--feed", help="The feed, as its contract names it.")]
ReasonOption = Annotated[
    str,
    typer.Option("--reason", help="Why, in words, without personal data (kept in the tombstone)."),
]
DeliveryOption = Annotated[int, typer.Option("--delivery", help="The delivery's number.")]
PersonKeyOption = Annotated[str, typer.Option("--person-key", help="The resident's person_key.")]


@contextmanager
def _refusing() -> Iterator[None]:
    try:
        yield
    except REFUSALS as error:
        stderr.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error


def _status(as_json: bool) -> Callable[[str], None]:
    if as_json:
        return lambda _step: None
    return lambda step: stderr.print(f"[dim]{escape(step)}[/dim]")


def _report(report: LifecycleReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, sort_keys=True, default=str))
        return
    stderr.print(escape(report.message))
    after = report.aftermath
    for what, names in (
        ("older versions of the zones deleted", after.versions_deleted),
        ("analysis bases deleted", after.bases_deleted),
        ("case-finding lists deleted", after.lists_deleted),
    ):
        if names:
            stderr.print(f"{what}: {escape(', '.join(names))}")
    for path in after.lists_elsewhere:
        stderr.print(
            f"[yellow]a case-finding list made from the erased data lies outside the data "
            f"directory: delete it, and any copy sent on:[/yellow] {escape(path)}"
        )
    for output in after.outputs:
        stderr.print(
            f"made from data as it was: run {output['run_id']} ({output['kind']}, "
            f"{output['at']}): {escape(', '.join(output['files']) or 'figures only')}"
        )
    for name, value in report.details.items():
        if name not in ("feeds",):
            stderr.print(f"{name}: {escape(json.dumps(value, default=str))}")
    for feed, figures in report.details.get("feeds", {}).items():
        stderr.print(f"  {feed}: {figures}")


@records_app.command("erase")
def erase_command(
    feed: FeedOption,
    reason: ReasonOption,
    record_id: Annotated[
        list[str] | None,
        typer.Option("--record-id", help="A record's id as the partner sent it (repeat)."),
    ] = None,
    delivery: Annotated[
        int | None, typer.Option("--delivery", help="Erase this whole delivery instead.")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Erase data received in error, everywhere: both zones, linkage, older versions, analysis
    bases and case-finding lists. A tombstone without personal data is kept.

    Example: joinedup records erase --feed ae_attendances --record-id AE00000042 --reason "sent in error"
    """
    if (record_id is None) == (delivery is None):
        raise typer.BadParameter("give either --record-id (one or more) or --delivery N")
    with _refusing():
        if delivery is not None:
            report = erase.erase_delivery(
                resolve_home(home), feed, delivery, reason, _status(as_json)
            )
        else:
            report = erase.erase_records(
                resolve_home(home), feed, record_id or [], reason, _status(as_json)
            )
    _report(report, as_json)


@records_app.command("rectify")
def rectify_command(
    feed: FeedOption,
    record_id: Annotated[str, typer.Option("--record-id", help="The record's id.")],
    field: Annotated[
        str, typer.Option("--field", help=f"One of {', '.join(rectify.RECTIFIABLE)}.")
    ],
    value: Annotated[str, typer.Option("--value", help="The right value (a date as YYYY-MM-DD).")],
    reason: ReasonOption,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Correct one identity field of one record, checked by the feed's rules; linkage runs
    again and any change of person_key is reported.

    Example: joinedup records rectify --feed gp_patients --record-id P81001:000123 --field birth_date --value 1950-08-20 --reason "practice confirmed"
    """
    with _refusing():
        report = rectify.rectify(
            resolve_home(home), feed, record_id, field, value, reason, _status(as_json)
        )
    _report(report, as_json)


@records_app.command("allow-reload")
def allow_reload_command(
    feed: FeedOption,
    delivery: DeliveryOption,
    reason: ReasonOption,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Let the file of an erased delivery be loaded again (it is refused until then)."""
    with _refusing():
        report = erase.allow_reload(resolve_home(home), feed, delivery, reason)
    _report(report, as_json)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from error


@retention_app.command("run")
def retention_run_command(
    on: Annotated[
        str | None, typer.Option("--on", help="Run as on this day, YYYY-MM-DD (default today).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be purged; change nothing.")
    ] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Purge every record past its agreement's retention period, except under a legal hold.

    Example: joinedup retention run --dry-run
    """
    day = _date(on)
    with _refusing():
        report = retention.run(resolve_home(home), day, dry_run, _status(as_json))
    _report(report, as_json)


@retention_app.command("hold")
def hold_command(
    person_key: PersonKeyOption, reason: ReasonOption, home: HomeOption = None
) -> None:
    """Keep a resident's records whatever their age, until the hold is released."""
    _holding(holds.hold, person_key, reason, home)


@retention_app.command("release")
def release_command(
    person_key: PersonKeyOption, reason: ReasonOption, home: HomeOption = None
) -> None:
    """Release a legal hold: the next retention run may purge the resident's records."""
    _holding(holds.release, person_key, reason, home)


def _holding(
    change: Callable[[Path, str, str], str], person_key: str, reason: str, home: Path | None
) -> None:
    with _refusing():
        stderr.print(escape(change(resolve_home(home), person_key, reason)))


@retention_app.command("holds")
def holds_command(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """The legal holds in force."""
    active = [h for h in holds.all_holds(resolve_home(home)) if h.active]
    if as_json:
        typer.echo(json.dumps([asdict(h) for h in active], indent=2))
        return
    for h in active:
        stderr.print(f"{h.person_key}: since {h.set_at} by {escape(h.set_by)}: {escape(h.reason)}")
    if not active:
        stderr.print("no legal holds are in force")
