"""A small synthetic borough, loaded and linked, for web tests that look people up in the
person index; and people from its identity zone to refer (found by query, not by seed luck)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from joinedup.feeds.load import load_folder
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
