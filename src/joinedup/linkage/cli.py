"""``joinedup link`` and ``joinedup link-files``: residents linked across every partner's records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from joinedup.engines import EngineError
from joinedup.engines.cli import EngineOption
from joinedup.feeds.cli import HomeOption, JsonOption
from joinedup.feeds.store import StoreBusyError
from joinedup.home import ensure_home, resolve_home
from joinedup.linkage import evaluate as evaluation
from joinedup.linkage import explain as explaining
from joinedup.linkage import review
from joinedup.linkage.files import FilesThresholds, LinkFilesError, link_files, parse_map
from joinedup.linkage.published import NotLinkedError, connect_linked
from joinedup.linkage.run import LinkageError, LinkReport, Thresholds, link

stderr = Console(stderr=True)
stdout = Console()
link_app = typer.Typer(
    help="Link every record in the identity zone into residents with stable person_keys.",
    invoke_without_command=True,
)
LinkThreshold = Annotated[
    float, typer.Option("--link-threshold", help="Model pairs at or above this are linked.")
]
ReviewThreshold = Annotated[
    float,
    typer.Option(
        "--review-threshold", help="Model pairs from this up to the link threshold go to review."
    ),
]


def _fail(message: str) -> typer.Exit:
    stderr.print(f"[red]error:[/red] {message}")
    return typer.Exit(1)


@link_app.callback()
def link_command(
    context: typer.Context,
    retrain: Annotated[
        bool,
        typer.Option("--retrain", help="Train a new model version rather than reuse the latest."),
    ] = False,
    link_threshold: LinkThreshold = Thresholds.link,
    review_threshold: ReviewThreshold = Thresholds.review,
    engine: EngineOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Link the identity zone (then `link review`, `link decide`, `link explain` ...)."""
    if context.invoked_subcommand is not None:
        return
    hub = ensure_home(resolve_home(home))
    try:
        thresholds = Thresholds(link=link_threshold, review=review_threshold)
        with stderr.status("Linking") as status:
            report = link(
                hub,
                retrain,
                thresholds,
                progress=lambda step: status.update(step),
                engine=engine,
            )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    except (LinkageError, StoreBusyError, EngineError) as error:
        raise _fail(str(error)) from error
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    else:
        _print_report(report)


def _print_report(report: LinkReport) -> None:
    table = Table(
        title=f"Linkage run {report.run_id} on {report.engine} (model {report.model_version}"
        f"{', newly trained' if report.trained else ''})"
    )
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("records", report.records),
        ("distinct identities", report.identities),
        ("residents (person_keys)", report.persons),
        ("pairs scored", report.scored_pairs),
        ("linked by the model", report.model_links),
        ("waiting for review", f"{report.review_queue} ({report.review_share:.2%})"),
        ("reviewers' decisions applied", report.decisions_applied),
        (
            "new / merged / split keys",
            f"{report.new_keys} / {report.merged_keys} / {report.split_keys}",
        ),
        ("seconds", f"{sum(report.seconds.values()):.1f}"),
    ]
    for name, value in rows:
        table.add_row(name, f"{value:,}" if isinstance(value, int) else str(value))
    stdout.print(table)


@link_app.command("review")
def review_command(
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many pairs.")] = 20,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the pairs waiting for a reviewer, evidence side by side."""
    hub = resolve_home(home)
    try:
        pairs = review.queue(hub)
    except (review.ReviewError, NotLinkedError) as error:
        raise _fail(str(error)) from error
    flags = _practitioner_flags(hub)
    if as_json:
        listed = {"pairs": [p.__dict__ for p in pairs[:limit]], "practitioner_flags": flags}
        typer.echo(json.dumps(listed, indent=2, default=str))
        return
    _print_flags(flags)
    stdout.print(f"{len(pairs)} pair(s) waiting for review.")
    for pair in pairs[:limit]:
        table = Table(title=f"Pair {pair.pair_id}: match probability {pair.match_probability:.3f}")
        for column in ("identifier", "left", "right", "comparison (weight)"):
            table.add_column(column)
        levels = dict(pair.levels)
        for field in review.EVIDENCE_FIELDS:
            level = levels.get(field) or (
                levels.get("residence", "") if field == "postcode" else ""
            )
            table.add_row(field, _text(pair.left[field]), _text(pair.right[field]), level)
        stdout.print(table)
    if pairs:
        stdout.print("Decide with: joinedup link decide PAIR_ID same|different --reviewer NAME")


def _practitioner_flags(hub: Path) -> list[dict[str, object]]:
    """Open flags from practitioners, on a hub with a web app (none without one)."""
    from joinedup.web import has_web_database

    if not has_web_database(hub):
        return []
    from joinedup.feeds.agreements import RegisterUnavailableError
    from joinedup.web.linkflags.queue import hub_open_flags

    try:
        return hub_open_flags(hub)
    except RegisterUnavailableError as error:
        stderr.print(f"[yellow]Practitioners' flags not listed:[/yellow] {error}")
        return []


def _print_flags(flags: list[dict[str, object]]) -> None:
    if not flags:
        return
    table = Table(title=f"{len(flags)} flag(s) from practitioners, oldest first")
    for column in ("flag", "person_key", "what is wrong", "records", "details", "flagged"):
        table.add_column(column)
    for f in flags:
        records = f["records"]
        listed = "\n".join(str(r) for r in records) if isinstance(records, list) else ""
        table.add_row(
            *(_text(f[k]) for k in ("flag", "person_key", "kind")),
            listed,
            _text(f["details"]),
            _text(f["flagged_at"]),
        )
    stdout.print(table)
    stdout.print(
        "Check each with: joinedup link explain PERSON_KEY; the hub coordinator records the "
        "outcome under Linkage flags in the web app."
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@link_app.command("decide")
def decide_command(
    pair_id: Annotated[int, typer.Argument(help="The pair's number in `joinedup link review`.")],
    decision: Annotated[str, typer.Argument(help="same or different")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who decided.")],
    note: Annotated[str | None, typer.Option("--note", help="Why.")] = None,
    home: HomeOption = None,
) -> None:
    """Record a decision on a pair; it overrides the model from the next `joinedup link` on."""
    choice = {"same": "same_person", "different": "not_same_person"}.get(decision.lower())
    if choice is None:
        raise typer.BadParameter("decision must be 'same' or 'different'")
    try:
        review.decide(resolve_home(home), pair_id, choice, reviewer, note)
    except (review.ReviewError, NotLinkedError) as error:
        raise _fail(str(error)) from error
    stdout.print(
        f"Pair {pair_id}: recorded as {decision.lower()}; it applies from the next `joinedup link`."
    )


@link_app.command("explain")
def explain_command(
    person_key: Annotated[str, typer.Argument(help="A person_key, e.g. P000000123.")],
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart", help="Save Splink's waterfall chart of the model's links here (HTML)."
        ),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Which source records a person_key holds, and why."""
    hub = resolve_home(home)
    try:
        found = explaining.explain(hub, person_key)
        drawn = explaining.waterfall(hub, found, chart) if chart else 0
    except (explaining.ExplainError, NotLinkedError) as error:
        raise _fail(str(error)) from error
    if as_json:
        typer.echo(json.dumps(found.__dict__, indent=2, default=str))
        return
    records = Table(title=f"{person_key}: {len(found.records)} source record(s)")
    for column in ("feed", "record id", "date", "identity"):
        records.add_column(column)
    for r in found.records:
        records.add_row(r["feed"], r["record_id"], _text(r["event_date"]), r["node_id"][:10])
    stdout.print(records)
    identities = Table(title="Identities")
    identities.add_column("identity")
    for field in review.EVIDENCE_FIELDS:
        identities.add_column(field)
    for i in found.identities:
        identities.add_row(i["node_id"][:10], *(_text(i[f]) for f in review.EVIDENCE_FIELDS))
    stdout.print(identities)
    edges = Table(title="Why they are one person")
    for column in ("from", "to", "evidence"):
        edges.add_column(column)
    for e in found.edges:
        edges.add_row(e["node_id_l"][:10], e["node_id_r"][:10], e["evidence"])
    stdout.print(edges)
    if chart:
        stdout.print(
            f"Waterfall chart of {drawn} model link(s) saved to {chart}"
            if drawn
            else "No model links to chart."
        )


@link_app.command("history")
def history_command(
    person_key: Annotated[str | None, typer.Argument(help="Only this person_key.")] = None,
    home: HomeOption = None,
) -> None:
    """The key log: new keys, merges and splits, with their reasons."""
    try:
        connection = connect_linked(resolve_home(home))
    except NotLinkedError as error:
        raise _fail(str(error)) from error
    where = (
        "WHERE change <> 'new'" if person_key is None else "WHERE person_key = ? OR other_key = ?"
    )
    params = [] if person_key is None else [person_key, person_key]
    with connection:
        rows = connection.execute(
            f"SELECT run_id, change, person_key, other_key, nodes, reason FROM link_key_changes {where} ORDER BY run_id, person_key",
            params,
        ).fetchall()
    table = Table(title="Person key changes")
    for column in ("run", "change", "person_key", "other key", "identities", "reason"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(_text(v) for v in row))
    stdout.print(table)


@link_app.command("evaluate")
def evaluate_command(
    truth_dir: Annotated[Path, typer.Argument(help="The synthetic borough's truth/ folder.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Precision, recall and F1 of the published linkage against the synthetic ground truth."""
    try:
        figures = evaluation.evaluate(resolve_home(home), truth_dir)
    except (evaluation.EvaluationError, NotLinkedError) as error:
        raise _fail(str(error)) from error
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    pairwise, clusters = figures["pairwise"], figures["clusters"]
    stdout.print(
        f"Pairwise: precision {pairwise['precision']:.5f}, recall {pairwise['recall']:.5f}, "
        f"F1 {pairwise['f1']:.5f} over {figures['records_measured']:,} records"
    )
    stdout.print(
        f"Residents: {clusters['residents']:,}; person_keys {clusters['clusters']:,}; "
        f"whole {clusters['share_whole']:.2%}; split {clusters['residents_split']:,}; "
        f"keys merging residents {clusters['clusters_merging_residents']:,}"
    )
    table = Table(title="By pair of feeds")
    for column in ("feeds", "precision", "recall", "F1", "true pairs"):
        table.add_column(column, justify="right" if column != "feeds" else "left")
    for row in figures["feed_pairs"]:
        table.add_row(
            row["feeds"],
            f"{row['precision']:.4f}",
            f"{row['recall']:.4f}",
            f"{row['f1']:.4f}",
            f"{row['true_pairs']:,}",
        )
    stdout.print(table)


def link_files_command(
    files: Annotated[
        list[Path], typer.Argument(help="One CSV file to de-duplicate, or two to link.")
    ],
    mapping: Annotated[
        list[str], typer.Option("--map", help="COLUMN=ROLE, e.g. dob=date_of_birth (repeat).")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for pairs.csv, clusters.csv and the model.")
    ],
    link_threshold: LinkThreshold = FilesThresholds.link,
    review_threshold: ReviewThreshold = FilesThresholds.review,
    one_to_one: Annotated[
        bool,
        typer.Option(
            "--one-to-one",
            help="Each file lists a person at most once: link each record to at most one in the "
            "other file, judging each pair against the other candidates of both its records.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Link or de-duplicate any one or two CSV files with the hub's linkage machinery."""
    try:
        roles = parse_map(mapping)
        with stderr.status("Linking files") as status:
            report = link_files(
                files,
                roles,
                out,
                FilesThresholds(link_threshold, review_threshold),
                progress=lambda step: status.update(step),
                one_to_one=one_to_one,
            )
    except LinkFilesError as error:
        raise _fail(str(error)) from error
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    stdout.print(
        f"{' + '.join(f'{n:,}' for n in report.records)} records: {report.pairs_linked:,} pairs linked, "
        f"{report.pairs_to_review:,} to review, {report.clusters:,} clusters; written to {report.out} "
        f"in {report.seconds:.1f} s"
    )
    if report.estimated_people_in_both is not None:
        stdout.print(f"Estimated people in both files: {report.estimated_people_in_both:,.0f}")
