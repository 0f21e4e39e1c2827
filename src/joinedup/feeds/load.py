"""Loading partner extracts: validate, quarantine, pseudonymise, and publish both zones at once.

One call loads one or many files into a new version of the zones and publishes it only when
every file is done; a refused file is reported and leaves no trace. Loading the same file
twice changes nothing; a newer extract supersedes records with the same record id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from joinedup.feeds import schema, store
from joinedup.feeds.agreements import AgreementRefusedError, authorise, notify_ig_lead
from joinedup.feeds.contract import Contract, contract_named, packaged_contracts, recognise
from joinedup.feeds.reader import (
    UNDECODABLE_FILE_ROWS,
    UNDECODABLE_FILE_SHARE,
    Batch,
    FastPathUnavailableError,
    FileRefusedError,
    first_undecodable_byte,
    read,
)
from joinedup.feeds.report import LoadReport
from joinedup.feeds.rules import Compiled, compile_rules, literal, quote
from joinedup.feeds.secret import key_sql, load_key, pads

POSTCODE_DIRECTORY = "postcode_directory*.csv"
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class Delivery:
    path: Path
    contract: Contract
    kind: str = "delivery"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def find_deliveries(folder: Path) -> tuple[list[Delivery], list[Path]]:
    """The files in ``folder`` a contract recognises, and those none does."""
    recognised, unknown = [], []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        contract = recognise(path.name)
        if contract is not None:
            recognised.append(Delivery(path, contract))
        elif not path.match(POSTCODE_DIRECTORY):
            unknown.append(path)
    return recognised, unknown


def _check_header(contract: Contract, header: list[str]) -> list[str]:
    """The header as the contract's column names, or a refusal naming what is wrong."""
    cleaned = [h.strip().lstrip("\ufeff") for h in header]
    duplicated = sorted({h for h in cleaned if cleaned.count(h) > 1})
    if duplicated:
        raise FileRefusedError("duplicate_columns", f"the header repeats {', '.join(duplicated)}")
    expected = [c.name for c in contract.columns]
    if contract.header == "normalised":
        by_key = {c.casefold().replace(" ", ""): c for c in expected}
        cleaned = [by_key.get(h.casefold().replace(" ", ""), h) for h in cleaned]
    missing = [c for c in expected if c not in cleaned]
    if missing:
        hint = _looks_like(header)
        raise FileRefusedError(
            "missing_columns",
            f"the file lacks the column(s) {', '.join(missing)} that feed {contract.name} requires{hint}",
        )
    extra = [h for h in cleaned if h not in expected]
    if extra:
        raise FileRefusedError(
            "unexpected_columns",
            f"the file has column(s) {', '.join(extra)} that the contract for {contract.name} does not",
        )
    if contract.header == "exact" and cleaned != expected:
        raise FileRefusedError(
            "column_order",
            f"the columns of {contract.name} are in a different order from the contract",
        )
    return cleaned


def _looks_like(header: list[str]) -> str:
    names = {h.strip().lstrip("\ufeff") for h in header}
    for other in packaged_contracts():
        if {c.name for c in other.columns} == names:
            return f"; it looks like a {other.name} extract"
    return ""


class Loader:
    """Loads deliveries into one new version of the zones (see ``load_files``)."""

    def __init__(self, home: Path, version: store.Version, key: bytes, today: dt.date) -> None:
        self.home, self.version, self.key, self.today = home, version, key, today
        self.connection = store.connect_zones(version)
        self.connection.execute(schema.IDENTITY_TABLES)
        self.connection.execute(schema.ANALYTIC_DELIVERIES)
        # Record ids each delivery accepted, to resolve earlier quarantined rows (see below).
        self.connection.execute(
            "CREATE TEMP TABLE _accepted (delivery_id INTEGER, record_id VARCHAR)"
        )
        # The key's HMAC pads, in a temporary table that is never written to disk.
        inner, outer = pads(key)
        self.connection.execute(
            "CREATE TEMP TABLE _pads AS SELECT ?::BLOB AS ipad, ?::BLOB AS opad", [inner, outer]
        )

    def close(self) -> None:
        self.connection.execute("CHECKPOINT identity")
        self.connection.execute("CHECKPOINT analytic")
        self.connection.close()

    def scalar(self, sql: str, *parameters: object) -> object:
        rows = self.connection.execute(sql, list(parameters)).fetchall()
        return rows[0][0] if rows else None

    def count(self, sql: str, *parameters: object) -> int:
        value = self.scalar(sql, *parameters)
        return int(value) if isinstance(value, int) else 0

    def load_postcodes(self, path: Path) -> bool:
        """Replace the postcode directory (postcode to 2021 LSOA) unless this very file is loaded."""
        digest = sha256(path)
        if self.count(
            "SELECT count(*) FROM reference_files WHERE name = 'postcodes' AND sha256 = ?", digest
        ):
            return False
        columns = {
            str(r[0])
            for r in self.connection.execute(
                f"DESCRIBE SELECT * FROM read_csv({literal(str(path))}, header = true, all_varchar = true)"
            ).fetchall()
        }
        if not {"pcds", "lsoa21cd"} <= columns:
            raise FileRefusedError(
                "missing_columns",
                f"the postcode directory {path.name} needs the columns pcds and lsoa21cd",
            )
        self.connection.execute("DELETE FROM reference_files WHERE name = 'postcodes'")
        self.connection.execute("INSERT INTO reference_files VALUES ('postcodes', ?)", [digest])
        self.connection.execute("DELETE FROM postcodes")
        self.connection.execute(
            "INSERT INTO postcodes SELECT DISTINCT upper(trim(pcds)), lsoa21cd "
            f"FROM read_csv({literal(str(path))}, header = true, all_varchar = true) WHERE pcds IS NOT NULL"
        )
        self._refresh_lsoas()
        return True

    def _refresh_lsoas(self) -> None:
        """Give records already loaded the LSOA of their postcode in the new directory."""
        self.connection.execute(
            "UPDATE identity_records SET lsoa21 = p.lsoa21 FROM postcodes p WHERE p.postcode = identity_records.postcode"
        )
        feeds = self.connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'analytic' AND table_name LIKE 'feed_%'"
        ).fetchall()
        for (table,) in feeds:
            self.connection.execute(
                f"UPDATE analytic.{quote(table)} AS a SET lsoa21 = i.lsoa21 FROM identity_records i "
                "WHERE i.record_key = a.record_key AND i.feed = ?",
                [table.removeprefix("feed_")],
            )

    def load(self, delivery: Delivery, progress: Progress) -> LoadReport:
        contract = delivery.contract
        report = LoadReport(feed=contract.name, file=delivery.path.name)
        started = time.perf_counter()
        digest = sha256(delivery.path)
        earlier = self.scalar(
            "SELECT delivery_id FROM deliveries WHERE feed = ? AND sha256 = ?",
            contract.name,
            digest,
        )
        if earlier is not None:
            report.status, report.already_loaded_as = "already_loaded", int(str(earlier))
            report.message = f"already loaded as delivery {earlier}; nothing changed"
            return report
        schema.create(self.connection, contract)
        delivery_id = int(
            str(self.scalar("SELECT coalesce(max(delivery_id), 0) + 1 FROM deliveries"))
        )
        report.delivery_id = delivery_id
        try:
            self._validate(delivery, delivery_id, report, progress)
            agreement = self._settle(contract, delivery_id, report)
        except (FileRefusedError, AgreementRefusedError) as error:
            self._forget(delivery_id)
            report.status, report.message = "refused", str(error)
            report.refusal_reason = getattr(error, "reason", "agreement")
            report.read = report.loaded = report.quarantined = report.deduplicated = 0
            report.by_reason = {}
            return report
        report.seconds = time.perf_counter() - started
        self._record_delivery(delivery, digest, agreement, report)
        report.resolved = self._resolve_quarantine(contract, delivery_id)
        return report

    def _resolve_quarantine(self, contract: Contract, delivery_id: int) -> int:
        """Resolve open quarantined rows of earlier deliveries whose record id this one loaded
        (a resubmission of fixed rows, or a corrected re-send of the whole extract)."""
        fixed = "SELECT record_id FROM _accepted WHERE delivery_id = ?"
        before = self.count(
            "SELECT count(*) FROM quarantine WHERE status = 'open' AND feed = ?", contract.name
        )
        self.connection.execute(
            f"UPDATE quarantine SET status = 'resolved', resolved_by = ? WHERE feed = ? AND status = 'open' "
            f"AND delivery_id < ? AND record_id IN ({fixed})",
            [delivery_id, contract.name, delivery_id, delivery_id],
        )
        return before - self.count(
            "SELECT count(*) FROM quarantine WHERE status = 'open' AND feed = ?", contract.name
        )

    def _validate(
        self, delivery: Delivery, delivery_id: int, report: LoadReport, progress: Progress
    ) -> None:
        try:
            self._validate_with(delivery, delivery_id, report, progress, exact=False)
        except FastPathUnavailableError:
            self._forget(delivery_id)
            report.read = 0
            self._validate_with(delivery, delivery_id, report, progress, exact=True)

    def _validate_with(
        self,
        delivery: Delivery,
        delivery_id: int,
        report: LoadReport,
        progress: Progress,
        exact: bool,
    ) -> None:
        contract = delivery.contract
        header: list[str] = []
        batches = read(delivery.path, contract, header, exact)
        first = next(batches, None)
        try:
            names = _check_header(contract, header)
        except FileRefusedError as error:
            if error.reason == "unexpected_columns":
                known = {c.name for c in contract.columns}
                extra = [h.strip() for h in header if h.strip() not in known]
                detail: dict[str, object] = {
                    "feed": contract.name,
                    "agreement": contract.agreement,
                    "fields": extra,
                }
                notify_ig_lead(self.home, "field_outside_agreement", detail)
            raise
        authorise(self.home, contract, names, self.today)
        compiled = compile_rules(contract, "batch")
        self.connection.execute("DROP TABLE IF EXISTS _staging")
        # One batch at a time: the file is never held whole, whatever its size.
        for batch in itertools.chain([first] if first is not None else [], batches):
            batch.columns = dict(zip(names, batch.columns.values(), strict=True))
            self._check_batch(contract, compiled, batch, delivery_id, report)
            progress(contract.name, batch.size + len(batch.rejected))
        self._refuse_if_wrong_encoding(delivery, delivery_id, report)

    def _refuse_if_wrong_encoding(
        self, delivery: Delivery, delivery_id: int, report: LoadReport
    ) -> None:
        """A file mostly undecodable in its declared encoding is refused whole, not row by row."""
        bad = self.count(
            "SELECT count(*) FROM quarantine WHERE delivery_id = ? AND reason = 'invalid_encoding'",
            delivery_id,
        )
        if bad >= max(UNDECODABLE_FILE_ROWS, UNDECODABLE_FILE_SHARE * report.read):
            encoding = delivery.contract.encoding
            offset = first_undecodable_byte(
                delivery.path, "utf-8-sig" if encoding == "utf-8" else encoding
            )
            raise FileRefusedError(
                "encoding",
                f"{bad:,} rows cannot be read as {encoding} (the first bad byte is at offset {offset}): "
                "the file is probably in another encoding; ask the partner, or correct the contract",
            )

    def _check_batch(
        self,
        contract: Contract,
        compiled: Compiled,
        batch: Batch,
        delivery_id: int,
        report: LoadReport,
    ) -> None:
        report.read += batch.size + len(batch.rejected)
        if batch.rejected:
            rejected = pa.table(
                {
                    "line": [r.line for r in batch.rejected],
                    "column_name": [r.column for r in batch.rejected],
                    "reason": [r.reason for r in batch.rejected],
                    "raw": [r.raw for r in batch.rejected],
                }
            )
            self.connection.register("rejected", rejected)
            self.connection.execute(
                "INSERT INTO quarantine (delivery_id, feed, line, column_name, reason, problems, rule_version, raw) "
                "SELECT ?, ?, line, column_name, reason, [column_name || '|' || reason], ?, raw FROM rejected",
                [delivery_id, contract.name, contract.rule_version],
            )
            self.connection.unregister("rejected")
        if not batch.size:
            return
        table = pa.table(
            {
                "__line": pa.array(batch.lines, type=pa.int64()),
                **{n: _as_text(v) for n, v in batch.columns.items()},
            }
        )
        self.connection.register("batch", table)
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE _checked AS {compiled.sql}")
        record_id = _joined_id(contract.record_id, "b")
        self.connection.execute(
            "INSERT INTO quarantine (delivery_id, feed, line, column_name, reason, problems, rule_version, record_id, raw) "
            "SELECT ?, ?, c.line, split_part(c.problems[1], '|', 1), split_part(c.problems[1], '|', 2), c.problems, ?, "
            f"{record_id}, to_json(b)::VARCHAR FROM _checked c JOIN batch b ON b.__line = c.line WHERE len(c.problems) > 0",
            [delivery_id, contract.name, contract.rule_version],
        )
        verb = "INSERT INTO _staging" if self._has_staging() else "CREATE TABLE _staging AS"
        self.connection.execute(
            f"{verb} SELECT * EXCLUDE (problems) FROM _checked WHERE len(problems) = 0"
        )
        self.connection.unregister("batch")

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
        record = _joined_id(contract.record_id, "s", names)
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
                f"SELECT ?, ?, s.line, {literal(key_label)}, 'conflicting_duplicate', "
                f"[{literal(key_label + '|conflicting_duplicate')}], ?, i.rid, to_json(s)::VARCHAR "
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
        record = _joined_id(contract.record_id, "s", names)
        person = _joined_id(contract.person_id, "s", names) if contract.person_id else "NULL"
        record_key = key_sql(literal(contract.name), record)
        person_key = key_sql(literal(contract.person_namespace), person)
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


def _as_text(values: object) -> pa.Array:
    """A column as Arrow text: the fast reader's arrays as they are, the exact reader's tuples converted."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    return pa.array(values, type=pa.string())


def _joined_id(columns: tuple[str, ...], alias: str, names: dict[str, str] | None = None) -> str:
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


def load_files(
    home: Path,
    deliveries: list[Delivery],
    postcodes: Path | None = None,
    progress: Progress = lambda _feed, _rows: None,
    today: dt.date | None = None,
) -> list[LoadReport]:
    """Load ``deliveries`` into a new version of the zones and publish it, all or nothing."""
    with store.writer_lock(home):
        published = store.current(home)
        key = load_key(home, stores_exist=published is not None)
        version = store.begin(home)
        try:
            loader = Loader(home, version, key, today or dt.date.today())
            new_postcodes = postcodes is not None and loader.load_postcodes(postcodes)
            reports = [loader.load(d, progress) for d in deliveries]
            loader.close()
        except BaseException:
            store.abandon(version)
            raise
        if any(r.status == "loaded" for r in reports) or new_postcodes or published is None:
            store.publish(home, version)
        else:
            store.abandon(version)
        return reports


def load_folder(
    home: Path, folder: Path, progress: Progress = lambda _f, _r: None
) -> tuple[list[LoadReport], list[Path]]:
    deliveries, unknown = find_deliveries(folder)
    directory = next(iter(sorted(folder.glob(POSTCODE_DIRECTORY))), None)
    return load_files(home, deliveries, directory, progress), unknown


def load_one(
    home: Path,
    feed: str,
    path: Path,
    progress: Progress = lambda _f, _r: None,
    kind: str = "delivery",
) -> LoadReport:
    """Load one file as ``feed`` (a resubmission of fixed quarantined rows if ``kind`` says so)."""
    return load_files(home, [Delivery(path, contract_named(feed), kind)], None, progress)[0]


def connect_published(home: Path) -> duckdb.DuckDBPyConnection | None:
    """The published identity zone with the analytic zone attached, read-only."""
    version = store.current(home)
    if version is None:
        return None
    return store.connect_zones(version, read_only=True)
