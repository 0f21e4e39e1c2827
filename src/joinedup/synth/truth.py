"""The ground truth, written apart from the extracts (OUT_DIR/truth/): the product never reads it
except to measure itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from joinedup.synth.borough import Borough
from joinedup.synth.dates import render
from joinedup.synth.extracts.common import ExtractRows
from joinedup.synth.extracts.writer import PlantedRow
from joinedup.synth.intervention import ARM_CONTROL, ARM_INTERVENTION
from joinedup.synth.life import LEFT_BOROUGH

ISO = "%Y-%m-%d"


def person_ids(index: np.ndarray) -> pa.Array:
    """Opaque truth ids: ``T0000001``; only the truth files use them."""
    return pa.array(np.char.add("T", np.char.zfill((index + 1).astype(str), 7)))


def write_people(b: Borough, folder: Path) -> None:
    p = b.people
    codes = np.asarray(b.lsoas.codes)
    moved_to = np.where(
        p["moved_to_lsoa"] == LEFT_BOROUGH, "OUT", codes[np.maximum(p["moved_to_lsoa"], 0)]
    )
    table = pa.table(
        {
            "person_id": person_ids(np.arange(p.rows)),
            "forename": pa.array(p["forename"].tolist()),
            "surname": pa.array(p["surname"].tolist()),
            "surname_after_marriage": pa.array(p["surname_after"].tolist()),
            "name_changed_on": render(p["name_change_day"], ISO),
            "sex": pa.array(np.where(p["female"], "F", "M")),
            "birth_date": render(p["birth_day"], ISO),
            "nhs_number": pa.array(b.nhs_number.astype(str)),
            "household": pa.array(p["household"]),
            "lsoa21": pa.array(codes[p["lsoa"]]),
            "in_borough_from": render(p["start_day"], ISO),
            "in_borough_until": render(p["end_day"], ISO),
            "died_on": render(p["death_day"], ISO),
            "moved_on": render(p["move_day"], ISO),
            "moved_to_lsoa21": pa.array(np.where(p["move_day"] > -(2**31), moved_to, "")),
            "complex_needs": pa.array(b.needs["complex_needs"]),
            "iat_eligible_arm": pa.array(
                np.array(["", "intervention", "control"])[b.referrals["arm"]]
            ),
            "iat_referred_on": render(b.referrals["referral_day"], ISO),
        }
    )
    pacsv.write_csv(table, folder / "people.csv")


def write_records(rows: dict[str, ExtractRows], folder: Path) -> None:
    """Which true resident is behind each row of each extract, by the row's key."""
    tables = [
        pa.table(
            {
                "extract": pa.array([name] * extract.rows, type=pa.string()),
                "record_key": extract.keys.cast(pa.string()),
                "person_id": person_ids(extract.person),
            }
        )
        for name, extract in rows.items()
    ]
    pacsv.write_csv(pa.concat_tables(tables), folder / "records.csv")


def write_bad_rows(planted: dict[str, tuple[str, list[PlantedRow]]], folder: Path) -> None:
    lines = ["extract,file,line,kind,column"]
    for name, (filename, rows) in planted.items():
        lines += [f'{name},{filename},{r.line},{r.kind},"{r.column}"' for r in rows]
    (folder / "bad_rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def intervention_summary(b: Borough) -> dict[str, Any]:
    section = b.params.section("intervention")
    arm, referred = b.referrals["arm"], b.referrals["referral_day"] > -(2**31)
    return {
        "description": "High-need residents referred to the Integrated Action Team; their A&E use falls after referral.",
        "planted_effect": {
            "outcome": "ae_attendances",
            "measure": "rate_ratio_after_referral",
            "value": section["ae_rate_ratio"],
            "relative_reduction": round(1 - section["ae_rate_ratio"], 6),
        },
        "pam_gain": {"mean": section["pam_gain_mean"], "sd": section["pam_gain_sd"]},
        "referrals_from": section["start_date"],
        "referrals_until": section["end_date"],
        "intervention_localities": section["localities"],
        "control_area": section["control_area"],
        "eligibility": f"adults with complex needs or expected A&E use of at least {section['eligible_min_ae_rate']} a year",
        "eligible_in_intervention_localities": int((arm == ARM_INTERVENTION).sum()),
        "eligible_in_control_area": int((arm == ARM_CONTROL).sum()),
        "referred": int(referred.sum()),
        "referral_log": "extracts/iat_referral_log.csv",
    }


def write_intervention(b: Borough, folder: Path) -> None:
    text = json.dumps(intervention_summary(b), indent=2, sort_keys=True)
    (folder / "intervention.json").write_text(text + "\n", encoding="utf-8")
