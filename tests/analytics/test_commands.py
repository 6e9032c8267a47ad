import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from analytics import reports
from analytics.models import Analytics
from auditlog.models import SecurityAction, SecurityEvent
from tests.analytics.helpers import make_image

TOPICS = [
    "janus.reports.images",
    "janus.reports.colour",
    "janus.reports.activity",
    "janus.reports.security",
]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
class TestComputeAnalytics:
    def test_compute_analytics_stores_every_report(self):
        make_image(created_at=timezone.now() - timedelta(days=2))
        SecurityEvent.objects.create(action=SecurityAction.LOGIN_FAILED, username="x")

        output = run("compute_analytics")

        assert sorted(Analytics.objects.values_list("research_topic", flat=True)) == (
            sorted(TOPICS)
        )
        images = Analytics.objects.get(research_topic="janus.reports.images").data
        assert images["count"] == 1
        assert images["period"]["days"] == 30
        assert "generated_at" in images
        security = Analytics.objects.get(research_topic="janus.reports.security").data
        assert security["failures"] == 1
        assert "Stored 4 reports" in output
        assert "janus.reports.colour: record #" in output

    def test_compute_analytics_keeps_earlier_snapshots(self):
        run("compute_analytics", "--topic", "images", "-v", "0")
        make_image(created_at=timezone.now())
        run("compute_analytics", "--topic", "images", "-v", "0")

        snapshots = Analytics.objects.for_topic("janus.reports.images")
        assert [record.data["count"] for record in snapshots] == [1, 0]

    def test_compute_analytics_with_topic_and_period(self):
        make_image(created_at=timezone.now() - timedelta(days=2))
        make_image(created_at=timezone.now() - timedelta(days=20))

        run("compute_analytics", "--topic", "images", "--period-days", "7")

        record = Analytics.objects.get()
        assert record.research_topic == "janus.reports.images"
        assert record.data["count"] == 1
        assert record.data["period"]["days"] == 7
        assert len(record.data["uploads_per_day"]) == 7

    def test_compute_analytics_accepts_a_full_topic(self):
        run("compute_analytics", "--topic", "janus.reports.security", "-v", "0")

        assert list(Analytics.objects.values_list("research_topic", flat=True)) == [
            "janus.reports.security"
        ]

    def test_compute_analytics_refuses_an_unknown_topic(self):
        with pytest.raises(CommandError, match="No report 'weather'"):
            run("compute_analytics", "--topic", "weather")
        assert Analytics.objects.exists() is False

    def test_compute_analytics_refuses_a_period_under_one_day(self):
        with pytest.raises(CommandError, match="at least 1"):
            run("compute_analytics", "--period-days", "0")

    def test_compute_analytics_stores_the_others_when_one_report_fails(
        self, monkeypatch, caplog
    ):
        def broken(period):
            raise RuntimeError("boom")

        monkeypatch.setitem(reports.REPORTS, "colour", broken)

        with pytest.raises(CommandError, match=r"1 of 4 reports failed \(colour\)"):
            run("compute_analytics")

        assert Analytics.objects.count() == 3
        assert "analytics report failed topic=colour" in caplog.text

    def test_compute_analytics_logs_each_report(self, caplog):
        caplog.set_level("INFO", logger="analytics")

        run("compute_analytics", "--topic", "activity")

        record = Analytics.objects.get()
        assert (
            f"analytics report stored topic=janus.reports.activity record={record.pk}"
            in caplog.text
        )

    def test_compute_analytics_enqueue_runs_the_task(self):
        output = run("compute_analytics", "--enqueue", "--topic", "security")

        assert "Queued 1 reports as task" in output
        assert Analytics.objects.get().research_topic == "janus.reports.security"


@pytest.mark.django_db
class TestImportAnalytics:
    def test_import_analytics_creates_the_records(self, tmp_path):
        path = tmp_path / "records.json"
        path.write_text(
            json.dumps([{"data": {"a": 1}, "research_topic": "t"}, {"data": 2}])
        )

        output = run("import_analytics", str(path))

        assert "Imported 2 records" in output
        assert sorted(Analytics.objects.values_list("data", flat=True), key=str) == [
            2,
            {"a": 1},
        ]

    def test_import_analytics_reads_a_file_with_a_byte_order_mark(self, tmp_path):
        path = tmp_path / "records.json"
        path.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"data": {"a": 1}}]).encode())

        run("import_analytics", str(path))

        assert list(Analytics.objects.values_list("data", flat=True)) == [{"a": 1}]

    def test_import_analytics_with_a_bad_record_imports_nothing(self, tmp_path):
        path = tmp_path / "records.json"
        path.write_text(
            json.dumps([{"data": 1}, {"data": 2, "created_at": "tomorrow"}])
        )

        with pytest.raises(CommandError) as caught:
            run("import_analytics", str(path))

        assert "nothing imported" in str(caught.value)
        assert 'Record 2: "created_at" must be an ISO 8601' in str(caught.value)
        assert Analytics.objects.exists() is False

    def test_import_analytics_dry_run_writes_nothing(self, tmp_path):
        path = tmp_path / "records.json"
        path.write_text(json.dumps([{"data": 1}]))

        output = run("import_analytics", str(path), "--dry-run")

        assert "1 records are valid" in output
        assert Analytics.objects.exists() is False

    def test_import_analytics_reads_what_the_export_wrote(self, tmp_path, client):
        from analytics.exchange import export_json

        Analytics.objects.create(research_topic="round", data={"trip": [1, 2]})
        path = tmp_path / "export.json"
        path.write_text("".join(export_json(Analytics.objects.all())))

        run("import_analytics", str(path))

        assert list(
            Analytics.objects.filter(research_topic="round").values_list(
                "data", flat=True
            )
        ) == [{"trip": [1, 2]}, {"trip": [1, 2]}]

    def test_import_analytics_reads_standard_input(self, monkeypatch):
        monkeypatch.setattr("sys.stdin", StringIO('[{"data": {"piped": true}}]'))

        run("import_analytics", "-")

        assert list(Analytics.objects.values_list("data", flat=True)) == [
            {"piped": True}
        ]

    def test_import_analytics_refuses_text_the_database_cannot_store(self, tmp_path):
        path = tmp_path / "records.json"
        path.write_text(
            json.dumps([{"data": 1}, {"data": 2, "research_topic": "\x00"}])
        )

        with pytest.raises(CommandError, match='Record 2: "research_topic" holds'):
            run("import_analytics", str(path))

        assert Analytics.objects.exists() is False

    def test_import_analytics_says_when_the_file_is_missing(self, tmp_path):
        with pytest.raises(CommandError, match="Cannot read"):
            run("import_analytics", str(tmp_path / "missing.json"))
