"""The retention job (GDPR-05): ``joinedup retention run [--on DATE] [--dry-run]``.

Each feed's records are kept as long as its data sharing agreement says: ``retention_months``
after the record's event date (its delivery's load date when it has none), or, for an agreement
that names no period, until the agreement ends plus ``RETAIN_AFTER_END_MONTHS``. A record is
kept through its last day (event + period) and purged on any later run; quarantined rows are
judged by their delivery's load date. Records linked to a resident under a legal hold are kept
(and so are those of keys a held key merged into or split into). Purging goes through the same
erasure as ``joinedup records erase``, one tombstone per feed; a run with nothing to purge
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from joinedup.feeds import store
from joinedup.feeds.agreements import RETAIN_AFTER_END_MONTHS, load_register
from joinedup.feeds.contract import contract_named
from joinedup.lifecycle import holds, purge
from joinedup.lifecycle.common import LifecycleRefusedError, Progress
from joinedup.lifecycle.erase import LifecycleReport, carry_out, finish, read_published


@dataclass(frozen=True)
class Rule:
    feed: str
    months: int | None
    ends: dt.date | None
    says: str


def rules(home: Path, feeds: list[str]) -> tuple[list[Rule], dict[str, str]]:
    """Each feed's retention rule from the register, and the feeds left alone (and why)."""
    register = load_register(home)
    found, left_out = [], {}
    for feed in feeds:
        agreement = register.get(contract_named(feed).agreement)
        if agreement is None:
            left_out[feed] = "its agreement is not in the register: kept until it is"
        elif agreement.retention_months is not None:
            months = agreement.retention_months
            found.append(
                Rule(
                    feed, months, None, f"kept {months} months after the event under {agreement.id}"
                )
            )
        else:
            says = (
                f"{agreement.id} names no retention period: kept until it ends "
                f"({agreement.end}) and {RETAIN_AFTER_END_MONTHS} months more"
            )
            found.append(Rule(feed, None, agreement.end, says))
    return found, left_out


def _expiry(basis: str) -> str:
    """SQL for a record's last day: its basis date plus the period, or the agreement's end plus
    the default (month arithmetic: 31 January plus one month is 28 or 29 February)."""
    return (
        f"CAST(CASE WHEN t.months IS NOT NULL THEN {basis} + to_months(t.months) "
        f"ELSE t.ends + to_months({RETAIN_AFTER_END_MONTHS}) END AS DATE)"
    )


def selection(
    rules_: list[Rule], held: list[str], on: dt.date, keep_held: bool = True
) -> purge.Selection:
    """What a run on ``on`` purges (with ``keep_held`` false: also what the holds keep)."""
    setup = (
        (
            "CREATE OR REPLACE TEMP TABLE _retention AS SELECT unnest(?::VARCHAR[]) AS feed, "
            "unnest(?::INTEGER[]) AS months, unnest(?::DATE[]) AS ends",
            [[r.feed for r in rules_], [r.months for r in rules_], [r.ends for r in rules_]],
        ),
        _held_records(held if keep_held else []),
    )
    basis = "coalesce(r.event_date, CAST(d.loaded_at AS DATE))"
    records = (
        "SELECT r.feed, r.record_key FROM identity.identity_records AS r "
        "JOIN _retention AS t ON t.feed = r.feed JOIN identity.deliveries AS d ON d.delivery_id = r.delivery_id "
        f"WHERE {_expiry(basis)} < ? AND NOT EXISTS (SELECT 1 FROM _held AS h "
        "WHERE h.feed = r.feed AND h.record_key = r.record_key)"
    )
    quarantine = (
        "SELECT q.rowid FROM identity.quarantine AS q JOIN _retention AS t ON t.feed = q.feed "
        "JOIN identity.deliveries AS d ON d.delivery_id = q.delivery_id "
        f"WHERE {_expiry('CAST(d.loaded_at AS DATE)')} < ?"
    )
    return purge.Selection((records, [on]), (quarantine, [on]), setup)


def run(
    home: Path,
    on: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress = lambda _step: None,
) -> LifecycleReport:
    """Purge what has passed its retention period on ``on`` (default today)."""
    day = on or dt.date.today()
    with store.writer_lock(home):
        finish(home)
        with read_published(home) as connection:
            feeds = [
                f
                for (f,) in connection.execute(
                    "SELECT DISTINCT feed FROM identity.deliveries ORDER BY feed"
                ).fetchall()
            ]
            found, left_out = rules(home, feeds)
            held = holds.active_keys(home)
            _refuse_unlinked_holds(connection, held)
            plan = _plan(connection, found, held, day)
        details: dict[str, Any] = {
            "on": day.isoformat(),
            "dry_run": dry_run,
            "feeds": plan,
            "left_out": left_out,
        }
        purged = sum(f["records"] + f["quarantined_rows"] for f in plan.values())
        if dry_run or not purged:
            verb = "would purge" if dry_run else "purged"
            message = (
                f"{verb} {_counts(plan)} on {day}"
                if purged
                else f"nothing has passed its retention period on {day}; nothing changed"
            )
            return LifecycleReport(
                "dry_run" if dry_run else "nothing_to_do", message, details=details
            )
        says = {r.feed: r.says for r in found}
        carry_out(
            home,
            "retention",
            selection(found, held, day),
            lambda feed: f"retention run of {day}: {says[feed]}",
            progress,
        )
        made, aftermath = finish(home)
    return LifecycleReport("done", f"purged {_counts(plan)} on {day}", made, aftermath, details)


def _held_records(held: list[str]) -> purge.Query:
    """The records of held residents, and of every key a held key became through a merge or a
    split (``_refuse_unlinked_holds`` has made sure linkage ran if any are held)."""
    if not held:
        return (
            "CREATE OR REPLACE TEMP TABLE _held AS "
            "SELECT NULL::VARCHAR AS feed, NULL::VARCHAR AS record_key WHERE false",
            [],
        )
    return (
        "CREATE OR REPLACE TEMP TABLE _held AS WITH RECURSIVE held(person_key) AS ("
        "SELECT unnest(?::VARCHAR[]) UNION SELECT c.other_key FROM identity.link_key_changes AS c "
        "JOIN held AS h ON c.person_key = h.person_key WHERE c.other_key IS NOT NULL) "
        "SELECT p.feed, p.record_key FROM identity.link_record_persons AS p JOIN held USING (person_key)",
        [held],
    )


def _plan(
    connection: duckdb.DuckDBPyConnection, found: list[Rule], held: list[str], day: dt.date
) -> dict[str, dict[str, Any]]:
    """Per feed: what a run would purge, and what the holds keep of what has expired."""
    everything = {
        r.feed: r.records
        for r in purge.select(connection, selection(found, held, day, keep_held=False))
    }
    plan = {}
    for removed in purge.select(connection, selection(found, held, day)):
        plan[removed.feed] = {
            "records": removed.records,
            "quarantined_rows": removed.quarantined_rows,
            "held": everything.get(removed.feed, 0) - removed.records,
        }
    for feed, count in everything.items():
        plan.setdefault(feed, {"records": 0, "quarantined_rows": 0, "held": count})
    return plan


def _refuse_unlinked_holds(connection: duckdb.DuckDBPyConnection, held: list[str]) -> None:
    """A hold covers the records linked to the resident: with holds set, every record must have
    been through linkage, or a held resident's newest records could be purged."""
    if not held:
        return
    if not purge.table_exists(connection, "identity", "link_record_persons"):
        raise LifecycleRefusedError(
            "legal holds are set but linkage has not run: run `joinedup link` first"
        )
    # Records linkage would place (they carry identifiers or a partner's person id) but has not.
    unlinked = connection.execute(
        "SELECT count(*) FROM identity.identity_records AS r WHERE NOT EXISTS (SELECT 1 FROM "
        "identity.link_record_persons AS p WHERE p.feed = r.feed AND p.record_key = r.record_key) "
        "AND coalesce(r.person_source_key, r.given_name, r.family_name, r.full_name, "
        "CAST(r.birth_date AS VARCHAR), r.nhs_number) IS NOT NULL"
    ).fetchall()[0][0]
    if unlinked:
        raise LifecycleRefusedError(
            f"{unlinked:,} records were loaded after the last linkage run, and legal holds cover "
            "the records linked to a resident: run `joinedup link` first, then the retention job"
        )


def _counts(plan: dict[str, dict[str, Any]]) -> str:
    records = sum(f["records"] for f in plan.values())
    rows = sum(f["quarantined_rows"] for f in plan.values())
    return f"{records:,} record(s) and {rows:,} quarantined row(s)"
