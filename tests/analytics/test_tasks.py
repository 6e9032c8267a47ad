import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from analytics import reports
from analytics.exceptions import ReportsFailed
from analytics.models import Analytics
from analytics.tasks import compute_reports


@pytest.mark.django_db
def test_compute_reports_task_stores_the_reports_it_is_given():
    result = compute_reports.enqueue(names=["images", "security"], days=3)

    assert result.status == "SUCCESSFUL"
    records = Analytics.objects.filter(pk__in=result.return_value)
    assert sorted(records.values_list("research_topic", flat=True)) == [
        "janus.reports.images",
        "janus.reports.security",
    ]
    assert all(record.data["period"]["days"] == 3 for record in records)


@pytest.mark.django_db
def test_compute_reports_task_fails_when_a_report_fails(monkeypatch):
    def broken(period):
        raise RuntimeError("boom")

    monkeypatch.setitem(reports.REPORTS, "activity", broken)

    with pytest.raises(ReportsFailed, match="activity"):
        compute_reports.call(names=["activity", "images"])

    assert list(Analytics.objects.values_list("research_topic", flat=True)) == [
        "janus.reports.images"
    ]


@pytest.fixture
def database_tasks(settings):
    """Switch the task framework to the database-backed queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_compute_analytics_enqueue_leaves_the_work_to_db_worker():
    call_command("compute_analytics", "--enqueue", "--topic", "images", verbosity=0)

    assert Analytics.objects.exists() is False
    assert DBTaskResult.objects.ready().count() == 1

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    assert Analytics.objects.get().research_topic == "janus.reports.images"
    assert DBTaskResult.objects.successful().count() == 1
