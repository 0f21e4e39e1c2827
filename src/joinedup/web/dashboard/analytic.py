"""The dashboard's figures from the linked analytic zone: the key cohorts' sizes, quarter by quarter.

Each cohort is the hub's own definition (built-in or the hub's local variant), run on the analysis
base at the end of each of the last eight full quarters of the snapshot, one SQL query a cohort.
Each size is a count of a different day's population, so each goes through disclosure control on
its own. The work is done once per data snapshot and kept in memory; the run is recorded in the
provenance log, and its run id is in every figure's trace.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from joinedup.analytics import base, disclosure, provenance
from joinedup.analytics.cohorts import library
from joinedup.analytics.cohorts.compiler import compile_definition
from joinedup.analytics.cohorts.language import Definition
from joinedup.analytics.cohorts.run import digest
from joinedup.feeds import agreements
from joinedup.web.dashboard.figures import Figure, Point, Trace
from joinedup.web.dashboard.periods import Period, quarters_to

HIGH_INTENSITY_USERS = "high_intensity_ae"
# The cohorts the Executive follows, high intensity users first (they have their own card).
KEY_COHORTS = (
    HIGH_INTENSITY_USERS,
    "frail_older_people",
    "gp_frequent_attenders",
    "multi_agency_contact",
    "fire_risk",
    "childhood_obesity",
)
DATE_PARAMETER = "at"  # a cohort without it has no population date to move along the quarters


@dataclass(frozen=True)
class AnalyticFigures:
    snapshot: base.Snapshot
    run_id: str
    figures: tuple[Figure, ...]
    left_out: dict[str, str]  # cohort -> why it is not on the dashboard
    seconds: float


_cache: dict[tuple[str, str], AnalyticFigures] = {}
_lock = threading.Lock()


def analytic_figures(home: Path, today: dt.date) -> AnalyticFigures:
    """The figures of the current snapshot: computed on first asking, then from memory."""
    connection = base.open_base(home)
    try:
        snapshot = base.snapshot(connection)
        key = (str(home.resolve()), snapshot.name)
        with _lock:
            if key not in _cache:
                _cache[key] = _compute(connection, home, snapshot, today)
            return _cache[key]
    finally:
        connection.close()


def forget() -> None:
    """Drop what is kept in memory (tests, and a hub that changes its definitions)."""
    with _lock:
        _cache.clear()


def _compute(
    connection: duckdb.DuckDBPyConnection, home: Path, snapshot: base.Snapshot, today: dt.date
) -> AnalyticFigures:
    started = time.perf_counter()
    quarters = quarters_to(snapshot.last_event)
    known = library.entries(home)
    sizes: dict[str, list[disclosure.Controlled[int]]] = {}
    definitions: dict[str, Definition] = {}
    left_out: dict[str, str] = {}
    for name in KEY_COHORTS:
        if name not in known:
            left_out[name] = "the hub has no definition of this name"
            continue
        definition = known[name].definition
        reason = _refusal(home, definition, snapshot, today)
        if reason:
            left_out[name] = reason
            continue
        definitions[name] = definition
        sizes[name] = _sizes(connection, definition, snapshot, quarters)
    run_id = provenance.record(home, _provenance(definitions, sizes, snapshot, quarters))
    figures = tuple(
        _figure(definitions[name], sizes[name], quarters, snapshot, run_id) for name in sizes
    )
    return AnalyticFigures(snapshot, run_id, figures, left_out, time.perf_counter() - started)


def _refusal(home: Path, definition: Definition, snapshot: base.Snapshot, today: dt.date) -> str:
    """Why the cohort cannot be on the dashboard, or '' when it can."""
    if DATE_PARAMETER not in definition.parameters:
        return "the definition has no population date ('at') to follow over time"
    compiled = compile_definition(definition, {}, snapshot.last_event)
    try:
        agreements.authorise_purpose(home, definition.purpose, compiled.feeds, today)
        provenance.check_definition_version(
            home, definition.name, definition.version, digest(definition)
        )
    except (agreements.AgreementRefusedError, provenance.VersionConflictError) as refused:
        return str(refused)
    return ""


def _sizes(
    connection: duckdb.DuckDBPyConnection,
    definition: Definition,
    snapshot: base.Snapshot,
    quarters: list[Period],
) -> list[disclosure.Controlled[int]]:
    """The cohort's size at each quarter's end, in one query, each through disclosure control."""
    parts = []
    for index, quarter in enumerate(quarters):
        parameters = {DATE_PARAMETER: quarter.end.isoformat()}
        compiled = compile_definition(definition, parameters, snapshot.last_event)
        parts.append(f"SELECT {index} AS quarter, count(*) AS people FROM ({compiled.sql})")
    rows = dict(connection.execute(" UNION ALL ".join(parts)).fetchall())
    return [disclosure.publish(disclosure.Count(int(rows[i]))) for i in range(len(quarters))]


def _figure(
    definition: Definition,
    sizes: list[disclosure.Controlled[int]],
    quarters: list[Period],
    snapshot: base.Snapshot,
    run_id: str,
) -> Figure:
    trace = Trace(
        definition=f"cohort {definition.name} v{definition.version} ({definition.origin}; "
        f"text sha256 {digest(definition)[:12]}), population date at each quarter's end",
        snapshot=f"{snapshot.name}: analytic zone {snapshot.zone_version}, events to "
        f"{snapshot.last_event.isoformat()}",
        linkage_model=f"linkage run r{snapshot.linkage_run}, model {snapshot.linkage_model}",
        run_id=run_id,
    )
    return Figure(
        key=f"cohort-{definition.name}",
        title=definition.title,
        unit="people",
        value=sizes[-1],
        value_label=f"on {quarters[-1].end.isoformat()}",
        meaning=definition.description or definition.title,
        trend=tuple(Point(q.label, size) for q, size in zip(quarters, sizes, strict=True)),
        trace=trace,
    )


def _provenance(
    definitions: dict[str, Definition],
    sizes: dict[str, list[disclosure.Controlled[int]]],
    snapshot: base.Snapshot,
    quarters: list[Period],
) -> dict[str, object]:
    return {
        "kind": "dashboard",
        "definitions": [
            {"name": d.name, "version": d.version, "sha256": digest(d), "origin": d.origin}
            for d in definitions.values()
        ],
        "quarters": [q.end.isoformat() for q in quarters],
        "snapshot": snapshot.record(),
        "disclosure_control": disclosure.RULE.version,
        "published": {name: [s.export() for s in found] for name, found in sizes.items()},
    }
