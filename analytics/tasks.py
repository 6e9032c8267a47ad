"""Background work of the analytics app, run through Django's task framework.

``compute_reports.enqueue()`` stores the reports' snapshots now (immediate
backend) or on a ``manage.py db_worker`` process (database backend). Django
has no clock of its own: run it periodically from cron or a systemd timer,
either as ``manage.py compute_analytics`` or as ``manage.py
compute_analytics --enqueue``, which hands the work to the task workers.
"""

from django.tasks import task

from analytics import conf
from analytics.exceptions import ReportsFailed
from analytics.services import reports_compute


@task()
def compute_reports(
    names: list[str] | None = None, days: int | None = None
) -> list[int]:
    """Store a snapshot of each report in ``names`` (default: all).

    Return the ids of the analytics records written; raise
    :class:`ReportsFailed`, after the others are stored, if any report
    failed, so the task's result shows the failure.
    """
    stored, failed = reports_compute(names=names, days=days or conf.period_days())
    if failed:
        raise ReportsFailed(failed)
    return [record.pk for record in stored]
