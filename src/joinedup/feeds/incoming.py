"""The hub's incoming area: where a partner file sent through the web app is received, and
which feeds may be received at all (those an agreement in force covers).

A received file is loaded under its own name and then removed: what the hub keeps of it is in
the zones (and the delivery log records its name and content hash), not a copy lying about.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from joinedup.feeds.agreements import Agreement
from joinedup.feeds.contract import Contract, packaged_contracts
from joinedup.feeds.load import load_one
from joinedup.feeds.report import LoadReport

UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Offer:
    """A feed, and why it may not be received now ("" when it may)."""

    contract: Contract
    not_offered_because: str = ""


def incoming_folder(home: Path) -> Path:
    """The incoming area, readable by the hub's own account only."""
    folder = home / "incoming"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def receiving_folder(home: Path) -> Path:
    """Where an upload is written, chunk by chunk, while it arrives."""
    folder = incoming_folder(home) / ".receiving"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder


def safe_name(name: str) -> str:
    """A file name with no path and no characters a shell or a file system would misread."""
    base = UNSAFE_IN_NAME.sub("_", Path(name).name).strip("._")
    return base[:120] or "extract"


def offers(register: Mapping[str, Agreement], on: dt.date) -> list[Offer]:
    """Every feed of the contracts, with the reason it is not offered on ``on``, if any: its
    agreement must be in the register, in force, and cover the feed (the loader checks the
    fields of the file itself when it loads it)."""
    found = []
    for contract in packaged_contracts():
        agreement = register.get(contract.agreement)
        if agreement is None:
            why = f"its agreement {contract.agreement} is not in the register"
        elif not agreement.in_force(on):
            why = f"its agreement {agreement.id} is not in force: {agreement.why_not_in_force(on)}"
        elif contract.name not in agreement.datasets:
            why = f"its agreement {agreement.id} does not cover it"
        else:
            why = ""
        found.append(Offer(contract, why))
    return found


def load_received(home: Path, feed: str, received: Path, name: str) -> LoadReport:
    """Load a file received in the incoming area as one delivery of ``feed``, recorded under
    ``name`` (made safe); the file is removed afterwards, loaded or refused."""
    folder = incoming_folder(home) / feed / secrets.token_hex(8)
    folder.mkdir(parents=True, mode=0o700)
    path = folder / safe_name(name)
    # A second name for the same bytes: nothing is copied, however large the file.
    os.link(received, path)
    try:
        return load_one(home, feed, path)
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()
