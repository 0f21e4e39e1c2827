"""AUD-03, AUD-06: the hash chain verifies, and any edit, deletion or reordering made directly
in the database is found by `joinedup audit verify`, which then exits 1.

The database refuses such changes to the app (AUD-02, test_web_hardening.py), so each tamper
here is made as a superuser who first lifts the append-only triggers."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_triggers import as_superuser_without_triggers
from django.db import connection, transaction
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.web.audit.chain import AuditOutsideTransactionError, record, verify
from joinedup.web.audit.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table


def five_events() -> None:
    with transaction.atomic():
        for n in range(1, 6):
            record(
                "test.event",
                actor="tester",
                object_type="thing",
                object_id=str(n),
                detail={"n": n, "note": "café"},
            )


def tamper(sql: str, *params: object) -> None:
    """Run ``sql`` as a superuser would, with the append-only triggers out of the way."""
    with as_superuser_without_triggers(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_untouched_chain_verifies() -> None:
    five_events()
    verdict = verify()
    assert verdict.intact and verdict.checked == 5


def test_an_edited_row_breaks_the_chain_at_that_row() -> None:
    five_events()
    tamper(f"UPDATE {TABLE} SET object_id = %s WHERE sequence = %s", "999", 3)
    verdict = verify()
    assert verdict.broken_at == 3 and "edited" in verdict.reason


def test_an_edited_detail_breaks_the_chain() -> None:
    five_events()
    tamper(f"UPDATE {TABLE} SET detail = %s WHERE sequence = %s", '{"n": 2, "note": "cafe"}', 2)
    assert verify().broken_at == 2


def test_a_deleted_row_breaks_the_chain_at_the_next_row() -> None:
    five_events()
    tamper(f"DELETE FROM {TABLE} WHERE sequence = %s", 2)
    verdict = verify()
    assert verdict.broken_at == 3 and "deleted" in verdict.reason


def test_a_deleted_last_row_is_found_through_the_chain_head() -> None:
    five_events()
    tamper(f"DELETE FROM {TABLE} WHERE sequence = %s", 5)
    verdict = verify()
    assert not verdict.intact and verdict.broken_at == 5


def test_swapped_rows_break_the_chain() -> None:
    five_events()
    tamper(f"UPDATE {TABLE} SET sequence = 100 WHERE sequence = 2")
    tamper(f"UPDATE {TABLE} SET sequence = 2 WHERE sequence = 3")
    tamper(f"UPDATE {TABLE} SET sequence = 3 WHERE sequence = 100")
    assert verify().broken_at == 2


def test_a_row_cannot_be_changed_or_deleted_through_the_application() -> None:
    five_events()
    event = AuditEvent.objects.get(sequence=1)
    event.verb = "something else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


# Outside the test's own transaction, as in production.
@pytest.mark.django_db(transaction=True)
def test_an_event_outside_a_transaction_is_refused() -> None:
    with pytest.raises(AuditOutsideTransactionError):
        record("test.event")


# Outside the test's own transaction, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_failed_change_takes_its_audit_event_with_it() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test.event", object_id="1")
        raise RuntimeError("the change failed after its event was written")
    assert not AuditEvent.objects.exists()
    assert verify().intact


def test_audit_verify_exits_1_naming_the_broken_event(tmp_path: Path) -> None:
    five_events()
    command = ["audit", "verify", "--home", str(tmp_path)]
    assert CliRunner().invoke(app, command).exit_code == 0
    tamper(f"UPDATE {TABLE} SET actor = %s WHERE sequence = %s", "someone else", 4)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1
    assert "broken at event 4" in result.output
