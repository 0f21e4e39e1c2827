"""Settling a validated delivery: duplicates resolved, keys made, and both zones written."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from joinedup.engines import sql_string
from joinedup.feeds import schema
from joinedup.feeds.contract import Contract
from joinedup.feeds.delivery import Delivery
from joinedup.feeds.reader import FileRefusedError
from joinedup.feeds.report import LoadReport
from joinedup.feeds.rules import compile_rules, quote
from joinedup.feeds.secret import key_sql


class Settlement:
    """The writing half of a load, on a connection to both zones of a new version."""

    connection: duckdb.DuckDBPyConnection

    def scalar(self, sql: str, *parameters: object) -> object:
        rows = self.connection.execute(sql, list(parameters)).fetchall()
        return rows[0][0] if rows else None

    def count(self, sql: str, *parameters: object) -> int:
        value = self.scalar(sql, *parameters)
        return int(value) if isinstance(value, int) else 0

    def _has_staging(self) -> bool:
        return bool(
            self.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = '_staging'")
        )

    def _settle(self, contract: Contract, delivery_id: int, report: LoadReport) -> str:
        """Duplicates, keys and supersession, then both zones written; returns the agreement id."""
        names = compile_rules(contract, "batch").value_names
        if self._has_staging():
            self._resolve_duplicates(contract, names, delivery_id, report)
            self._key_and_write(contract, names, delivery_id, report)
            self.connection.execute("DROP TABLE _staging")
        counts = self.connection.execute(
            "SELECT reason, count(*) FROM quarantine WHERE delivery_id = ? GROUP BY reason ORDER BY reason",
            [delivery_id],
        ).fetchall()
        report.by_reason = {str(reason): int(n) for reason, n in counts}
        report.quarantined = sum(report.by_reason.values())
        report.loaded = report.new + report.superseded + report.unchanged
        if report.read == 0:
            raise FileRefusedError(
                "empty_delivery",
                "the file has a header but no rows: an empty delivery is not a successful one",
            )
        return contract.agreement

    def _resolve_duplicates(
        self, contract: Contract, names: dict[str, str], delivery_id: int, report: LoadReport
    ) -> None:
        record = joined_id(contract.record_id, "s", names)
        self.connection.execute(
            f"CREATE OR REPLACE TEMP TABLE _ids AS SELECT line, {record} AS rid, row_hash FROM _staging s"
        )
        conflicting = "SELECT rid FROM _ids GROUP BY rid HAVING count(DISTINCT row_hash) > 1"
        before = self.count("SELECT count(*) FROM _staging")
        quarantined = 0
        key_label = "+".join(contract.record_id)
        if contract.on_conflicting_duplicate == "last_wins":
            self.connection.execute(
                "DELETE FROM _staging WHERE line IN (SELECT line FROM _ids i WHERE rid IN ("
                + conflicting
                + ") "
                "AND line < (SELECT max(line) FROM _ids j WHERE j.rid = i.rid))"
            )
        else:
            self.connection.execute(
                "INSERT INTO quarantine (delivery_id, feed, line, column_name, reason, problems, rule_version, record_id, raw) "
                f"SELECT ?, ?, s.line, {sql_string(key_label)}, 'conflicting_duplicate', "
                f"[{sql_string(key_label + '|conflicting_duplicate')}], ?, i.rid, to_json(s)::VARCHAR "
                f"FROM _staging s JOIN _ids i USING (line) WHERE i.rid IN ({conflicting})",
                [delivery_id, contract.name, contract.rule_version],
            )
            self.connection.execute(
                f"DELETE FROM _staging WHERE line IN (SELECT line FROM _ids WHERE rid IN ({conflicting}))"
            )
            quarantined = before - self.count("SELECT count(*) FROM _staging")
        self.connection.execute(
            "DELETE FROM _staging WHERE line IN (SELECT line FROM (SELECT line, row_number() OVER "
            "(PARTITION BY i.rid, i.row_hash ORDER BY line) AS n FROM _ids i WHERE line IN (SELECT line FROM _staging)) WHERE n > 1)"
        )
        # Earlier versions dropped by last_wins count as duplicates, so the report still reconciles.
        report.deduplicated = before - quarantined - self.count("SELECT count(*) FROM _staging")

    def _key_and_write(
        self, contract: Contract, names: dict[str, str], delivery_id: int, report: LoadReport
    ) -> None:
        record = joined_id(contract.record_id, "s", names)
        person = joined_id(contract.person_id, "s", names) if contract.person_id else "NULL"
        record_key = key_sql(sql_string(contract.name), record)
        person_key = key_sql(sql_string(contract.person_namespace), person)
        self.connection.execute(
            f"CREATE OR REPLACE TEMP TABLE _with_keys AS SELECT s.*, {record_key} AS record_key, "
            f"{person_key} AS person_source_key, {record} AS __rid, {person} AS __pid FROM _staging s, _pads k"
        )
        self.connection.execute(
            "CREATE OR REPLACE TEMP TABLE _keyed AS SELECT w.*, e.row_hash AS existing_hash FROM _with_keys w "
            "LEFT JOIN identity_records e ON e.feed = ? AND e.record_key = w.record_key",
            [contract.name],
        )
        self.connection.execute("DROP TABLE _with_keys")
        self.connection.execute("INSERT INTO _accepted SELECT ?, __rid FROM _keyed", [delivery_id])
        nhs = _value(contract, names, "nhs_number")
        figures = self.connection.execute(
            "SELECT count(*) FILTER (existing_hash = row_hash), "
            "count(*) FILTER (existing_hash IS NOT NULL AND existing_hash <> row_hash), "
            "count(*) FILTER (existing_hash IS NULL), "
            f"count(*) FILTER (NOT nhs_number_valid AND {nhs} IS NOT NULL), "
            "count(*) FILTER (postcode_valid = false), count(*) FILTER (free_text_to_review) FROM _keyed"
        ).fetchall()[0]
        (
            report.unchanged,
            report.superseded,
            report.new,
            report.nhs_number_invalid,
            report.postcode_invalid,
            report.free_text_to_review,
        ) = (int(n) for n in figures)
        replaced = "SELECT record_key FROM _keyed WHERE existing_hash IS NOT NULL AND existing_hash <> row_hash"
        self.connection.execute(
            f"DELETE FROM identity_records WHERE feed = ? AND record_key IN ({replaced})",
            [contract.name],
        )
        self.connection.execute(
            f"DELETE FROM {schema.analytic_table(contract)} WHERE record_key IN ({replaced})"
        )
        self.connection.execute(
            "CREATE OR REPLACE TEMP TABLE _new AS SELECT k.*, p.lsoa21 FROM _keyed k "
            f"LEFT JOIN postcodes p ON p.postcode = {_value(contract, names, 'postcode', 'k')} "
            "WHERE existing_hash IS NULL OR existing_hash <> row_hash"
        )
        self._write_identity(contract, names, delivery_id)
        self._write_analytic(contract, names, delivery_id)

    def _write_identity(self, contract: Contract, names: dict[str, str], delivery_id: int) -> None:
        event = f"CAST({names[contract.event_date]} AS DATE)" if contract.event_date else "NULL"
        self.connection.execute(
            "INSERT INTO identity_records (feed, record_key, person_source_key, delivery_id, row_hash, record_id, "
            "source_person_id, given_name, family_name, full_name, birth_date, sex, postcode, postcode_valid, address, "
            "nhs_number, nhs_number_valid, event_date, lsoa21, other_identifiers, free_text_to_review) "
            f"SELECT ?, record_key, person_source_key, ?, row_hash, __rid, __pid, {_roles_select(contract, names)}, "
            f"{event}, lsoa21, {_other_identifiers(contract, names)}, free_text_to_review FROM _new",
            [contract.name, delivery_id],
        )

    def _write_analytic(self, contract: Contract, names: dict[str, str], delivery_id: int) -> None:
        content = schema.analytic_columns(contract)
        columns = ", ".join(quote(c.analytic_name) for c in content)
        values = ", ".join(names[c.name] for c in content)
        birth = _value(contract, names, "birth_date")
        event = (
            f"CAST({names[contract.event_date]} AS DATE)" if contract.event_date else "current_date"
        )
        self.connection.execute(
            f"INSERT INTO {schema.analytic_table(contract)} (record_key, person_source_key, delivery_id, sex, birth_month, "
            f"age_at_event, lsoa21{', ' + columns if columns else ''}) "
            f"SELECT record_key, person_source_key, ?, {_value(contract, names, 'sex')}, strftime({birth}, '%Y-%m'), "
            f"date_sub('year', {birth}, {event}), lsoa21{', ' + values if values else ''} FROM _new",
            [delivery_id],
        )

    def _record_delivery(
        self, delivery: Delivery, digest: str, agreement: str, report: LoadReport
    ) -> None:
        contract = delivery.contract
        figures = [
            report.read,
            report.loaded,
            report.quarantined,
            report.deduplicated,
            report.new,
            report.superseded,
            report.unchanged,
        ]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.connection.execute(
            "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report.delivery_id,
                contract.name,
                delivery.path.name,
                digest,
                delivery.kind,
                agreement,
                contract.rule_version,
                now,
                *figures,
            ],
        )
        self.connection.execute(
            "INSERT INTO analytic.deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [report.delivery_id, contract.name, delivery.kind, now, *figures],
        )

    def _forget(self, delivery_id: int) -> None:
        """Undo what a refused delivery wrote before it was refused."""
        self.connection.execute("DELETE FROM quarantine WHERE delivery_id = ?", [delivery_id])
        self.connection.execute("DROP TABLE IF EXISTS _staging")


def as_text(values: object) -> pa.Array:
    """A column as Arrow text: the fast reader's arrays as they are, the exact reader's tuples converted."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    return pa.array(values, type=pa.string())


def joined_id(columns: tuple[str, ...], alias: str, names: dict[str, str] | None = None) -> str:
    """SQL for an id made of one or more columns, joined with ':'."""
    parts = [f"{alias}.{names[c] if names else quote(c)}" for c in columns]
    return parts[0] if len(parts) == 1 else "concat_ws(':', " + ", ".join(parts) + ")"


def _value(contract: Contract, names: dict[str, str], role: str, alias: str = "") -> str:
    column = contract.by_role(role)
    prefix = f"{alias}." if alias else ""
    return f"{prefix}{names[column.name]}" if column else "NULL"


def _other_identifiers(contract: Contract, names: dict[str, str]) -> str:
    """Identifier columns with no linkage role (a title, a town) kept together as JSON."""
    others = [c for c in contract.columns if c.zone == "identifier" and c.role is None]
    if not others:
        return "NULL"
    return (
        "to_json(struct_pack("
        + ", ".join(f"{quote(c.name)} := {names[c.name]}" for c in others)
        + "))::VARCHAR"
    )


def _roles_select(contract: Contract, names: dict[str, str]) -> str:
    parts = [
        _value(contract, names, "given_name"),
        _value(contract, names, "family_name"),
        _value(contract, names, "full_name"),
        _value(contract, names, "birth_date"),
        _value(contract, names, "sex"),
        _value(contract, names, "postcode"),
        "postcode_valid",
        _value(contract, names, "address"),
        _value(contract, names, "nhs_number"),
        "nhs_number_valid",
    ]
    return ", ".join(parts)
