"""The provenance log: what every cohort run and published figure was made from, and why.

One JSON object per line in HOME/analytics/provenance.jsonl, appended and flushed to disk before
the figures are shown, so that the information governance lead can answer "who ran what, on
which data, under which agreement" for any figure. The log holds no person_keys.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import secrets
from pathlib import Path
from typing import Any

LOG_NAME = "provenance.jsonl"
# The entry noting where a run's case-finding list was written: an erasure of data the run used
# deletes the list (joinedup.lifecycle).
CASE_FINDING_FILE = "case_finding_file"


class VersionConflictError(ValueError):
    """A definition's text changed without a new version number."""


def log_path(home: Path) -> Path:
    return home / "analytics" / LOG_NAME


def record(home: Path, entry: dict[str, Any]) -> str:
    """Append ``entry`` with a run id, the time and the operating-system user; the run id."""
    path = log_path(home)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
    line = json.dumps(
        {
            "run_id": run_id,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "user": getpass.getuser(),
            **entry,
        },
        sort_keys=True,
        default=str,
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return run_id


def record_case_finding_file(home: Path, run_id: str, path: Path) -> None:
    """Note that run ``run_id`` wrote its case-finding list (person-level) to ``path``."""
    record(home, {"kind": CASE_FINDING_FILE, "of_run": run_id, "file": os.fspath(path.resolve())})


def history(home: Path) -> list[dict[str, Any]]:
    path = log_path(home)
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def check_definition_version(home: Path, name: str, version: int, digest: str) -> None:
    """Refuse a definition whose version was run before with different text: a published figure
    must always be traceable to one text."""
    for entry in history(home):
        definition = entry.get("definition", {})
        if (
            definition.get("name") == name
            and definition.get("version") == version
            and definition.get("sha256") != digest
        ):
            raise VersionConflictError(
                f"cohort {name!r} version {version} was run before with different text "
                f"(run {entry['run_id']}); give the changed definition a new version number"
            )
