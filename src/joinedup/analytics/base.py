"""The analysis base: the linked analytic zone reshaped once per data snapshot for fast queries.

Cohorts, risk profiles and locality profiles ask the same questions many times (who was registered
on a date, how many A&E attendances in a window, where someone lived). The base answers them from
a handful of tables built once from the published analytic zone and its person_keys, kept as one
DuckDB file per snapshot under HOME/analytics/base. It holds person_keys only, like the zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from joinedup.analytics import frailty, growth
from joinedup.analytics.events import SOURCES
from joinedup.engines import Engine, parquet_location
from joinedup.feeds import store
from joinedup.reference import geography

BASE_VERSION = 2  # bump when the base's tables change shape: older files are rebuilt
MEMORY_LIMIT = "4GB"
Progress = Callable[[str], None]


# The base's tables, in one place: the build fills them, and tests fill them by hand.
SCHEMA = """
CREATE TABLE events (person_key VARCHAR, kind VARCHAR, agency VARCHAR, event_date DATE,
                     code VARCHAR, value DOUBLE, lsoa21 VARCHAR);
CREATE TABLE people (person_key VARCHAR, sex VARCHAR, birth_month DATE, death_date DATE);
CREATE TABLE registrations (person_key VARCHAR, practice_code VARCHAR, registration_date DATE,
                            deregistration_date DATE);
CREATE TABLE residence (person_key VARCHAR, since DATE, lsoa21 VARCHAR);
CREATE TABLE households (person_key VARCHAR, household_key VARCHAR, first_seen DATE,
                         last_seen DATE);
CREATE TABLE measurements (person_key VARCHAR, kind VARCHAR, measured_on DATE, value DOUBLE);
CREATE TABLE areas (lsoa21 VARCHAR PRIMARY KEY, lsoa_name VARCHAR, ward_code VARCHAR,
                    ward_name VARCHAR, locality VARCHAR, imd_decile INTEGER,
                    imd2025_decile INTEGER, census_residents INTEGER);
CREATE TABLE snapshot (zone_version VARCHAR, linkage_run INTEGER, linkage_model VARCHAR,
                       first_event DATE, last_event DATE);
"""


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
    version = store.current(home)
    if version is None:
        raise NotReadyError("nothing is loaded yet: load the partner extracts, then link them")
    path = _base_path(home, version)
    if not path.exists():
        _build(version, path, progress)
    connection = duckdb.connect(str(path), read_only=True)
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    connection.execute("SET enable_progress_bar = false")
    return connection


def snapshot(connection: duckdb.DuckDBPyConnection) -> Snapshot:
    from joinedup.engines.duck import DuckDBEngine

    return engine_snapshot(DuckDBEngine(connection))


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


def _build(version: store.Version, path: Path, progress: Progress) -> None:
    """Write the base beside its final name, then rename: a crash leaves no half-built base."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    run, model = _linkage_run(version)
    connection = duckdb.connect(str(partial))
    try:
        connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        connection.execute("SET enable_progress_bar = false")
        analytic = str(version.analytic).replace("'", "''")
        connection.execute(f"ATTACH '{analytic}' AS zone (READ_ONLY)")
        feeds = _feeds_present(connection)
        create_schema(connection)
        for step, build in _STEPS:
            progress(step)
            build(connection, feeds)
        connection.execute(
            "INSERT INTO snapshot SELECT ? AS zone_version, ? AS linkage_run, "
            "? AS linkage_model, min(event_date) AS first_event, max(event_date) AS last_event "
            "FROM events",
            [version.folder.name, run, model],
        )
        connection.execute("DETACH zone")
        connection.execute("CHECKPOINT")
    finally:
        connection.close()
    partial.replace(path)


def _feeds_present(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'zone' "
        "AND table_name LIKE 'feed_%'"
    ).fetchall()
    return {name.removeprefix("feed_") for (name,) in rows}


def _keyed(feed: str) -> str:
    """A feed's rows with their person_key (rows linkage could not place are left out)."""
    return (
        f"zone.feed_{feed} AS f JOIN zone.person_keys AS k "
        f"ON k.feed = '{feed}' AND k.record_key = f.record_key"
    )


def _events(connection: duckdb.DuckDBPyConnection, feeds: set[str]) -> None:
    parts = [
        f"""SELECT k.person_key, '{s.kind}' AS kind, {f"'{s.agency}'" if s.agency else "NULL"}
                   AS agency, CAST({s.date} AS DATE) AS event_date,
                   CAST({s.code} AS VARCHAR) AS code, CAST({s.value} AS DOUBLE) AS value,
                   f.lsoa21
            FROM {_keyed(s.feed)} WHERE {s.where} AND {s.date} IS NOT NULL"""
        for s in SOURCES
        if s.feed in feeds
    ]
    if not parts:
        raise NotReadyError("the analytic zone holds no event feeds yet")
    # Sorted by kind then person so that each cohort criterion reads a narrow, ordered slice.
    connection.execute(
        f"INSERT INTO events SELECT * FROM ({' UNION ALL '.join(parts)}) "
        "ORDER BY kind, person_key, event_date"
    )


def _all_rows(feeds: set[str], columns: str) -> str:
    return " UNION ALL ".join(f"SELECT k.person_key, {columns} FROM {_keyed(f)}" for f in feeds)


def _people(connection: duckdb.DuckDBPyConnection, feeds: set[str]) -> None:
    """One row per person: the sex and month of birth most of their records give."""
    deaths = (
        "SELECT k.person_key, min(f.date_of_death) AS death_date "
        f"FROM {_keyed('gp_patients')} GROUP BY 1"
        if "gp_patients" in feeds
        else "SELECT NULL::VARCHAR AS person_key, NULL::DATE AS death_date WHERE false"
    )
    connection.execute(
        f"""
        INSERT INTO people
        WITH rows AS ({_all_rows(feeds, "f.sex, f.birth_month")})
        SELECT p.person_key, p.sex,
               CAST(strptime(p.birth_month || '-01', '%Y-%m-%d') AS DATE) AS birth_month,
               d.death_date
        FROM (SELECT person_key, mode(sex) AS sex, mode(birth_month) AS birth_month
              FROM rows GROUP BY 1) AS p
        LEFT JOIN ({deaths}) AS d USING (person_key)
        ORDER BY p.person_key
        """
    )


def _registrations(connection: duckdb.DuckDBPyConnection, feeds: set[str]) -> None:
    source = (
        f"""SELECT k.person_key, f.practice_code, f.registration_date,
                   coalesce(f.deregistration_date, f.date_of_death) AS deregistration_date
            FROM {_keyed("gp_patients")} WHERE f.registration_date IS NOT NULL"""
        if "gp_patients" in feeds
        else "SELECT NULL::VARCHAR AS person_key, NULL::VARCHAR AS practice_code, "
        "NULL::DATE AS registration_date, NULL::DATE AS deregistration_date WHERE false"
    )
    connection.execute(f"INSERT INTO registrations {source} ORDER BY person_key")


def _residence(connection: duckdb.DuckDBPyConnection, feeds: set[str]) -> None:
    """Every dated address (as an LSOA) any partner recorded for a person."""
    dated = ["SELECT person_key, event_date AS since, lsoa21 FROM events WHERE lsoa21 IS NOT NULL"]
    if "gp_patients" in feeds:
        dated.append(
            "SELECT k.person_key, f.registration_date AS since, f.lsoa21 "
            f"FROM {_keyed('gp_patients')} WHERE f.lsoa21 IS NOT NULL "
            "AND f.registration_date IS NOT NULL"
        )
    connection.execute(
        f"INSERT INTO residence SELECT DISTINCT * FROM ({' UNION ALL '.join(dated)}) "
        "ORDER BY person_key, since"
    )


def _measurements(connection: duckdb.DuckDBPyConnection, _feeds: set[str]) -> None:
    """Each person's measurements: PAM level, and BMI with its UK90 z-score and centile."""
    # The month of birth is known, not the day: the middle of the month is the best guess.
    age = growth.decimal_age_sql("p.birth_month + INTERVAL 14 DAY", "e.event_date")
    connection.execute(
        f"""
        INSERT INTO measurements
        WITH bmi AS (
            SELECT e.person_key, e.event_date AS measured_on, e.value AS bmi,
                   {growth.bmi_z_sql("e.value", age, "p.sex")} AS z
            FROM events AS e JOIN people AS p USING (person_key)
            WHERE e.kind = 'school_measurement' AND e.value > 0
        )
        SELECT person_key, 'bmi' AS kind, measured_on, bmi AS value FROM bmi
        UNION ALL SELECT person_key, 'bmi_z', measured_on, z FROM bmi WHERE z IS NOT NULL
        UNION ALL SELECT person_key, 'bmi_centile', measured_on, {growth.centile_sql("z")}
            FROM bmi WHERE z IS NOT NULL
        UNION ALL SELECT person_key, 'pam_level', event_date, value FROM events
            WHERE kind = 'pam_assessment' AND value IS NOT NULL
        UNION ALL SELECT person_key, 'fire_risk_score', event_date, value FROM events
            WHERE kind = 'home_fire_safety_check' AND value IS NOT NULL
        ORDER BY kind, person_key, measured_on
        """
    )


def _households(connection: duckdb.DuckDBPyConnection, _feeds: set[str]) -> None:
    """Each person's homes as household keys (from linkage; none before it made them)."""
    made = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'zone' "
        "AND table_name = 'person_households'"
    ).fetchall()[0][0]
    if made:
        connection.execute(
            "INSERT INTO households SELECT person_key, household_key, first_seen, last_seen "
            "FROM zone.person_households ORDER BY person_key, first_seen"
        )


def _areas(connection: duckdb.DuckDBPyConnection, _feeds: set[str]) -> None:
    """The borough's LSOAs with their ward, locality and deprivation."""
    lsoas = geography.lsoas()
    connection.executemany(
        "INSERT INTO areas VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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


_STEPS: tuple[tuple[str, Callable[[duckdb.DuckDBPyConnection, set[str]], None]], ...] = (
    ("Gathering events", _events),
    ("People", _people),
    ("GP registrations", _registrations),
    ("Measurements", _measurements),
    ("Addresses", _residence),
    ("Households", _households),
    ("Areas", _areas),
)


def export_parquet(connection: duckdb.DuckDBPyConnection, folder: Path) -> list[str]:
    """Every table of a base written as Parquet, one folder each, for another engine to read.

    The events, the largest table by far, are partitioned by kind: each cohort criterion reads
    one kind, and an engine reads only that kind's files.
    """
    from joinedup.engines.duck import DuckDBEngine

    engine = DuckDBEngine(connection)
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY 1"
        ).fetchall()
    ]
    for table in tables:
        partitions = ("kind",) if table == "events" else ()
        engine.write_parquet(f"SELECT * FROM {table}", str(folder / table), partitions)
    return tables


def register_parquet(engine: Engine, folder: Path) -> None:
    """Let ``engine`` query a base written by :func:`export_parquet`, by the same table names."""
    for table in sorted(path.name for path in folder.iterdir() if path.is_dir()):
        engine.read_parquet(table, parquet_location(folder / table))


def open_on(
    home: Path, engine_name: str | None = None, progress: Progress = lambda _step: None
) -> Engine:
    """The current snapshot's base on the named engine, by the same table names as the file.

    DuckDB reads the base's own file. Spark reads the base as Parquet beside it, written once
    per snapshot.
    """
    from joinedup.engines import open_engine, resolve_engine
    from joinedup.engines.duck import DuckDBEngine

    engine_name = resolve_engine(engine_name, home)
    if engine_name == "duckdb":
        return DuckDBEngine(open_base(home, progress))
    connection = open_base(home, progress)
    try:
        folder = parquet_folder(home, snapshot(connection))
        if not folder.exists():
            progress("Writing the analysis base as Parquet")
            partial = folder.with_name(folder.name + ".partial")
            export_parquet(connection, partial)
            partial.replace(folder)
    finally:
        connection.close()
    engine = open_engine(engine_name)
    register_parquet(engine, folder)
    return engine


def parquet_folder(home: Path, snap: Snapshot) -> Path:
    return base_folder(home) / f"{snap.name}-b{BASE_VERSION}.parquet"


def engine_snapshot(engine: Engine) -> Snapshot:
    """The snapshot a base on any engine was built from."""
    zone, run, model, first, last = engine.rows(
        "SELECT zone_version, linkage_run, linkage_model, first_event, last_event FROM snapshot"
    )[0]
    return Snapshot(zone, int(run), model, first, last)
