"""A hand-built borough for the locality profile tests, whose right answers are worked out by hand.

Five LSOAs in two wards: Central (A, B) and Rural (C, D, E); D and E are added to handbase's three.
Every LSOA has ten residents in each of the nineteen 2013 European Standard Population bands on
30 June 2019, so that every band has people and every count is a multiple of five (published as
it is); A has forty more children aged 7. Counts that a mistake would change come in threes, so
that the mistake moves a rounded count (203 is published as 205, not 200).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from handbase import AREAS, LAST_EVENT, HandBase, day

from joinedup.analytics import base
from joinedup.feeds import agreements

YEAR = 2019
A, B, C, D, E = "E01000001", "E01000002", "E01000003", "E01000004", "E01000005"
CENTRAL, RURAL = "E05000001", "E05000002"
LSOAS = (A, B, C, D, E)
OUTSIDE = "E01999999"  # an LSOA outside the borough
EXTRA_AREAS = [
    (D, "Village 002B", RURAL, "Rural", "Villages", 7, 7, 1300),
    (E, "Village 002C", RURAL, "Rural", "Villages", 8, 8, 1200),
]
CENSUS = {A: 1500, B: 1600, C: 1400, D: 1300, E: 1200}
IMD2019 = {A: 1, B: 5, C: 10, D: 7, E: 8}
# One age in each ESP2013 band (0-4 ... 90+); born in January, so the same age all through 2019.
BAND_AGES = [2 + 5 * band for band in range(19)]
EXTRA_CHILDREN_IN_A = 40

# A&E attendances in 2019 by LSOA: B's 3 is too small to publish.
AE = {A: 20, B: 3, C: 40, D: 60, E: 50}
# Emergency admissions in 2019 by LSOA and age at admission; E has twice the others' rates.
ADMISSIONS_BY_AGE = {2: 10, 77: 10, 87: 20, 92: 10}
ADMISSION_FACTOR = {A: 1, B: 1, C: 1, D: 1, E: 2}
POLICE_IN_A = 10
GP_APPOINTMENTS_IN_A = 100


def born(age: int) -> str:
    return f"{YEAR - age}-01"


def resident(lsoa: str, age: int, number: int) -> str:
    return f"{lsoa}-{age:02d}-{number:02d}"


def profile_base() -> HandBase:
    hand = HandBase()
    for lsoa in LSOAS:
        for age in BAND_AGES:
            for number in range(10):
                hand.person(resident(lsoa, age, number), born=born(age), lsoa=lsoa)
    for number in range(EXTRA_CHILDREN_IN_A):
        hand.person(f"A-child-{number:02d}", born=born(7), lsoa=A)
    _not_residents_on_30_june(hand)
    _events(hand)
    _measurements(hand)
    return hand


def _not_residents_on_30_june(hand: HandBase) -> None:
    """Three of each kind of person who must not be counted in A's mid-year population."""
    for number in range(3):
        hand.person(f"died-{number}", born="1980-01", died="2019-03-01", lsoa=A)
        hand.person(f"unborn-{number}", born="2019-08", lsoa=A, since="2019-08-15")
        hand.person(f"left-{number}", born="1980-01", lsoa=A)
        hand.residence.append((f"left-{number}", day("2019-02-01"), OUTSIDE))
        hand.person(f"arrived-{number}", born="1980-01", lsoa=OUTSIDE)
        hand.residence.append((f"arrived-{number}", day("2019-09-01"), A))


def _events(hand: HandBase) -> None:
    for lsoa, count in AE.items():
        for number in range(count):
            hand.event(resident(lsoa, 37, number % 10), "ae_attendance", "2019-04-01")
    hand.event(resident(A, 42, 0), "ae_attendance", "2018-06-01", times=5)  # the year before
    for lsoa, factor in ADMISSION_FACTOR.items():
        for age, count in ADMISSIONS_BY_AGE.items():
            for number in range(count * factor):
                hand.event(resident(lsoa, age, number % 10), "emergency_admission", "2019-05-01")
    for number in range(3):
        # Admitted while living outside the borough: counted nowhere.
        hand.event(f"left-{number}", "emergency_admission", "2019-05-01")
        hand.event(f"arrived-{number}", "emergency_admission", "2019-03-01")
    hand.event(resident(A, 27, 0), "police_incident", "2019-07-01", times=POLICE_IN_A)
    hand.event(resident(A, 47, 0), "gp_appointment", "2019-02-01", times=GP_APPOINTMENTS_IN_A)
    hand.event(resident(C, 67, 0), "fire_incident", "2019-03-01", times=2)
    hand.event(resident(C, 27, 1), "homelessness_application", "2019-03-01", times=10)


def _measurements(hand: HandBase) -> None:
    """A: 20 children measured, 10 of them with obesity by their latest measurement (50.0%).
    B: 10 measured, none with obesity. C: 10, 5 with obesity. D: 10, 2 with obesity."""
    for number in range(10):
        seven, twelve = resident(A, 7, number), resident(A, 12, number)
        if number < 3:  # high, then not: the latest counts
            hand.measurement(seven, "bmi_centile", "2019-02-01", 80)
            hand.measurement(seven, "bmi_centile", "2019-09-01", 96)
            hand.measurement(twelve, "bmi_centile", "2019-02-01", 97)
            hand.measurement(twelve, "bmi_centile", "2019-09-01", 80)
        else:
            hand.measurement(seven, "bmi_centile", "2019-03-01", 98)
            hand.measurement(twelve, "bmi_centile", "2019-03-01", 50)
    for number in range(3):  # measured the year before: not in 2019's figures
        hand.measurement(f"A-child-{number:02d}", "bmi_centile", "2018-10-01", 99)
    for lsoa, age, obese in ((B, 7, 0), (C, 7, 5), (D, 12, 2)):
        for number in range(10):
            centile = 99 if number < obese else 40
            hand.measurement(resident(lsoa, age, number), "bmi_centile", "2019-03-01", centile)


def build_base(folder: Path) -> Path:
    """The base written to ``folder``/base.duckdb and closed: open it read-only to use it.

    Loaded as handbase's connect() does, but a table at a time through Arrow: a row at a time,
    the two thousand residents take seconds."""
    hand = profile_base()
    path = folder / "base.duckdb"
    path.unlink(missing_ok=True)
    connection = duckdb.connect(str(path))
    try:
        base.create_schema(connection)
        for table, rows in (
            ("people", hand.people),
            ("events", hand.events),
            ("registrations", hand.registrations),
            ("residence", hand.residence),
            ("measurements", hand.measurements),
            ("areas", [*AREAS, *EXTRA_AREAS]),
        ):
            _insert(connection, table, rows)
        connection.execute(
            "INSERT INTO snapshot VALUES ('v000001', 1, 'v0001', DATE '2015-01-01', ?)",
            [LAST_EVENT],
        )
    finally:
        connection.close()
    return path


def _insert(
    connection: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence[object]]
) -> None:
    described = connection.execute(f"DESCRIBE {table}").fetchall()
    schema = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind, *_ in described])
    columns = {field.name: [row[i] for row in rows] for i, field in enumerate(schema)}
    connection.register("incoming", pa.table(columns, schema=schema))
    connection.execute(f"INSERT INTO {table} SELECT * FROM incoming")
    connection.unregister("incoming")


_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "DOUBLE": pa.float64(),
    "INTEGER": pa.int32(),
}


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


# Governance registers ---------------------------------------------------------------------------

ALL_FEEDS = (
    "gp_patients",
    "gp_appointments",
    "gp_conditions",
    "ae_attendances",
    "emergency_admissions",
    "mental_health_contacts",
    "pam_assessments",
    "police_incidents",
    "fire_activity",
    "homelessness_applications",
    "council_tax_support",
    "vcs_referrals",
    "iat_referral_log",
    "school_measurements",
)


def write_register(home: Path, purposes: tuple[str, ...]) -> None:
    """A register of one agreement covering every feed for ``purposes``, in force 2015-2030."""
    path = agreements.register_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{p}"' for p in purposes)
    datasets = ", ".join(f'"{f}"' for f in ALL_FEEDS)
    path.write_text(
        f"""
[[agreement]]
id = "DSA-TEST-001"
title = "Everything, for the tests"
partner = "Every partner"
datasets = [{datasets}]
purpose = "Tests"
purposes = [{listed}]
lawful_basis = "UK GDPR Article 6(1)(e): public task"
special_category_condition = "UK GDPR Article 9(2)(h)"
start = 2015-01-01
review = 2029-03-31
end = 2030-03-31
status = "active"
""",
        encoding="utf-8",
    )


# Maps -------------------------------------------------------------------------------------------


def _square(x: float, y: float, size: float = 0.01) -> list[list[list[float]]]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return [ring]


def boundaries() -> tuple[dict[str, Any], dict[str, Any]]:
    """LSOA and ward FeatureCollections: a row of small squares near Chorley."""
    names = {
        A: "Town 001A",
        B: "Town 001B",
        C: "Village 002A",
        D: "Village 002B",
        E: "Village 002C",
    }
    lsoas = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"lsoa21_code": code, "lsoa21_name": names[code]},
                "geometry": {"type": "Polygon", "coordinates": _square(-2.7 + 0.01 * i, 53.6)},
            }
            for i, code in enumerate(LSOAS)
        ],
    }
    wards = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"ward_code": code, "ward_name": name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": _square(-2.7 + 0.02 * i, 53.6, 0.02),
                },
            }
            for i, (code, name) in enumerate(((CENTRAL, "Central"), (RURAL, "Rural")))
        ],
    }
    return lsoas, wards


TODAY = dt.date(2020, 1, 15)
