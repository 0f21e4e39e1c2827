"""Rectification (GDPR-03): one identity field of one record corrected, and what depends on it.

The new value is checked by the feed's own contract rules, as the loader would check it (a date
of birth given as YYYY-MM-DD). The identity record is corrected, with the analytic zone's coarse
attributes made from that field (birth month and age at the event, sex, the LSOA of a postcode),
in a new version published in one step with a tombstone naming the field and the keyed record,
never the values. Linkage then runs again, so person_keys are re-evaluated: a key stays unless a
merge or a split follows, and the report names any change. Older versions and analysis bases go
(they hold the wrong value); outputs made from them are listed.

Example::

    rectify(home, "gp_patients", "P81001:000123", "birth_date", "1950-08-20", "practice letter")
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from joinedup.feeds import schema, store
from joinedup.feeds.contract import ROLES, Column, Contract
from joinedup.feeds.rules import compile_rules, quote
from joinedup.feeds.secret import load_key
from joinedup.lifecycle import tombstones
from joinedup.lifecycle.common import LifecycleRefusedError, Progress, check_reason
from joinedup.lifecycle.erase import LifecycleReport, feed_contract, finish, read_published
from joinedup.lifecycle.purge import table_exists
from joinedup.lifecycle.tombstones import Tombstone
from joinedup.linkage.run import link

# The identity fields of a record (the contract roles other than the event date).
RECTIFIABLE = tuple(role for role in ROLES if role != "event_date")
ISO_DATE = "%Y-%m-%d"
FLAG_PROBLEMS = {
    "nhs_number": "it fails the NHS number check (ten digits, modulus 11)",
    "postcode": "it is not a postcode (such as PR7 1DP)",
}


def check_value(
    contract: Contract, field: str, value: str, event: dt.date | None
) -> tuple[object, bool | None]:
    """The value typed by the feed's contract rules (and whether it is a valid NHS number or
    postcode), or a refusal naming the field and the rule it breaks."""
    column = contract.by_role(field)
    if column is None:
        raise LifecycleRefusedError(f"feed {contract.name} holds no {field}: nothing to rectify")
    dated = column.type in ("date", "datetime")
    offered = replace(
        column, name=field, required=True, format=ISO_DATE if dated else column.format
    )
    columns: tuple[Column, ...] = (offered,)
    if contract.event_date:
        columns += (Column("event", "date", "content", format=ISO_DATE, role="event_date"),)
    probe = replace(contract, columns=columns, event_date="event" if contract.event_date else None)
    compiled = compile_rules(probe, "offered")
    with duckdb.connect(":memory:") as connection:
        connection.execute(
            f"CREATE TABLE offered AS SELECT 1::BIGINT AS __line, ?::VARCHAR AS {quote(field)}, "
            "?::VARCHAR AS event",
            [value, event.isoformat() if event else None],
        )
        problems, typed, nhs_valid, postcode_valid = connection.execute(
            f"SELECT problems, {compiled.value_names[field]}, nhs_number_valid, postcode_valid "
            f"FROM ({compiled.sql})"
        ).fetchall()[0]
    if problems:
        reasons = ", ".join(p.split("|")[1] for p in problems)
        hint = " (give a date as YYYY-MM-DD)" if dated else ""
        raise LifecycleRefusedError(
            f"the value given for {field} breaks the rules of feed {contract.name}: {reasons}{hint}"
        )
    valid = {"nhs_number": nhs_valid, "postcode": postcode_valid}.get(field)
    if valid is False:
        raise LifecycleRefusedError(
            f"the value given for {field} is refused: {FLAG_PROBLEMS[field]}"
        )
    return typed, valid


def rectify(
    home: Path,
    feed: str,
    record_id: str,
    field: str,
    value: str,
    reason: str,
    progress: Progress = lambda _step: None,
) -> LifecycleReport:
    """Correct ``field`` of record ``record_id`` of ``feed`` to ``value``, then re-link."""
    contract = feed_contract(feed)
    if field not in RECTIFIABLE:
        raise LifecycleRefusedError(
            f"--field must be one of {', '.join(RECTIFIABLE)}, not {field!r}"
        )
    if contract.by_role(field) is None:
        raise LifecycleRefusedError(f"feed {contract.name} holds no {field}: nothing to rectify")
    why = check_reason(reason, [record_id.strip(), value.strip()])
    with store.writer_lock(home):
        finish(home)
        record = _record(home, contract, record_id.strip(), field)
        typed, valid = check_value(contract, field, value.strip(), record["event_date"])
        if record["value"] == typed:
            return LifecycleReport(
                "nothing_to_do", f"the record already holds that {field}; nothing changed"
            )
        progress("Correcting the record")
        _publish_correction(home, contract, field, typed, valid, record, why)
    details: dict[str, Any] = {"field": field, "person_key_before": record["person_key"]}
    try:
        details |= _relink(home, record, progress)
    finally:
        with store.writer_lock(home):
            made, aftermath = finish(home)
    return LifecycleReport("done", f"{field} corrected", made, aftermath, details)


def _record(home: Path, contract: Contract, record_id: str, field: str) -> dict[str, Any]:
    with read_published(home) as connection:
        keyed = table_exists(connection, "analytic", "person_keys")
        person = (
            "(SELECT person_key FROM analytic.person_keys AS k "
            "WHERE k.feed = r.feed AND k.record_key = r.record_key)"
            if keyed
            else "NULL"
        )
        rows = connection.execute(
            f"SELECT r.record_key, r.{quote(field)}, r.event_date, "
            f"coalesce(r.event_date, CAST(d.loaded_at AS DATE)), r.delivery_id, d.loaded_at, {person} "
            "FROM identity.identity_records AS r JOIN identity.deliveries AS d USING (delivery_id) "
            "WHERE r.feed = ? AND r.record_id = ?",
            [contract.name, record_id],
        ).fetchall()
    if not rows:
        raise LifecycleRefusedError(
            f"feed {contract.name} has no loaded record with the record id given (a quarantined "
            "row is corrected by resubmitting it): check the id as the partner sent it"
        )
    names = ("record_key", "value", "event_date", "age_basis", "delivery", "loaded_at")
    return {
        **dict(zip(names, rows[0][:6], strict=True)),
        "id": record_id,
        "feed": contract.name,
        "person_key": rows[0][6],
    }


def _publish_correction(
    home: Path,
    contract: Contract,
    field: str,
    typed: object,
    valid: bool | None,
    record: dict[str, Any],
    reason: str,
) -> None:
    key = load_key(home, stores_exist=True)
    with store.drafting(home) as version:
        with store.connect_zones(version) as connection:
            _correct(connection, contract, field, typed, valid, record)
            tombstones.write(
                connection,
                Tombstone(
                    "rectify",
                    contract.name,
                    version.folder.name,
                    reason,
                    [int(record["delivery"])],
                    records=1,
                    record_hashes=tombstones.record_hashes(key, contract.name, [record["id"]]),
                    field=field,
                    data_since=record["loaded_at"],
                ),
            )
            connection.execute("CHECKPOINT identity")
            connection.execute("CHECKPOINT analytic")
        store.compact(version)


def _correct(
    connection: duckdb.DuckDBPyConnection,
    contract: Contract,
    field: str,
    typed: object,
    valid: bool | None,
    record: dict[str, Any],
) -> None:
    """The identity record, and the coarse attributes the analytic zone made from the field."""
    lsoa = "(SELECT lsoa21 FROM identity.postcodes WHERE postcode = ?)"
    sets, values = [f"{quote(field)} = ?"], [typed]
    if field in FLAG_PROBLEMS:
        sets.append(f"{field}_valid = ?")
        values.append(valid)
    if field == "postcode":
        sets.append(f"lsoa21 = {lsoa}")
        values.append(typed)
    connection.execute(
        f"UPDATE identity.identity_records SET {', '.join(sets)} WHERE feed = ? AND record_key = ?",
        [*values, contract.name, record["record_key"]],
    )
    derived = {
        "birth_date": (
            "birth_month = strftime(?::DATE, '%Y-%m'), age_at_event = date_sub('year', ?::DATE, ?::DATE)",
            [typed, typed, record["age_basis"]],
        ),
        "sex": ("sex = ?", [typed]),
        "postcode": (f"lsoa21 = {lsoa}", [typed]),
    }
    if field in derived:
        assignments, parameters = derived[field]
        connection.execute(
            f"UPDATE {schema.analytic_table(contract)} SET {assignments} WHERE record_key = ?",
            [*parameters, record["record_key"]],
        )


def _relink(home: Path, record: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Linkage run again on the corrected zones; the record's person_key after, and changes."""
    with read_published(home) as connection:
        linked = table_exists(connection, "identity", "link_runs")
    if not linked:
        return {"linkage": "linkage has not run on this hub: nothing to re-evaluate"}
    progress("Linking again")
    report = link(home, progress=progress)
    with read_published(home) as connection:
        after = connection.execute(
            "SELECT person_key FROM analytic.person_keys WHERE feed = ? AND record_key = ?",
            [record["feed"], record["record_key"]],
        ).fetchall()
        changes = connection.execute(
            "SELECT change, person_key, other_key, reason FROM identity.link_key_changes "
            "WHERE run_id = ? AND ? IN (person_key, other_key)",
            [report.run_id, record["person_key"]],
        ).fetchall()
    return {
        "linkage": {
            "run_id": report.run_id,
            "merged_keys": report.merged_keys,
            "split_keys": report.split_keys,
            "new_keys": report.new_keys,
        },
        "person_key_after": after[0][0] if after else None,
        "key_changes": [
            dict(zip(("change", "person_key", "other_key", "reason"), c, strict=True))
            for c in changes
        ],
    }
