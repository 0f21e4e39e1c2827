"""Backup and restore (FLT-09): a consistent copy of a small hub, restored into a fresh data
directory and proved there: checksums, row counts, the audit chain and a web app that serves.
A changed byte, a changed count, a non-empty target and production settings are refused."""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from joinedup.analytics import provenance
from joinedup.cli import app
from joinedup.feeds import store
from joinedup.feeds.load import find_deliveries, load_files
from joinedup.linkage.review import record_decision
from joinedup.linkage.run import link
from joinedup.synth.config import SynthConfig
from joinedup.synth.generate import generate

runner = CliRunner()
DEV = {"DJANGO_SETTINGS_MODULE": "joinedup.web.settings.dev"}


def joinedup(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own, with the hub's own (dev) settings."""
    return subprocess.run(
        [sys.executable, "-m", "joinedup.cli", *args],
        env={**os.environ, **DEV, "JOINEDUP_HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small borough loaded and linked, with a web app (a user, audit events), a reviewer's
    decision, the provenance log and a lifecycle folder; and the user's password."""
    borough = tmp_path_factory.mktemp("backup-borough")
    generate(SynthConfig(scale=0.02, seed=11, bad_rows=0), borough)
    home = tmp_path_factory.mktemp("backup-hub")
    deliveries, _ = find_deliveries(borough / "extracts")
    directory = next(iter(sorted((borough / "extracts").glob("postcode_directory*.csv"))))
    load_files(home, deliveries, directory)
    link(home)
    added = joinedup(
        home,
        *("users", "add", "ana@example.org", "--organisation", "Chorley Council"),
        *("--role", "analyst"),
    )
    assert added.returncode == 0, added.stderr
    password = added.stdout.strip().rsplit(" ", 1)[-1]
    imported = joinedup(home, "agreements", "import")
    assert imported.returncode == 0, imported.stderr
    record_decision(home, "node-a", "node-b", "not_same_person", "A. Reviewer", "twins")
    provenance.record(home, {"kind": "test", "note": "before the backup"})
    (home / "lifecycle").mkdir()
    (home / "lifecycle" / "erasures.jsonl").write_text('{"request": 1}\n')
    return home, password


def said(result: Any) -> str:
    """What a command printed, its lines unwrapped."""
    return " ".join(result.output.split())


def manifest_of(backup: Path) -> dict[str, Any]:
    if backup.is_dir():
        return json.loads((backup / "manifest.json").read_text())  # type: ignore[no-any-return]
    with tarfile.open(backup) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.loads(member.read())  # type: ignore[no-any-return]


def zone_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as zone:
        tables = zone.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database()"
        ).fetchall()
        return {
            f"{s}.{t}": zone.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchall()[0][0]
            for s, t in tables
        }


@pytest.fixture(scope="module")
def tar_backup(hub: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    home, _ = hub
    target = tmp_path_factory.mktemp("backups") / "hub.tar"
    result = runner.invoke(app, ["backup", "--home", str(home), "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert "holds the pseudonymisation key" in said(result)
    return target


def test_the_backup_holds_the_published_zones_the_web_database_and_a_manifest(
    hub: tuple[Path, str], tar_backup: Path
) -> None:
    home, _ = hub
    manifest = manifest_of(tar_backup)
    published = store.current(home)
    assert published is not None and manifest["zones_version"] == published.folder.name
    assert oct(tar_backup.stat().st_mode & 0o777) == "0o600"
    files = manifest["files"]
    for name in ("identity.duckdb", "analytic.duckdb"):
        copied = files[f"zones/{published.folder.name}/{name}"]
        source = (published.folder / name).read_bytes()
        assert copied["bytes"] == len(source)
        # Published files are never written again: the copy is byte for byte the same.
        assert copied["sha256"] == hashlib.sha256(source).hexdigest()
        assert manifest["tables"][f"zones/{published.folder.name}/{name}"] == zone_counts(
            published.folder / name
        )
    for name in (
        "web/operational.sqlite3",
        "web/secret_key",
        "secrets/pseudonymisation.key",
        "governance/agreements.toml",
        "linkage/decisions.duckdb",
        "analytics/provenance.jsonl",
        "lifecycle/erasures.jsonl",
    ):
        assert name in files, name
    assert manifest["tables"]["linkage/decisions.duckdb"] == {"main.link_decisions": 1}
    assert manifest["tables"]["web/operational.sqlite3"]["accounts_user"] == 1
    assert manifest["audit"]["events"] > 1
    assert manifest["audit"]["events"] == manifest["audit"]["head_sequence"]
    assert not any(name.startswith(("demo/", "analytics/base/")) for name in files)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def serving(request: pytest.FixtureRequest) -> Iterator[Any]:
    started: list[subprocess.Popen[str]] = []

    def start(home: Path) -> str:
        port = free_port()
        command = [sys.executable, "-m", "joinedup.cli", "serve", "--home", str(home)]
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            env={**os.environ, **DEV},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        started.append(server)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health/", timeout=5):
                    return url
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "not serving"
                time.sleep(0.3)

    yield start
    for server in started:
        server.terminate()
        server.wait(timeout=15)


def sign_in(url: str, email: str, password: str) -> str:
    """Sign in through the form, as a browser would; the home page's text."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(f"{url}/accounts/sign-in/") as page:
        form = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, form[:500]
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "email": email, "password": password}
    ).encode()
    request = urllib.request.Request(
        f"{url}/accounts/sign-in/", data=data, headers={"Referer": f"{url}/accounts/sign-in/"}
    )
    with opener.open(request) as home:
        assert home.url.rstrip("/") == url, home.url
        return home.read().decode()  # type: ignore[no-any-return]


def test_the_restore_drill_into_a_fresh_directory(
    hub: tuple[Path, str], tar_backup: Path, tmp_path: Path, serving: Any
) -> None:
    home, password = hub
    restored = tmp_path / "restored"
    result = runner.invoke(app, ["restore", "--from", str(tar_backup), "--home", str(restored)])
    assert result.exit_code == 0, result.output
    assert "Audit chain intact" in said(result) and "joinedup serve answers" in said(result)
    manifest = manifest_of(tar_backup)
    # Row counts of the zones match the manifest and the hub backed up.
    current = store.current(restored)
    assert current is not None and current.folder.name == manifest["zones_version"]
    for name in ("identity.duckdb", "analytic.duckdb"):
        counts = zone_counts(current.folder / name)
        assert counts == manifest["tables"][f"zones/{current.folder.name}/{name}"]
        assert counts == zone_counts(store.current(home).folder / name)  # type: ignore[union-attr]
    assert (restored / "secrets" / "pseudonymisation.key").read_bytes() == (
        home / "secrets" / "pseudonymisation.key"
    ).read_bytes()
    assert oct((restored / "secrets" / "pseudonymisation.key").stat().st_mode & 0o777) == "0o600"
    # The app serves the restored hub: the user signs in with the password they had...
    page = sign_in(serving(restored), "ana@example.org", password)
    assert "Sign out" in page
    # ...and the audit chain (verified by the restore) still verifies after that.
    verified = joinedup(restored, "audit", "verify", "--home", str(restored), "--json")
    assert verified.returncode == 0, verified.stderr
    verdict = json.loads(verified.stdout)
    assert verdict["intact"] and verdict["checked"] >= manifest["audit"]["events"]


def flip_a_byte(archive: Path, member_name: str) -> None:
    with tarfile.open(archive) as tar:
        member = tar.getmember(member_name)
        offset = member.offset_data + member.size // 2
    with archive.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


@pytest.mark.parametrize("member", ["web/operational.sqlite3", "governance/agreements.toml"])
def test_a_backup_with_a_changed_byte_is_refused_naming_the_file(
    tar_backup: Path, tmp_path: Path, member: str
) -> None:
    tampered = tmp_path / "tampered.tar"
    shutil.copyfile(tar_backup, tampered)
    flip_a_byte(tampered, member)
    restored = tmp_path / "restored"
    result = runner.invoke(app, ["restore", "--from", str(tampered), "--home", str(restored)])
    assert result.exit_code == 1
    assert "Nothing was restored" in said(result) and member in said(result)
    assert "SHA-256" in said(result)
    # Nothing is left behind: no target, no half-restored folder beside it.
    assert not restored.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["tampered.tar"]


def test_a_folder_backup_without_secrets_and_a_changed_count_is_refused(
    hub: tuple[Path, str], tmp_path: Path
) -> None:
    home, _ = hub
    folder = tmp_path / "backup"
    made = runner.invoke(
        app, ["backup", "--home", str(home), "--to", str(folder), "--without-secrets"]
    )
    assert made.exit_code == 0, made.output
    assert "keep the pseudonymisation key" in said(made)
    manifest = manifest_of(folder)
    assert not any(n.startswith("secrets/") or n == "web/secret_key" for n in manifest["files"])
    assert not (folder / "secrets").exists()

    restored = tmp_path / "restored"
    command = ["restore", "--from", str(folder), "--home", str(restored), "--no-serve-check"]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "put the pseudonymisation key back" in said(result)

    # A manifest whose count no longer matches its file (edited, or the file swapped).
    zone = f"zones/{manifest['zones_version']}/identity.duckdb"
    manifest["tables"][zone]["main.identity_records"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    again = tmp_path / "again"
    result = runner.invoke(app, ["restore", "--from", str(folder), "--home", str(again)])
    assert result.exit_code == 1
    assert zone in said(result) and "main.identity_records" in said(result)
    assert not again.exists()


def test_a_restore_into_a_directory_that_is_not_empty_is_refused(
    tar_backup: Path, tmp_path: Path
) -> None:
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "something").write_text("x")
    result = runner.invoke(
        app, ["restore", "--from", str(tar_backup), "--home", str(tmp_path / "hub")]
    )
    assert result.exit_code == 1 and "is not empty" in said(result)
    assert [p.name for p in (tmp_path / "hub").iterdir()] == ["something"]


def test_a_backup_over_an_existing_file_is_refused(hub: tuple[Path, str], tmp_path: Path) -> None:
    home, _ = hub
    (tmp_path / "old.tar").write_bytes(b"an older backup")
    result = runner.invoke(app, ["backup", "--home", str(home), "--to", str(tmp_path / "old.tar")])
    assert result.exit_code == 1 and "exists already" in said(result)
    assert (tmp_path / "old.tar").read_bytes() == b"an older backup"


def test_under_production_settings_the_web_database_is_left_to_pg_dump(
    hub: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, _ = hub
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "joinedup.web.settings.production")
    refused = runner.invoke(app, ["backup", "--home", str(home), "--to", str(tmp_path / "b.tar")])
    assert refused.exit_code == 1 and "pg_dump" in said(refused)
    assert not (tmp_path / "b.tar").exists()
    command = ["backup", "--home", str(home), "--to", str(tmp_path / "b.tar")]
    made = runner.invoke(app, [*command, "--without-web-database"])
    assert made.exit_code == 0, made.output
    manifest = manifest_of(tmp_path / "b.tar")
    assert "web/operational.sqlite3" not in manifest["files"] and manifest["audit"] is None


def test_a_backup_waits_for_a_running_load_then_gives_up_clearly(
    hub: tuple[Path, str], tmp_path: Path
) -> None:
    home, _ = hub
    with store.writer_lock(home):
        result = runner.invoke(
            app, ["backup", "--home", str(home), "--to", str(tmp_path / "b.tar"), "--wait", "1"]
        )
    assert result.exit_code == 1 and "is running" in said(result)
    assert list(tmp_path.iterdir()) == []
