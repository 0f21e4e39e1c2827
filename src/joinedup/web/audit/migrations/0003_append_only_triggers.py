"""AUD-02: the database itself refuses UPDATE and DELETE on audit events.

The model already refuses through the ORM (``AppendOnlyError``); these triggers also hold for a
``QuerySet.update()``, a raw cursor or any other SQL on the app's own connection. The chain
head may only move forward, to an event that exists, and cannot be deleted.

A superuser, or on PostgreSQL the role that owns the tables, can still drop or disable the
triggers: run the app as a role that does not own them (docs/web-app.md). Whatever they do,
``joinedup audit verify`` finds it (AUD-03).

On SQLite, a later migration that alters one of these tables rebuilds it (Django's way to alter
a column there), and the rebuilt table has no triggers: such a migration must install them again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

APPEND_ONLY = "audit events are append-only"
FORWARD_ONLY = "the audit chain head only moves forward, to an event that exists"
NOT_DELETED = "the audit chain head cannot be deleted"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_chainhead_forward_only BEFORE UPDATE ON audit_chainhead
    WHEN NEW.id IS NOT OLD.id
        OR NEW.sequence <= OLD.sequence
        OR NOT EXISTS (
            SELECT 1 FROM audit_auditevent WHERE sequence = NEW.sequence AND hash = NEW.hash
        )
    BEGIN SELECT RAISE(ABORT, '{FORWARD_ONLY}'); END""",
    f"""CREATE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON audit_chainhead
    BEGIN SELECT RAISE(ABORT, '{NOT_DELETED}'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS audit_chainhead_forward_only",
    "DROP TRIGGER IF EXISTS audit_chainhead_no_delete",
]

# restrict_violation (SQLSTATE 23001): an IntegrityError, as SQLite's RAISE(ABORT) gives.
POSTGRESQL_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = '{APPEND_ONLY}: ' || TG_OP || ' refused',
            ERRCODE = 'restrict_violation';
    END;
    $$""",
    """CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    f"""CREATE OR REPLACE FUNCTION audit_chainhead_forward_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION USING MESSAGE = '{NOT_DELETED}', ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.id <> OLD.id
            OR NEW.sequence <= OLD.sequence
            OR NOT EXISTS (
                SELECT 1 FROM audit_auditevent WHERE sequence = NEW.sequence AND hash = NEW.hash
            )
        THEN
            RAISE EXCEPTION USING MESSAGE = '{FORWARD_ONLY}', ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END;
    $$""",
    """CREATE TRIGGER audit_chainhead_forward_only
    BEFORE UPDATE OR DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_forward_only()""",
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_chainhead_forward_only ON audit_chainhead",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
    "DROP FUNCTION IF EXISTS audit_chainhead_forward_only()",
]

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
}


def _run(schema_editor: Any, install: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"no append-only triggers for the {vendor} database")
    for sql in STATEMENTS[vendor][0 if install else 1]:
        # No parameters: the SQL is run as written (no placeholder substitution).
        schema_editor.execute(sql, params=None)


def install(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, install=True)


def remove(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, install=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]
    operations = [migrations.RunPython(install, remove)]
