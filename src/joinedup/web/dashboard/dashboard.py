"""The whole dashboard: the linked data's figures (kept per snapshot) and the web app's (counted
on each request, which takes a few small queries). No request or response here."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from joinedup.analytics.base import NotReadyError
from joinedup.linkage.published import NotLinkedError
from joinedup.web.dashboard.analytic import HIGH_INTENSITY_USERS, AnalyticFigures, analytic_figures
from joinedup.web.dashboard.figures import Figure
from joinedup.web.dashboard.operational import web_figures
from joinedup.web.dashboard.programme import programme_figures

NO_LINKED_DATA = "no linked data yet: the hub has not loaded and linked partners' extracts"


@dataclass(frozen=True)
class Section:
    title: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Dashboard:
    sections: tuple[Section, ...]
    left_out: dict[str, str]  # what could not be shown, and why
    at: dt.datetime
    seconds: float

    @property
    def figures(self) -> list[Figure]:
        return [figure for section in self.sections for figure in section.figures]


def linked(home: Path, today: dt.date) -> AnalyticFigures | None:
    """The linked data's figures, or None while there is no linked data."""
    try:
        return analytic_figures(home, today)
    except (NotReadyError, NotLinkedError):
        return None


def build(home: Path, now: dt.datetime | None = None) -> Dashboard:
    started = time.perf_counter()
    moment = now or timezone.now()
    found = linked(home, timezone.localdate(moment))
    place: list[Figure] = list(found.figures) if found else []
    high_intensity = [f for f in place if f.key == f"cohort-{HIGH_INTENSITY_USERS}"]
    cohorts = [f for f in place if f not in high_intensity]
    linkage = found.figures[0].trace.linkage_model if found and found.figures else NO_LINKED_DATA
    sections = (
        Section("High intensity users", tuple(high_intensity)),
        Section("The key cohorts", tuple(cohorts)),
        Section("Referrals, cases and outcomes", tuple(web_figures(linkage, moment))),
        Section("The programme", tuple(programme_figures(moment))),
    )
    left_out = dict(found.left_out) if found else {"Linked data": NO_LINKED_DATA}
    return Dashboard(
        tuple(s for s in sections if s.figures), left_out, moment, time.perf_counter() - started
    )
