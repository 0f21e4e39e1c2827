"""Extracts from the community partners: police, fire and rescue, the council's housing options
and revenues teams, the voluntary sector, and the Integrated Action Team's own referral log."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from joinedup.synth.borough import Borough
from joinedup.synth.dates import NO_DATE, age_in_years, years_of
from joinedup.synth.extracts.common import (
    ISO_DATE,
    UK_DATE,
    UK_DATETIME,
    ExtractRows,
    coded,
    date_values,
    dates,
    identities,
    local_numbers,
    numbered,
    person_address_on,
    text,
    times_of_day,
    upper,
)
from joinedup.synth.rng import stream
from joinedup.synth.services import draw_types
from joinedup.synth.table import Table

ROLES = {
    "ASB": {"OFFENDER": 0.4, "VICTIM": 0.4, "WITNESS": 0.2},
    "DOMESTIC": {"VICTIM": 0.6, "OFFENDER": 0.35, "WITNESS": 0.05},
    "WELFARE": {"SUBJECT": 1.0},
    "MISPER": {"SUBJECT": 1.0},
}
SUMMARIES = {
    "ASB": "Report of youths causing nuisance near shops",
    "DOMESTIC": "Verbal argument at address, DASH risk assessment completed",
    "WELFARE": "Concern for welfare raised by neighbour, no reply at door",
    "MISPER": "Reported missing by family, located safe and well",
}


def police(b: Borough) -> ExtractRows:
    """Incidents with every nominal involved: a domestic incident between partners who live
    together records both, the victim and the offender, under one incident reference."""
    rng = stream(b.config.seed, "extract:police")
    events = b.events("police_incident")
    shares = b.params.services["police_incident"].types
    kind = draw_types(rng, shares, events.rows)
    role = np.empty(events.rows, dtype=object)
    for incident_type, roles in ROLES.items():
        here = kind == incident_type
        role[here] = draw_types(rng, roles, int(here.sum()))
    second = _partner_nominals(b, events, kind)
    # Between partners one is the victim and the other the offender.
    role[second] = np.where(role[second] == "OFFENDER", "OFFENDER", "VICTIM")
    first_nominals = Table({"incident": np.arange(events.rows), "kind": kind, "role": role})
    rows = Table.concat(
        [
            events.with_columns(**first_nominals),
            events.take(second).with_columns(
                person=b.people["partner"][events["person"][second]],
                incident=second,
                kind=kind[second],
                role=np.where(role[second] == "OFFENDER", "VICTIM", "OFFENDER").astype(object),
            ),
        ]
    )
    rows = rows.take(np.lexsort((rows["person"], rows["incident"])))
    person, day, incident = rows["person"], rows["day"], rows["incident"]
    seconds = times_of_day(rng, events.rows)[incident]
    ident, record_of_row, records = identities(b, "police", person, day, rows["address"])
    nominal = pc.take(
        numbered("N", local_numbers(rng, records.rows, 4_000_000), 8), pa.array(record_of_row)
    )
    reference = np.char.add(np.char.add("LC-", years_of(day).astype(str)), "-")
    reference = pa.array(np.char.add(reference, np.char.zfill((incident + 1).astype(str), 7)))
    kind, role = rows["kind"], rows["role"]
    summary = np.vectorize(SUMMARIES.get, otypes=[object])(kind)
    return ExtractRows(
        columns={
            "Incident Ref": reference,
            "Nominal ID": nominal,
            "Surname": upper(ident["surname"]),
            "Forename(s)": text(ident["forename"]),
            "DOB": dates(ident["birth_day"], UK_DATE),
            "Gender": coded(ident["female"], "Female", "Male"),
            "Address": text(ident["line1"]),
            "Postcode": text(ident["postcode"]),
            "Incident Date": dates(day, UK_DATETIME, seconds),
            "Incident Type": pa.array(kind),
            "Role": text(role),
            "Summary": text(summary),
        },
        key_column="Incident Ref",
        person=person,
        unique_key=pc.binary_join_element_wise(reference, nominal, ":"),
    )


def _partner_nominals(b: Borough, events: Table, kind: np.ndarray) -> np.ndarray:
    """Domestic incidents whose resident has a partner living in the borough on the day."""
    partner = b.people["partner"][events["person"]]
    safe = np.maximum(partner, 0)
    present = (b.people["start_day"][safe] <= events["day"]) & (
        events["day"] < b.people["end_day"][safe]
    )
    return np.flatnonzero((kind == "DOMESTIC") & (partner >= 0) & present)


def fire(b: Borough) -> ExtractRows:
    """Dwelling fires and home fire safety checks, recorded against the occupier of the address."""
    rng = stream(b.config.seed, "extract:fire")
    fires = b.events("dwelling_fire")
    checks = b.events("home_fire_safety_check")
    events = Table.concat(
        [
            fires.with_columns(activity=np.full(fires.rows, "DWELLING FIRE")),
            checks.with_columns(activity=np.full(checks.rows, "HFSC")),
        ]
    )
    events = events.take(np.lexsort((events["person"], events["day"])))
    ident, _, _ = identities(b, "fire", events["person"], events["day"], events["address"])
    age = age_in_years(b.people["birth_day"][events["person"]], events["day"])
    title = np.where(ident["female"], np.where(age >= 60, "Mrs", "Ms"), "Mr")
    occupier = pc.binary_join_element_wise(
        pa.array(title), text(ident["forename"]), text(ident["surname"]), " "
    )
    check = events["activity"] == "HFSC"
    risk = np.where(check, rng.integers(1, 6, events.rows).astype(str), "")
    alarm = np.where(check, draw_types(rng, {"Y": 0.8, "N": 0.2}, events.rows), "")
    return ExtractRows(
        columns={
            "INCIDENT_NUMBER": numbered("LFRS", np.arange(1, events.rows + 1), 8),
            "ACTIVITY": pa.array(events["activity"]),
            "ACTIVITY_DATE": dates(events["day"], ISO_DATE),
            "OCCUPIER_NAME": occupier,
            "OCCUPIER_DOB": dates(ident["birth_day"], ISO_DATE),
            "ADDRESS": upper(ident["line1"]),
            "POSTCODE": text(ident["postcode"]),
            "RISK_SCORE": text(risk),
            "SMOKE_ALARM_FITTED": text(alarm),
        },
        key_column="INCIDENT_NUMBER",
        person=events["person"],
    )


REASONS = {
    "End of private rented tenancy": 0.27,
    "Family or friends no longer willing to accommodate": 0.25,
    "Domestic abuse": 0.12,
    "Relationship breakdown": 0.1,
    "End of social rented tenancy": 0.06,
    "Eviction from supported housing": 0.05,
    "Left institution": 0.05,
    "Other": 0.1,
}
DUTIES = {"Prevention": 0.55, "Relief": 0.35, "Main duty": 0.06, "No duty owed": 0.04}
SUPPORT = {
    "": 0.5,
    "Mental health": 0.2,
    "Physical ill health": 0.1,
    "Offending history": 0.07,
    "Drug dependency": 0.05,
    "Alcohol dependency": 0.04,
    "Domestic abuse": 0.04,
}


def housing(b: Borough) -> ExtractRows:
    """Homelessness applications (H-CLIC), kept by the housing options team in a workbook."""
    rng = stream(b.config.seed, "extract:housing")
    events = b.events("homelessness_application")
    ident, _, _ = identities(b, "housing", events["person"], events["day"], events["address"])
    year = years_of(events["day"]).astype(str)
    case = np.char.add(
        np.char.add(np.char.add("HOC/", year), "/"),
        np.char.zfill((np.arange(events.rows) + 1).astype(str), 5),
    )
    return ExtractRows(
        columns={
            "Case Ref": pa.array(case),
            "Applicant Surname": text(ident["surname"]),
            "Applicant Forename": text(ident["forename"]),
            "DOB": date_values(ident["birth_day"]),
            "Gender": coded(ident["female"], "F", "M"),
            "Last Settled Address": text(ident["line1"]),
            "Postcode": text(ident["postcode"]),
            "Application Date": date_values(events["day"]),
            "Reason for Loss of Home": pa.array(draw_types(rng, REASONS, events.rows)),
            "Duty Owed": pa.array(draw_types(rng, DUTIES, events.rows)),
            "Support Needs": text(draw_types(rng, SUPPORT, events.rows)),
        },
        key_column="Case Ref",
        person=events["person"],
    )


def council_tax_support(b: Borough) -> ExtractRows:
    rng = stream(b.config.seed, "extract:council_tax")
    events = b.events("council_tax_support_claim")
    ident, _, _ = identities(b, "council_tax", events["person"], events["day"], events["address"])
    ends = events["day"] + (rng.exponential(2.0, events.rows) * 365.25).astype(np.int32)
    ends = np.minimum(ends, b.people["end_day"][events["person"]])
    ends = np.where(ends >= b.config.after_last_day, NO_DATE, ends).astype(np.int32)
    claimant = pc.binary_join_element_wise(upper(ident["surname"]), text(ident["forename"]), ", ")
    age = age_in_years(b.people["birth_day"][events["person"]], events["day"])
    award = np.round(rng.gamma(4.0, 4.0, events.rows) + np.where(age >= 66, 8.0, 0.0), 2)
    return ExtractRows(
        columns={
            "CLAIM_REF": numbered("CTS", local_numbers(rng, events.rows, 200_000), 7),
            "CLAIMANT_NAME": claimant,
            "DOB": dates(ident["birth_day"], "%d-%b-%Y"),
            "ADDRESS": text(ident["line1"]),
            "POSTCODE": text(ident["postcode"]),
            "CLAIM_START": dates(events["day"], "%d-%b-%Y"),
            "CLAIM_END": dates(ends, "%d-%b-%Y"),
            "WEEKLY_CTS": pa.array(award),
            "PASSPORTED": pa.array(draw_types(rng, {"Y": 0.45, "N": 0.55}, events.rows)),
        },
        key_column="CLAIM_REF",
        person=events["person"],
    )


REFERRERS = {
    "GP practice": 0.35,
    "Self": 0.2,
    "Adult social care": 0.1,
    "Housing": 0.1,
    "Police": 0.05,
    "Hospital discharge team": 0.1,
    "Family member": 0.1,
}


def vcs(b: Borough) -> ExtractRows:
    """Social prescribing and voluntary sector referrals, as the VCFS network logs them."""
    rng = stream(b.config.seed, "extract:vcs")
    events = b.events("vcs_referral")
    ident, _, _ = identities(b, "vcs", events["person"], events["day"], events["address"])
    full_name = pc.binary_join_element_wise(text(ident["forename"]), text(ident["surname"]), " ")
    service = draw_types(rng, b.params.services["vcs_referral"].types, events.rows)
    return ExtractRows(
        columns={
            "Ref": numbered("VCS-", np.arange(1, events.rows + 1), 6),
            "Name": full_name,
            "Date of birth": dates(ident["birth_day"], UK_DATE),
            "Postcode": text(ident["postcode"]),
            "Referred on": dates(events["day"], UK_DATE),
            "Referred by": pa.array(draw_types(rng, REFERRERS, events.rows)),
            "Service": pa.array(service),
            "Outcome": pa.array(
                draw_types(
                    rng, {"Engaged": 0.62, "Declined": 0.18, "Unable to contact": 0.2}, events.rows
                )
            ),
        },
        key_column="Ref",
        person=events["person"],
    )


IAT_REASONS = {
    "Frequent A&E attendance": 0.3,
    "Multiple agency contact": 0.25,
    "Housing at risk": 0.12,
    "Mental health and isolation": 0.15,
    "Safeguarding concern": 0.08,
    "Debt and benefits": 0.1,
}
IAT_REFERRERS = {
    "Lancashire Teaching Hospitals": 0.3,
    "Lancashire Constabulary": 0.2,
    "Chorley Council": 0.2,
    "GP practice": 0.15,
    "Lancashire Care": 0.1,
    "Lancashire Fire and Rescue": 0.05,
}


def iat_referral_log(b: Borough) -> ExtractRows:
    """The Integrated Action Team's referral spreadsheet, as it was kept before JoinedUp."""
    rng = stream(b.config.seed, "extract:iat")
    person = np.flatnonzero(b.referrals["referral_day"] != NO_DATE)
    day = b.referrals["referral_day"][person]
    order = np.lexsort((person, day))
    person, day = person[order], day[order]
    ident, _, _ = identities(b, "iat", person, day, person_address_on(b, person, day))
    return ExtractRows(
        columns={
            "Referral No": numbered("IAT", np.arange(1, len(person) + 1), 4),
            "Client Name": pc.binary_join_element_wise(
                text(ident["forename"]), text(ident["surname"]), " "
            ),
            "DOB": dates(ident["birth_day"], UK_DATE),
            "Address": text(ident["line1"]),
            "Postcode": text(ident["postcode"]),
            "Referral Date": dates(day, UK_DATE),
            "Referring Agency": pa.array(draw_types(rng, IAT_REFERRERS, len(person))),
            "Reason": pa.array(draw_types(rng, IAT_REASONS, len(person))),
        },
        key_column="Referral No",
        person=person,
    )
