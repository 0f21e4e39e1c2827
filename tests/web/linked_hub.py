"""A small synthetic borough, loaded and linked, for web tests that look people up in the
person index; and people from its identity zone to refer (found by query, not by seed luck)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from joinedup.dates import add_months
from joinedup.feeds import store
from joinedup.feeds.load import load_folder
from joinedup.linkage.lookup import CERTAIN, Referred, find_person
from joinedup.linkage.published import connect_linked
from joinedup.linkage.run import link
from joinedup.synth.config import SynthConfig
from joinedup.synth.generate import generate

BOROUGH = SynthConfig(scale=0.04, seed=23, bad_rows=0)


def build_linked_home(factory: pytest.TempPathFactory) -> Path:
    borough = factory.mktemp("referrals-borough")
    generate(BOROUGH, borough)
    home = factory.mktemp("referrals-hub")
    load_folder(home, borough / "extracts")
    link(home)
    return home


@dataclass(frozen=True)
class Known:
    """One identity the index holds, as a referrer would type it, and its person_key."""

    person_key: str
    given: str
    family: str
    birth_date: dt.date
    postcode: str
    nhs_number: str


# Identities whose family name and date of birth belong to one person only, so that a match on
# them is unambiguous; optionally with an NHS number.
ONE_PERSON_SQL = """
    WITH single AS (
        SELECT n.family, n.birth_date
        FROM link_nodes AS n JOIN link_person_nodes AS p USING (node_id)
        GROUP BY ALL HAVING count(DISTINCT p.person_key) = 1
    )
    SELECT p.person_key, n.given, n.family, n.birth_date, n.postcode, n.nhs_number
    FROM link_nodes AS n JOIN link_person_nodes AS p USING (node_id)
    JOIN single USING (family, birth_date)
    WHERE n.given IS NOT NULL AND n.postcode IS NOT NULL AND n.nhs_number {nhs}
    ORDER BY n.node_id LIMIT 1
"""

# A family name, date of birth and postcode that two or more people share.
SHARED_SQL = """
    SELECT min(p.person_key), n.family, n.birth_date, n.postcode
    FROM link_nodes AS n JOIN link_person_nodes AS p USING (node_id)
    WHERE n.family IS NOT NULL AND n.birth_date IS NOT NULL AND n.postcode IS NOT NULL
    GROUP BY ALL HAVING count(DISTINCT p.person_key) > 1
    ORDER BY 2, 3 LIMIT 1
"""


def known_person(home: Path, *, with_nhs_number: bool) -> Known:
    connection = connect_linked(home)
    try:
        sql = ONE_PERSON_SQL.format(nhs="IS NOT NULL" if with_nhs_number else "IS NULL")
        row = connection.execute(sql).fetchone()
    finally:
        connection.close()
    assert row is not None, "the borough has nobody to refer"
    key, given, family, born, postcode, nhs = row
    return Known(key, given.title(), family.title(), born, postcode, nhs or "")


def shared_household(home: Path) -> Known:
    """Family name, date of birth and postcode of two or more people (a given name unused)."""
    connection = connect_linked(home)
    try:
        row = connection.execute(SHARED_SQL).fetchone()
    finally:
        connection.close()
    assert row is not None, "the borough has no two people alike enough to test ambiguity"
    key, family, born, postcode = row
    return Known(key, "Zebedee", family.title(), born, postcode, "")


@dataclass(frozen=True)
class Resident:
    """A resident as a referrer would type them (the latest name, date of birth, postcode and
    address the agencies hold), with the person_key the index gives them."""

    person_key: str
    given: str
    family: str
    birth_date: dt.date
    postcode: str
    address: str


# People known to three or more agencies' feeds, with police incidents and hospital emergencies
# (A&E, emergency admissions) in the year before a day: the most such contacts first.
RESIDENT_SQL = """
    WITH records AS (
        SELECT p.person_key, r.feed, r.event_date, r.given_name, r.family_name, r.birth_date,
               r.postcode, r.postcode_valid, r.address
        FROM identity_records AS r JOIN link_record_persons AS p USING (feed, record_key)
    ),
    history AS (
        SELECT person_key, count(DISTINCT feed) AS feeds,
               count(*) FILTER (WHERE feed = 'police_incidents' AND event_date >= $since
                                AND event_date < $until) AS police,
               count(*) FILTER (WHERE feed IN ('ae_attendances', 'emergency_admissions')
                                AND event_date >= $since AND event_date < $until) AS hospital
        FROM records GROUP BY person_key
    ),
    latest AS (
        SELECT person_key, arg_max(given_name, event_date) AS given,
               arg_max(family_name, event_date) AS family,
               arg_max(birth_date, event_date) AS birth_date,
               arg_max(postcode, event_date) AS postcode,
               arg_max(address, event_date) FILTER (WHERE address IS NOT NULL) AS address
        FROM records
        WHERE given_name IS NOT NULL AND family_name IS NOT NULL AND birth_date IS NOT NULL
          AND postcode IS NOT NULL AND postcode_valid
        GROUP BY person_key
    )
    SELECT person_key, given, family, birth_date, postcode, address
    FROM history JOIN latest USING (person_key)
    WHERE feeds >= 3 AND police > 0 AND hospital > 0
    ORDER BY police + hospital DESC, person_key
    LIMIT 20
"""


def resident_to_refer(home: Path, before: dt.date) -> Resident:
    """Someone with a history worth a referral in the year before ``before``, whom the person
    index finds (certain, on name, date of birth and postcode) as they would be referred."""
    version = store.current(home)
    assert version is not None, "the borough is not loaded"
    connection = store.connect_zones(version, read_only=True)
    try:
        since = add_months(before, -12)
        rows = connection.execute(RESIDENT_SQL, {"since": since, "until": before}).fetchall()
    finally:
        connection.close()
    for key, given, family, born, postcode, address in rows:
        resident = Resident(
            key,
            given.title(),
            family.title(),
            born,
            postcode,
            address or "1 Market Street",
        )
        referred = Referred(resident.given, resident.family, born, postcode)
        best = find_person(home, referred).best
        if best is not None and best.person_key == key and best.confidence == CERTAIN:
            return resident
    raise AssertionError("the borough has nobody with such a history whom a referral would find")
