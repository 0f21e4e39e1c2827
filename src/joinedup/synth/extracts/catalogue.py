"""Every partner extract of the synthetic borough: who sends it, its file, and its format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from joinedup.synth.borough import Borough
from joinedup.synth.extracts import community, health
from joinedup.synth.extracts.common import ExtractRows, StreamedRows
from joinedup.synth.extracts.writer import BadRowTargets, ExtractFormat

ISO_INVALID_DATE, ISO_FUTURE_BIRTH_DATE = "2018-02-31", "2031-06-14"


@dataclass(frozen=True)
class Extract:
    name: str
    format: ExtractFormat
    # Extracts from one system are built together (they share its person records).
    system: str
    has_identifiers: bool


EXTRACTS: tuple[Extract, ...] = (
    Extract(
        "gp_patients",
        ExtractFormat(
            "gp_patients.csv",
            "GP practices (EMIS Web practice extract)",
            "Registered patients of each practice, with registration history",
            encoding="utf-8",
            targets=BadRowTargets(
                key="Patient ID",
                key_with=("Practice Code",),
                date="Registration Date",
                required="Patient ID",
                birth_date="Date of Birth",
                code="Sex",
                name="Surname",
            ),
        ),
        "gp_patients",
        True,
    ),
    Extract(
        "gp_appointments",
        ExtractFormat(
            "gp_appointments.csv",
            "GP practices (EMIS Web practice extract)",
            "Appointments by patient, with slot type, clinician and status",
            targets=BadRowTargets(
                key="Appointment ID",
                date="Appointment Date",
                required="Patient ID",
                code="Status",
                invalid_date="31/02/2018 09:10",
            ),
        ),
        "gp_appointments",
        False,
    ),
    Extract(
        "gp_conditions",
        ExtractFormat(
            "gp_conditions.csv",
            "GP practices (EMIS Web practice extract)",
            "Coded long-term conditions (SNOMED CT) by patient",
            targets=BadRowTargets(
                key="Observation ID",
                date="Date Recorded",
                required="Patient ID",
                code="SNOMED Code",
            ),
        ),
        "gp_conditions",
        False,
    ),
    Extract(
        "ae_attendances",
        ExtractFormat(
            "ae_attendances.csv",
            "Lancashire Teaching Hospitals NHS Foundation Trust",
            "Emergency department attendances (ECDS-style), one row per attendance",
            encoding="utf-8-sig",
            targets=BadRowTargets(
                key="ATTENDANCE_ID",
                date="ARRIVAL_DATETIME",
                required="ATTENDANCE_ID",
                birth_date="PERSON_BIRTH_DATE",
                code="PERSON_STATED_GENDER_CODE",
                name="PERSON_FAMILY_NAME",
                invalid_date="2018-02-31T10:15:00",
                future_birth_date=ISO_FUTURE_BIRTH_DATE,
            ),
        ),
        "acute",
        True,
    ),
    Extract(
        "emergency_admissions",
        ExtractFormat(
            "emergency_admissions.csv",
            "Lancashire Teaching Hospitals NHS Foundation Trust",
            "Emergency admission spells (APC-style), via A&E or direct",
            targets=BadRowTargets(
                key="SPELL_ID",
                date="ADMISSION_DATE",
                required="SPELL_ID",
                birth_date="PERSON_BIRTH_DATE",
                code="ADMISSION_METHOD",
                name="PERSON_FAMILY_NAME",
                invalid_date=ISO_INVALID_DATE,
                future_birth_date=ISO_FUTURE_BIRTH_DATE,
            ),
        ),
        "acute",
        True,
    ),
    Extract(
        "mental_health_contacts",
        ExtractFormat(
            "mental_health_contacts.txt",
            "Lancashire Care NHS Foundation Trust (RiO)",
            "Secondary mental health contacts, pipe-delimited",
            delimiter="|",
            targets=BadRowTargets(
                key="Contact ID",
                date="Contact Date",
                required="RiO ID",
                birth_date="DOB",
                code="Gender",
                name="Surname",
            ),
        ),
        "mental_health",
        True,
    ),
    Extract(
        "police_incidents",
        ExtractFormat(
            "police_incidents.csv",
            "Lancashire Constabulary",
            "Incidents with the nominals involved (victim, offender, subject, witness); Windows-1252, CRLF",
            encoding="cp1252",
            line_ending="\r\n",
            targets=BadRowTargets(
                key="Incident Ref",
                key_with=("Nominal ID",),
                date="Incident Date",
                required="Nominal ID",
                birth_date="DOB",
                code="Incident Type",
                name="Surname",
                invalid_date="31/02/2018 22:40",
            ),
        ),
        "police",
        True,
    ),
    Extract(
        "fire_activity",
        ExtractFormat(
            "lfrs_activity.csv",
            "Lancashire Fire and Rescue Service",
            "Dwelling fires and home fire safety checks, recorded against the occupier",
            targets=BadRowTargets(
                key="INCIDENT_NUMBER",
                date="ACTIVITY_DATE",
                required="ADDRESS",
                birth_date="OCCUPIER_DOB",
                code="ACTIVITY",
                number="RISK_SCORE",
                name="OCCUPIER_NAME",
                invalid_date=ISO_INVALID_DATE,
                future_birth_date=ISO_FUTURE_BIRTH_DATE,
            ),
        ),
        "fire",
        True,
    ),
    Extract(
        "homelessness_applications",
        ExtractFormat(
            "housing_options_hclic.xlsx",
            "Chorley Council Housing Options",
            "Homelessness applications (H-CLIC) in an Excel workbook, sheet 'Applications'",
            sheet="Applications",
            extra_sheets=("Notes", "Lookups"),
            targets=BadRowTargets(
                key="Case Ref",
                date="Application Date",
                required="Case Ref",
                birth_date="DOB",
                code="Duty Owed",
            ),
        ),
        "housing",
        True,
    ),
    Extract(
        "council_tax_support",
        ExtractFormat(
            "council_tax_support.csv",
            "Chorley Council Revenues and Benefits",
            "Council tax support claims, dates as 05-Apr-2016",
            targets=BadRowTargets(
                key="CLAIM_REF",
                date="CLAIM_START",
                required="CLAIM_REF",
                birth_date="DOB",
                code="PASSPORTED",
                number="WEEKLY_CTS",
                name="CLAIMANT_NAME",
                invalid_date="31-Feb-2018",
                future_birth_date="14-Jun-2031",
            ),
        ),
        "council_tax",
        True,
    ),
    Extract(
        "school_measurements",
        ExtractFormat(
            "ncmp_measurements.csv",
            "Lancashire County Council (school nursing, NCMP)",
            "Reception and Year 6 heights and weights",
            targets=BadRowTargets(
                key="Measurement ID",
                date="Date of Measurement",
                required="Measurement ID",
                birth_date="DOB",
                code="School Year",
                number="Height (cm)",
                name="Pupil Surname",
            ),
        ),
        "school",
        True,
    ),
    Extract(
        "vcs_referrals",
        ExtractFormat(
            "vcs_referrals.csv",
            "Chorley VCFS Network (social prescribing)",
            "Referrals to social prescribing and voluntary sector services",
            targets=BadRowTargets(
                key="Ref",
                date="Referred on",
                required="Ref",
                birth_date="Date of birth",
                code="Service",
                name="Name",
            ),
        ),
        "vcs",
        True,
    ),
    Extract(
        "pam_assessments",
        ExtractFormat(
            "pam_assessments.csv",
            "Lancashire Care NHS Foundation Trust (community health)",
            "Patient Activation Measure assessments: score 0-100 and level 1-4",
            targets=BadRowTargets(
                key="assessment_id",
                date="assessment_date",
                required="assessment_id",
                birth_date="dob",
                code="pam_level",
                number="pam_score",
                name="surname",
                invalid_date=ISO_INVALID_DATE,
                future_birth_date=ISO_FUTURE_BIRTH_DATE,
            ),
        ),
        "pam",
        True,
    ),
    Extract(
        "iat_referral_log",
        ExtractFormat(
            "iat_referral_log.csv",
            "Integrated Action Team (Chorley Council)",
            "The team's referral spreadsheet, kept before JoinedUp",
            targets=BadRowTargets(
                key="Referral No",
                date="Referral Date",
                required="Client Name",
                birth_date="DOB",
                code="Referring Agency",
                name="Client Name",
            ),
        ),
        "iat",
        True,
    ),
)

Builder = Callable[[Borough], dict[str, ExtractRows | StreamedRows]]

SYSTEMS: dict[str, Builder] = {
    "gp_patients": lambda b: {"gp_patients": health.gp_patients(b)},
    "gp_appointments": lambda b: {"gp_appointments": health.gp_appointments(b)},
    "gp_conditions": lambda b: {"gp_conditions": health.gp_conditions(b)},
    "acute": lambda b: dict(
        zip(("ae_attendances", "emergency_admissions"), health.acute(b), strict=True)
    ),
    "mental_health": lambda b: {"mental_health_contacts": health.mental_health(b)},
    "police": lambda b: {"police_incidents": community.police(b)},
    "fire": lambda b: {"fire_activity": community.fire(b)},
    "housing": lambda b: {"homelessness_applications": community.housing(b)},
    "council_tax": lambda b: {"council_tax_support": community.council_tax_support(b)},
    "school": lambda b: {"school_measurements": health.school_measurements(b)},
    "vcs": lambda b: {"vcs_referrals": community.vcs(b)},
    "pam": lambda b: {"pam_assessments": health.pam_assessments(b)},
    "iat": lambda b: {"iat_referral_log": community.iat_referral_log(b)},
}
