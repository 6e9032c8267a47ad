import pytest

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
