"""After a change is published: what was derived from the data as it was goes, or is named.

Older versions of the zones kept on disk and the analysis bases built from them are deleted (they
hold the erased or wrong data). Outputs recorded in the provenance log as made from such a
snapshot are listed; the case-finding lists among them (person-level: person_keys) are deleted if
they lie in the data directory, and named for deletion by hand if they do not. Everything here
follows from the tombstones alone, so it can run again after a crash with the same result.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from joinedup.analytics import provenance
from joinedup.analytics.base import base_folder
from joinedup.feeds import store
from joinedup.lifecycle.tombstones import Tombstone

PERSON_LEVEL_ACTIONS = ("erase", "retention")


@dataclass
class Aftermath:
    versions_deleted: list[str] = field(default_factory=list)
    bases_deleted: list[str] = field(default_factory=list)
    # Outputs made from a snapshot that held the data: run id, kind, when, snapshot, files.
    outputs: list[dict[str, Any]] = field(default_factory=list)
    lists_deleted: list[str] = field(default_factory=list)
    # Case-finding lists written outside the data directory: to be deleted by whoever holds them.
    lists_elsewhere: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def settle(home: Path, tombstones: list[Tombstone]) -> Aftermath:
    """Clear what was derived before the changes ``tombstones`` record."""
    aftermath = Aftermath()
    if not tombstones:
        return aftermath
    latest = max(t.zone_version for t in tombstones)
    aftermath.versions_deleted = store.drop_older_versions(home, latest)
    aftermath.bases_deleted = _drop_bases(home, latest)
    entries = provenance.history(home)
    made = {e["run_id"]: e for e in entries if _made_from(e, tombstones)}
    person_level = {
        run_id
        for run_id, entry in made.items()
        if _made_from(entry, [t for t in tombstones if t.action in PERSON_LEVEL_ACTIONS])
    }
    files: dict[str, list[str]] = {}
    for entry in entries:
        if entry.get("kind") == provenance.CASE_FINDING_FILE and entry.get("of_run") in made:
            files.setdefault(entry["of_run"], []).append(str(entry["file"]))
            if entry["of_run"] in person_level:
                _drop_list(home, Path(entry["file"]), aftermath)
    aftermath.outputs = [_listed(e, files.get(run_id, [])) for run_id, e in made.items()]
    return aftermath


def _drop_bases(home: Path, before: str) -> list[str]:
    folder = base_folder(home)
    dropped = sorted(p.name for p in folder.glob("v*") if p.name.split("-")[0] < before)
    for name in dropped:
        path = folder / name
        # A base on Spark is a folder of Parquet; a base on DuckDB, one file.
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    return dropped


def _made_from(entry: dict[str, Any], tombstones: list[Tombstone]) -> bool:
    """Whether a provenance entry's snapshot predates a change and postdates its data."""
    snapshot = entry.get("snapshot")
    if not isinstance(snapshot, dict) or "zone_version" not in snapshot:
        return False
    at = dt.datetime.fromisoformat(str(entry["at"])).astimezone(dt.UTC).replace(tzinfo=None)
    return any(
        str(snapshot["zone_version"]) < t.zone_version
        and (t.data_since is None or at >= t.data_since)
        for t in tombstones
    )


def _drop_list(home: Path, path: Path, aftermath: Aftermath) -> None:
    if not path.is_relative_to(home.resolve()):
        aftermath.lists_elsewhere.append(str(path))
    elif path.exists():
        path.unlink()
        aftermath.lists_deleted.append(str(path))


def _listed(entry: dict[str, Any], lists: list[str]) -> dict[str, Any]:
    folder = entry.get("folder")
    outputs = [str(Path(folder) / name) for name in entry.get("outputs", {})] if folder else []
    return {
        "run_id": entry["run_id"],
        "kind": entry.get("kind"),
        "at": entry["at"],
        "zone_version": entry["snapshot"]["zone_version"],
        "files": [*outputs, *lists],
    }
