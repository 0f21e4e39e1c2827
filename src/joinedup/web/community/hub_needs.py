"""Isolated older residents counted from the hub's own records, through disclosure control.

The census counts one-person households aged 66 and over as they were in March 2021. The hub
knows who lives where now: residents registered with a GP, alive on the day, each with the
household of their latest home (linkage makes household keys from addresses in the identity
zone; the analytic zone sees only the keys). A household of one resident aged 65 or over is
an isolated older resident. These are counts of people from person-level data, so each ward's
count goes through disclosure control (with secondary suppression across the wards) before it
leaves this module; a hidden ward has no count and is not ranked. The count is for locality
profiling, so the register of agreements must allow the GP register for that purpose; every
run is written to the provenance log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from joinedup.analytics import base, disclosure, provenance
from joinedup.analytics.households import members_sql
from joinedup.analytics.risk import permit
from joinedup.web.community.gaps import Measure, NeedCount
from joinedup.web.community.vocabulary import Need
from joinedup.web.community.wards import wards

PURPOSE = "locality_profiling"
OLDEST_AGE_LEFT_OUT = 64  # 65 and over count as older residents

LIVING_ALONE_BY_WARD = f"""
SELECT a.ward_code, count(*) AS people
FROM (
    SELECT household_key, any_value(lsoa21) AS lsoa21
    FROM household_members
    GROUP BY household_key
    HAVING count(*) = 1 AND max(age) > {OLDEST_AGE_LEFT_OUT}
) AS h
JOIN areas AS a USING (lsoa21)
GROUP BY a.ward_code
"""


@dataclass(frozen=True)
class HubCounts:
    population_date: dt.date
    run_id: str
    by_ward: disclosure.ControlledTable[str]

    def need_counts(self) -> list[NeedCount]:
        """The wards whose count was published, as counts of need for the gap analysis."""
        return [
            NeedCount(code, Need.LONELINESS, float(cell.value))
            for code, cell in self.by_ward.cells.items()
            if cell.value is not None
        ]

    def measure(self) -> Measure:
        return Measure(
            Need.LONELINESS,
            "Residents aged 65 or over living alone, from the hub's records",
            f"The hub's linked GP register and households on "
            f"{self.population_date:%d %B %Y} (provenance run {self.run_id}); counts of 1 to 7 "
            "are hidden, others rounded to the nearest 5, and a ward whose count could be "
            "worked out from the others is hidden too",
            published=False,
        )

    def hidden(self) -> list[str]:
        return [code for code, cell in self.by_ward.cells.items() if cell.value is None]


def isolated_older_residents(home: Path, today: dt.date | None = None) -> HubCounts:
    """Residents aged 65 or over living alone, by ward, on the last day of the hub's data.

    Raises ``NotReadyError`` while nothing is loaded, and ``AgreementRefusedError`` when no
    agreement allows the GP register for locality profiling.
    """
    permission = permit(home, PURPOSE, ("gp_patients",), (), today or dt.date.today())
    connection = base.open_base(home)
    try:
        snapshot = base.snapshot(connection)
        at = snapshot.last_event
        connection.execute(f"CREATE OR REPLACE TEMP TABLE household_members AS {members_sql(at)}")
        counted = dict(connection.execute(LIVING_ALONE_BY_WARD).fetchall())
    finally:
        connection.close()
    codes = [ward.code for ward in wards()]
    by_ward = disclosure.control_table({code: int(counted.get(code, 0)) for code in codes}, codes)
    run_id = provenance.record(
        home,
        {
            "kind": "community_isolated_older_residents",
            "population_date": at.isoformat(),
            "purpose": PURPOSE,
            "agreements": sorted(set(permission.agreements.values())),
            "snapshot": snapshot.record(),
            "disclosure_control": disclosure.RULE.version,
            "published_total": by_ward.total.export(),
        },
    )
    return HubCounts(at, run_id, by_ward)
