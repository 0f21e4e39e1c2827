"""``joinedup minutes ...``: propose the structure of a meeting's minutes for an officer to check;
``joinedup programme remind``: email action owners before their body's next meeting.

Nothing is saved by ``minutes parse``: it prints what JoinedUp read, and what it was unsure of,
so the officer can confirm or correct it. A document that is not minutes is refused with one
sentence on standard error and exit status 1.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from joinedup.programme.minutes import MinutesProposal, NotMinutesError, Person, parse_minutes
from joinedup.web.cli import HomeOption, JsonOption, open_hub, programme_app

minutes_app = typer.Typer(
    help="Import minutes as councils publish them (plain text or HTML): propose their structure.",
    no_args_is_help=True,
)
stderr = Console(stderr=True)


def _person(person: Person) -> str:
    described = ", ".join(part for part in (person.role, person.organisation) if part)
    chair = " [chair]" if person.chair else ""
    return f"{person.name}{f' ({described})' if described else ''}{chair}"


def _print(proposal: MinutesProposal) -> None:
    echo = typer.echo
    echo(f"Meeting:      {proposal.meeting or '(not found)'}")
    echo(f"Date:         {proposal.date.isoformat() if proposal.date else '(not found)'}")
    for label, people in (
        ("Present", proposal.attendees),
        ("Apologies", proposal.apologies),
        ("Observers", proposal.observers),
    ):
        echo(f"{label} ({len(people)}):")
        for person in people:
            echo(f"  - {_person(person)}")
    echo(f"Items ({len(proposal.items)}):")
    for item in proposal.items:
        number = f"{item.number}. " if item.number else ""
        echo(f"  {number}{item.title or '(before the first numbered item)'}")
        for decision in item.decisions:
            echo(f"      decision: {decision}")
        for action in item.actions:
            owner = action.owner or "(no owner)"
            if action.owner_person and action.owner_person != action.owner:
                owner = f"{owner} = {action.owner_person}"
            due = f", due {action.due}" if action.due else ""
            echo(f"      ACTION [{owner}{due}] {action.wording}")
            for update in action.updates:
                echo(f"        update: {update}")
    next_meeting = proposal.next_meeting.isoformat() if proposal.next_meeting else "(not found)"
    later = ", ".join(d.isoformat() for d in proposal.later_meetings)
    echo(f"Next meeting: {next_meeting}{f' (then {later})' if later else ''}")
    if proposal.warnings:
        echo(f"Check ({len(proposal.warnings)}):")
        for warning in proposal.warnings:
            echo(f"  ! {warning}")


@minutes_app.command("parse")
def parse_command(
    file: Annotated[Path, typer.Argument(help="The minutes: a text or HTML file.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the proposal as JSON on standard output.")
    ] = False,
) -> None:
    """Propose the structure of FILE's minutes: meeting, date, attendance, items, actions.

    Nothing is saved. Check the proposal, above all the lines under "Check", before you confirm.

    Example: joinedup minutes parse exec-2016-07-19.html --json
    """
    try:
        raw = file.read_bytes()
    except OSError as error:
        stderr.print(
            f"[red]Could not read {escape(str(file))}: {error.strerror}[/red]", soft_wrap=True
        )
        raise typer.Exit(1) from error
    text = raw.decode("utf-8", errors="replace")
    try:
        proposal = parse_minutes(text)
    except NotMinutesError as error:
        stderr.print(f"[red]{escape(str(file))}: {escape(str(error))}[/red]", soft_wrap=True)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(json.dumps(proposal.as_dict(), indent=2, ensure_ascii=False))
    else:
        _print(proposal)


@programme_app.command("remind")
def remind_command(
    days: Annotated[
        int, typer.Option("--days", min=0, help="Remind before meetings this many days ahead.")
    ] = 7,
    on: Annotated[str | None, typer.Option("--on", help="As if today were YYYY-MM-DD.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Email each owner of open actions before their body's next meeting (within --days days).

    Each owner gets one email a day at most, listing their actions and the meeting's date.
    Owners with no JoinedUp account under their name are listed, to chase by hand.

    Example: joinedup programme remind --days 7 --home /srv/hub
    """
    open_hub(home)
    from joinedup.web.programme.reminders import remind_before_meetings

    try:
        today = dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError as error:
        raise typer.BadParameter("--on takes a date as YYYY-MM-DD") from error
    reports = remind_before_meetings(today, days, actor="joinedup programme remind")
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False))
        return
    if not reports:
        typer.echo(f"No meetings in the next {days} days.")
    for report in reports:
        meeting = report.meeting
        typer.echo(f"{meeting.body.name}, {meeting.date:%-d %B %Y}:")
        for label, rows in (
            ("emailed", report.sent),
            ("already reminded today", report.already_sent),
            ("to chase by hand", report.to_chase),
        ):
            for row in rows:
                count = len(row.actions)
                typer.echo(f"  {label}: {row.owner} ({count} open action{'s' * (count != 1)})")


@programme_app.command("check-measures")
def check_measures_command(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Read every measure and escalate what needs it to the Executive's next meeting.

    A measure that has crossed its threshold, and a risk scoring the escalation score or more
    or past its review date, go on the agenda of the Executive's next meeting, once each (held
    until one is scheduled). Counts of people are printed after disclosure control, as the web
    app shows them.

    Example: joinedup programme check-measures --json
    """
    hub = open_hub(home)
    from joinedup.web.programme.measures import check_measures, shown

    report = check_measures(home=hub)
    if as_json:
        summary = report.as_dict()
        summary["readings"] = {r.measure.name: shown(r.measure, r.value) for r in report.read}
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    for reading in report.read:
        past = "  PAST THRESHOLD" if reading.crossed else ""
        typer.echo(f"{reading.measure.name}: {shown(reading.measure, reading.value)}{past}")
    for measure, why in report.unreadable:
        stderr.print(f"[yellow]{escape(measure.name)} could not be read: {escape(why)}[/yellow]")
    typer.echo(report.summary())
