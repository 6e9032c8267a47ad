"""verify_audit_trail and prune_logs."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from model_bakery import baker

from auditlog.chain import chain_verify
from auditlog.models import ChainHead, Log, SecurityAction, SecurityEvent

from .tampering import tamper

pytestmark = pytest.mark.django_db


def old_and_new_logs(old: int, new: int) -> tuple[list[Log], list[Log]]:
    """Write ``old`` entries from 40 days ago, then ``new`` ones from today."""
    then = timezone.now() - timedelta(days=40)
    olds = [Log.objects.create(action=f"old {n}", timestamp=then) for n in range(old)]
    news = [Log.objects.create(action=f"new {n}") for n in range(new)]
    return olds, news


def verify(*args) -> str:
    out = StringIO()
    call_command("verify_audit_trail", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


class TestVerifyAuditTrail:
    def test_verify_exits_cleanly_for_an_intact_trail(self):
        old_and_new_logs(2, 2)
        baker.make(SecurityEvent, action=SecurityAction.LOGIN)
        output = verify()
        assert "logs: intact, 4 rows" in output
        assert "security: intact, 1 rows" in output

    def test_verify_fails_naming_the_first_broken_row(self):
        _olds, news = old_and_new_logs(1, 3)
        tamper("UPDATE logs SET level = 'ERROR' WHERE id = %s", [news[1].pk])
        with pytest.raises(CommandError) as failure:
            verify()
        assert failure.value.returncode == 1
        assert f"logs row {news[1].pk}" in str(failure.value)

    def test_verify_fails_on_a_rebuilt_head_until_it_is_accepted(self):
        old_and_new_logs(0, 2)
        ChainHead.objects.filter(chain="logs").delete()
        Log.objects.create(action="after the loss")
        with pytest.raises(CommandError):
            verify("--table", "logs")

        output = verify("--table", "logs", "--accept-rebuilt-head")

        assert "accepted the head rebuilt from row" in output
        assert "logs: intact" in output
        assert verify("--table", "logs").startswith("logs: intact")

    def test_verify_checks_one_table_when_asked(self):
        _olds, news = old_and_new_logs(0, 2)
        tamper("DELETE FROM logs WHERE id = %s", [news[0].pk])
        assert "security: intact" in verify("--table", "security")
        with pytest.raises(CommandError):
            verify("--table", "logs")


class TestPruneLogs:
    def test_prune_removes_old_rows_and_the_rest_still_verifies(self):
        olds, news = old_and_new_logs(5, 3)
        call_command("prune_logs", older_than=30, batch_size=2, verbosity=0)
        remaining = set(Log.objects.values_list("action", flat=True))
        assert not remaining & {entry.action for entry in olds}
        assert {entry.action for entry in news} <= remaining
        assert chain_verify(Log).is_intact is True
        head = ChainHead.objects.get(chain="logs")
        assert (head.anchor_id, head.anchor_hash) == (olds[-1].pk, olds[-1].row_hash)
        assert head.pruned_rows == 5

    def test_prune_is_itself_logged(self):
        old_and_new_logs(2, 1)
        call_command("prune_logs", older_than=30, verbosity=0)
        entry = Log.objects.get(module="auditlog.management.commands.prune_logs")
        assert entry.log_metadata["rows"] == 2
        assert chain_verify(Log).is_intact is True

    def test_prune_stops_at_the_first_row_that_is_not_old(self):
        then = timezone.now() - timedelta(days=40)
        first = Log.objects.create(action="old first", timestamp=then)
        Log.objects.create(action="young in between")
        Log.objects.create(action="old but after a young one", timestamp=then)
        call_command("prune_logs", older_than=30, verbosity=0)
        assert Log.objects.filter(pk=first.pk).exists() is False
        assert Log.objects.filter(action="old but after a young one").exists() is True
        assert chain_verify(Log).is_intact is True

    def test_prune_leaves_security_events_alone_by_default(self):
        then = timezone.now() - timedelta(days=40)
        baker.make(SecurityEvent, action=SecurityAction.LOGIN, timestamp=then)
        call_command("prune_logs", older_than=30, verbosity=0)
        assert SecurityEvent.objects.count() == 1
        call_command("prune_logs", older_than=30, table="security", verbosity=0)
        assert SecurityEvent.objects.count() == 0
        assert chain_verify(SecurityEvent).is_intact is True

    def test_prune_then_new_rows_still_verify(self):
        old_and_new_logs(3, 0)
        call_command("prune_logs", older_than=30, verbosity=0)
        Log.objects.create(action="after pruning")
        assert chain_verify(Log).is_intact is True

    def test_prune_refuses_to_erase_tampered_rows(self):
        olds, _news = old_and_new_logs(3, 1)
        tamper("UPDATE logs SET action = 'x' WHERE id = %s", [olds[1].pk])
        with pytest.raises(CommandError, match=f"row {olds[1].pk}"):
            call_command("prune_logs", older_than=30, batch_size=1, verbosity=0)
        assert Log.objects.filter(pk=olds[1].pk).exists() is True

    def test_row_inserted_before_the_checkpoint_is_caught(self):
        olds, _news = old_and_new_logs(2, 1)
        call_command("prune_logs", older_than=30, verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO logs (id, action, timestamp, updated_at, username, "
                "previous_hash, row_hash) "
                "VALUES (%s, 'back-dated', %s, %s, '', '', '')",
                [olds[0].pk, timezone.now(), timezone.now()],
            )
        report = chain_verify(Log)
        assert report.broken_id == olds[0].pk

    @pytest.mark.parametrize("option", [{"older_than": 0}, {"batch_size": 0}])
    def test_prune_refuses_bad_options(self, option):
        with pytest.raises(CommandError):
            call_command("prune_logs", **{"older_than": 30, **option}, verbosity=0)
