"""The analytic zone as Parquet: written with every published version, pseudonymous only, whole
or not at all, a table unchanged since the version before linked rather than written again, and
written for a store loaded before without loading anything again."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from feedhub import LoadedHub
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.feeds import parquet_zone, store
from joinedup.feeds.load import load_one
from joinedup.feeds.schema import IDENTITY_TABLES

# Columns only the identity zone may hold: names, NHS numbers, dates of birth, addresses.
IDENTIFYING = {
    "given_name",
    "family_name",
    "full_name",
    "birth_date",
    "postcode",
    "address",
    "nhs_number",
    "source_person_id",
    "record_id",
    "other_identifiers",
    "file_name",
}


def parquet_columns(where: str, table: str) -> set[str]:
    with duckdb.connect() as connection:
        rows = connection.execute(
            "DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = true)",
            [f"{where}/{table}/**/*.parquet"],
        ).fetchall()
    return {str(row[0]) for row in rows}


def analytic_columns(version: store.Version) -> dict[str, set[str]]:
    with duckdb.connect() as connection:
        connection.execute(f"ATTACH '{version.analytic}' AS analytic (READ_ONLY)")
        rows = connection.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'analytic'"
        ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(str(table), set()).add(str(column))
    return columns


def test_a_published_version_is_written_as_partitioned_parquet(loaded_hub: LoadedHub) -> None:
    version = store.current(loaded_hub.home)
    assert version is not None
    where = parquet_zone.location(loaded_hub.home, version.folder.name)
    tables = {t.name: t for t in parquet_zone.manifest(where)}
    assert set(tables) == set(analytic_columns(version))
    appointments = Path(where) / "feed_gp_appointments"
    years = sorted(p.name for p in appointments.iterdir() if p.is_dir())
    assert years and all(name.startswith("event_year=20") for name in years)
    assert tables["feed_gp_appointments"].partitioned_by == "event_year"
    with duckdb.connect() as connection:
        connection.execute(f"ATTACH '{version.analytic}' AS analytic (READ_ONLY)")
        for name, table in tables.items():
            in_zone = connection.execute(f"SELECT count(*) FROM analytic.{name}").fetchall()[0][0]
            assert table.rows == in_zone, name
        # The same rows, not only as many: every appointment, with the year of its date.
        differing = connection.execute(
            "SELECT count(*) FROM (SELECT record_key, appointment_date, year(appointment_date) "
            "FROM read_parquet(?, hive_partitioning = true) "
            "EXCEPT SELECT record_key, appointment_date, event_year "
            "FROM read_parquet(?, hive_partitioning = true))",
            [f"{appointments}/**/*.parquet"] * 2,
        ).fetchall()[0][0]
        assert differing == 0
        assert (
            connection.execute(
                "SELECT count(*) FROM (SELECT * EXCLUDE (event_year) FROM "
                "read_parquet(?, hive_partitioning = true) "
                "EXCEPT SELECT * FROM analytic.feed_gp_appointments)",
                [f"{appointments}/**/*.parquet"],
            ).fetchall()[0][0]
            == 0
        )


def test_the_parquet_zone_holds_no_identifiers(loaded_hub: LoadedHub) -> None:
    version = store.current(loaded_hub.home)
    assert version is not None
    where = parquet_zone.location(loaded_hub.home, version.folder.name)
    zone = analytic_columns(version)
    nhs_numbers = 0
    with duckdb.connect() as connection:
        connection.execute(f"ATTACH '{version.identity}' AS identity (READ_ONLY)")
        for table in parquet_zone.manifest(where):
            columns = parquet_columns(where, table.name)
            assert not columns & IDENTIFYING, table.name
            # Only the analytic zone's own columns, and the year a feed is partitioned by.
            assert columns <= zone[table.name] | {parquet_zone.YEAR_COLUMN}, table.name
            for column in columns - {parquet_zone.YEAR_COLUMN}:
                nhs_numbers += connection.execute(
                    f"SELECT count(*) FROM read_parquet(?, hive_partitioning = true) "
                    f"WHERE CAST({column} AS VARCHAR) IN (SELECT nhs_number "
                    "FROM identity.identity_records WHERE nhs_number IS NOT NULL)",
                    [f"{where}/{table.name}/**/*.parquet"],
                ).fetchall()[0][0]
    assert nhs_numbers == 0
    assert "identity_records" in IDENTITY_TABLES  # the zone the test checks against


def test_a_failure_mid_write_leaves_the_published_zone_and_its_parquet(
    loaded_hub: LoadedHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "hub"
    extracts = loaded_hub.borough / "extracts"
    load_one(home, "vcs_referrals", extracts / "vcs_referrals.csv")
    before = store.current(home)
    assert before is not None
    root = Path(parquet_zone.root(home))
    published = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    # The tables are written; the disk fills before the manifest that marks them whole.
    monkeypatch.setattr(parquet_zone, "_write_manifest", disk_full)
    with pytest.raises(OSError, match="No space"):
        load_one(home, "police_incidents", extracts / "police_incidents.csv")
    assert store.current(home) == before
    left = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert {k: v for k, v in left.items() if k in published} == published
    assert all(".partial" in str(path) for path in set(left) - set(published))
    monkeypatch.undo()

    # The next load clears what the failed one left, and publishes its own Parquet.
    load_one(home, "police_incidents", extracts / "police_incidents.csv")
    after = store.current(home)
    assert after is not None and after != before
    assert parquet_zone.is_written(home, after.folder.name)
    kept = sorted(p.name for p in root.iterdir())
    assert kept == sorted(p.name for p in (home / "zones").glob("v*"))
    # After an erasure the older versions go, their Parquet with them.
    store.drop_older_versions(home, after.folder.name)
    assert [p.name for p in root.iterdir()] == [after.folder.name]


def test_a_store_loaded_before_gets_its_parquet_without_loading_again(
    loaded_hub: LoadedHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "hub"
    shutil.copytree(loaded_hub.home, home, symlinks=True)
    shutil.rmtree(home / "zones" / parquet_zone.DEFAULT_FOLDER)
    lake = tmp_path / "lake"
    monkeypatch.setenv(parquet_zone.LOCATION_VARIABLE, str(lake))
    version = store.current(home)
    assert version is not None
    analytic_before = version.analytic.read_bytes()

    result = CliRunner().invoke(app, ["zone", "export-parquet", "--home", str(home), "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["location"] == str(lake / version.folder.name)
    with duckdb.connect(str(version.analytic), read_only=True) as connection:
        patients = connection.execute("SELECT count(*) FROM feed_gp_patients").fetchall()[0][0]
    assert report["tables"]["feed_gp_patients"]["rows"] == patients > 0
    assert parquet_zone.is_written(home, version.folder.name)
    assert store.current(home) == version and version.analytic.read_bytes() == analytic_before
    assert not (home / "zones" / parquet_zone.DEFAULT_FOLDER).exists()


def test_the_command_says_when_nothing_is_loaded(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["zone", "export-parquet", "--home", str(tmp_path)])
    assert result.exit_code == 1
    assert "Nothing is loaded yet" in result.output


def parquet_files(where: str, table: str) -> dict[str, os.stat_result]:
    folder = Path(where) / table
    return {str(p.relative_to(folder)): p.stat() for p in folder.rglob("*.parquet")}


def zone_rows(where: str, table: str) -> list[tuple[object, ...]]:
    with duckdb.connect() as connection:
        return connection.execute(
            "SELECT * FROM read_parquet(?, hive_partitioning = true) ORDER BY ALL",
            [f"{where}/{table}/**/*.parquet"],
        ).fetchall()


def test_only_the_tables_that_changed_are_written_again(tmp_path: Path) -> None:
    analytic = tmp_path / "analytic.duckdb"
    with duckdb.connect(str(analytic)) as zone:
        zone.execute(
            "CREATE TABLE person_keys AS SELECT 'pk-' || range AS person_key, "
            "CASE WHEN range % 2 = 0 THEN 'gp_patients' ELSE 'police_incidents' END AS feed, "
            "'r' || range AS record_key FROM range(50)"
        )
        zone.execute("CREATE TABLE household_keys AS SELECT 'hh-' || range AS hh FROM range(9)")
        zone.execute("CREATE TABLE deliveries AS SELECT range AS delivery_id FROM range(3)")
    home = tmp_path / "hub"
    first = parquet_zone.write(home, "v000001", analytic)
    assert first.reused == ()
    with duckdb.connect(str(analytic)) as zone:
        # One value of one row changes (a relinked person); the count stays the same.
        zone.execute("UPDATE person_keys SET person_key = 'pk-moved' WHERE record_key = 'r7'")
        # Same values, different column: not the same table.
        zone.execute("ALTER TABLE deliveries RENAME COLUMN delivery_id TO delivery")

    second = parquet_zone.write(home, "v000002", analytic)

    assert second.reused == ("household_keys",)
    old, new = (parquet_zone.location(home, v) for v in ("v000001", "v000002"))
    linked = parquet_files(new, "household_keys")
    assert linked and all(
        s.st_ino == parquet_files(old, "household_keys")[name].st_ino for name, s in linked.items()
    )
    for table in ("person_keys", "deliveries"):
        before = {s.st_ino for s in parquet_files(old, table).values()}
        assert not before & {s.st_ino for s in parquet_files(new, table).values()}, table
    assert ("pk-moved", "r7", "police_incidents") in zone_rows(new, "person_keys")
    assert {t.name: t.rows for t in parquet_zone.manifest(new)} == {
        "deliveries": 3,
        "household_keys": 9,
        "person_keys": 50,
    }
    # The older version goes (an erasure, or KEEP_VERSIONS); the newer keeps its linked files.
    parquet_zone.drop_all_but(home, ["v000002"])
    assert len(zone_rows(new, "household_keys")) == 9


def test_a_second_load_links_the_feeds_it_did_not_touch(
    loaded_hub: LoadedHub, tmp_path: Path
) -> None:
    home = tmp_path / "hub"
    extracts = loaded_hub.borough / "extracts"
    load_one(home, "vcs_referrals", extracts / "vcs_referrals.csv")
    first = store.current(home)
    load_one(home, "police_incidents", extracts / "police_incidents.csv")
    second = store.current(home)
    assert first is not None and second is not None
    old, new = (parquet_zone.location(home, v.folder.name) for v in (first, second))
    before, after = (
        parquet_files(old, "feed_vcs_referrals"),
        parquet_files(new, "feed_vcs_referrals"),
    )
    assert after and {s.st_ino for s in after.values()} == {s.st_ino for s in before.values()}
    assert zone_rows(new, "feed_police_incidents")
    result = CliRunner().invoke(app, ["zone", "export-parquet", "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)["unchanged"]) == {
        t.name for t in parquet_zone.manifest(new)
    }
