"""The analysis base: the linked analytic zone reshaped once per data snapshot for fast queries.

Cohorts, risk profiles and locality profiles ask the same questions many times (who was registered
on a date, how many A&E attendances in a window, where someone lived). The base answers them from
a handful of tables built once from the published analytic zone and its person_keys, kept as one
DuckDB file per snapshot under HOME/analytics/base. It holds person_keys only, like the zone.

There is one build, written once in SQL, for either engine: DuckDB builds the base file from the
analytic zone's DuckDB file; Apache Spark builds it from the analytic zone's Parquet
(:mod:`joinedup.feeds.parquet_zone`) and keeps it as Parquet beside the file. Either way the
zone's tables are read under plain names (``zone_feed_gp_patients``, ``zone_person_keys``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from joinedup.analytics import frailty, growth
from joinedup.analytics.events import SOURCES
from joinedup.engines import Engine, checked_table_name, parquet_location, sql_string
from joinedup.engines.duck import memory_limit, out_of_memory
from joinedup.feeds import parquet_zone, store
from joinedup.reference import geography

BASE_VERSION = 2  # bump when the base's tables change shape: older files are rebuilt
MEMORY_LIMIT = "4GB"
# Held while a base is built (empty: it holds no data).
BUILD_LOCK = ".build.lock"
Progress = Callable[[str], None]


# The base's tables, in one place: the build fills them, and tests fill them by hand.
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "events": (
        ("person_key", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("agency", "VARCHAR"),
        ("event_date", "DATE"),
        ("code", "VARCHAR"),
        ("value", "DOUBLE"),
        ("lsoa21", "VARCHAR"),
    ),
    "people": (
        ("person_key", "VARCHAR"),
        ("sex", "VARCHAR"),
        ("birth_month", "DATE"),
        ("death_date", "DATE"),
    ),
    "registrations": (
        ("person_key", "VARCHAR"),
        ("practice_code", "VARCHAR"),
        ("registration_date", "DATE"),
        ("deregistration_date", "DATE"),
    ),
    "residence": (("person_key", "VARCHAR"), ("since", "DATE"), ("lsoa21", "VARCHAR")),
    "households": (
        ("person_key", "VARCHAR"),
        ("household_key", "VARCHAR"),
        ("first_seen", "DATE"),
        ("last_seen", "DATE"),
    ),
    "measurements": (
        ("person_key", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("measured_on", "DATE"),
        ("value", "DOUBLE"),
    ),
    "areas": (
        ("lsoa21", "VARCHAR"),
        ("lsoa_name", "VARCHAR"),
        ("ward_code", "VARCHAR"),
        ("ward_name", "VARCHAR"),
        ("locality", "VARCHAR"),
        ("imd_decile", "INTEGER"),
        ("imd2025_decile", "INTEGER"),
        ("census_residents", "INTEGER"),
    ),
    "snapshot": (
        ("zone_version", "VARCHAR"),
        ("linkage_run", "INTEGER"),
        ("linkage_model", "VARCHAR"),
        ("first_event", "DATE"),
        ("last_event", "DATE"),
    ),
}
# Each cohort criterion reads one kind of event for a run of people: rows kept in that order,
# and on Spark the events are partitioned by kind, so that a criterion reads one kind's files.
SORTED_BY = {
    "events": "kind, person_key, event_date",
    "people": "person_key",
    "registrations": "person_key",
    "residence": "person_key, since",
    "households": "person_key, first_seen",
    "measurements": "kind, person_key, measured_on",
    "areas": "lsoa21",
}
PARTITIONED_BY: dict[str, tuple[str, ...]] = {"events": ("kind",)}

SCHEMA = "\n".join(
    f"CREATE TABLE {table} ({', '.join(f'{name} {kind}' for name, kind in columns)});"
    for table, columns in TABLES.items()
)


def reference_tables() -> dict[str, str]:
    """The reference lists a base carries (UK90, frailty codes), as queries any engine runs."""
    return {growth.UK90_TABLE: growth.uk90_sql(), **frailty.reference_sql()}


def create_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """The base's empty tables and its reference lists (UK90, frailty codes)."""
    connection.execute(SCHEMA)
    growth.register_uk90(connection)
    frailty.register_frailty_reference(connection)


class NotReadyError(LookupError):
    """Nothing is loaded, or linkage has not run: there are no person_keys to analyse."""


@dataclass(frozen=True)
class Snapshot:
    """Which data a figure was computed from: the published zone version and linkage run."""

    zone_version: str
    linkage_run: int
    linkage_model: str
    first_event: dt.date
    last_event: dt.date

    @property
    def name(self) -> str:
        return f"{self.zone_version}-r{self.linkage_run}"

    def record(self) -> dict[str, str | int]:
        """What provenance and published outputs record of the snapshot."""
        return {
            "zone_version": self.zone_version,
            "linkage_run": self.linkage_run,
            "linkage_model": self.linkage_model,
            "last_event": self.last_event.isoformat(),
        }


def base_folder(home: Path) -> Path:
    return home / "analytics" / "base"


def open_base(home: Path, progress: Progress = lambda _step: None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current snapshot's base, built first if need be."""
    version = _published(home)
    path = _base_path(home, version)
    if not path.exists():
        with _one_build_at_a_time(path):
            if not path.exists():  # built by another while this one waited
                _build_file(version, path, progress)
    connection = duckdb.connect(str(path), read_only=True)
    connection.execute(f"SET memory_limit = {sql_string(memory_limit(MEMORY_LIMIT))}")
    connection.execute("SET enable_progress_bar = false")
    return connection


def snapshot(connection: duckdb.DuckDBPyConnection) -> Snapshot:
    from joinedup.engines.duck import DuckDBEngine

    return engine_snapshot(DuckDBEngine(connection))


def _published(home: Path) -> store.Version:
    version = store.current(home)
    if version is None:
        raise NotReadyError("nothing is loaded yet: load the partner extracts, then link them")
    return version


def _base_path(home: Path, version: store.Version) -> Path:
    run = _linkage_run(version)
    return base_folder(home) / f"{version.folder.name}-r{run[0]}-b{BASE_VERSION}.duckdb"


def _linkage_run(version: store.Version) -> tuple[int, str]:
    connection = store.connect_zones(version, read_only=True)
    try:
        exists = connection.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'identity' "
            "AND table_name = 'link_runs'"
        ).fetchall()[0][0]
        if not exists:
            raise NotReadyError("linkage has not run yet: run `joinedup link` first")
        run, model = connection.execute(
            "SELECT run_id, model_version FROM identity.link_runs ORDER BY run_id DESC LIMIT 1"
        ).fetchall()[0]
        return int(run), str(model)
    finally:
        connection.close()


Materialise = Callable[[str, str], None]


def _build_file(version: store.Version, path: Path, progress: Progress) -> None:
    """The base as a DuckDB file, from the analytic zone's DuckDB file. Written beside its final
    name, then renamed: a crash leaves no half-built base."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    limit = memory_limit(MEMORY_LIMIT)
    connection = duckdb.connect(str(partial))
    try:
        connection.execute(f"SET memory_limit = {sql_string(limit)}")
        connection.execute("SET enable_progress_bar = false")
        connection.execute(f"ATTACH {sql_string(str(version.analytic))} AS zone (READ_ONLY)")
        zone_tables = {
            str(name)
            for (name,) in connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'zone'"
            ).fetchall()
        }
        for table in zone_tables:
            # Temporary: the base file keeps no trace of where it was built from.
            connection.execute(f"CREATE TEMP VIEW zone_{table} AS SELECT * FROM zone.{table}")

        def materialise(table: str, sql: str) -> None:
            # Kept in the base's file: an engine's create_table makes a query's own, temporary.
            connection.execute(f"CREATE OR REPLACE TABLE {checked_table_name(table)} AS {sql}")

        try:
            build(zone_tables, materialise, _provenance(version), progress)
        except duckdb.OutOfMemoryException as error:
            raise out_of_memory("Building the analysis base", limit) from error
        for table in zone_tables:
            connection.execute(f"DROP VIEW zone_{table}")
        connection.execute("DETACH zone")
        connection.execute("CHECKPOINT")
    except BaseException:
        connection.close()
        partial.unlink(missing_ok=True)  # a half-built base holds rows; it does not linger
        raise
    connection.close()
    partial.replace(path)


def build_parquet(engine: Engine, home: Path, progress: Progress = lambda _step: None) -> Path:
    """The current snapshot's base built on ``engine`` from the Parquet zone, kept as Parquet
    under HOME/analytics/base (one folder a table; events partitioned by kind), and reused
    once built. Written beside its final name, then renamed."""
    version = _published(home)
    run, _model = _linkage_run(version)
    folder = base_folder(home) / f"{version.folder.name}-r{run}-b{BASE_VERSION}.parquet"
    if folder.exists():
        return folder
    with _one_build_at_a_time(folder):
        if not folder.exists():  # built by another while this one waited
            _build_parquet(engine, home, version, folder, progress)
    return folder


def _build_parquet(
    engine: Engine, home: Path, version: store.Version, folder: Path, progress: Progress
) -> None:
    if not parquet_zone.is_written(home, version.folder.name):
        progress("Writing the analytic zone as Parquet")
        store.export_parquet(home)
    zone = parquet_zone.location(home, version.folder.name)
    zone_tables = {table.name for table in parquet_zone.manifest(zone)}
    for table in zone_tables:
        engine.read_parquet(f"zone_{table}", f"{zone}/{table}")
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)

    def materialise(table: str, sql: str) -> None:
        location = parquet_location(partial / table)
        engine.write_parquet(sql, location, PARTITIONED_BY.get(table, ()))
        engine.read_parquet(table, location)

    build(zone_tables, materialise, _provenance(version), progress, ordered=False)
    partial.replace(folder)


@contextlib.contextmanager
def _one_build_at_a_time(target: Path) -> Iterator[None]:
    """Held while a base is built: two jobs started after a publish (the web app's threads, or
    two commands) would otherwise write the same partial base. The second waits, then finds
    the base built."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / BUILD_LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _provenance(version: store.Version) -> tuple[str, int, str]:
    run, model = _linkage_run(version)
    return version.folder.name, run, model


def build(
    zone_tables: set[str],
    materialise: Materialise,
    provenance: tuple[str, int, str],
    progress: Progress,
    ordered: bool = True,
) -> None:
    """Every table of the base, by one SQL on any engine. The engine reads the analytic zone's
    tables as ``zone_<table>``; ``materialise`` has it keep what each step's query returns under
    the step's table name (as a table, or as Parquet), for the steps after it to read."""
    feeds = {t.removeprefix("feed_") for t in zone_tables if t.startswith("feed_")}
    for table, sql in reference_tables().items():
        materialise(table, sql)
    for step, table, query in _STEPS:
        progress(step)
        materialise(table, _typed(table, query(feeds, zone_tables), ordered))
    zone_version, run, model = provenance
    materialise(
        "snapshot",
        _typed(
            "snapshot",
            f"SELECT {sql_string(zone_version)} AS zone_version, {run} AS linkage_run, "
            f"{sql_string(model)} AS linkage_model, min(event_date) AS first_event, "
            "max(event_date) AS last_event FROM events",
        ),
    )


def _typed(table: str, query: str, ordered: bool = False) -> str:
    """A step's rows with the base's column types (in the base's order if ``ordered``)."""
    columns = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in TABLES[table])
    order = f" ORDER BY {SORTED_BY[table]}" if ordered and table in SORTED_BY else ""
    return f"SELECT {columns} FROM ({query}) AS step_rows{order}"


def _keyed(feed: str) -> str:
    """A feed's rows with their person_key (rows linkage could not place are left out)."""
    return (
        f"zone_feed_{feed} AS f JOIN zone_person_keys AS k "
        f"ON k.feed = '{feed}' AND k.record_key = f.record_key"
    )


def _events(feeds: set[str], _zone: set[str]) -> str:
    parts = [
        f"""SELECT '{s.feed}' AS feed, record_key, '{s.kind}' AS kind,
                   {f"'{s.agency}'" if s.agency else "CAST(NULL AS VARCHAR)"} AS agency,
                   CAST({s.date} AS DATE) AS event_date, CAST({s.code} AS VARCHAR) AS code,
                   CAST({s.value} AS DOUBLE) AS value, lsoa21
            FROM zone_feed_{s.feed} WHERE {s.where} AND {s.date} IS NOT NULL"""
        for s in SOURCES
        if s.feed in feeds
    ]
    if not parts:
        raise NotReadyError("the analytic zone holds no event feeds yet")
    return _with_person_keys(
        " UNION ALL ".join(parts), "kind, agency, event_date, code, value, lsoa21"
    )


def _with_person_keys(rows: str, columns: str) -> str:
    """Feed rows (with ``feed`` and ``record_key``) given their person_key in one join for all
    feeds, rather than a join a feed; rows linkage could not place are left out."""
    return (
        f"SELECT k.person_key, {', '.join(f'r.{c.strip()}' for c in columns.split(','))} "
        f"FROM ({rows}) AS r JOIN zone_person_keys AS k "
        "ON k.feed = r.feed AND k.record_key = r.record_key"
    )


def _all_rows(feeds: set[str], columns: str) -> str:
    """Every feed's ``columns`` with the person_key of each row."""
    rows = " UNION ALL ".join(
        f"SELECT '{feed}' AS feed, record_key, {columns} FROM zone_feed_{feed}"
        for feed in sorted(feeds)
    )
    return _with_person_keys(rows, columns)


def _most_often(rows: str, column: str) -> str:
    """Each person's commonest non-null value of ``column``; of values as common, the least;
    NULL for a person with none. Every person of ``rows`` has a row."""
    return f"""SELECT person_key, {column} FROM (
            SELECT person_key, {column},
                   row_number() OVER (PARTITION BY person_key
                                      ORDER BY {column} IS NULL, count(*) DESC, {column})
                       AS choice
            FROM {rows} GROUP BY person_key, {column}
        ) AS ranked WHERE choice = 1"""


def _people(feeds: set[str], _zone: set[str]) -> str:
    """One row per person: the sex and month of birth most of their records give."""
    deaths = (
        "SELECT k.person_key, min(f.date_of_death) AS death_date "
        f"FROM {_keyed('gp_patients')} GROUP BY k.person_key"
        if "gp_patients" in feeds
        else "SELECT CAST(NULL AS VARCHAR) AS person_key, CAST(NULL AS DATE) AS death_date "
        "WHERE false"
    )
    return f"""
        WITH person_rows AS ({_all_rows(feeds, "sex, birth_month")})
        SELECT s.person_key, s.sex, CAST(m.birth_month || '-01' AS DATE) AS birth_month,
               d.death_date
        FROM ({_most_often("person_rows", "sex")}) AS s
        JOIN ({_most_often("person_rows", "birth_month")}) AS m ON m.person_key = s.person_key
        LEFT JOIN ({deaths}) AS d ON d.person_key = s.person_key
        """


def _registrations(feeds: set[str], _zone: set[str]) -> str:
    if "gp_patients" not in feeds:
        return (
            "SELECT CAST(NULL AS VARCHAR) AS person_key, CAST(NULL AS VARCHAR) AS practice_code, "
            "CAST(NULL AS DATE) AS registration_date, CAST(NULL AS DATE) AS deregistration_date "
            "WHERE false"
        )
    return f"""SELECT k.person_key, f.practice_code, f.registration_date,
                      coalesce(f.deregistration_date, f.date_of_death) AS deregistration_date
               FROM {_keyed("gp_patients")} WHERE f.registration_date IS NOT NULL"""


def _residence(feeds: set[str], _zone: set[str]) -> str:
    """Every dated address (as an LSOA) any partner recorded for a person."""
    dated = ["SELECT person_key, event_date AS since, lsoa21 FROM events WHERE lsoa21 IS NOT NULL"]
    if "gp_patients" in feeds:
        dated.append(
            "SELECT k.person_key, f.registration_date AS since, f.lsoa21 "
            f"FROM {_keyed('gp_patients')} WHERE f.lsoa21 IS NOT NULL "
            "AND f.registration_date IS NOT NULL"
        )
    return f"SELECT DISTINCT * FROM ({' UNION ALL '.join(dated)}) AS dated"


def _measurements(_feeds: set[str], _zone: set[str]) -> str:
    """Each person's measurements: PAM level, and BMI with its UK90 z-score and centile."""
    # The month of birth is known, not the day: the middle of the month is the best guess.
    age = growth.decimal_age_sql("p.birth_month + INTERVAL 14 DAY", "e.event_date")
    # The reference joined over the age range, not looked up by a correlated subquery: Spark
    # plans the one as a join and cannot plan the other.
    return f"""
        WITH measured AS (
            SELECT e.person_key, e.event_date AS measured_on, e.value AS bmi, p.sex,
                   {age} AS age
            FROM events AS e JOIN people AS p ON p.person_key = e.person_key
            WHERE e.kind = 'school_measurement' AND e.value > 0
        ),
        bmi AS (
            SELECT m.person_key, m.measured_on, m.bmi,
                   {growth.joined_bmi_z_sql("m.bmi", "m.age")} AS z
            FROM measured AS m LEFT JOIN ({growth.uk90_reference_sql()}) AS ref
                ON {growth.uk90_match_sql("m.age", "m.sex")}
        )
        SELECT person_key, 'bmi' AS kind, measured_on, bmi AS value FROM bmi
        UNION ALL SELECT person_key, 'bmi_z', measured_on, z FROM bmi WHERE z IS NOT NULL
        UNION ALL SELECT person_key, 'bmi_centile', measured_on, {growth.centile_sql("z")}
            FROM bmi WHERE z IS NOT NULL
        UNION ALL SELECT person_key, 'pam_level', event_date, value FROM events
            WHERE kind = 'pam_assessment' AND value IS NOT NULL
        UNION ALL SELECT person_key, 'fire_risk_score', event_date, value FROM events
            WHERE kind = 'home_fire_safety_check' AND value IS NOT NULL
        """


def _households(_feeds: set[str], zone: set[str]) -> str:
    """Each person's homes as household keys (from linkage; none before it made them)."""
    if "person_households" not in zone:
        return (
            "SELECT CAST(NULL AS VARCHAR) AS person_key, CAST(NULL AS VARCHAR) AS household_key, "
            "CAST(NULL AS DATE) AS first_seen, CAST(NULL AS DATE) AS last_seen WHERE false"
        )
    return "SELECT person_key, household_key, first_seen, last_seen FROM zone_person_households"


def _areas(_feeds: set[str], _zone: set[str]) -> str:
    """The borough's LSOAs with their ward, locality and deprivation."""
    lsoas = geography.lsoas()
    return growth.literal_table_sql(
        TABLES["areas"],
        [
            (
                lsoas.codes[i],
                lsoas.names[i],
                lsoas.ward_codes[i],
                lsoas.ward_names[i],
                lsoas.localities[i],
                int(lsoas.imd2019_decile[i]),
                int(lsoas.imd2025_decile[i]),
                int(lsoas.residents[i]),
            )
            for i in range(len(lsoas))
        ],
    )


_STEPS: tuple[tuple[str, str, Callable[[set[str], set[str]], str]], ...] = (
    ("Gathering events", "events", _events),
    ("People", "people", _people),
    ("GP registrations", "registrations", _registrations),
    ("Measurements", "measurements", _measurements),
    ("Addresses", "residence", _residence),
    ("Households", "households", _households),
    ("Areas", "areas", _areas),
)


def register_parquet(engine: Engine, folder: Path) -> None:
    """Let ``engine`` query a base kept as Parquet by the same table names as the file."""
    for table in sorted(path.name for path in folder.iterdir() if path.is_dir()):
        engine.read_parquet(table, parquet_location(folder / table))


def open_on(
    home: Path, engine_name: str | None = None, progress: Progress = lambda _step: None
) -> Engine:
    """The current snapshot's base on the named engine, by the same table names as the file.

    DuckDB reads the base's own file. Spark builds the base from the Parquet zone, once per
    snapshot, and reads it as Parquet.
    """
    from joinedup.engines import open_engine, resolve_engine
    from joinedup.engines.duck import DuckDBEngine

    engine_name = resolve_engine(engine_name, home)
    if engine_name == "duckdb":
        return DuckDBEngine(open_base(home, progress))
    # The engine's working tables go under the hub's folder, which a cluster's executors share,
    # beside the bases: a cache, which backups leave out.
    engine = open_engine(engine_name, work_under=base_folder(home) / "work")
    try:
        register_parquet(engine, build_parquet(engine, home, progress))
    except BaseException:
        engine.close()
        raise
    return engine


def engine_snapshot(engine: Engine) -> Snapshot:
    """The snapshot a base on any engine was built from."""
    zone, run, model, first, last = engine.rows(
        "SELECT zone_version, linkage_run, linkage_model, first_event, last_event FROM snapshot"
    )[0]
    return Snapshot(zone, int(run), model, first, last)
