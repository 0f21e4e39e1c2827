"""Faults and rules: a killed load leaves the stores as they were, one writer at a time, the key,
agreements, and fixing quarantined rows."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from feedhub import LoadedHub

from joinedup.feeds import quarantine
from joinedup.feeds.agreements import register_path
from joinedup.feeds.contract import contract_named
from joinedup.feeds.load import Delivery, connect_published, load_files, load_folder, load_one
from joinedup.feeds.secret import KeyUnavailableError, key_path, keyed, load_key
from joinedup.feeds.store import StoreBusyError, current, writer_lock


def zone_digest(home: Path) -> str:
    version = current(home)
    assert version is not None
    digest = hashlib.sha256()
    for path in sorted(version.folder.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def published_state(home: Path) -> list[tuple[object, ...]]:
    connection = connect_published(home)
    assert connection is not None
    rows = connection.execute(
        "SELECT feed, count(*), count(DISTINCT record_key), sum(hash(record_key)) FROM identity_records GROUP BY feed ORDER BY feed"
    ).fetchall()
    connection.close()
    return rows


def loader_process(home: Path, extracts: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "joinedup.cli",
        "load",
        str(extracts),
        "--home",
        str(home),
        "--json",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_killed_load_leaves_the_stores_as_they_were(borough: Path, tmp_path: Path) -> None:
    """FLT-01: kill -9 a real loader at several points; the published state never changes, and
    a rerun gives the same records as a load that was never interrupted."""
    home = tmp_path / "hub"
    first = tmp_path / "first"
    first.mkdir()
    for name in ("gp_patients.csv", "postcode_directory.csv"):
        shutil.copy(borough / "extracts" / name, first / name)
    load_folder(home, first)
    before_digest, before_state = zone_digest(home), published_state(home)
    kills = 0
    for delay in (0.3, 0.8, 1.5, 2.5):
        process = loader_process(home, borough / "extracts")
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        if process.returncode == 0:
            break  # finished before the kill: nothing left to interrupt
        kills += 1
        assert zone_digest(home) == before_digest, f"killed after {delay} s"
        assert published_state(home) == before_state
    assert kills >= 2, "the loader finished before it could be killed: the test proved nothing"
    rerun = loader_process(home, borough / "extracts")
    assert rerun.wait(timeout=300) in (0, 1)
    uninterrupted = tmp_path / "clean"
    load_folder(uninterrupted, first)
    load_folder(uninterrupted, borough / "extracts")
    # Keys differ between hubs (each has its own secret); compare what does not depend on it.
    assert [r[:3] for r in published_state(home)] == [r[:3] for r in published_state(uninterrupted)]
    leftovers = [p.name for p in (home / "zones").glob("v*") if p.resolve() != current(home).folder]  # type: ignore[union-attr]
    assert len(leftovers) <= 1  # at most the previous version, kept for rollback


def test_a_second_writer_is_refused(tmp_path: Path, borough: Path) -> None:
    """FLT-05: while one load holds the store, another is refused with a clear message."""
    with writer_lock(tmp_path), pytest.raises(StoreBusyError, match="another load is running"):
        load_one(tmp_path, "police_incidents", borough / "extracts" / "police_incidents.csv")


def test_record_keys_are_keyed_hashes_stable_for_the_hub(loaded_hub: LoadedHub) -> None:
    """LK-01: the same record id gives the same key in the hub; nobody without the key can make it."""
    connection = connect_published(loaded_hub.home)
    assert connection is not None
    record_id, record_key = connection.execute(
        "SELECT record_id, record_key FROM identity_records WHERE feed = 'police_incidents' LIMIT 1"
    ).fetchall()[0]
    connection.close()
    key = load_key(loaded_hub.home, stores_exist=True)
    assert keyed(key, "police_incidents", [record_id]) == [record_key]
    assert keyed(b"\x00" * 32, "police_incidents", [record_id]) != [record_key]
    assert oct(key_path(loaded_hub.home).stat().st_mode & 0o777) == "0o600"


def test_load_refuses_without_its_key(tmp_path: Path, borough: Path) -> None:
    """LK-02: once records are keyed, a missing key stops the load; no fallback to raw ids."""
    load_one(tmp_path, "vcs_referrals", borough / "extracts" / "vcs_referrals.csv")
    before = zone_digest(tmp_path)
    key_path(tmp_path).unlink()
    with pytest.raises(KeyUnavailableError, match="missing"):
        load_one(tmp_path, "police_incidents", borough / "extracts" / "police_incidents.csv")
    assert zone_digest(tmp_path) == before
    assert not key_path(tmp_path).exists()


def test_a_key_readable_by_others_is_refused(tmp_path: Path, borough: Path) -> None:
    load_one(tmp_path, "vcs_referrals", borough / "extracts" / "vcs_referrals.csv")
    key_path(tmp_path).chmod(0o644)
    with pytest.raises(KeyUnavailableError, match="owner-only"):
        load_one(tmp_path, "police_incidents", borough / "extracts" / "police_incidents.csv")


def _set_agreement(home: Path, agreement: str, **changes: str) -> None:
    path = register_path(home)
    text = path.read_text(encoding="utf-8")
    head, _, tail = text.partition(f'id = "{agreement}"')
    for key, value in changes.items():
        start = tail.index(f"\n{key} = ")
        end = tail.index("\n", start + 1)
        tail = tail[:start] + f"\n{key} = {value}" + tail[end:]
    path.write_text(head + f'id = "{agreement}"' + tail, encoding="utf-8")


def test_a_load_outside_its_agreement_is_refused(tmp_path: Path, borough: Path) -> None:
    """GDPR-06 in part: once an agreement has ended, its feed is refused and nothing is stored."""
    load_one(tmp_path, "vcs_referrals", borough / "extracts" / "vcs_referrals.csv")
    _set_agreement(tmp_path, contract_named("police_incidents").agreement, end="2016-03-31")
    report = load_one(tmp_path, "police_incidents", borough / "extracts" / "police_incidents.csv")
    assert report.status == "refused"
    assert (
        contract_named("police_incidents").agreement in report.message
        and "not in force" in report.message
    )
    connection = connect_published(tmp_path)
    assert connection is not None
    assert connection.execute(
        "SELECT count(*) FROM identity_records WHERE feed = 'police_incidents'"
    ).fetchall() == [(0,)]
    connection.close()


def test_a_field_outside_the_agreement_is_refused_and_the_ig_lead_told(
    tmp_path: Path, borough: Path
) -> None:
    """IN-07: a column the agreement does not cover refuses the file and leaves a notice."""
    load_one(tmp_path, "vcs_referrals", borough / "extracts" / "vcs_referrals.csv")
    path = register_path(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('"Summary",', "", 1).replace(', "Summary"', "", 1), encoding="utf-8"
    )
    report = load_one(tmp_path, "police_incidents", borough / "extracts" / "police_incidents.csv")
    assert report.status == "refused" and "Summary" in report.message
    notices = [
        json.loads(line)
        for line in (tmp_path / "governance" / "notifications.jsonl").read_text().splitlines()
    ]
    assert notices[-1]["kind"] == "field_outside_agreement" and notices[-1]["fields"] == ["Summary"]


def test_fixed_rows_resubmitted_resolve_their_quarantine(tmp_path: Path) -> None:
    contract = contract_named("vcs_referrals")
    header = ",".join(f'"{c.name}"' for c in contract.columns)
    good = '"VCS-000001","Ann Smith","01/02/1950","PR7 1AB","03/04/2017","Self","Befriending","Engaged"'
    broken = '"VCS-000002","Bob Jones","01/02/1950","PR7 1AB","31/02/2017","Self","Befriending","Engaged"'
    delivery = tmp_path / "vcs.csv"
    delivery.write_text("\n".join([header, good, broken]) + "\n", encoding="utf-8")
    first = load_one(tmp_path / "hub", "vcs_referrals", delivery)
    assert first.by_reason == {"invalid_date": 1} and first.loaded == 1
    fixed = tmp_path / "vcs-fixed.csv"
    fixed.write_text(
        "\n".join([header, broken.replace("31/02/2017", "28/02/2017")]) + "\n", encoding="utf-8"
    )
    second = load_one(tmp_path / "hub", "vcs_referrals", fixed, kind="resubmission")
    assert (second.status, second.loaded, second.resolved) == ("loaded", 1, 1)
    assert quarantine.list_entries(tmp_path / "hub", quarantine.Filters(feed="vcs_referrals")) == []
    resolved = quarantine.list_entries(tmp_path / "hub", quarantine.Filters(status="resolved"))
    assert [(r["line"], r["reason"]) for r in resolved] == [(3, "invalid_date")]


def test_quarantine_export_neutralises_formulas(tmp_path: Path) -> None:
    contract = contract_named("police_incidents")
    header = ",".join(f'"{c.name}"' for c in contract.columns)
    row = '"=1+1","N1","=HYPERLINK(""http://x"")","Ann","01/02/1950","Female","1 Road","PR7 1AB","31/02/2017 10:00","ASB","VICTIM","@SUM(1+1)"'
    path = tmp_path / "police.csv"
    path.write_bytes(("\r\n".join([header, row]) + "\r\n").encode("cp1252"))
    report = load_one(tmp_path / "hub", "police_incidents", path, kind="delivery")
    assert report.by_reason == {"invalid_date": 1}
    out = tmp_path / "q.csv"
    assert quarantine.export(tmp_path / "hub", quarantine.Filters(), out) == 1
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["record_id"] == "'=1+1:N1"  # a cell a spreadsheet would have run, neutralised
    assert (
        "=HYPERLINK" in rows[0]["raw"]
    )  # the partner's text itself is kept, inside the raw record
    assert rows[0]["line"] == "2"


def test_load_files_refuses_a_delivery_before_the_agreement_starts(
    tmp_path: Path, borough: Path
) -> None:
    report = load_files(
        tmp_path,
        [Delivery(borough / "extracts" / "vcs_referrals.csv", contract_named("vcs_referrals"))],
        today=dt.date(2014, 6, 1),
    )[0]
    assert report.status == "refused" and "not in force on 2014-06-01" in report.message


def test_a_write_failure_mid_load_publishes_nothing_and_a_retry_succeeds(
    borough: Path, tmp_path: Path
) -> None:
    """FLT-02: the disk fills during a load (simulated with a file-size limit, so writes fail
    with EFBIG as they would with ENOSPC): a clear failure, nothing published, retry works."""
    home = tmp_path / "hub"
    load_one(home, "vcs_referrals", borough / "extracts" / "vcs_referrals.csv")
    before = zone_digest(home)
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4_000_000, 4_000_000))\n"
        "from joinedup.feeds.load import load_folder\n"
        f"load_folder(Path({str(home)!r}), Path({str(borough / 'extracts')!r}))\n"
    )
    failed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert failed.returncode != 0
    assert (
        "File too large" in failed.stderr
        or "No space" in failed.stderr
        or "IO Error" in failed.stderr
    )
    assert zone_digest(home) == before
    assert [p for p in (home / "zones").glob("v*") if p.resolve() != current(home).folder] == []  # type: ignore[union-attr]
    reports, _ = load_folder(home, borough / "extracts")
    assert all(r.reconciles for r in reports) and any(r.status == "loaded" for r in reports)


def test_quarantined_rows_can_be_closed_with_a_note(tmp_path: Path) -> None:
    contract = contract_named("vcs_referrals")
    header = ",".join(f'"{c.name}"' for c in contract.columns)
    short = '"VCS-000009","Ann Smith","01/02/1950","PR7 1AB","03/04/2017","Self","Befriending"'
    path = tmp_path / "vcs.csv"
    path.write_text("\n".join([header, short]) + "\n", encoding="utf-8")
    report = load_one(tmp_path / "hub", "vcs_referrals", path)
    assert report.by_reason == {"wrong_field_count": 1}
    with pytest.raises(ValueError, match="say why"):
        quarantine.close(tmp_path / "hub", report.delivery_id or 0, [2], " ")
    assert (
        quarantine.close(
            tmp_path / "hub", report.delivery_id or 0, [2], "partner re-sent the extract"
        )
        == 1
    )
    assert quarantine.list_entries(tmp_path / "hub", quarantine.Filters()) == []
    closed = quarantine.list_entries(tmp_path / "hub", quarantine.Filters(status="closed"))
    assert [(r["line"], r["status"]) for r in closed] == [(2, "closed")]


def test_a_new_postcode_directory_gives_loaded_records_their_lsoa(
    tmp_path: Path, borough: Path
) -> None:
    home = tmp_path / "hub"
    load_one(home, "police_incidents", borough / "extracts" / "police_incidents.csv")
    count_with_lsoa = "SELECT count(lsoa21), count(*) FROM analytic.feed_police_incidents"

    def with_lsoa() -> tuple[int, int]:
        connection = connect_published(home)
        assert connection is not None
        counts = connection.execute(count_with_lsoa).fetchall()[0]
        connection.close()
        return int(counts[0]), int(counts[1])

    assert with_lsoa()[0] == 0
    load_files(home, [], postcodes=borough / "extracts" / "postcode_directory.csv")
    filled, total = with_lsoa()
    assert filled > 0.9 * total
