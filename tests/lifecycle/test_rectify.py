"""GDPR-03: a wrong date of birth is corrected in the identity record and everything derived from
it (birth month and age at the event, the analysis base); linkage runs again, keys stay (LK-09);
the tombstone names the field, never the values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lifecyclehub import rows

from joinedup.analytics.base import BUILD_LOCK, base_folder, open_base
from joinedup.lifecycle import tombstones
from joinedup.lifecycle.rectify import rectify


def years_between(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def test_a_wrong_date_of_birth_is_corrected_everywhere(hub: Path) -> None:
    # A patient whose GP record is the only one of theirs to give a date of birth.
    record_id, wrong, person_key, record_key, registered = rows(
        hub,
        """
        WITH dated AS (
            SELECT p.person_key, count(r.birth_date) AS n FROM link_record_persons AS p
            JOIN identity_records AS r USING (feed, record_key) GROUP BY 1)
        SELECT r.record_id, r.birth_date, p.person_key, r.record_key, r.event_date
        FROM identity_records AS r JOIN link_record_persons AS p USING (feed, record_key)
        JOIN dated USING (person_key)
        WHERE r.feed = 'gp_patients' AND dated.n = 1 AND r.birth_date > DATE '1940-01-01'
        ORDER BY r.record_id LIMIT 1
        """,
    )[0]
    right = wrong - dt.timedelta(days=400)
    runs = rows(hub, "SELECT count(*) FROM link_runs")[0][0]

    report = rectify(
        hub, "gp_patients", record_id, "birth_date", right.isoformat(), "the practice wrote"
    )

    assert report.status == "done"
    assert report.details["person_key_before"] == report.details["person_key_after"] == person_key
    assert report.details["key_changes"] == []
    assert rows(
        hub, "SELECT birth_date FROM identity_records WHERE record_key = ?", record_key
    ) == [(right,)]
    assert rows(
        hub,
        "SELECT birth_month, age_at_event FROM analytic.feed_gp_patients WHERE record_key = ?",
        record_key,
    ) == [(right.strftime("%Y-%m"), years_between(right, registered))]
    assert rows(hub, "SELECT count(*) FROM link_runs")[0][0] == runs + 1
    stone = report.tombstones[0]
    assert (stone.action, stone.field, stone.records) == ("rectify", "birth_date", 1)
    assert all(p.name >= stone.zone_version for p in (hub / "zones").glob("v*"))
    # The old snapshot's base is gone; only the (empty) lock that builds take is left.
    assert [p.name for p in base_folder(hub).glob("*")] in ([], [BUILD_LOCK])
    base = open_base(hub)
    try:
        born = base.execute(
            "SELECT birth_month FROM people WHERE person_key = ?", [person_key]
        ).fetchall()
    finally:
        base.close()
    assert born == [(right.replace(day=1),)]
    text = tombstones.path(hub).read_text()
    for value in (record_id, wrong.isoformat(), right.isoformat(), right.strftime("%d/%m/%Y")):
        assert value not in text

    again = rectify(hub, "gp_patients", record_id, "birth_date", right.isoformat(), "again")
    assert again.status == "nothing_to_do"
