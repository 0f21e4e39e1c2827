"""A delivery: one partner file offered for loading as one feed, and its content hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from joinedup.feeds.contract import Contract


@dataclass(frozen=True)
class Delivery:
    path: Path
    contract: Contract
    kind: str = "delivery"
    # A resubmission of one quarantined row fixed by hand: (its delivery, its line). The row
    # leaves the quarantine when the fix loads, even if it had no record id to match on.
    fixes: tuple[int, int] | None = None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
