"""Legal holds: residents whose records the retention job must keep, whatever their age.

A hold names a person_key (pseudonymous) and why. Holds are kept in ``HOME/lifecycle/holds.json``,
outside the versioned zones, so that loads and linkage runs never touch them; a released hold
stays in the file with who released it, when and why. Setting and releasing take the
single-writer lock, so a retention run sees the holds as they were when it started.

Example::

    hold(home, "P000000123", "inquest: coroner's request of 3 May")
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from joinedup.feeds import store
from joinedup.lifecycle.common import (
    LifecycleRefusedError,
    audit,
    check_reason,
    lifecycle_folder,
    operator,
)
from joinedup.lifecycle.purge import table_exists


@dataclass(frozen=True)
class Hold:
    person_key: str
    reason: str
    set_at: str
    set_by: str
    released_at: str | None = None
    released_by: str | None = None
    release_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None


def holds_path(home: Path) -> Path:
    return lifecycle_folder(home) / "holds.json"


def all_holds(home: Path) -> list[Hold]:
    """Every hold, active or released, in the order set."""
    path = holds_path(home)
    if not path.exists():
        return []
    return [Hold(**h) for h in json.loads(path.read_text(encoding="utf-8"))["holds"]]


def active_keys(home: Path) -> list[str]:
    return sorted({h.person_key for h in all_holds(home) if h.active})


def _save(home: Path, holds: list[Hold]) -> None:
    """Write the file whole beside itself, then rename: a crash leaves the old one or the new."""
    path = holds_path(home)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_suffix(".partial")
    text = json.dumps({"holds": [asdict(h) for h in holds]}, indent=2, sort_keys=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _check_key(home: Path, person_key: str) -> None:
    version = store.current(home)
    if version is None:
        raise LifecycleRefusedError("nothing is loaded on this hub yet: there are no residents")
    with store.connect_zones(version, read_only=True) as connection:
        if not table_exists(connection, "analytic", "person_keys"):
            raise LifecycleRefusedError("linkage has not run yet: there are no person_keys")
        found = connection.execute(
            "SELECT count(*) FROM analytic.person_keys WHERE person_key = ?", [person_key]
        ).fetchall()[0][0]
    if not found:
        raise LifecycleRefusedError(
            f"no resident has the person_key {person_key} (a key retired by a merge lives on as "
            "the key it merged into: hold that one)"
        )


def hold(home: Path, person_key: str, reason: str) -> str:
    """Put a resident's records under a legal hold; a message saying what was done."""
    key, why = person_key.strip(), check_reason(reason)
    with store.writer_lock(home):
        _check_key(home, key)
        holds = all_holds(home)
        earlier = next((h for h in holds if h.active and h.person_key == key), None)
        if earlier is not None:
            return f"{key} is already under a legal hold, since {earlier.set_at}; nothing changed"
        new = Hold(key, why, _now(), operator())
        _save(home, [*holds, new])
        audit(home, "retention.hold_set", ("person", key), asdict(new))
    return f"{key} is under a legal hold: retention will keep their records until it is released"


def release(home: Path, person_key: str, reason: str) -> str:
    """Release a resident's legal hold; the next retention run may purge their records."""
    key, why = person_key.strip(), check_reason(reason)
    with store.writer_lock(home):
        holds = all_holds(home)
        if not any(h.active and h.person_key == key for h in holds):
            raise LifecycleRefusedError(f"there is no legal hold on {key} to release")
        released = [
            Hold(
                **{
                    **asdict(h),
                    "released_at": _now(),
                    "released_by": operator(),
                    "release_reason": why,
                }
            )
            if h.active and h.person_key == key
            else h
            for h in holds
        ]
        _save(home, released)
        audit(home, "retention.hold_released", ("person", key), {"person_key": key, "reason": why})
    return f"the legal hold on {key} is released: the next retention run may purge their records"
