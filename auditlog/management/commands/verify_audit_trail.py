"""Recompute the hash chains of ``logs`` and ``security``."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from auditlog.chain import chain_accept_rebuilt_head, chain_verify
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
        parser.add_argument(
            "--accept-rebuilt-head",
            action="store_true",
            help="Accept that the checked chains' heads were rebuilt after "
            "going missing, once you have made sure no rows were lost; the "
            "acceptance is logged (default: off).",
        )

    def handle(self, *args, **options):
        names = list(TABLES) if options["table"] == "all" else [options["table"]]
        if options["accept_rebuilt_head"]:
            by = f"command:{getpass.getuser()}"
            for name in names:
                row_id = chain_accept_rebuilt_head(TABLES[name], by=by)
                if row_id is not None and options["verbosity"]:
                    self.stdout.write(
                        f"{name}: accepted the head rebuilt from row {row_id}."
                    )
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
