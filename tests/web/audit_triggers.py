"""The audit tables' append-only triggers (AUD-02) lifted for a moment, as a superuser could.

The tamper tests (AUD-03) play a superuser who edits audit rows directly: on SQLite the
triggers are dropped and made again from their own definitions afterwards; on PostgreSQL they
are disabled with ``ALTER TABLE ... DISABLE TRIGGER USER``, which needs the table's owner or a
superuser (the test server's connection is its superuser).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from joinedup.web.audit.models import AuditEvent, ChainHead

TABLES = (AuditEvent._meta.db_table, ChainHead._meta.db_table)


@contextmanager
def as_superuser_without_triggers() -> Iterator[None]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            assert cursor.fetchone() == (True,), "the test server's connection is its superuser"
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        placeholders = ", ".join(["%s"] * len(TABLES))
        cursor.execute(
            "SELECT name, sql FROM sqlite_master"
            f" WHERE type = 'trigger' AND tbl_name IN ({placeholders}) ORDER BY name",
            TABLES,
        )
        triggers = cursor.fetchall()
        assert triggers, "the append-only triggers are installed"
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        yield
        for _, sql in triggers:
            cursor.execute(sql)


def empty_audit_tables() -> None:
    """What a flush between transactional tests does, which the triggers refuse on SQLite.

    (PostgreSQL's flush is a TRUNCATE, which row triggers do not see.)
    """
    with as_superuser_without_triggers(), connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table}")
