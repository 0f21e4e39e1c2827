"""The small synthetic borough the linkage tests link, and what linking it gave."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from joinedup.linkage.run import LinkReport
from joinedup.synth.config import SynthConfig

BOROUGH = SynthConfig(scale=0.04, seed=11, bad_rows=0)
HELD_BACK_FEED = "police_incidents"


@dataclass(frozen=True)
class LinkedHub:
    borough: Path
    home: Path
    first: LinkReport  # every feed but the held-back one
    second: LinkReport  # after the held-back feed arrived
