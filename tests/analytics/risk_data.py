"""Hand-made people for the risk profile and HIU model tests, on top of the hand-built base.

Each builder adds people whose right answers are worked out by hand in its docstring.
"""

from __future__ import annotations

import datetime as dt

from handbase import HandBase

AT = dt.date(2019, 12, 31)
HYPERTENSION, HYPERTENSIVE_DISORDER, DIABETES = "59621000", "38341003", "44054006"
ASTHMA, DEMENTIA, MODERATE_FRAILTY = "195967001", "52448006", "925831000000107"
BUSY_AREA, QUIET_AREA, SMALL_AREA = "E01000001", "E01000002", "E01000003"


def primary_care_person(hand: HandBase, key: str = "P1") -> HandBase:
    """A woman of 80 on AT whose parts are known:

    age 80: 2 points; long-term conditions hypertension (two codes, one condition) and
    diabetes, asthma only after AT: 2 conditions, 2 points; complex: dementia (the recorded
    frailty code is the frailty part's, not a complex condition): 1, 2 points; frailty:
    moderate recorded, 2 points; GP appointments 12 in the 12 months (5 more on the day before
    the window opens): 1 point; missed 2: 1 point; A&E 3: 2 points; emergency admissions 1:
    2 points; mental health contacts 0: 0 points. Total 14: very high.
    """
    hand.person(key, sex="F", born="1939-06")
    for code in (HYPERTENSION, HYPERTENSIVE_DISORDER, DIABETES, DEMENTIA, MODERATE_FRAILTY):
        hand.event(key, "gp_condition", "2015-03-01", code=code)
    hand.event(key, "gp_condition", "2020-02-01", code=ASTHMA)
    hand.event(key, "gp_appointment", "2019-01-01", times=12)
    hand.event(key, "gp_appointment", "2018-12-31", times=5)
    hand.event(key, "gp_missed_appointment", "2019-06-01", times=2)
    hand.event(key, "ae_attendance", "2019-07-01", times=3)
    hand.event(key, "emergency_admission", "2019-07-02")
    return hand


PRIMARY_CARE_POINTS = {
    "age": 2,
    "long_term_conditions": 2,
    "complex_conditions": 2,
    "frailty": 2,
    "gp_appointments": 1,
    "gp_missed_appointments": 1,
    "ae_attendances": 2,
    "emergency_admissions": 2,
    "mental_health_contacts": 0,
}


def community_areas(hand: HandBase) -> HandBase:
    """60 residents in the busy area (IMD decile 1): 12 aged 75+ (10 of them with dementia),
    10 whose home fire safety check scored 5 in 2019 and 2 more scoring 3 (not high), 10 with
    a police incident in May 2018; 20 in the quiet area with none of these; 3 in the small
    area, one of them 75+. Two people who are not residents on AT: one died, one was
    deregistered.

    Published in the busy area: 60 residents; 75+ 12 -> 10, 16.7%; high fire risk 10 -> 166.7
    per 1,000; dementia 10 -> 166.7 per 1,000; no fires, 0.0 (60 is enough to say "none").
    The small area's figures are all hidden.
    """
    for n in range(60):
        key = f"B{n:02d}"
        hand.person(key, born="1940-01" if n < 12 else "1985-01", lsoa=BUSY_AREA)
        if n < 10:
            hand.event(key, "gp_condition", "2016-01-01", code=DEMENTIA)
        if 12 <= n < 22:
            hand.event(key, "home_fire_safety_check", "2019-05-01", value=5)
        if 22 <= n < 24:
            hand.event(key, "home_fire_safety_check", "2019-05-01", value=3)
        if 24 <= n < 34:
            hand.event(key, "police_incident", "2018-05-01")
    for n in range(20):
        hand.person(f"Q{n:02d}", born="1990-01", lsoa=QUIET_AREA)
    for n in range(3):
        hand.person(f"S{n}", born="1935-01" if n == 0 else "1990-01", lsoa=SMALL_AREA)
    hand.person("GONE1", born="1940-01", lsoa=BUSY_AREA, died="2019-06-01")
    hand.person("GONE2", born="1940-01", lsoa=BUSY_AREA, deregistered="2019-06-01")
    return hand


def feature_person(hand: HandBase, key: str = "F1") -> HandBase:
    """A woman of 48 at the end of 2018 in the busy area (IMD decile 1), features for index
    year 2018:

    A&E 3 in 2018 (one on 31 December), 2 in 2017 not counted; 7 in 2019 (one on 1 January)
    are the outcome only. GP appointments 4, missed 1, mental health contacts 2, police
    incidents 1; hypertension recorded in 2015 counts, diabetes in 2019 does not: 1 condition.
    Agencies in contact in 2018: hospital, GP, mental health, police = 4.
    """
    hand.person(key, sex="F", born="1970-06", lsoa=BUSY_AREA)
    hand.event(key, "ae_attendance", "2017-05-01", times=2)
    hand.event(key, "ae_attendance", "2018-03-01", times=2)
    hand.event(key, "ae_attendance", "2018-12-31")
    hand.event(key, "ae_attendance", "2019-01-01")
    hand.event(key, "ae_attendance", "2019-06-01", times=6)
    hand.event(key, "gp_appointment", "2018-02-01", times=4)
    hand.event(key, "gp_missed_appointment", "2018-02-02")
    hand.event(key, "mental_health_contact", "2018-04-01", times=2)
    hand.event(key, "police_incident", "2018-08-01")
    hand.event(key, "gp_condition", "2015-01-01", code=HYPERTENSION)
    hand.event(key, "gp_condition", "2019-02-01", code=DIABETES)
    return hand


def not_in_population(hand: HandBase) -> HandBase:
    """People the model must leave out at the end of 2018: a child, someone who died in 2018,
    someone deregistered in 2018, and someone living outside the borough."""
    hand.person("CHILD", born="2010-01")
    hand.person("DIED", born="1950-01", died="2018-06-01")
    hand.person("LEFT", born="1950-01", deregistered="2018-06-01")
    hand.person("AWAY", born="1950-01", lsoa="E01999999")
    for key in ("CHILD", "DIED", "LEFT", "AWAY"):
        hand.event(key, "ae_attendance", "2018-03-01", times=6)
    return hand


def separable(hand: HandBase) -> HandBase:
    """A borough where next year's HIU are plain to see, for training and validating.

    Every year 2016-2019: 12 frequent attenders (6 A&E attendances a year, HIU each year) and
    40 people who attend at most once. In the held-out year (features 2018, outcome 2019):
    2 people with 6 attendances in 2018 but none in 2019 (the rule's false alarms) and 3 with
    2 attendances in 2018 and 6 in 2019 (the rule misses them). So the rule "5+ last year"
    flags 14: 12 right of 15 HIU, 2 wrong of 42 others; its AUC is (12/15 + 40/42) / 2.
    """
    years = (2016, 2017, 2018, 2019)
    for n in range(12):
        hand.person(f"H{n:02d}", born="1960-01", lsoa=BUSY_AREA)
        for year in years:
            hand.event(f"H{n:02d}", "ae_attendance", f"{year}-03-01", times=6)
    for n in range(40):
        hand.person(f"N{n:02d}", sex="M" if n % 2 else "F", born="1975-01", lsoa=QUIET_AREA)
        for year in years[n % 4 :: 4]:
            hand.event(f"N{n:02d}", "ae_attendance", f"{year}-03-01")
    for n in range(2):
        hand.person(f"A{n}", born="1960-01", lsoa=BUSY_AREA)
        hand.event(f"A{n}", "ae_attendance", "2018-03-01", times=6)
    for n in range(3):
        hand.person(f"L{n}", born="1960-01", lsoa=QUIET_AREA)
        hand.event(f"L{n}", "ae_attendance", "2018-03-01", times=2)
        hand.event(f"L{n}", "ae_attendance", "2019-03-01", times=6)
    return hand


SEPARABLE_RULE_AUC = (12 / 15 + 40 / 42) / 2
