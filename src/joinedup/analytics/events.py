"""What each partner feed says happened to a person, as one stream of dated events.

This is the one place that knows which feed column dates an event, which agency it is contact
with, and which rows count (an appointment the patient attended, not one they missed). Cohorts,
risk profiles and locality profiles all read the events built from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventSource:
    """How one feed's rows become events."""

    feed: str
    kind: str
    date: str  # SQL over the feed's columns, giving a DATE
    agency: str | None  # None: not contact with an agency (a universal check, an assessment)
    code: str = "NULL"  # SQL: the event's code or category, as text
    value: str = "NULL"  # SQL: a number the event carries
    where: str = "true"  # SQL: which rows are events of this kind


PAM_LEVELS = {
    "disengaged and overwhelmed": 1,
    "becoming aware but still struggling": 2,
    "taking action": 3,
    "maintaining behaviours and pushing further": 4,
}

_PAM_LEVEL_SQL = (
    "CASE pam_level "
    + " ".join(f"WHEN '{text}' THEN {level}" for text, level in PAM_LEVELS.items())
    + " END"
)

SOURCES: tuple[EventSource, ...] = (
    EventSource(
        "gp_appointments",
        "gp_appointment",
        "CAST(appointment_date AS DATE)",
        "gp",
        code="slot_type",
        where="status = 'Attended'",
    ),
    EventSource(
        "gp_appointments",
        "gp_missed_appointment",
        "CAST(appointment_date AS DATE)",
        None,
        where="status = 'DNA'",
    ),
    EventSource("gp_conditions", "gp_condition", "date_recorded", None, code="snomed_code"),
    EventSource(
        "ae_attendances",
        "ae_attendance",
        "CAST(arrival_datetime AS DATE)",
        "hospital",
        code="arrival_mode",
    ),
    EventSource(
        "emergency_admissions",
        "emergency_admission",
        "admission_date",
        "hospital",
        code="primary_diagnosis_icd10",
    ),
    EventSource(
        "mental_health_contacts",
        "mental_health_contact",
        "contact_date",
        "mental_health",
        code="team",
        where="attended = 'attended'",
    ),
    EventSource(
        "police_incidents",
        "police_incident",
        "CAST(incident_date AS DATE)",
        "police",
        code="incident_type",
    ),
    EventSource(
        "fire_activity",
        "fire_incident",
        "activity_date",
        "fire",
        code="activity",
        value="risk_score",
        where="activity = 'accidental dwelling fire'",
    ),
    EventSource(
        "fire_activity",
        "home_fire_safety_check",
        "activity_date",
        "fire",
        code="activity",
        value="risk_score",
        where="activity = 'home fire safety check'",
    ),
    EventSource(
        "homelessness_applications",
        "homelessness_application",
        "application_date",
        "housing",
        code="duty_owed",
    ),
    EventSource(
        "council_tax_support", "council_tax_support_claim", "claim_start", "council_benefits"
    ),
    EventSource("vcs_referrals", "vcs_referral", "referred_on", "voluntary_sector", code="service"),
    EventSource("iat_referral_log", "iat_referral", "referral_date", None, code="referring_agency"),
    EventSource("pam_assessments", "pam_assessment", "assessment_date", None, value=_PAM_LEVEL_SQL),
    EventSource(
        "school_measurements",
        "school_measurement",
        "date_of_measurement",
        None,
        code="school_year",
        value="weight_kg / ((height_cm / 100.0) * (height_cm / 100.0))",
    ),
)

KINDS: frozenset[str] = frozenset(source.kind for source in SOURCES)
AGENCIES: frozenset[str] = frozenset(s.agency for s in SOURCES if s.agency is not None)
