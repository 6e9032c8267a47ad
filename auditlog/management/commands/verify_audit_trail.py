"""Recompute the hash chains of ``logs`` and ``security``."""

from django.core.management.base import BaseCommand, CommandError

from auditlog.chain import chain_verify
from auditlog.models import Log, SecurityEvent

TABLES = {"logs": Log, "security": SecurityEvent}


class Command(BaseCommand):
    help = (
        "Check that no row of logs or security was changed, removed or added "
        "out of band; exit non-zero naming the first broken row."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--table",
            choices=[*TABLES, "all"],
            default="all",
            help="Which chain to check (default: all).",
        )

    def handle(self, *args, **options):
        names = list(TABLES) if options["table"] == "all" else [options["table"]]
        broken = []
        for name in names:
            report = chain_verify(TABLES[name])
            if report.is_intact:
                if options["verbosity"]:
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"{name}: intact, {report.rows} rows, head "
                            f"{report.head_hash}"
                        )
                    )
            else:
                broken.append(report)
                self.stderr.write(
                    self.style.ERROR(
                        f"{name}: BROKEN at row {report.broken_id}: {report.problem}"
                    )
                )
        if broken:
            first = broken[0]
            raise CommandError(
                f"Audit trail broken: {first.table} row {first.broken_id}.",
                returncode=1,
            )
