"""GDPR-04: data received in error is erased from every table of both zones, from older versions
on disk, from the analysis bases and case-finding lists made from it; a tombstone without
personal data is kept; a crash part way leaves the published zones as they were (FLT-01)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lifecyclehub import file_bytes, fingerprint, rows, tables_holding
from typer.testing import CliRunner

from joinedup.analytics.base import BUILD_LOCK, base_folder
from joinedup.cli import app
from joinedup.feeds.load import load_one
from joinedup.lifecycle import erase, tombstones
from joinedup.lifecycle.erase import erase_delivery, erase_records

REASON = "sent to the hub by mistake"


def case_finding_list(home: Path) -> Path:
    """A cohort's case-finding list written into the data directory, as the CLI writes it."""
    out = home / "lists" / "high_intensity_ae.csv"
    out.parent.mkdir()
    result = CliRunner().invoke(
        app,
        ["cohorts", "run", "high_intensity_ae", "--case-finding", f"--out={out}", f"--home={home}"],
    )
    assert result.exit_code == 0, result.output
    return out


def test_an_erased_record_is_gone_from_everything(hub: Path, patient: dict[str, Any]) -> None:
    identifiers = [patient[k] for k in ("record_id", "record_key", "family_name", "nhs_number")]
    assert all(tables_holding(hub, identifiers).values())
    assert patient["family_name"].encode() in file_bytes(hub)
    listed = case_finding_list(hub)
    assert len(list((hub / "zones").glob("v*"))) == 2 and list(base_folder(hub).glob("*.duckdb"))
    # The same snapshot's base as Spark keeps it: a folder of Parquet, which must go too.
    on_spark = next(base_folder(hub).glob("*.duckdb")).with_suffix(".parquet") / "events"
    on_spark.mkdir(parents=True)
    (on_spark / "part-0.parquet").write_bytes(b"PAR1")

    report = erase_records(hub, "gp_patients", [patient["record_id"]], REASON)

    assert report.status == "done" and report.tombstones[0].records == 1
    # A patient's record id is also their id as the practice's appointments name them: those stay.
    assert tables_holding(hub, identifiers) == {
        patient["record_id"]: ["identity.identity_records.source_person_id"],
        **{text: [] for text in identifiers[1:]},
    }
    # Not in the files' free blocks either: the zones were rewritten from their live rows.
    for text in (patient["family_name"], patient["nhs_number"]):
        assert text.encode() not in file_bytes(hub)
    assert not rows(hub, "SELECT 1 FROM link_nodes WHERE node_id = ?", patient["node_id"])
    # The patient's appointments stay, with their person_key (LK-09).
    assert rows(
        hub,
        "SELECT DISTINCT p.person_key FROM identity_records r JOIN link_record_persons p "
        "USING (feed, record_key) WHERE r.person_source_key = ?",
        patient["person_source_key"],
    ) == [(patient["person_key"],)]
    assert [p.name for p in (hub / "zones").glob("v*")] == [fingerprint(hub)[0]]
    assert [p.name for p in base_folder(hub).glob("*")] in ([], [BUILD_LOCK])
    assert not listed.exists() and report.aftermath.lists_deleted == [str(listed.resolve())]
    assert [o["kind"] for o in report.aftermath.outputs] == ["cohort"]
    text = tombstones.path(hub).read_text()
    for identifier in [*identifiers, patient["given_name"], patient["person_key"]]:
        assert identifier.upper() not in text.upper()
    entry = json.loads(text)
    assert entry["records"] == 1 and entry["reason"] == REASON and entry["feed"] == "gp_patients"
    assert len(entry["record_hashes"]) == 1 and entry["action"] == "erase"


def test_a_quarantined_row_is_erased_by_its_record_id(hub: Path) -> None:
    feed, record_id = rows(
        hub, "SELECT feed, record_id FROM quarantine WHERE record_id IS NOT NULL ORDER BY 1, 2"
    )[0]

    report = erase_records(hub, feed, [record_id], REASON)

    assert report.tombstones[0].quarantined_rows >= 1
    assert not rows(
        hub, "SELECT 1 FROM quarantine WHERE feed = ? AND record_id = ?", feed, record_id
    )


def test_a_crash_part_way_leaves_the_published_zones_as_they_were(
    hub: Path, patient: dict[str, Any]
) -> None:
    before = fingerprint(hub)
    folders = sorted(p.name for p in (hub / "zones").glob("v*"))

    def crash(step: str) -> None:
        if step == "Removing what linkage made of them":
            raise KeyboardInterrupt  # as good as a kill: nothing after it runs

    with pytest.raises(KeyboardInterrupt):
        erase_records(hub, "gp_patients", [patient["record_id"]], REASON, progress=crash)

    assert fingerprint(hub) == before
    assert sorted(p.name for p in (hub / "zones").glob("v*")) == folders
    assert not tombstones.path(hub).exists()


def test_a_crash_after_publishing_is_completed_by_the_next_command_and_nothing_repeats(
    hub: Path, patient: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    commit = tombstones.commit

    def crash(home: Path, made: list[tombstones.Tombstone]) -> None:
        if made:
            raise KeyboardInterrupt
        commit(home, made)

    monkeypatch.setattr(tombstones, "commit", crash)
    with pytest.raises(KeyboardInterrupt):
        erase_records(hub, "gp_patients", [patient["record_id"]], REASON)
    monkeypatch.setattr(tombstones, "commit", commit)
    published = fingerprint(hub)

    again = erase_records(hub, "gp_patients", [patient["record_id"]], REASON)

    assert again.status == "nothing_to_do" and "already erased" in again.message
    assert fingerprint(hub) == published
    assert len(tombstones.written(hub)) == 1
    assert len(list((hub / "zones").glob("v*"))) == 1


VCS = (
    '"Ref","Name","Date of birth","Postcode","Referred on","Referred by","Service","Outcome"\n'
    '"VCS-900001","Ann Smithson","01/02/1950","PR7 1AB","03/04/2020","Self","Befriending","Engaged"\n'
    '"VCS-900002","Bob Smithson","31/02/1950","PR7 1AB","03/04/2020","Self","Befriending","Engaged"\n'
)


def test_an_erased_delivery_is_refused_until_allowed_again(hub: Path, tmp_path: Path) -> None:
    delivery = tmp_path / "vcs_referrals_extra.csv"
    delivery.write_text(VCS, encoding="utf-8")
    loaded = load_one(hub, "vcs_referrals", delivery)
    assert (loaded.loaded, loaded.quarantined) == (1, 1)

    report = erase_delivery(hub, "vcs_referrals", loaded.delivery_id or 0, REASON)

    assert (report.tombstones[0].records, report.tombstones[0].quarantined_rows) == (1, 1)
    assert tables_holding(hub, ["Smithson"]) == {"Smithson": []}
    again = erase_delivery(hub, "vcs_referrals", loaded.delivery_id or 0, REASON)
    assert again.status == "nothing_to_do"
    refused = load_one(hub, "vcs_referrals", delivery)
    assert refused.status == "refused" and refused.refusal_reason == "erased_delivery"
    assert "records allow-reload" in refused.message
    assert (
        erase.allow_reload(hub, "vcs_referrals", loaded.delivery_id or 0, REASON).status == "done"
    )
    reloaded = load_one(hub, "vcs_referrals", delivery)
    assert reloaded.status == "loaded" and reloaded.loaded == 1
    assert [t["action"] for t in tombstones.written(hub)] == ["erase", "allow_reload"]
