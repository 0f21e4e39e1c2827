"""Loading partner extracts: validate, quarantine, pseudonymise, and publish both zones at once.

One call loads one or many files into a new version of the zones and publishes it only when
every file is done; a refused file is reported and leaves no trace. Loading the same file
twice changes nothing; a newer extract supersedes records with the same record id.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from joinedup.engines import sql_string
from joinedup.feeds import schema, store
from joinedup.feeds.agreements import AgreementRefusedError, authorise, notify_ig_lead
from joinedup.feeds.contract import Contract, contract_named, recognise
from joinedup.feeds.delivery import Delivery, sha256
from joinedup.feeds.header import check_header
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
from joinedup.feeds.rules import Compiled, compile_rules, quote
from joinedup.feeds.secret import load_key, pads
from joinedup.feeds.settle import Settlement, as_text, joined_id

POSTCODE_DIRECTORY = "postcode_directory*.csv"
Progress = Callable[[str, int], None]


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


class Loader(Settlement):
    """Loads deliveries into one new version of the zones (see ``load_files``)."""

    def __init__(self, home: Path, version: store.Version, key: bytes, today: dt.date) -> None:
        self.home, self.version, self.key, self.today = home, version, key, today
        self.connection = store.connect_zones(version)
        schema.create_shared(self.connection)
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
                f"DESCRIBE SELECT * FROM read_csv({sql_string(str(path))}, header = true, all_varchar = true)"
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
            f"FROM read_csv({sql_string(str(path))}, header = true, all_varchar = true) WHERE pcds IS NOT NULL"
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
        erased = self.scalar(
            "SELECT delivery_id FROM deliveries WHERE feed = ? AND sha256 = ? AND kind = ?",
            contract.name,
            digest,
            schema.ERASED_KIND,
        )
        if erased is not None:
            report.status, report.refusal_reason = "refused", "erased_delivery"
            report.message = (
                f"this file is delivery {erased} of {contract.name}, erased as data received in "
                "error: it is refused. If it is now right to load it, run `joinedup records "
                f"allow-reload --feed {contract.name} --delivery {erased} --reason ...` first"
            )
            return report
        earlier = self.scalar(
            "SELECT delivery_id FROM deliveries WHERE feed = ? AND sha256 = ? AND kind NOT IN (?, ?)",
            contract.name,
            digest,
            schema.ERASED_KIND,
            schema.RELOAD_ALLOWED_KIND,
        )
        if earlier is not None:
            report.status, report.already_loaded_as = "already_loaded", int(str(earlier))
            report.message = f"already loaded as delivery {earlier}; nothing changed"
            return report
        schema.create_feed(self.connection, contract)
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
        if delivery.fixes is not None and report.loaded:
            report.resolved += self._resolve_fixed_row(delivery_id, delivery.fixes)
        return report

    def _resolve_fixed_row(self, delivery_id: int, fixes: tuple[int, int]) -> int:
        """Resolve the one quarantined row a hand-fixed resubmission replaces."""
        fixed_delivery, line = fixes
        where = "WHERE status = 'open' AND delivery_id = ? AND line = ?"
        still_open = self.count(f"SELECT count(*) FROM quarantine {where}", fixed_delivery, line)
        self.connection.execute(
            f"UPDATE quarantine SET status = 'resolved', resolved_by = ? {where}",
            [delivery_id, fixed_delivery, line],
        )
        return still_open

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
            names = check_header(contract, header)
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
                **{n: as_text(v) for n, v in batch.columns.items()},
            }
        )
        self.connection.register("batch", table)
        self.connection.execute(f"CREATE OR REPLACE TEMP TABLE _checked AS {compiled.sql}")
        record_id = joined_id(contract.record_id, "b")
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
