"""The small synthetic borough the feed tests load, and what loading it gave."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from joinedup.feeds.report import LoadReport
from joinedup.synth.config import SynthConfig

BOROUGH = SynthConfig(scale=0.03, seed=5, bad_rows=6)


@dataclass(frozen=True)
class LoadedHub:
    borough: Path
    home: Path
    reports: list[LoadReport]

    def report(self, feed: str) -> LoadReport:
        return next(r for r in self.reports if r.feed == feed)
