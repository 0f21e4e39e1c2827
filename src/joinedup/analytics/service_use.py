"""One person's use of emergency and universal services before a date and since.

For the case panel (did things change after the team took the case on?): counts of A&E
attendances, emergency admissions, GP appointments, police incidents and fire incidents in the
months before the referral and the months since, from the linked analytic data. Person-level:
the web app shows it only inside a legitimate relationship, and never publishes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from joinedup.analytics.base import open_base, snapshot
from joinedup.dates import add_months

SERVICES: tuple[tuple[str, str], ...] = (
    ("ae_attendance", "A&E attendances"),
    ("emergency_admission", "Emergency admissions"),
    ("gp_appointment", "GP appointments"),
    ("police_incident", "Police incidents"),
    ("fire_incident", "Fire incidents"),
)


@dataclass(frozen=True)
class ServiceUse:
    kind: str
    label: str
    before: int
    since: int


@dataclass(frozen=True)
class BeforeAndAfter:
    referred_on: dt.date
    months_before: int
    months_since: float  # up to ``months_before``, less if the data ends sooner
    data_ends: dt.date
    services: list[ServiceUse]

    @property
    def comparable(self) -> bool:
        """Whether 'since' covers as long as 'before' (else compare monthly rates, not counts)."""
        return self.months_since >= self.months_before


def before_and_after(
    home: Path, person_key: str, referred_on: dt.date, months: int = 12
) -> BeforeAndAfter:
    """Counts in the ``months`` before ``referred_on`` and in as many months since (or to the
    end of the data)."""
    connection = open_base(home)
    try:
        data_ends = snapshot(connection).last_event
        start = add_months(referred_on, -months)
        end = min(add_months(referred_on, months), data_ends + dt.timedelta(days=1))
        counts = dict.fromkeys((kind for kind, _ in SERVICES), (0, 0))
        rows = connection.execute(
            """
            SELECT kind, count(*) FILTER (WHERE event_date < ?), count(*) FILTER (WHERE event_date >= ?)
            FROM events
            WHERE person_key = ? AND list_contains(?, kind) AND event_date >= ? AND event_date < ?
            GROUP BY kind
            """,
            [referred_on, referred_on, person_key, list(counts), start, end],
        ).fetchall()
    finally:
        connection.close()
    counts.update({kind: (before, since) for kind, before, since in rows})
    return BeforeAndAfter(
        referred_on=referred_on,
        months_before=months,
        months_since=max(0.0, round((end - referred_on).days / 30.4375, 1)),
        data_ends=data_ends,
        services=[ServiceUse(kind, label, *counts[kind]) for kind, label in SERVICES],
    )


def high_need_residents(home: Path, how_many: int, months: int = 12) -> list[tuple[str, dt.date]]:
    """The residents with the most emergency contacts (A&E, emergency admissions, police and
    fire incidents) in the last ``months`` of the data, with the date of the latest; for the
    demo's caseload and for trying the case pages on realistic people."""
    emergencies = ["ae_attendance", "emergency_admission", "police_incident", "fire_incident"]
    connection = open_base(home)
    try:
        since = add_months(snapshot(connection).last_event, -months)
        rows = connection.execute(
            """
            SELECT person_key, max(event_date) FROM events
            WHERE list_contains(?, kind) AND event_date >= ?
            GROUP BY person_key ORDER BY count(*) DESC, person_key LIMIT ?
            """,
            [emergencies, since, how_many],
        ).fetchall()
    finally:
        connection.close()
    return [(key, latest) for key, latest in rows]
