"""Database triggers that make the audit trail append-only below the ORM.

What is refused, and why not more:

- ``UPDATE`` of ``core_auditentry``: refused on SQLite and PostgreSQL.
- ``DELETE`` of ``core_auditentry``: refused on PostgreSQL only. On SQLite Django empties tables
  with ``DELETE FROM`` (``flush``, which ends every ``TransactionTestCase`` and
  ``django_db(transaction=True)`` test), so a trigger would break the test suite and ``flush``.
  PostgreSQL empties them with ``TRUNCATE``, which row triggers do not see. A deleted entry is
  caught anyway by ``xaso audit verify``: the chain has a gap, or ends before its head.
- ``core_audithead`` may only move forward one entry at a time (``seq`` becomes ``seq + 1``), on
  both databases, so cutting entries off the end cannot be hidden by rewinding the head; on
  PostgreSQL its row cannot be deleted either.

The owner of the database can drop triggers; the chain, and the head hash written down outside
(``xaso audit verify`` prints it), are what detect tampering by someone who can.

SQLite caution: Django alters a SQLite table by building a new one and dropping the old, which
drops its triggers. A later migration that alters ``core_auditentry`` or ``core_audithead`` must
re-create them (``forwards`` below); ``tests/core/test_audit_chain.py`` fails if they are gone.
"""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update
    BEFORE UPDATE ON core_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE of core_auditentry refused');
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS core_audithead_forward_only
    BEFORE UPDATE ON core_audithead
    WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1
    BEGIN
        SELECT RAISE(ABORT, 'audit head moves forward one entry at a time: UPDATE refused');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update",
    "DROP TRIGGER IF EXISTS core_audithead_forward_only",
]

POSTGRESQL_CREATE = [
    """
    CREATE OR REPLACE FUNCTION core_auditentry_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit trail is append-only: % of core_auditentry refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER core_auditentry_no_update_delete
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse()
    """,
    """
    CREATE OR REPLACE FUNCTION core_audithead_forward_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 THEN
            RAISE EXCEPTION 'audit head moves forward one entry at a time: % refused', TG_OP
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER core_audithead_forward_only
    BEFORE UPDATE OR DELETE ON core_audithead
    FOR EACH ROW EXECUTE FUNCTION core_audithead_forward_only()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update_delete ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_refuse()",
    "DROP TRIGGER IF EXISTS core_audithead_forward_only ON core_audithead",
    "DROP FUNCTION IF EXISTS core_audithead_forward_only()",
]

STATEMENTS = {
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
}


def _run(schema_editor, which: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"no append-only triggers for database {vendor!r}")
    for sql in STATEMENTS[vendor][which]:
        schema_editor.execute(sql, None)


def forwards(apps, schema_editor) -> None:
    _run(schema_editor, 0)
    # The head row exists from the start, so the first appends never race to create it.
    apps.get_model("core", "AuditHead").objects.using(schema_editor.connection.alias).get_or_create(
        id=1
    )


def backwards(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_agency_seq_index")]

    operations = [migrations.RunPython(forwards, backwards)]
