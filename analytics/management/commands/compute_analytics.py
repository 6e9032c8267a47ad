"""Compute Janus's reports and store them as analytics records."""

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from analytics import conf, reports
from analytics.exceptions import UnknownReport
from analytics.services import reports_compute
from analytics.tasks import compute_reports

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Compute the images, colour, activity and security reports and store "
        "each as an analytics record (research topic janus.reports.<name>)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--topic",
            action="append",
            metavar="NAME",
            help="Compute only this report: images, colour, activity or security, "
            "or its full topic such as janus.reports.images (repeatable; "
            "default: all four).",
        )
        parser.add_argument(
            "--period-days",
            type=int,
            default=None,
            metavar="N",
            help="Calendar days each report covers, today included (default: "
            f"{conf.DEFAULT_PERIOD_DAYS}, or the JANUS_ANALYTICS_PERIOD_DAYS "
            "setting).",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the work as the analytics.tasks.compute_reports task "
            "instead of computing it here (for cron with the database task "
            "backend).",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        days = options["period_days"]
        if days is not None and days < 1:
            raise CommandError("--period-days must be at least 1.")
        days = days or conf.period_days()
        try:
            names = [reports.report_name(name) for name in options["topic"] or []]
        except UnknownReport as exc:
            raise CommandError(str(exc)) from exc
        names = list(dict.fromkeys(names)) or list(reports.REPORTS)

        if options["enqueue"]:
            self.enqueue(names, days)
            return

        now = timezone.now()
        period = reports.Period.last_days(days, now=now)
        if self.verbosity:
            self.stdout.write(
                f"Computing {len(names)} reports over {days} days: "
                f"{timezone.localtime(period.start):%Y-%m-%d %H:%M} to "
                f"{timezone.localtime(now):%Y-%m-%d %H:%M} "
                f"({timezone.get_current_timezone_name()})."
            )
        started = time.perf_counter()
        stored, failed = reports_compute(
            names=names, days=days, now=now, on_stored=self.show_stored
        )

        elapsed = time.perf_counter() - started
        logger.info(
            "compute_analytics finished stored=%d failed=%d days=%d seconds=%.3f",
            len(stored),
            len(failed),
            days,
            elapsed,
            extra={"janus": {"stored": [r.pk for r in stored], "failed": failed}},
        )
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(names)} reports failed ({', '.join(failed)}); "
                "the log has the details."
            )
        if self.verbosity:
            self.stdout.write(
                self.style.SUCCESS(f"Stored {len(stored)} reports in {elapsed:.2f} s.")
            )

    def show_stored(self, record, seconds):
        if self.verbosity:
            self.stdout.write(
                f"  {record.research_topic}: record #{record.pk}, "
                f"{seconds * 1000:.0f} ms"
            )

    def enqueue(self, names, days):
        result = compute_reports.enqueue(names=names, days=days)
        logger.info(
            "analytics reports queued topics=%s days=%d task=%s",
            ",".join(names),
            days,
            result.id,
        )
        if self.verbosity:
            self.stdout.write(
                f"Queued {len(names)} reports as task {result.id} ({result.status})."
            )
