"""GDPR-05: the retention job at its boundary, with frozen dates: a record is kept on the last day
of its period and the day before, purged the day after; a legal hold keeps a resident's records
until it is released; re-running the job changes nothing; every purge leaves a tombstone."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import pytest
from lifecyclehub import fingerprint, rows

from joinedup.feeds.agreements import load_register
from joinedup.lifecycle import holds, tombstones
from joinedup.lifecycle.common import LifecycleRefusedError
from joinedup.lifecycle.retention import run

FEED, AGREEMENT = "vcs_referrals", "DSA-VCFS-001"


def plus_months(day: dt.date, months: int) -> dt.date:
    """Calendar months on, the day kept where the month has it (31 Jan + 1 month = 28/29 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def present(home: Path, record_key: str) -> bool:
    return bool(rows(home, "SELECT 1 FROM identity_records WHERE record_key = ?", record_key))


def test_the_retention_boundary_and_a_legal_hold(hub: Path) -> None:
    months = load_register(hub)[AGREEMENT].retention_months
    assert months is not None
    # The newest referral, and one of someone else's from days before, whom a legal hold keeps.
    newest, event, person = rows(
        hub,
        "SELECT r.record_key, r.event_date, p.person_key FROM identity_records AS r "
        "JOIN link_record_persons AS p USING (feed, record_key) WHERE r.feed = ? "
        "ORDER BY r.event_date DESC, r.record_key LIMIT 1",
        FEED,
    )[0]
    older, held_person = rows(
        hub,
        "SELECT r.record_key, p.person_key FROM identity_records AS r "
        "JOIN link_record_persons AS p USING (feed, record_key) WHERE r.feed = ? "
        "AND r.event_date < ? - 5 AND p.person_key <> ? ORDER BY r.event_date DESC LIMIT 1",
        FEED,
        event,
        person,
    )[0]
    expiry = plus_months(event, months)
    assert "legal hold" in holds.hold(hub, held_person, "inquest: coroner's request")

    before = run(hub, on=expiry - dt.timedelta(days=1))
    assert before.status == "done" and present(hub, newest) and present(hub, older)
    assert before.details["feeds"][FEED]["held"] >= 1
    on_the_day = run(hub, on=expiry)
    assert present(hub, newest) and on_the_day.status in ("done", "nothing_to_do")
    preview = run(hub, on=expiry + dt.timedelta(days=1), dry_run=True)
    assert preview.status == "dry_run" and preview.details["feeds"][FEED]["records"] >= 1
    assert present(hub, newest)

    after = run(hub, on=expiry + dt.timedelta(days=1))

    assert after.status == "done" and not present(hub, newest) and present(hub, older)
    published = fingerprint(hub)
    again = run(hub, on=expiry + dt.timedelta(days=1))
    assert again.status == "nothing_to_do" and fingerprint(hub) == published
    # Other feeds' agreements name no period: kept until they end, plus six months.
    assert {t["feed"] for t in tombstones.written(hub)} == {FEED}
    assert all(t["action"] == "retention" for t in tombstones.written(hub))

    holds.release(hub, held_person, "inquest closed")
    released = run(hub, on=expiry + dt.timedelta(days=1))
    assert released.status == "done" and not present(hub, older)
    assert rows(hub, "SELECT count(*) FROM identity_records WHERE feed = ?", FEED) == [(0,)]


def test_holds_refuse_what_they_cannot_do(hub: Path) -> None:
    with pytest.raises(LifecycleRefusedError, match="no resident has the person_key"):
        holds.hold(hub, "P999999999", "a typo")
    with pytest.raises(LifecycleRefusedError, match="no legal hold on"):
        holds.release(hub, "P999999999", "a typo")
