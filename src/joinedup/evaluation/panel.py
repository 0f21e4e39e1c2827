"""The person-quarter panel: for each person of ``ev_cohort`` and each quarter before and after
their index date, the days they were registered here and their events of each outcome.

A quarter is three calendar months from the index date (quarter 0 starts on it, quarter -1 ends
the day before). Days count only while the person was registered with a GP in the borough and
alive, and not beyond the last day of data, so that people who move away, die or are followed
for less time add only the time they were here.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt

from joinedup.analytics.service_use import SERVICES
from joinedup.evaluation.design import Windows

DAYS_PER_YEAR = 365.25
OUTCOMES: tuple[tuple[str, str], ...] = (
    *SERVICES,
    ("mental_health_contact", "Mental health contacts"),
)


@dataclass(frozen=True)
class Panel:
    """One row per person and quarter; ``person`` numbers people 0..n-1 (the clusters)."""

    person: npt.NDArray[np.int64]
    treated: npt.NDArray[np.bool_]  # per person
    weight: npt.NDArray[np.float64]  # per person
    quarter: npt.NDArray[np.int64]
    years: npt.NDArray[np.float64]
    counts: dict[str, npt.NDArray[np.float64]]

    @property
    def people(self) -> int:
        return len(self.treated)

    def select(self, people: npt.NDArray[np.bool_]) -> Panel:
        """The panel of some people only (renumbered)."""
        rows = people[self.person]
        renumber = np.cumsum(people) - 1
        return Panel(
            renumber[self.person[rows]],
            self.treated[people],
            self.weight[people],
            self.quarter[rows],
            self.years[rows],
            {kind: values[rows] for kind, values in self.counts.items()},
        )


def build_panel(connection: duckdb.DuckDBPyConnection, windows: Windows) -> Panel:
    """The panel of ``ev_cohort`` over ``windows``."""
    first, stop = windows.quarters.start, windows.quarters.stop
    kinds = [kind for kind, _ in OUTCOMES]
    counted = ", ".join(
        f"count(e.kind) FILTER (WHERE e.kind = '{kind}') AS \"{kind}\"" for kind in kinds
    )
    rows = connection.execute(
        f"""
        WITH people AS (
            SELECT row_number() OVER (ORDER BY c.person_key, c.treated) - 1 AS person,
                   c.person_key, c.treated, c.index_date, c.weight, p.arrived, p.left_on
            FROM ev_cohort AS c JOIN ev_people AS p USING (person_key)
        ),
        quarters AS (
            SELECT person, person_key, quarter,
                   index_date + to_months(3 * quarter) AS starts,
                   index_date + to_months(3 * quarter + 3) AS ends,
                   greatest(index_date + to_months(3 * quarter), arrived) AS counted_from,
                   least(index_date + to_months(3 * quarter + 3), left_on) AS counted_to
            FROM people, range({first}, {stop}) AS q(quarter)
        )
        SELECT q.person, q.quarter,
               greatest(date_diff('day', q.counted_from, q.counted_to), 0) AS days, {counted}
        FROM quarters AS q LEFT JOIN events AS e
          ON e.person_key = q.person_key AND e.event_date >= q.counted_from
         AND e.event_date < q.counted_to AND e.kind IN ({", ".join(f"'{k}'" for k in kinds)})
        GROUP BY q.person, q.quarter, q.counted_from, q.counted_to
        ORDER BY q.person, q.quarter
        """
    ).fetchnumpy()
    people = connection.execute(
        "SELECT treated, weight FROM (SELECT row_number() OVER (ORDER BY person_key, treated) "
        "AS n, treated, weight FROM ev_cohort) ORDER BY n"
    ).fetchnumpy()
    return Panel(
        person=np.asarray(rows["person"], dtype=np.int64),
        treated=np.asarray(people["treated"], dtype=bool),
        weight=np.asarray(people["weight"], dtype=np.float64),
        quarter=np.asarray(rows["quarter"], dtype=np.int64),
        years=np.asarray(rows["days"], dtype=np.float64) / DAYS_PER_YEAR,
        counts={kind: np.asarray(rows[kind], dtype=np.float64) for kind in kinds},
    )
