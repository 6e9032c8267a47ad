"""The hash chain: linking, tamper detection, round trips, bulk loads."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from model_bakery import baker

from auditlog.chain import (
    GENESIS,
    canonical_content,
    chain_accept_rebuilt_head,
    chain_bulk_insert,
    chain_verify,
    clean_json,
    link_hash,
)
from auditlog.exceptions import AppendOnlyError
from auditlog.models import ChainHead, Log, SecurityAction, SecurityEvent

from .tampering import tamper


def write_logs(count: int, **fields) -> list[Log]:
    return [Log.objects.create(action=f"entry {n}", **fields) for n in range(count)]


def sql(statement: str, params=()) -> None:
    tamper(statement, params)


class TestCanonicalContent:
    def test_canonical_content_matches_sorted_compact_json(self):
        values = [
            datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
            "INFO",
            None,
            'quote " backslash \\ é \n',
            {"z": [1, 2.5, {"b": None, "a": True}], "a": "x"},
        ]
        expected = json.dumps(
            ["logs", "2026-01-02T03:04:05.000006+00:00", *values[1:]],
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        assert canonical_content("logs", values) == expected

    def test_link_hash_changes_with_content_previous_and_table(self):
        base = link_hash(GENESIS, "logs", ["a"])
        assert link_hash(GENESIS, "logs", ["b"]) != base
        assert link_hash("1" * 64, "logs", ["a"]) != base
        assert link_hash(GENESIS, "security", ["a"]) != base

    def test_clean_json_stores_numbers_as_postgresql_returns_them(self):
        cleaned = clean_json({"big": 1e20, "zero": -0.0, "small": 1e-7, "n": 3})
        assert cleaned == {"big": 10**20, "zero": 0.0, "small": 1e-7, "n": 3}
        assert type(cleaned["big"]) is int

    def test_clean_json_replaces_nul_and_makes_objects_strings(self):
        cleaned = clean_json({"text": "a\x00b", "when": datetime(2026, 1, 1)})
        assert cleaned == {"text": "a\ufffdb", "when": "2026-01-01T00:00:00"}


@pytest.mark.django_db
class TestLinking:
    def test_rows_link_to_the_previous_row_and_the_head(self):
        first, second = write_logs(2)
        assert first.previous_hash == GENESIS
        assert second.previous_hash == first.row_hash
        head = ChainHead.objects.get(chain="logs")
        assert (head.head_id, head.head_hash) == (second.pk, second.row_hash)

    def test_bulk_create_links_every_row(self):
        rows = Log.objects.bulk_create([Log(action=f"bulk {n}") for n in range(3)])
        assert [row.previous_hash for row in rows[1:]] == [
            row.row_hash for row in rows[:-1]
        ]
        assert chain_verify(Log).is_intact is True

    def test_bulk_create_refuses_to_skip_conflicts(self):
        with pytest.raises(AppendOnlyError):
            Log.objects.bulk_create([Log(action="x")], ignore_conflicts=True)

    def test_saving_a_written_row_again_is_refused(self):
        entry = write_logs(1)[0]
        entry.action = "edited"
        with pytest.raises(AppendOnlyError):
            entry.save()

    def test_deleting_a_row_through_the_model_is_refused(self):
        event = baker.make(SecurityEvent, action=SecurityAction.LOGIN)
        with pytest.raises(AppendOnlyError):
            event.delete()

    def test_each_table_has_its_own_chain(self):
        log = write_logs(1)[0]
        event = baker.make(SecurityEvent, action=SecurityAction.LOGIN)
        assert log.previous_hash == GENESIS
        assert event.previous_hash == GENESIS


@pytest.mark.django_db
class TestVerify:
    def test_verify_passes_an_untouched_chain(self):
        write_logs(5)
        report = chain_verify(Log)
        assert report.is_intact is True
        assert report.rows == 5

    def test_verify_passes_an_empty_table(self):
        assert chain_verify(SecurityEvent).is_intact is True

    def test_verify_names_a_row_edited_by_sql(self):
        rows = write_logs(4)
        sql("UPDATE logs SET action = %s WHERE id = %s", ["forged", rows[2].pk])
        report = chain_verify(Log)
        assert report.broken_id == rows[2].pk
        assert "changed" in report.problem

    def test_verify_names_the_row_after_one_deleted_by_sql(self):
        rows = write_logs(4)
        sql("DELETE FROM logs WHERE id = %s", [rows[1].pk])
        report = chain_verify(Log)
        assert report.broken_id == rows[2].pk
        assert "removed" in report.problem

    def test_verify_notices_the_newest_rows_removed_by_sql(self):
        rows = write_logs(4)
        sql("DELETE FROM logs WHERE id >= %s", [rows[2].pk])
        report = chain_verify(Log)
        assert report.is_intact is False
        assert "newer rows were removed" in report.problem

    def test_verify_names_a_row_inserted_by_sql(self):
        write_logs(2)
        sql(
            "INSERT INTO logs (action, timestamp, updated_at, username, "
            "previous_hash, row_hash) VALUES (%s, %s, %s, '', '', '')",
            ["inserted", timezone.now(), timezone.now()],
        )
        inserted = Log.objects.get(action="inserted")
        report = chain_verify(Log)
        assert report.broken_id == inserted.pk

    def test_verify_names_a_forged_row_inserted_between_links(self):
        rows = write_logs(3)
        content = [timezone.now(), "INFO", "janus", "forged", "", None, None]
        forged_hash = link_hash(rows[0].row_hash, "logs", content)
        # Rewire the next row to the forged one, as a careful forger would.
        sql(
            "UPDATE logs SET previous_hash = %s WHERE id = %s",
            [forged_hash, rows[1].pk],
        )
        report = chain_verify(Log)
        assert report.broken_id == rows[1].pk

    def test_updated_at_changes_do_not_break_the_chain(self):
        rows = write_logs(2)
        later = timezone.now() + timedelta(days=1)
        sql("UPDATE logs SET updated_at = %s WHERE id = %s", [later, rows[0].pk])
        assert chain_verify(Log).is_intact is True

    def test_deleting_a_user_keeps_the_chain_intact(self, user):
        baker.make(SecurityEvent, action=SecurityAction.LOGIN, user=user)
        Log.objects.create(action="x", user=user, username=user.username)
        user.delete()
        assert chain_verify(SecurityEvent).is_intact is True
        assert chain_verify(Log).is_intact is True

    def test_json_numbers_and_ipv6_survive_the_round_trip(self):
        Log.objects.create(
            action="numbers",
            ip_address="2001:DB8:0:0::1",
            log_metadata={"big": 1e20, "tiny": 1e-7, "pi": 3.14159, "n": [1, -0.0]},
        )
        baker.make(
            SecurityEvent,
            action=SecurityAction.LOGIN,
            ip_address="::ffff:192.0.2.1",
            details={"nested": {"b": [1.5, None, True], "a": "é"}},
        )
        assert chain_verify(Log).is_intact is True
        assert chain_verify(SecurityEvent).is_intact is True
        assert Log.objects.get().ip_address == "2001:db8::1"

    def test_verify_reports_a_missing_head(self):
        write_logs(2)
        ChainHead.objects.filter(chain="logs").delete()
        report = chain_verify(Log)
        assert "head is missing" in report.problem

    def test_first_write_to_an_empty_table_is_no_rebuild(self):
        write_logs(1)
        assert ChainHead.objects.get(chain="logs").rebuilt_at is None
        assert chain_verify(Log).is_intact is True

    def test_head_removed_with_the_newest_rows_is_reported_after_rebuild(self):
        rows = write_logs(4)
        sql("DELETE FROM logs WHERE id >= %s", [rows[2].pk])
        sql("DELETE FROM audit_chain_heads WHERE chain = 'logs'")

        write_logs(1)  # the next writer rebuilds the head from row 2
        report = chain_verify(Log)

        assert report.broken_id == rows[1].pk
        assert "rebuilt from row" in report.problem
        assert ChainHead.objects.get(chain="logs").rebuilt_from_id == rows[1].pk

    def test_accepting_a_rebuilt_head_is_logged_and_clears_the_report(self):
        write_logs(2)
        sql("DELETE FROM audit_chain_heads WHERE chain = 'logs'")
        write_logs(1)

        assert chain_accept_rebuilt_head(Log, by="tester") is not None
        assert chain_verify(Log).is_intact is True
        accepted = Log.objects.get(action__startswith="audit chain rebuilt head")
        assert accepted.level == "WARNING"
        assert accepted.log_metadata["by"] == "tester"
        assert chain_accept_rebuilt_head(Log, by="tester") is None


@pytest.mark.django_db
class TestBulkInsert:
    def rows(self, count: int):
        start = timezone.now() - timedelta(hours=1)
        return [
            {
                "action": f"bulk\tentry {n}\nwith \\ escapes",
                "module": "janus.bulk",
                "level": "INFO",
                "timestamp": start + timedelta(seconds=n),
                "ip_address": "192.0.2.9",
                "log_metadata": {"n": n, "ratio": n / 3},
            }
            for n in range(count)
        ]

    def test_bulk_insert_appends_a_verifiable_chain(self):
        write_logs(2)
        assert chain_bulk_insert(Log, self.rows(50)) == 50
        report = chain_verify(Log)
        assert report.is_intact is True
        assert report.rows == 52
        assert Log.objects.filter(action__startswith="bulk\t").count() == 50

    def test_bulk_insert_rebuilds_the_indexes_it_dropped(self):
        def index_names():
            with connection.cursor() as cursor:
                constraints = connection.introspection.get_constraints(cursor, "logs")
            return {name for name, info in constraints.items() if info["index"]}

        before = index_names()
        chain_bulk_insert(Log, self.rows(10), rebuild_indexes=True)
        assert index_names() == before
        assert chain_verify(Log).is_intact is True

    def test_bulk_insert_continues_after_orm_rows(self):
        chain_bulk_insert(Log, self.rows(3))
        entry = Log.objects.create(action="after")
        assert (
            entry.previous_hash
            == Log.objects.get(action__endswith="2\nwith \\ escapes").row_hash
        )
        assert chain_verify(Log).is_intact is True
