"""The web app's commands: ``joinedup serve``, ``users``, ``agreements`` and ``audit``.

Each command configures Django for the data directory (--home, else $JOINEDUP_HOME, else ./var)
before it touches the database; DJANGO_SETTINGS_MODULE selects production settings instead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from joinedup.home import HOME_ENVIRONMENT_VARIABLE, ensure_home, resolve_home

stderr = Console(stderr=True)
HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $JOINEDUP_HOME, else ./var)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable report.")]

users_app = typer.Typer(help="People who sign in to the web app.", no_args_is_help=True)
agreements_app = typer.Typer(help="The register of data sharing agreements.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
programme_app = typer.Typer(
    help="The work programme, its funding and its risk register.", no_args_is_help=True
)


def open_hub(home: Path | None) -> Path:
    """Point Django at this hub's data directory, set it up and bring the database up to date.

    With settings that keep the database elsewhere (production), the data directory remembers
    which (``web/settings_module``): the feed loader run without them is then refused, instead
    of obeying the TOML register while the IG lead edits the database's.
    """
    hub = ensure_home(resolve_home(home))
    os.environ[HOME_ENVIRONMENT_VARIABLE] = str(hub)
    from django.core.management import call_command

    from joinedup.web import SETTINGS_MARKER, database_elsewhere, settings_module, setup_django

    setup_django()
    call_command("migrate", interactive=False, verbosity=0)
    module = settings_module()
    marker = hub / SETTINGS_MARKER
    if database_elsewhere(module) and not marker.exists():
        ensure_home(marker.parent)
        marker.write_text(module + "\n", encoding="utf-8")
    return hub


def serve(
    home: HomeOption = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback unless told).")
    ] = "127.0.0.1",
    threads: Annotated[int, typer.Option("--threads", help="Worker threads.")] = 8,
) -> None:
    """Run the web app with waitress, after bringing its database up to date.

    The first time, the register of agreements is filled from the packaged seed register.
    Example: joinedup serve --home /srv/hub --port 8080
    """
    open_hub(home)
    run_server(host, port, threads)


def run_server(host: str, port: int, threads: int) -> None:
    """Serve the hub that ``open_hub`` set up; fill the register from the hub's TOML register
    (else the seed) if it is empty."""
    import waitress

    from joinedup.web.governance.register import fill_if_empty
    from joinedup.web.wsgi import application

    report = fill_if_empty(resolve_home(), actor="joinedup serve (first run)")
    if report is not None:
        stderr.print(
            f"Register of agreements filled from the hub's TOML register (or the seed): "
            f"{len(report.created)} agreements"
        )
    stderr.print(f"JoinedUp is at http://{host}:{port}/ (Ctrl+C stops it)")
    waitress.serve(application, host=host, port=port, threads=threads, ident="JoinedUp")


def seed_demo_web(hub: Path, reset_passwords: bool, print_passwords: bool) -> dict[str, object]:
    """Seed the demo partnership into the hub's web database and print new passwords, once.

    Passwords go to standard output only (not stderr, not a log, not the audit): whoever ran
    the demo copies them now, and a second run prints none unless told to reset them.
    """
    open_hub(hub)
    from joinedup.web.cohorts.seed import seed_cohort_runs
    from joinedup.web.demo import DEMO_TEAM, DEMO_USERS, seed_caseload, seed_demo, seed_programme

    report = seed_demo(reset_passwords=reset_passwords)
    seed_caseload(hub, report)
    seed_programme(report, hub)
    cohort_runs = seed_cohort_runs(hub)
    summary: dict[str, object] = {
        "organisations_created": report.organisations_created,
        "users_created": report.users_created,
        "passwords_reset": report.passwords_reset,
        "cases_opened": report.cases_opened,
        "programme_seeded": report.programme_seeded,
        "measures_read": report.measures_read,
        "cohort_runs": len(cohort_runs),
    }
    if not print_passwords:
        return {**summary, "new_passwords": report.new_passwords}
    if report.cases_opened:
        stderr.print(f"Opened {len(report.cases_opened)} demo cases for high-need residents")
    for demo_user in (*DEMO_USERS, *DEMO_TEAM):
        password = report.new_passwords.get(demo_user.email)
        if password is not None:
            typer.echo(f"{demo_user.role.label:<30} {demo_user.email:<34} password {password}")
    if not report.new_passwords:
        stderr.print(
            "Demo users exist already; their passwords are unchanged "
            "(joinedup demo --reset-passwords makes new ones)."
        )
    return summary


@users_app.command("add")
def add_user(
    email: str,
    organisation: Annotated[
        str, typer.Option("--organisation", help="Partner organisation (created if new).")
    ],
    role: Annotated[list[str], typer.Option("--role", help="A role; repeat for several.")],
    full_name: Annotated[str, typer.Option("--name", help="The person's name.")] = "",
    home: HomeOption = None,
) -> None:
    """Add a user and print a one-time password, once: they should change it.

    Example: joinedup users add ig@example.org --organisation "Chorley Council" --role ig_lead
    """
    open_hub(home)
    from django.db import transaction

    from joinedup.web.accounts.models import Organisation, User
    from joinedup.web.accounts.policy import Role
    from joinedup.web.audit.chain import record

    try:
        roles = tuple(Role(r) for r in role)
    except ValueError as error:
        raise typer.BadParameter(f"roles are: {', '.join(r.value for r in Role)}") from error
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        org, _ = Organisation.objects.get_or_create(name=organisation)
        user = User.objects.create_user(
            email, password, organisation=org, full_name=full_name, roles=roles
        )
        record(
            "user.created",
            actor="joinedup users add",
            object_type="user",
            object_id=str(user.pk),
            detail={"roles": sorted(roles)},
        )
    typer.echo(f"{user.email}: one-time password {password}")


@agreements_app.command("import")
def import_agreements(
    register: Annotated[
        Path | None,
        typer.Option("--file", help="A register in the seed's TOML form (default: the seed)."),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create or update the database register from the TOML seed register (idempotent)."""
    open_hub(home)
    from joinedup.web.governance.importer import import_register

    report = import_register(register)
    summary = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        stderr.print(", ".join(f"{len(v)} {k}" for k, v in summary.items()))


@programme_app.command("import")
def import_programme_command(
    programme_file: Annotated[
        Path | None,
        typer.Argument(help="A work programme in TOML (default: the seed programme)."),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create or update the work programme, grants and risks from a TOML file (idempotent)."""
    open_hub(home)
    from joinedup.web.programme.importer import ProgrammeFileError, import_programme

    try:
        report = import_programme(programme_file)
    except (ProgrammeFileError, OSError) as error:
        stderr.print(f"[red]Not imported:[/red] {error}")
        raise typer.Exit(1) from None
    summary = report.as_dict()
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        stderr.print(", ".join(f"{v} {k}" for k, v in summary.items() if k != "created"))


@agreements_app.command("reviews-due")
def agreements_reviews_due(
    within: Annotated[int, typer.Option("--within", help="Days ahead to look.")] = 30,
    on: Annotated[str | None, typer.Option("--on", help="As if today were YYYY-MM-DD.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """List active agreements whose review date (or end date) falls within --within days, or has passed."""
    open_hub(home)
    from joinedup.web.governance.reviews import reviews_due

    today = dt.date.fromisoformat(on) if on else dt.date.today()
    due = [
        {
            "reference": a.id,
            "title": a.title,
            "review": a.review.isoformat(),
            "end": a.end.isoformat(),
            "overdue": a.review < today,
        }
        for a in reviews_due(today, within)
    ]
    if as_json:
        typer.echo(json.dumps(due, indent=2))
        return
    for a in due:
        typer.echo(
            f"{a['reference']}  review {'was due' if a['overdue'] else 'due'} {a['review']}  {a['title']}"
        )
    if not due:
        stderr.print(f"No agreement is due for review within {within} days.")


@audit_app.command("verify")
def audit_verify(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Walk the audit chain; exit 1 at the first broken link (an edited, deleted or moved event)."""
    open_hub(home)
    from joinedup.web.audit.chain import verify

    verdict = verify()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "intact": verdict.intact,
                    "checked": verdict.checked,
                    "broken_at": verdict.broken_at,
                    "reason": verdict.reason,
                }
            )
        )
    elif verdict.intact:
        stderr.print(f"Audit chain intact: {verdict.checked} events verified.")
    else:
        stderr.print(
            f"[red]Audit chain broken at event {verdict.broken_at}: {verdict.reason}[/red]"
        )
    if not verdict.intact:
        raise typer.Exit(1)
