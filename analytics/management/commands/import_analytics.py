"""Import analytics records from a JSON file, all or nothing."""

import logging
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analytics.exceptions import RecordsRejected
from analytics.exchange import records_parse
from analytics.services import analytics_import

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        'Import analytics records from a JSON array of objects with "data" and '
        'optional "research_topic" and "created_at"; any bad record stops '
        "the whole import."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", metavar="FILE", help="The JSON file to read, or - for stdin."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would be imported; write nothing.",
        )

    def handle(self, *args, **options):
        source = options["file"]
        try:
            if source == "-":
                text = sys.stdin.read()
            else:
                # As the admin upload: a byte-order mark some editors write is dropped.
                text = Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {source}: {exc}") from exc

        try:
            records = records_parse(text)
        except RecordsRejected as exc:
            logger.warning(
                "analytics import refused source=%r problems=%d",
                source,
                len(exc.errors),
            )
            raise CommandError(
                f"{source}: nothing imported.\n" + "\n".join(exc.errors)
            ) from exc
        if options["dry_run"]:
            self.stdout.write(f"{source}: {len(records)} records are valid; dry run.")
            return

        created = analytics_import(records=records, source=source)
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(f"Imported {len(created)} records from {source}.")
            )
