"""Extracts from the health partners: GP practices, the acute trust, mental health, school
nursing (child measurements) and community health (Patient Activation Measure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from joinedup.reference import growth, read_reference_csv
from joinedup.synth.borough import Borough
from joinedup.synth.dates import NO_DATE, age_in_years, day_number
from joinedup.synth.extracts.common import (
    ISO_DATE,
    ISO_DATETIME,
    UK_DATE,
    UK_DATETIME,
    ExtractRows,
    StreamedRows,
    coded,
    dates,
    identities,
    local_numbers,
    numbered,
    person_address_on,
    text,
    times_of_day,
    upper,
)
from joinedup.synth.params import banded
from joinedup.synth.registrations import DEREGISTRATION_REASONS, practices, registration_on
from joinedup.synth.rng import stream
from joinedup.synth.services import draw_types
from joinedup.synth.table import Table

LONG_TERM_CONDITIONS = ("hypertension", "diabetes", "copd", "chd", "heart_failure", "ckd")


def spaced_nhs(numbers: pa.Array) -> pa.Array:
    """'9990000018' as GP systems print it: '999 000 0018'."""
    parts = [pc.utf8_slice_codeunits(numbers, a, b) for a, b in ((0, 3), (3, 6), (6, 10))]
    return pc.binary_join_element_wise(*parts, " ")


def _titles(b: Borough, person: np.ndarray, day: np.ndarray) -> pa.Array:
    people = b.people
    adult = age_in_years(people["birth_day"][person], day) >= 18
    married = (people["partner"][person] >= 0) & ~people["cohabiting_unmarried"][person]
    female = people["female"][person]
    title = np.where(
        female,
        np.where(married, "Mrs", np.where(adult, "Ms", "Miss")),
        np.where(adult, "Mr", "Master"),
    )
    return pa.array(title)


def _born_by(noisy: np.ndarray, b: Borough, person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The recorded birth date, or the true one where noise would put it after ``day``."""
    return np.where(noisy > day, b.people["birth_day"][person], noisy).astype(np.int32)


def gp_patients(b: Borough) -> ExtractRows:
    reg = b.registrations
    codes, _, _ = practices()
    person = reg["person"]
    ends = reg["deregistered_on"]
    as_of = np.where(ends == NO_DATE, b.config.after_last_day - 1, ends - 1).astype(np.int32)
    ident, _, _ = identities(b, "gp", person, as_of, person_address_on(b, person, as_of))
    practice = pa.array(np.asarray(codes)[reg["practice"]])
    patient_id = pa.array(reg["patient_id"]).cast(pa.string())
    died = b.people["death_day"][person]
    reason = np.vectorize(lambda r: DEREGISTRATION_REASONS.get(r, ""), otypes=[object])(
        reg["reason"]
    )
    return ExtractRows(
        columns={
            "Practice Code": practice,
            "Patient ID": patient_id,
            "NHS Number": spaced_nhs(text(ident["nhs_number"])),
            "Title": _titles(b, person, as_of),
            "Forename": text(ident["forename"]),
            "Surname": text(ident["surname"]),
            "Date of Birth": dates(
                _born_by(ident["birth_day"], b, person, reg["registered_on"]), UK_DATE
            ),
            "Sex": coded(ident["female"], "F", "M"),
            "Address Line 1": text(ident["line1"]),
            "Town": text(ident["town"]),
            "Postcode": text(ident["postcode"]),
            "Registration Date": dates(reg["registered_on"].astype(np.int32), UK_DATE),
            "Deregistration Date": dates(ends, UK_DATE),
            "Deregistration Reason": text(reason),
            "Date of Death": dates(np.where(ends == died, died, NO_DATE).astype(np.int32), UK_DATE),
        },
        key_column="Patient ID",
        person=person,
        unique_key=pc.binary_join_element_wise(practice, patient_id, ":"),
    )


APPOINTMENT_PEOPLE_PER_PART = 150_000


def gp_appointments(b: Borough) -> StreamedRows:
    """Appointments, the largest extract (about 25 a resident over five years), streamed in parts."""
    return StreamedRows(batches=_appointment_parts(b), key_column="Appointment ID")


def _appointment_parts(b: Borough) -> Iterator[dict[str, pa.Array]]:
    codes = np.asarray(practices()[0])
    numbered_so_far = 0
    for part, events in enumerate(b.events_in_parts("gp_appointment", APPOINTMENT_PEOPLE_PER_PART)):
        rng = stream(b.config.seed, f"extract:gp_appointments:{part}")
        registration = registration_on(b.registrations, events["person"], events["day"])
        events = events.take(registration >= 0)
        registration = registration[registration >= 0]
        count = events.rows
        slot = (8 * 60 + 10 * rng.integers(0, 60, count)).astype(np.int32) * 60
        yield {
            "Appointment ID": numbered("APT", numbered_so_far + np.arange(1, count + 1), 9),
            "Practice Code": pa.array(codes[b.registrations["practice"][registration]]),
            "Patient ID": pa.array(b.registrations["patient_id"][registration]).cast(pa.string()),
            "Appointment Date": dates(events["day"], UK_DATETIME, slot),
            "Slot Type": pa.array(draw_types(rng, SLOT_TYPES, count)),
            "Clinician": pa.array(draw_types(rng, CLINICIANS, count)),
            "Status": pa.array(draw_types(rng, APPOINTMENT_STATUS, count)),
        }
        numbered_so_far += count


SLOT_TYPES = {"Face to face": 0.72, "Telephone": 0.24, "Home visit": 0.04}
CLINICIANS = {"GP": 0.55, "Practice Nurse": 0.27, "HCA": 0.12, "Clinical Pharmacist": 0.06}
APPOINTMENT_STATUS = {"Attended": 0.93, "DNA": 0.05, "Cancelled by Patient": 0.02}


def gp_conditions(b: Borough) -> ExtractRows:
    cond = b.conditions
    last_day = np.full(cond.rows, b.config.after_last_day - 1, dtype=np.int64)
    ends = np.minimum(b.people["end_day"][cond["person"]] - 1, last_day)
    registration = registration_on(b.registrations, cond["person"], ends)
    cond = cond.take(registration >= 0)
    registration = registration[registration >= 0]
    codes, _, _ = practices()
    condition_codes = np.array([c.code for c in b.params.conditions])
    terms = np.array([c.term for c in b.params.conditions])
    return ExtractRows(
        columns={
            "Observation ID": numbered("OBS", np.arange(1, cond.rows + 1), 9),
            "Practice Code": pa.array(np.asarray(codes)[b.registrations["practice"][registration]]),
            "Patient ID": pa.array(b.registrations["patient_id"][registration]).cast(pa.string()),
            "SNOMED Code": pa.array(condition_codes[cond["condition"]]),
            "Term": pa.array(terms[cond["condition"]]),
            "Date Recorded": dates(cond["day"], UK_DATE),
        },
        key_column="Observation ID",
        person=cond["person"],
    )


def _acute_events(b: Borough) -> tuple[Table, Table]:
    """A&E attendances, and emergency admissions (from A&E, or direct)."""
    rng = stream(b.config.seed, "extract:acute")
    admission = b.params.section("admission")
    bounds = np.array(admission["ages"], dtype=np.float64)
    attendances = b.events("ae_attendance")
    age = age_in_years(b.people["birth_day"][attendances["person"]], attendances["day"])
    admitted = rng.random(attendances.rows) < banded(
        bounds, np.array(admission["share_admitted"]), age
    )
    attendances = attendances.with_columns(
        admitted=admitted, attendance=np.arange(attendances.rows)
    )
    via_ae = attendances.take(admitted)
    direct = b.events("direct_emergency_admission")
    spells = Table.concat(
        [
            Table({k: via_ae[k] for k in ("person", "day", "lsoa", "address")}).with_columns(
                method=np.full(via_ae.rows, "21")
            ),
            direct.with_columns(method=draw_types(rng, {"22": 0.6, "28": 0.4}, direct.rows)),
        ]
    )
    spells = spells.take(np.lexsort((spells["person"], spells["day"])))
    age = age_in_years(b.people["birth_day"][spells["person"]], spells["day"])
    stay = rng.exponential(banded(bounds, np.array(admission["mean_length_of_stay_days"]), age))
    return attendances, spells.with_columns(length_of_stay=stay.astype(np.int32))


ICD10 = {
    "J18.9": 0.12,
    "N39.0": 0.08,
    "R07.4": 0.1,
    "I50.9": 0.06,
    "J44.1": 0.07,
    "S72.0": 0.04,
    "R55": 0.05,
    "F10.0": 0.04,
    "K92.2": 0.04,
    "R10.4": 0.12,
    "L03.1": 0.05,
    "E86": 0.04,
    "I48": 0.05,
    "T42.4": 0.03,
    "G40.9": 0.03,
    "A41.9": 0.04,
}
COMPLAINTS = {
    "Chest pain": 0.1,
    "Abdominal pain": 0.12,
    "Shortness of breath": 0.09,
    "Fall": 0.1,
    "Limb injury": 0.16,
    "Head injury": 0.06,
    "Collapse": 0.05,
    "Mental health crisis": 0.04,
    "Alcohol intoxication": 0.03,
    "Self-harm": 0.03,
    "Fever": 0.07,
    "Back pain": 0.05,
    "Rash": 0.03,
    "Overdose": 0.02,
    "Other": 0.05,
}


def acute(b: Borough) -> tuple[ExtractRows, ExtractRows]:
    rng = stream(b.config.seed, "extract:acute-rows")
    attendances, spells = _acute_events(b)
    person = np.concatenate([attendances["person"], spells["person"]])
    day = np.concatenate([attendances["day"], spells["day"]])
    address = np.concatenate([attendances["address"], spells["address"]])
    ident, record_of_row, records = identities(b, "acute", person, day, address)
    mrn = numbered("RXN", local_numbers(rng, records.rows, 1_000_000), 7)
    mrn_of_row = pc.take(mrn, pa.array(record_of_row))
    split = attendances.rows
    nhs = text(ident["nhs_number"])
    status = pc.if_else(pc.is_null(nhs), pa.scalar("03"), pa.scalar("01"))
    count = attendances.rows
    disposal = np.where(
        attendances["admitted"],
        "ADMITTED",
        draw_types(
            rng,
            {"HOME": 0.8, "GP_FOLLOW_UP": 0.1, "LEFT_BEFORE_TREATMENT": 0.06, "TRANSFER": 0.04},
            count,
        ),
    )
    ae = ExtractRows(
        columns={
            "ATTENDANCE_ID": numbered("AE", attendances["attendance"] + 1, 8),
            "LOCAL_PATIENT_ID": mrn_of_row.slice(0, split),
            "NHS_NUMBER": nhs.slice(0, split),
            "NHS_NUMBER_STATUS": status.slice(0, split),
            "PERSON_GIVEN_NAME": upper(ident["forename"][:split]),
            "PERSON_FAMILY_NAME": upper(ident["surname"][:split]),
            "PERSON_BIRTH_DATE": dates(ident["birth_day"][:split], ISO_DATE),
            "PERSON_STATED_GENDER_CODE": coded(ident["female"][:split], "2", "1"),
            "POSTCODE": text(ident["postcode"][:split]),
            "ARRIVAL_DATETIME": dates(attendances["day"], ISO_DATETIME, times_of_day(rng, count)),
            "ARRIVAL_MODE": pa.array(
                draw_types(rng, {"WALKIN": 0.72, "AMB": 0.26, "POLICE": 0.02}, count)
            ),
            "CHIEF_COMPLAINT": pa.array(draw_types(rng, COMPLAINTS, count)),
            "DISCHARGE_DESTINATION": pa.array(disposal),
        },
        key_column="ATTENDANCE_ID",
        person=attendances["person"],
    )
    discharged = (spells["day"] + spells["length_of_stay"]).astype(np.int32)
    admissions = ExtractRows(
        columns={
            "SPELL_ID": numbered("SP", np.arange(1, spells.rows + 1), 8),
            "LOCAL_PATIENT_ID": mrn_of_row.slice(split),
            "NHS_NUMBER": nhs.slice(split),
            "PERSON_FAMILY_NAME": upper(ident["surname"][split:]),
            "PERSON_GIVEN_NAME": upper(ident["forename"][split:]),
            "PERSON_BIRTH_DATE": dates(ident["birth_day"][split:], ISO_DATE),
            "POSTCODE": text(ident["postcode"][split:]),
            "ADMISSION_DATE": dates(spells["day"], ISO_DATE),
            "DISCHARGE_DATE": dates(discharged, ISO_DATE),
            "ADMISSION_METHOD": pa.array(spells["method"]),
            "PRIMARY_DIAGNOSIS_ICD10": pa.array(draw_types(rng, ICD10, spells.rows)),
        },
        key_column="SPELL_ID",
        person=spells["person"],
    )
    return ae, admissions


def mental_health(b: Borough) -> ExtractRows:
    rng = stream(b.config.seed, "extract:mental_health")
    events = b.events("mental_health_contact")
    ident, record_of_row, records = identities(
        b, "mental_health", events["person"], events["day"], events["address"]
    )
    rio = pa.array(local_numbers(rng, records.rows, 3_000_000)).cast(pa.string())
    age = age_in_years(b.people["birth_day"][events["person"]], events["day"])
    team = np.where(
        age < 18, "CAMHS Chorley", np.where(age >= 65, "Older Adults CMHT", "Chorley CMHT")
    )
    crisis = rng.random(events.rows) < 0.08
    team = np.where(crisis & (age >= 18), "Crisis Resolution Home Treatment", team)
    return ExtractRows(
        columns={
            "Contact ID": pa.array(np.arange(1, events.rows + 1)).cast(pa.string()),
            "RiO ID": pc.take(rio, pa.array(record_of_row)),
            "NHS No": text(ident["nhs_number"]),
            "Surname": text(ident["surname"]),
            "Forename": text(ident["forename"]),
            "DOB": dates(ident["birth_day"], UK_DATE),
            "Gender": coded(ident["female"], "Female", "Male"),
            "Postcode": text(ident["postcode"]),
            "Contact Date": dates(events["day"], UK_DATE),
            "Team": pa.array(team),
            "Contact Type": pa.array(
                draw_types(
                    rng, {"Face to face": 0.7, "Telephone": 0.25, "Video": 0.05}, events.rows
                )
            ),
            "Attended": pa.array(draw_types(rng, {"Y": 0.88, "N": 0.12}, events.rows)),
        },
        key_column="Contact ID",
        person=events["person"],
    )


def _primary_schools() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [
        r
        for r in read_reference_csv("chorley_schools_gias.csv")
        if r["education_phase"] == "Primary"
    ]
    return (
        np.array([r["urn"] for r in rows]),
        np.array([r["establishment_name"] for r in rows]),
        np.array([max(float(r["number_of_pupils"] or 1), 1.0) for r in rows]),
    )


def school_measurements(b: Borough) -> ExtractRows:
    """The National Child Measurement Programme: Reception and Year 6, every school year."""
    rng = stream(b.config.seed, "extract:school")
    section = b.params.section("school_measurement")
    people = b.people
    rows = []
    for year in range(b.config.start.year - 1, b.config.end.year + 1):
        measured_on = day_number(dt.date(year, 11, 1)) + rng.integers(0, 240, people.rows)
        for group, age_at_september in (("R", 4), ("Y6", 10)):
            first = day_number(dt.date(year - age_at_september - 1, 9, 1))
            last = day_number(dt.date(year - age_at_september, 8, 31))
            who = np.flatnonzero(
                (people["birth_day"] >= first)
                & (people["birth_day"] <= last)
                & (people["start_day"] <= measured_on)
                & (people["end_day"] > measured_on)
                & (measured_on >= b.config.first_day)
                & (measured_on < b.config.after_last_day)
            )
            rows.append(
                Table(
                    {
                        "person": who,
                        "day": measured_on[who].astype(np.int32),
                        "group": np.full(len(who), group),
                    }
                )
            )
    measured = Table.concat(rows)
    measured = measured.take(rng.random(measured.rows) < section["participation"])
    measured = measured.take(np.lexsort((measured["person"], measured["day"])))
    person = measured["person"]
    child_z = rng.standard_normal(people.rows)
    tracking = section["z_tracking"]
    decile = b.lsoas.imd2019_decile[people["lsoa"][person]]
    mean_z = np.where(measured["group"] == "R", section["mean_z"]["R"], section["mean_z"]["Y6"])
    own = tracking * child_z[person] + np.sqrt(1 - tracking**2) * rng.standard_normal(measured.rows)
    z = mean_z + section["z_per_decile"] * (10 - decile) + own
    female = people["female"][person]
    keys = np.char.add(np.char.add(measured["group"].astype(str), "_"), np.where(female, "F", "M"))
    heights = {k: v for k, v in section["height_cm"].items()}
    age_years = (measured["day"] - people["birth_day"][person]) / 365.25
    bmi = growth.bmi_at_z(female.astype(bool), age_years.astype(np.float64), z)
    height = np.array([heights[k][0] for k in keys]) + np.array(
        [heights[k][1] for k in keys]
    ) * rng.standard_normal(measured.rows)
    weight = bmi * (height / 100) ** 2
    urn, school, pupils = _primary_schools()
    chosen = np.searchsorted(np.cumsum(pupils) / pupils.sum(), rng.random(people.rows))[person]
    address = person_address_on(b, person, measured["day"])
    ident, _, _ = identities(b, "school", person, measured["day"], address)
    return ExtractRows(
        columns={
            "Measurement ID": numbered("NCMP", np.arange(1, measured.rows + 1), 7),
            "NHS Number": text(ident["nhs_number"]),
            "Pupil Surname": text(ident["surname"]),
            "Pupil Forename": text(ident["forename"]),
            "DOB": dates(ident["birth_day"], UK_DATE),
            "Sex": coded(ident["female"], "F", "M"),
            "School URN": pa.array(urn[chosen]),
            "School Name": pa.array(school[chosen]),
            "Home Postcode": text(ident["postcode"]),
            "School Year": pa.array(np.where(measured["group"] == "R", "R", "6")),
            "Date of Measurement": dates(measured["day"], UK_DATE),
            "Height (cm)": pa.array(np.round(height, 1)),
            "Weight (kg)": pa.array(np.round(weight, 1)),
        },
        key_column="Measurement ID",
        person=person,
    )


def pam_assessments(b: Borough) -> ExtractRows:
    """PAM for people with long-term conditions, and for Integrated Action Team cases before and after."""
    rng = stream(b.config.seed, "extract:pam")
    section = b.params.section("pam")
    keys = [c.key for c in b.params.conditions]
    ltc_codes = [keys.index(k) for k in LONG_TERM_CONDITIONS]
    has_ltc = np.zeros(b.people.rows, dtype=bool)
    has_ltc[b.conditions["person"][np.isin(b.conditions["condition"], ltc_codes)]] = True
    routine = b.events("pam_assessment")
    routine = routine.take(has_ltc[routine["person"]])
    referred = np.flatnonzero(b.referrals["referral_day"] != NO_DATE)
    at_referral = b.referrals["referral_day"][referred] + rng.integers(7, 28, len(referred))
    later = at_referral + rng.integers(170, 200, len(referred))
    iat_person = np.concatenate([referred, referred])
    iat_day = np.concatenate([at_referral, later]).astype(np.int32)
    keep = (iat_day < b.people["end_day"][iat_person]) & (iat_day < b.config.after_last_day)
    iat = Table(
        {
            "person": iat_person[keep],
            "day": iat_day[keep],
            "follow_up": np.repeat([False, True], len(referred))[keep],
        }
    )
    person = np.concatenate([routine["person"], iat["person"]])
    day = np.concatenate([routine["day"], iat["day"]])
    follow_up = np.concatenate([np.zeros(routine.rows, dtype=bool), iat["follow_up"]])
    by_team = np.concatenate([np.zeros(routine.rows, dtype=bool), np.ones(iat.rows, dtype=bool)])
    order = np.lexsort((person, day))
    person, day, follow_up, by_team = person[order], day[order], follow_up[order], by_team[order]
    intervention = b.params.section("intervention")
    baseline = (
        section["mean_score"]
        - 4.0 * np.log(b.needs["social_need"])
        + section["sd_score"] * 0.8 * rng.standard_normal(b.people.rows)
    )
    gain = intervention["pam_gain_mean"] + intervention["pam_gain_sd"] * rng.standard_normal(
        len(person)
    )
    score = np.clip(
        baseline[person] + np.where(follow_up, gain, 0.0) + 3.0 * rng.standard_normal(len(person)),
        0,
        100,
    ).round(1)
    level = 1 + np.searchsorted(np.array(section["level_thresholds"]), score)
    address = person_address_on(b, person, day.astype(np.int32))
    ident, _, _ = identities(b, "pam", person, day.astype(np.int32), address)
    return ExtractRows(
        columns={
            "assessment_id": numbered("PAM", np.arange(1, len(person) + 1), 7),
            "nhs_number": text(ident["nhs_number"]),
            "forename": text(ident["forename"]),
            "surname": text(ident["surname"]),
            "dob": dates(ident["birth_day"], ISO_DATE),
            "assessment_date": dates(day.astype(np.int32), ISO_DATE),
            "pam_score": pa.array(score),
            "pam_level": pa.array(level),
            "assessor_org": pa.array(
                np.where(by_team, "Integrated Action Team", "Community Health Team")
            ),
        },
        key_column="assessment_id",
        person=person,
    )
