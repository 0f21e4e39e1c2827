"""What the lifecycle commands share: where they keep their files, their refusal, and the audit."""

from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from joinedup.feeds.rules import SUSPECT_FREE_TEXT

Progress = Callable[[str], None]
MIN_IDENTIFIER_CHARACTERS = 4


class LifecycleRefusedError(ValueError):
    """A lifecycle request that cannot be carried out; the message says why and what to do."""


def lifecycle_folder(home: Path) -> Path:
    return home / "lifecycle"


def operator() -> str:
    """Who runs the command: the operating-system user, as the provenance log records it."""
    return getpass.getuser()


def check_reason(reason: str, identifiers: Iterable[str] = ()) -> str:
    """The reason, stripped; refused if empty or if it could carry personal data (an id given on
    the command line, something shaped like an NHS number or an e-mail address): a reason is
    written to the tombstone and the audit log, which must hold no personal data."""
    text = reason.strip()
    if not text:
        raise LifecycleRefusedError("say why (--reason): it is kept with the tombstone")
    # Values too short to identify anyone (a sex code) would refuse innocent words.
    given = [i for i in identifiers if len(i) >= MIN_IDENTIFIER_CHARACTERS]
    if re.search(SUSPECT_FREE_TEXT, text) or any(i in text for i in given):
        raise LifecycleRefusedError(
            "the reason must not hold personal data (a record id, an NHS number, an e-mail "
            "address): it is kept with the tombstone and in the audit log; say why in words"
        )
    return text


def append_line(path: Path, entry: dict[str, object]) -> None:
    """Append one JSON line and flush it to disk (the file readable by its owner only)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    line = json.dumps(entry, sort_keys=True, default=str) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def audit(home: Path, verb: str, target: tuple[str, str], detail: dict[str, object]) -> bool:
    """An audit event in the hub's web database, if the hub has a web app; whether it had."""
    from joinedup.web import has_web_database

    if not has_web_database(home):
        return False
    from joinedup.web.governance.register import record_hub_event

    record_hub_event(home, verb, f"{operator()} (joinedup)", target, detail)
    return True
