"""``joinedup synth``: the synthetic borough, its partner extracts and its ground truth."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from joinedup.synth import truth
from joinedup.synth.borough import Borough, build_borough
from joinedup.synth.config import SynthConfig
from joinedup.synth.dates import NO_DATE, from_day_number
from joinedup.synth.extracts.catalogue import EXTRACTS, SYSTEMS
from joinedup.synth.extracts.common import ExtractRows, StreamedRows
from joinedup.synth.extracts.writer import PlantedRow, write_extract
from joinedup.synth.life import ORIGIN_RESIDENT
from joinedup.synth.nhs_numbers import check_digits
from joinedup.synth.rng import stream

Progress = Callable[[str], None]
NHS_COLUMNS = ("NHS Number", "NHS_NUMBER", "NHS No", "nhs_number")
FORENAME_COLUMNS = (
    "Forename",
    "PERSON_GIVEN_NAME",
    "Forename(s)",
    "Applicant Forename",
    "Pupil Forename",
    "forename",
)
STEPS_BEFORE_EXTRACTS = 3


def total_steps() -> int:
    """Steps the progress bar counts: building the population, each partner system, the truth."""
    return STEPS_BEFORE_EXTRACTS + len(SYSTEMS) + 1


def valid_nhs_share(column: pa.Array) -> float | None:
    """Share of rows whose NHS number is present and passes the modulus 11 check."""
    digits = pc.replace_substring(column.cast(pa.string()), " ", "")
    if len(digits) == 0:
        return None
    ten_digits = pc.fill_null(pc.match_substring_regex(digits, r"^\d{10}$"), False).to_numpy(
        zero_copy_only=False
    )
    values = np.array(pc.fill_null(digits, "0").to_pylist(), dtype=object)
    valid = np.zeros(len(values), dtype=bool)
    if ten_digits.any():
        numbers = values[ten_digits].astype(np.int64)
        checks = check_digits(numbers // 10)
        valid[ten_digits] = (checks != 10) & (checks == numbers % 10)
    return round(float(valid.mean()), 4)


def forename_differs_share(b: Borough, rows: ExtractRows, column: str) -> float:
    written = pc.utf8_lower(rows.columns[column].cast(pa.string())).to_numpy(zero_copy_only=False)
    true = np.char.lower(b.people["forename"][rows.person].astype(str))
    return round(float((written != true).mean()), 4) if len(true) else 0.0


def describe_extract(
    b: Borough, name: str, rows: ExtractRows | StreamedRows, written: int, planted: list[PlantedRow]
) -> dict[str, Any]:
    spec = next(e for e in EXTRACTS if e.name == name).format
    report: dict[str, Any] = {
        "file": f"extracts/{spec.filename}",
        "partner": spec.partner,
        "rows": written,
        "planted_bad_rows": len(planted),
        "encoding": spec.encoding,
        "format": "xlsx"
        if spec.is_workbook
        else ("csv" if spec.delimiter == "," else "pipe-delimited"),
    }
    if isinstance(rows, StreamedRows):
        return report
    nhs = next((c for c in NHS_COLUMNS if c in rows.columns), None)
    if nhs:
        report["nhs_number_valid_share"] = valid_nhs_share(rows.columns[nhs])
    forename = next((c for c in FORENAME_COLUMNS if c in rows.columns), None)
    if forename:
        report["forename_differs_from_truth_share"] = forename_differs_share(b, rows, forename)
    return report


def population_summary(b: Borough) -> dict[str, Any]:
    p, c = b.people, b.config
    at_start = p["origin"] == ORIGIN_RESIDENT
    households = np.unique(p["household"][at_start])
    left = (p["move_day"] != NO_DATE) & (p["moved_to_lsoa"] < 0)
    return {
        "residents_at_start": int(at_start.sum()),
        "residents_ever": p.rows,
        "residents_at_end": int((p["end_day"] >= c.after_last_day).sum()),
        "born": int((p["origin"] == 1).sum()),
        "arrived": int((p["origin"] == 2).sum()),
        "died": int((p["death_day"] != NO_DATE).sum()),
        "left_borough": int(left.sum()),
        "households_at_start": len(households),
        "lsoas": len(b.lsoas),
        "gp_registrations": b.registrations.rows,
    }


POSTCODE_DIRECTORY = "postcode_directory.csv"


def write_postcode_directory(b: Borough, path: Path) -> None:
    """The borough's postcodes and their 2021 LSOA, laid out as the ONS Postcode Directory's
    ``pcds`` and ``lsoa21cd`` columns: what a hub would load from the ONS for real postcodes."""
    local = b.addresses["lsoa"] >= 0
    postcodes = b.addresses["postcode"][local].astype(str)
    lsoa = np.asarray(b.lsoas.codes)[b.addresses["lsoa"][local]]
    unique, first = np.unique(postcodes, return_index=True)
    table = pa.table({"pcds": pa.array(unique), "lsoa21cd": pa.array(lsoa[first])})
    pacsv.write_csv(table, path)


def generate(
    config: SynthConfig, out_dir: Path, progress: Progress = lambda _: None
) -> dict[str, Any]:
    """Write the borough's extracts to ``out_dir/extracts`` and its truth to ``out_dir/truth``."""
    extracts_dir, truth_dir = out_dir / "extracts", out_dir / "truth"
    extracts_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    borough = build_borough(config, progress)
    write_postcode_directory(borough, extracts_dir / POSTCODE_DIRECTORY)
    reports: dict[str, Any] = {}
    planted: dict[str, tuple[str, list[PlantedRow]]] = {}
    truth_rows: dict[str, ExtractRows] = {}
    for system, build in SYSTEMS.items():
        progress(f"extract: {system}")
        for name, rows in build(borough).items():
            spec = next(e for e in EXTRACTS if e.name == name)
            rng = stream(config.seed, f"bad-rows:{name}")
            parts = rows.batches if isinstance(rows, StreamedRows) else [rows.columns]
            path = extracts_dir / spec.format.filename
            written, bad = write_extract(path, spec.format, parts, config.bad_rows, rng)
            reports[name] = describe_extract(borough, name, rows, written, bad)
            planted[name] = (spec.format.filename, bad)
            if spec.has_identifiers and isinstance(rows, ExtractRows):
                truth_rows[name] = rows
    progress("ground truth")
    truth.write_people(borough, truth_dir)
    truth.write_records(truth_rows, truth_dir)
    truth.write_bad_rows(planted, truth_dir)
    truth.write_intervention(borough, truth_dir)
    summary = {
        "scale": config.scale,
        "seed": config.seed,
        "period": {"from": config.start.isoformat(), "to": config.end.isoformat()},
        "population": population_summary(borough),
        "extracts": reports,
        "records_per_extract": {n: r["rows"] for n, r in reports.items()},
        "planted_bad_rows": {n: r["planted_bad_rows"] for n, r in reports.items()},
        "noise_rates": {
            e.system: borough.params.noise(_partner_key(e.system)).as_dict()
            for e in EXTRACTS
            if e.has_identifiers
        },
        "intervention": truth.intervention_summary(borough),
        "first_day": from_day_number(config.first_day).isoformat(),
    }
    (out_dir / "summary.json").write_text(
        json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return summary


def _partner_key(system: str) -> str:
    """The noise profile a system's records follow (GP systems share one)."""
    return "gp" if system.startswith("gp_") else system
