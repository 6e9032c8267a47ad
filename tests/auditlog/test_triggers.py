"""The database itself refuses to change or remove audit rows (PostgreSQL)."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from model_bakery import baker

from accounts.models import User
from auditlog.chain import chain_prune, chain_verify
from auditlog.models import Log, SecurityAction, SecurityEvent

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


def run(statement: str, params=(), *, as_prune: bool = False) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if as_prune and ON_POSTGRESQL:
            # What chain_prune sets; SQLite has neither it nor the triggers.
            cursor.execute("SET LOCAL janus.audit_prune = 'on'")
        cursor.execute(statement, params)


@pytest.fixture
def rows():
    return (
        Log.objects.create(action="image ingested image_id=1"),
        SecurityEvent.objects.create(action=SecurityAction.LOGIN, username="erin"),
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE logs SET action = 'forged' WHERE id = %s",
        "DELETE FROM logs WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_sql_change_to_a_log_row(rows, statement):
    entry, _event = rows

    if ON_POSTGRESQL:
        with pytest.raises(DatabaseError, match="append-only"):
            run(statement, [entry.pk])
        assert chain_verify(Log).is_intact is True
    else:
        # SQLite has no triggers for this; the hash chain shows the change.
        run(statement, [entry.pk])
        assert chain_verify(Log).is_intact is False


def test_sql_change_to_a_security_row(rows):
    _entry, event = rows

    if ON_POSTGRESQL:
        with pytest.raises(DatabaseError, match="append-only"):
            run("UPDATE security SET username = 'mallory' WHERE id = %s", [event.pk])
        assert SecurityEvent.objects.get().username == "erin"
    else:
        run("UPDATE security SET username = 'mallory' WHERE id = %s", [event.pk])
        assert SecurityEvent.objects.get().username == "mallory"


def test_prune_setting_lets_a_delete_through_but_no_update(rows):
    entry, _event = rows

    if ON_POSTGRESQL:
        with pytest.raises(DatabaseError, match="append-only"):
            run(
                "UPDATE logs SET action = 'forged' WHERE id = %s",
                [entry.pk],
                as_prune=True,
            )
    run("DELETE FROM logs WHERE id = %s", [entry.pk], as_prune=True)

    assert Log.objects.exists() is False


def test_deleting_a_user_empties_the_key_of_its_audit_rows():
    user = baker.make(User, username="frank")
    Log.objects.create(action="signed in", user=user, username="frank")
    SecurityEvent.objects.create(
        action=SecurityAction.LOGIN, user=user, username="frank"
    )

    user.delete()

    assert list(Log.objects.values_list("user_id", "username")) == [(None, "frank")]
    assert SecurityEvent.objects.get().user_id is None
    assert chain_verify(Log).is_intact is True


def test_prune_clears_its_flag_after_each_batch():
    old = timezone.now() - timedelta(days=60)
    Log.objects.create(action="old", timestamp=old)
    kept = Log.objects.create(action="new")

    with transaction.atomic():
        result = chain_prune(Log, cutoff=timezone.now() - timedelta(days=30))
        if ON_POSTGRESQL:
            with pytest.raises(DatabaseError, match="append-only"):
                run("DELETE FROM logs WHERE id = %s", [kept.pk])

    assert result.rows == 1
    assert list(Log.objects.values_list("action", flat=True)) == ["new"]
