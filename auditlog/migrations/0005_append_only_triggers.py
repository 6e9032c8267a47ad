"""Refuse UPDATE and DELETE on ``logs`` and ``security`` in PostgreSQL itself.

The admin and the ORM already refuse to change or remove audit rows; these
triggers make SQL refuse too, whatever tool sends it. Two changes stay
possible:

- emptying ``user_id`` and nothing else, which is what deleting a user does
  (the key is ``SET NULL`` and is not part of the hash);
- DELETE inside a transaction that has set ``janus.audit_prune`` to ``on``,
  which only ``chain_prune`` (``manage.py prune_logs``) does.

The triggers stop mistakes and tools that do not know the rule, not a
determined person: anyone who can connect as Janus can set the prune flag
too, and the table owner or a superuser can disable the triggers. The hash
chain shows what such a person changes. SQLite has no session settings to
let pruning through, so there the rule stays in the application.
"""

from django.db import migrations

TABLES = ("logs", "security")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION janus_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('janus.audit_prune', true) = 'on' THEN
            RETURN OLD;
        END IF;
    ELSIF NEW.user_id IS NULL
        AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'rows of % are append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Old rows leave through manage.py prune_logs.';
END;
$$
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the function body holds "%" placeholders of its own.
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE '
            f'ON "{table}" FOR EACH ROW EXECUTE FUNCTION janus_audit_append_only()'
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"'
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS janus_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0004_chain_head_rebuilt"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
