"""Link rows written before the hash chain existed, and add search indexes.

The chain fields are spelled out here because historical models do not
carry ``CHAIN_FIELDS``; they must match ``auditlog.models``.

The prefix-search indexes are PostgreSQL-only: they index
``UPPER(column::text)`` with ``text_pattern_ops``, which is exactly what the
admin's ``istartswith`` search compiles to there, so a username or module
search reads the index instead of every row. SQLite has no such operator
class and searches by scanning.
"""

from django.db import migrations

CHAINS = {
    "Log": (
        "timestamp",
        "level",
        "module",
        "action",
        "username",
        "ip_address",
        "log_metadata",
    ),
    "SecurityEvent": (
        "timestamp",
        "action",
        "username",
        "ip_address",
        "user_agent",
        "details",
    ),
}

PATTERN_INDEXES = [
    ("logs_username_prefix_idx", "logs", "username"),
    ("logs_action_prefix_idx", "logs", "action"),
    ("security_username_prefix_idx", "security", "username"),
]


def link_existing_rows(apps, schema_editor):
    from auditlog.chain import GENESIS, canonical_ip, link_hash

    ChainHead = apps.get_model("auditlog", "ChainHead")
    using = schema_editor.connection.alias
    for model_name, fields in CHAINS.items():
        model = apps.get_model("auditlog", model_name)
        table = model._meta.db_table
        previous, last_id, batch = GENESIS, 0, []
        for row in model.objects.using(using).order_by("id").iterator(chunk_size=2000):
            row.ip_address = canonical_ip(row.ip_address)
            values = [getattr(row, name) for name in fields]
            row.previous_hash = previous
            row.row_hash = previous = link_hash(previous, table, values)
            last_id = row.pk
            batch.append(row)
            if len(batch) >= 2000:
                model.objects.using(using).bulk_update(
                    batch, ["ip_address", "previous_hash", "row_hash"]
                )
                batch = []
        if batch:
            model.objects.using(using).bulk_update(
                batch, ["ip_address", "previous_hash", "row_hash"]
            )
        ChainHead.objects.using(using).update_or_create(
            chain=table, defaults={"head_id": last_id, "head_hash": previous}
        )


def create_pattern_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in PATTERN_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'(UPPER("{column}"::text) text_pattern_ops)'
        )


def drop_pattern_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in PATTERN_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0002_hash_chain"),
    ]

    operations = [
        migrations.RunPython(link_existing_rows, migrations.RunPython.noop),
        migrations.RunPython(create_pattern_indexes, drop_pattern_indexes),
    ]
