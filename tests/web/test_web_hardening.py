"""Hardening: the database refuses changes to the audit log (AUD-02), two-factor secrets are
encrypted at rest, and the API and person lookups are throttled (AC-15)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from audit_triggers import as_superuser_without_triggers
from conftest import ON_POSTGRESQL
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from joinedup.web.audit.chain import record, verify
from joinedup.web.audit.models import AuditEvent, ChainHead

EVENTS = AuditEvent._meta.db_table
HEAD = ChainHead._meta.db_table


def three_events() -> None:
    with transaction.atomic():
        for n in range(1, 4):
            record("test.event", actor="tester", object_type="thing", object_id=str(n))


def refused(sql: str, *params: object) -> DatabaseError:
    """Run ``sql`` on the app's own connection; it must fail, and leave nothing changed."""
    with (
        pytest.raises(DatabaseError) as raised,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return raised.value


def rows() -> list[tuple[object, ...]]:
    return list(AuditEvent.objects.order_by("sequence").values_list())


def head() -> tuple[int, str]:
    found = ChainHead.objects.get(pk=1)
    return found.sequence, found.hash


# AUD-02: the database refuses UPDATE and DELETE on audit events.


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {EVENTS} SET object_id = '999' WHERE sequence = 2",
        f"UPDATE {EVENTS} SET detail = '{{}}'",
        f"DELETE FROM {EVENTS} WHERE sequence = 3",
        f"DELETE FROM {EVENTS}",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_audit_event(sql: str) -> None:
    three_events()
    before = rows()
    error = refused(sql)
    assert isinstance(error, IntegrityError)
    assert "append-only" in str(error)
    assert rows() == before
    assert verify().intact


@pytest.mark.django_db
def test_the_orm_cannot_go_round_the_model_either() -> None:
    three_events()
    before = rows()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).update(actor="someone else")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(sequence=3).delete()
    assert rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        f"DELETE FROM {HEAD}",
        f"UPDATE {HEAD} SET sequence = 2",  # backwards
        f"UPDATE {HEAD} SET sequence = 3, hash = 'x'",  # not forward
        f"UPDATE {HEAD} SET sequence = 4",  # forward, to an event that does not exist
        f"UPDATE {HEAD} SET id = 2",
    ],
)
def test_the_chain_head_only_moves_forward(sql: str) -> None:
    three_events()
    before = head()
    assert before[0] == 3
    assert isinstance(refused(sql), IntegrityError)
    assert head() == before


@pytest.mark.django_db
def test_recording_still_moves_the_head_forward() -> None:
    three_events()
    three_events()
    assert head()[0] == 6
    assert head()[1] == AuditEvent.objects.get(sequence=6).hash
    assert verify().intact and verify().checked == 6


@pytest.mark.django_db
def test_new_events_can_still_be_inserted() -> None:
    three_events()
    with transaction.atomic():
        event = record("test.event", object_id="4")
    assert event.sequence == 4 and AuditEvent.objects.count() == 4


@pytest.mark.django_db
def test_a_superuser_can_lift_the_triggers_and_verify_still_finds_the_change() -> None:
    three_events()
    with as_superuser_without_triggers(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {EVENTS} SET actor = 'someone else' WHERE sequence = 2")
    assert verify().broken_at == 2
    # And the triggers are back afterwards.
    refused(f"UPDATE {EVENTS} SET actor = 'tester' WHERE sequence = 2")


@pytest.mark.django_db
@pytest.mark.skipif(not ON_POSTGRESQL, reason="roles are PostgreSQL's")
def test_an_app_role_that_does_not_own_the_table_cannot_lift_the_triggers() -> None:
    three_events()
    role = "joinedup_app_test"
    with connection.cursor() as cursor:
        # Rolled back with the test, as roles are transactional in PostgreSQL.
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {EVENTS}, {HEAD} TO {role}")
        cursor.execute(f"SET ROLE {role}")
    try:
        assert "append-only" in str(refused(f"UPDATE {EVENTS} SET actor = 'x'"))
        assert "append-only" in str(refused(f"DELETE FROM {EVENTS}"))
        assert "owner" in str(refused(f"ALTER TABLE {EVENTS} DISABLE TRIGGER USER"))
        assert "owner" in str(refused(f"DROP TRIGGER audit_auditevent_append_only ON {EVENTS}"))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert verify().intact and verify().checked == 3


@pytest.fixture
def audit_triggers_restored() -> Iterator[None]:
    yield
    call_command("migrate", "audit", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_migration_reversed_drops_the_triggers(audit_triggers_restored: None) -> None:
    three_events()
    call_command("migrate", "audit", "0002", verbosity=0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {EVENTS} SET actor = 'someone else' WHERE sequence = 2")
    assert verify().broken_at == 2
    call_command("migrate", "audit", verbosity=0)
    refused(f"UPDATE {EVENTS} SET actor = 'tester' WHERE sequence = 2")
