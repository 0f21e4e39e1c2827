"""Running a cohort: purpose checked, query run on the analysis base, figures controlled, and the
run recorded with everything a figure was made from.

A run publishes counts only (the whole cohort, and by ward, LSOA, sex and age band), each through
disclosure control. A list of person_keys leaves only when the analyst asks for case finding, and
that request is recorded in the provenance log like every run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from joinedup.analytics import base, disclosure, provenance
from joinedup.analytics.cohorts import library
from joinedup.analytics.cohorts.compiler import compile_definition
from joinedup.analytics.cohorts.language import Definition
from joinedup.engines import Engine, resolve_engine
from joinedup.feeds import agreements

AGE_BANDS = ((0, 17), (18, 44), (45, 64), (65, 74), (75, 84), (85, 200))
Progress = Callable[[str], None]
# The steps of a run, in order, as it reports them to ``progress`` (the web app's job page).
STEPS = (
    "Checking the purpose against the data sharing agreements",
    "Finding the cohort's people",
    "Applying disclosure control",
    "Recording the run in the provenance log",
)


def age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}+" if high >= 200 else f"{low}-{high}"
    return "unknown"


AGE_BAND_SQL = (
    "CASE "
    + " ".join(
        f"WHEN age BETWEEN {low} AND {high} THEN '{age_band(low)}'" for low, high in AGE_BANDS
    )
    + " ELSE 'unknown' END"
)


@dataclass
class CohortRun:
    """What a run published: controlled figures only, and the provenance behind them."""

    run_id: str
    name: str
    title: str
    version: int
    parameters: dict[str, str]
    population_date: dt.date
    purpose: str
    agreements: list[str]
    snapshot: dict[str, Any]
    disclosure_control: str
    total: disclosure.Controlled[int]
    by_ward: disclosure.ControlledTable[str]
    by_lsoa: disclosure.ControlledTable[str]
    by_sex: disclosure.ControlledTable[str]
    by_age_band: disclosure.ControlledTable[str]
    seconds: float
    person_keys: list[str] | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        """Every figure as it is published ([c] for hidden), for JSON and the web app alike."""

        def table(controlled: disclosure.ControlledTable[str]) -> dict[str, Any]:
            return {
                "cells": {k: v.export() for k, v in controlled.cells.items()},
                "total": controlled.total.export(),
            }

        result = {
            "run_id": self.run_id,
            "cohort": self.name,
            "title": self.title,
            "version": self.version,
            "parameters": self.parameters,
            "population_date": self.population_date.isoformat(),
            "purpose": self.purpose,
            "agreements": self.agreements,
            "snapshot": self.snapshot,
            "disclosure_control": self.disclosure_control,
            "people": self.total.export(),
            "by_ward": table(self.by_ward),
            "by_lsoa": table(self.by_lsoa),
            "by_sex": table(self.by_sex),
            "by_age_band": table(self.by_age_band),
            "seconds": round(self.seconds, 3),
        }
        if self.person_keys is not None:
            result["person_keys"] = self.person_keys
        return result


def digest(definition: Definition) -> str:
    return hashlib.sha256(definition.text.encode("utf-8")).hexdigest()


def run_cohort(
    home: Path,
    name_or_path: str,
    parameters: Mapping[str, str] | None = None,
    case_finding: bool = False,
    today: dt.date | None = None,
    progress: Progress = lambda _step: None,
    purpose: str | None = None,
    engine: str | None = None,
) -> CohortRun:
    """Run a definition by name or path, on the named engine (the hub's own if none is named:
    see :func:`joinedup.engines.resolve_engine`). ``purpose`` replaces the
    definition's own for this run (case finding for direct care, say): the agreements must cover
    it, or the run is refused."""
    definition = library.find(home, name_or_path)
    if purpose is not None:
        definition = dataclasses.replace(definition, purpose=purpose)
    on = base.open_on(home, resolve_engine(engine, home), progress)
    try:
        return run_definition(
            on, home, definition, dict(parameters or {}), case_finding, today, progress
        )
    finally:
        on.close()


def run_definition(
    on: Engine,
    home: Path,
    definition: Definition,
    parameters: dict[str, str],
    case_finding: bool,
    today: dt.date | None,
    progress: Progress = lambda _step: None,
) -> CohortRun:
    started = dt.datetime.now()
    progress(STEPS[0])
    snapshot = base.engine_snapshot(on)
    compiled = compile_definition(definition, parameters, snapshot.last_event)
    covering = agreements.authorise_purpose(
        home, definition.purpose, compiled.feeds, today or dt.date.today()
    )
    provenance.check_definition_version(
        home, definition.name, definition.version, digest(definition)
    )
    progress(STEPS[1])
    on.create_table("cohort", compiled.sql)
    counts = _counts(on)
    keys = (
        [k for (k,) in on.rows("SELECT person_key FROM cohort ORDER BY 1")]
        if case_finding
        else None
    )
    every = {
        "ward": _labels(on, "ward_name"),
        "lsoa": _labels(on, "lsoa21"),
        "sex": ["F", "M"],
        "age_band": [age_band(low) for low, _ in AGE_BANDS],
    }
    progress(STEPS[2])
    tables = {
        name: disclosure.publish(
            disclosure.Table(counts[name], list(dict.fromkeys([*labels, *counts[name]])))
        )
        for name, labels in every.items()
    }
    total = disclosure.publish(disclosure.Count(counts["total"][""]))
    tables, total = _hide_across_tables(on, tables, total, counts)
    snapshot_record = snapshot.record()
    progress(STEPS[3])
    run_id = provenance.record(
        home,
        {
            "kind": "cohort",
            "definition": {
                "name": definition.name,
                "version": definition.version,
                "sha256": digest(definition),
                "origin": definition.origin,
            },
            "parameters": compiled.parameters,
            "population_date": compiled.at.isoformat(),
            "purpose": definition.purpose,
            "agreements": sorted({a.id for a in covering.values()}),
            "snapshot": snapshot_record,
            "disclosure_control": disclosure.RULE.version,
            "case_finding": case_finding,
            "person_keys_released": len(keys) if keys is not None else 0,
            "published_total": total.export(),
        },
    )
    return CohortRun(
        run_id=run_id,
        name=definition.name,
        title=definition.title,
        version=definition.version,
        parameters=compiled.parameters,
        population_date=compiled.at,
        purpose=definition.purpose,
        agreements=sorted({a.id for a in covering.values()}),
        snapshot=snapshot_record,
        disclosure_control=disclosure.RULE.version,
        total=total,
        by_ward=tables["ward"],
        by_lsoa=tables["lsoa"],
        by_sex=tables["sex"],
        by_age_band=tables["age_band"],
        seconds=(dt.datetime.now() - started).total_seconds(),
        person_keys=keys,
    )


def _hide_across_tables(
    on: Engine,
    tables: dict[str, disclosure.ControlledTable[str]],
    total: disclosure.Controlled[int],
    counts: dict[str, dict[str, int]],
) -> tuple[dict[str, disclosure.ControlledTable[str]], disclosure.Controlled[int]]:
    """The tables are published side by side and add up across each other (a ward and its
    LSOAs; the whole cohort and each table): hide more until no hidden cell can be worked out."""
    cells = {
        (name, label): cell for name, table in tables.items() for label, cell in table.cells.items()
    }
    cells[("total", "")] = total
    sizes = {(name, label): n for name, found in counts.items() for label, n in found.items()}
    sizes[("total", "")] = counts["total"][""]
    lines: list[list[tuple[str, str]]] = [
        [("total", ""), *((name, label) for label in table.cells)] for name, table in tables.items()
    ]
    for ward, lsoas in _wards(on).items():
        lines.append([("ward", ward), *(("lsoa", lsoa) for lsoa in lsoas)])
    for label in set(tables["ward"].cells) & set(tables["lsoa"].cells):
        lines.append([("ward", label), ("lsoa", label)])  # outside the borough, at both levels
    hidden = disclosure.hide_across_lines(cells, lines, sizes)
    rebuilt = {
        name: disclosure.table_of({label: hidden[(name, label)] for label in table.cells})
        for name, table in tables.items()
    }
    return rebuilt, hidden[("total", "")]


def _wards(on: Engine) -> dict[str, list[str]]:
    wards: dict[str, list[str]] = {}
    for ward, lsoa in on.rows("SELECT ward_name, lsoa21 FROM areas ORDER BY 1, 2"):
        wards.setdefault(str(ward), []).append(str(lsoa))
    return wards


def _labels(on: Engine, column: str) -> list[str]:
    """Every area of the borough, so that an area with no one in the cohort shows as 0."""
    return [v for (v,) in on.rows(f"SELECT DISTINCT {column} FROM areas ORDER BY 1")]


def _counts(on: Engine) -> dict[str, dict[str, int]]:
    """Raw counts, which never leave this module unpublished: every grouping in one scan."""
    groupings = {
        "ward": "coalesce(ward_name, 'outside the borough or unknown')",
        "lsoa": "coalesce(lsoa21, 'outside the borough or unknown')",
        "sex": "coalesce(sex, 'unknown')",
        "age_band": AGE_BAND_SQL,
    }
    labelled = ", ".join(f"{expression} AS {name}" for name, expression in groupings.items())
    sets = ", ".join(["()", *(f"({name})" for name in groupings)])
    # GROUPING(x) is 0 when a row is grouped by x: it tells a grouping's NULL-free labels apart.
    flags = ", ".join(f"grouping({name})" for name in groupings)
    rows = on.rows(
        f"SELECT {', '.join(groupings)}, {flags}, count(*) "
        f"FROM (SELECT {labelled} FROM cohort) AS labelled GROUP BY GROUPING SETS ({sets})"
    )
    counts: dict[str, dict[str, int]] = {"total": {"": 0}, **{name: {} for name in groupings}}
    width = len(groupings)
    for row in rows:
        labels, grouped, n = row[:width], row[width : 2 * width], int(row[-1])
        by = [name for name, flag in zip(groupings, grouped, strict=True) if flag == 0]
        if not by:
            counts["total"][""] = n
        else:
            counts[by[0]][str(labels[list(groupings).index(by[0])])] = n
    return counts
