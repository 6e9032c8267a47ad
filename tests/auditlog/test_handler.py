"""The logging handler: what it keeps, when it writes, how it fails."""

import logging
import threading
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from model_bakery import baker

from auditlog import chain, handler
from auditlog.chain import chain_verify
from auditlog.context import current_request
from auditlog.models import Log

app_logger = logging.getLogger("janus.tests")


@pytest.fixture(autouse=True)
def fresh_failure_report():
    handler._failures.update(dropped=0, reported_at=None)
    yield
    handler._local.pending = []


@pytest.mark.django_db
class TestWhatIsKept:
    def test_info_record_becomes_a_row_with_its_context(self):
        app_logger.info(
            "thing done thing_id=%s", 7, extra={"janus": {"object": "x:7", "n": 1}}
        )
        entry = Log.objects.get()
        assert entry.action == "thing done thing_id=7"
        assert entry.module == "janus.tests"
        assert entry.level == "INFO"
        assert entry.log_metadata["object"] == "x:7"
        assert entry.log_metadata["n"] == 1

    def test_debug_record_is_not_kept(self):
        app_logger.debug("detail")
        assert Log.objects.exists() is False

    def test_records_of_other_loggers_are_not_kept(self):
        logging.getLogger("django.request").warning("not ours")
        logging.getLogger("somewhere.else").error("not ours either")
        assert Log.objects.exists() is False

    def test_security_service_lines_are_not_kept_twice(self):
        logging.getLogger("auditlog.services").warning("sign-in failed")
        assert Log.objects.exists() is False

    def test_ingest_logs_reach_the_table(self):
        from images.ingest import image_ingest
        from tests.utils import upload

        image = image_ingest(source=upload("x.png"))
        entry = Log.objects.get(module="images.ingest")
        assert entry.log_metadata["object"] == f"images.image:{image.pk}"

    def test_seed_run_reaches_the_table(self):
        from django.core.management import call_command

        call_command(
            "seed",
            users=1,
            images=0,
            analyses=0,
            logs=0,
            security_events=0,
            analytics=0,
            verbosity=0,
        )
        entry = Log.objects.get(module="janus.management.commands.seed")
        assert entry.action.startswith("seed run finished")

    def test_long_message_is_cut_and_kept_whole_in_metadata(self):
        app_logger.info("x" * 400)
        entry = Log.objects.get()
        assert len(entry.action) == 255
        assert entry.log_metadata["message"] == "x" * 400

    def test_exception_text_is_kept(self):
        try:
            raise ValueError("boom")
        except ValueError:
            app_logger.exception("failed step")
        assert "ValueError: boom" in Log.objects.get().log_metadata["exception"]

    def test_values_json_cannot_hold_are_kept_as_text(self):
        app_logger.info("odd", extra={"janus": {"thing": object, "nul": "a\x00"}})
        metadata = Log.objects.get().log_metadata
        assert metadata["thing"] == "<class 'object'>"
        assert metadata["nul"] == "a\ufffd"
        assert chain_verify(Log).is_intact is True

    def test_request_user_address_and_path_are_attached(self, superadmin_client):
        superadmin_client.get(reverse("admin:index"), REMOTE_ADDR="198.51.100.4")
        with mock.patch("django.contrib.admin.sites.AdminSite.index") as index:
            index.side_effect = lambda request, **kw: (
                app_logger.info("inside a view"),
                __import__("django.http").http.HttpResponse("ok"),
            )[1]
            superadmin_client.get(reverse("admin:index"), REMOTE_ADDR="198.51.100.4")
        entry = Log.objects.get(action="inside a view")
        assert entry.username == "superadmin-user"
        assert entry.ip_address == "198.51.100.4"
        assert entry.log_metadata["request"]["path"] == reverse("admin:index")


@pytest.mark.django_db
class TestWhenItWrites:
    def test_a_request_that_logs_many_records_writes_them_in_one_insert(
        self, superadmin_client
    ):
        records = baker.make("analytics.Analytics", data={"a": 1}, _quantity=5)
        url = reverse("admin:analytics_analytics_changelist")
        form = {
            "action": "delete_selected",
            "_selected_action": [record.pk for record in records],
            "post": "yes",
        }

        with CaptureQueriesContext(connection) as queries:
            response = superadmin_client.post(url, form)

        assert response.status_code == 302
        inserts = [
            q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "logs"')
        ]
        assert len(inserts) == 1
        assert (
            Log.objects.filter(action__startswith="admin object deleted").count() == 5
        )

    def test_waiting_records_are_capped_oldest_dropped_first(self, caplog):
        with transaction.atomic():
            for number in range(handler.MAX_PENDING + 3):
                app_logger.info("queued number=%s", number)
            assert len(handler._pending()) == handler.MAX_PENDING
            assert handler._pending()[0].action == "queued number=3"
        assert "audit records not stored dropped=1" in caplog.text

    def test_record_inside_a_transaction_waits_for_the_commit(
        self, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            app_logger.info("in a transaction")
            assert Log.objects.exists() is False
        assert Log.objects.filter(action="in a transaction").exists() is True

    def test_record_survives_a_rollback(self):
        with pytest.raises(RuntimeError), transaction.atomic():
            app_logger.warning("about to fail")
            raise RuntimeError("rolled back")
        handler.flush_pending()
        assert Log.objects.filter(action="about to fail").exists() is True

    def test_record_after_a_rollback_also_writes_the_waiting_one(self):
        with pytest.raises(RuntimeError), transaction.atomic():
            app_logger.warning("first")
            raise RuntimeError
        app_logger.info("second")
        assert list(Log.objects.order_by("id").values_list("action", flat=True)) == [
            "first",
            "second",
        ]

    def test_record_naming_a_user_that_was_rolled_back_keeps_the_username(
        self, django_user_model
    ):
        request = RequestFactory().get("/")
        token = current_request.set(request)
        try:
            with pytest.raises(RuntimeError), transaction.atomic():
                request.user = django_user_model.objects.create_user(
                    username="ghost", email="ghost@example.org"
                )
                app_logger.info("made a ghost")
                raise RuntimeError
        finally:
            current_request.reset(token)
        handler.flush_pending()
        kept = Log.objects.get(action="made a ghost")
        assert (kept.user_id, kept.username) == (None, "ghost")


@pytest.mark.django_db
class TestFailures:
    def test_failing_write_does_not_reach_the_caller(self, caplog):
        with mock.patch.object(chain, "_lock_head", side_effect=RuntimeError("db")):
            app_logger.info("lost")
        assert Log.objects.exists() is False
        assert "audit records not stored dropped=1" in caplog.text

    def test_failing_write_does_not_fail_the_request(self, superadmin_client, caplog):
        with mock.patch.object(chain, "_lock_head", side_effect=RuntimeError("db")):
            response = superadmin_client.get(reverse("admin:auditlog_log_changelist"))
            app_logger.info("also lost")
        assert response.status_code == 200
        assert "audit records not stored" in caplog.text

    def test_failure_is_reported_once_a_minute_with_a_count(self, caplog):
        with mock.patch.object(chain, "_lock_head", side_effect=RuntimeError("db")):
            for _record in range(3):
                app_logger.info("lost")
        reports = [r for r in caplog.records if r.name == "auditlog.handler"]
        assert len(reports) == 1
        assert handler._failures["dropped"] == 3

    def test_handler_does_not_recurse_into_itself(self):
        original = chain.chain_extend
        calls = []

        def logging_write(*args, **kwargs):
            calls.append(1)
            app_logger.info("logged while writing")
            return original(*args, **kwargs)

        with mock.patch.object(chain, "chain_extend", side_effect=logging_write):
            app_logger.info("outer")
        assert len(calls) == 1
        assert list(Log.objects.values_list("action", flat=True)) == ["outer"]

    def test_report_of_a_failure_is_never_persisted(self):
        logging.getLogger("auditlog.handler").error("report")
        assert Log.objects.exists() is False


if connection.vendor == "postgresql":

    @pytest.mark.django_db(transaction=True)
    class TestSlowWrites:
        """Another connection holds the chain lock of ``logs`` meanwhile.

        Without the write timeout the record's write would wait for that
        lock, and the request with it, until the holder let go; here the
        holder lets go only after the request has answered.
        """

        @pytest.fixture
        def chain_locked(self, settings):
            settings.JANUS_AUDIT_WRITE_TIMEOUT = 200
            app_logger.info("head exists")
            assert Log.objects.filter(action="head exists").exists()
            locked, release = threading.Event(), threading.Event()

            def hold():
                try:
                    with transaction.atomic():
                        with connection.cursor() as cursor:
                            cursor.execute(
                                "SELECT 1 FROM audit_chain_heads "
                                "WHERE chain = 'logs' FOR UPDATE"
                            )
                        locked.set()
                        release.wait(timeout=60)
                finally:
                    connection.close()

            holder = threading.Thread(target=hold)
            holder.start()
            assert locked.wait(timeout=30)
            yield
            release.set()
            holder.join()

        def test_blocked_write_is_dropped_not_waited_for(self, chain_locked, caplog):
            app_logger.info("waits for nobody")

            assert "audit records not stored dropped=1" in caplog.text
            assert "timeout" in caplog.text
            assert not Log.objects.filter(action="waits for nobody").exists()

        def test_blocked_write_does_not_hold_up_the_request(
            self, superadmin_client, chain_locked, caplog
        ):
            response = superadmin_client.get(
                reverse("admin:auditlog_log_export", args=["csv"])
            )
            body = b"".join(response.streaming_content)

            assert response.status_code == 200
            assert b"head exists" in body
            assert "audit records not stored dropped=1" in caplog.text
            assert not Log.objects.filter(action__startswith="audit rows exported")
