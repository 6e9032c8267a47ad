"""Remove old rows of the audit trail, keeping the rest verifiable."""

import logging
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from auditlog.chain import chain_prune
from auditlog.exceptions import AuditTrailError
from auditlog.models import Log, SecurityEvent

logger = logging.getLogger(__name__)

TABLES = {"logs": Log, "security": SecurityEvent}


class Command(BaseCommand):
    help = (
        "Delete rows older than --older-than days, oldest first and in batches, "
        "moving the chain's checkpoint so the rest still verifies."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            required=True,
            metavar="DAYS",
            help="Remove rows written more than this many days ago (at least 1).",
        )
        parser.add_argument(
            "--table",
            choices=[*TABLES, "all"],
            default="logs",
            help="Which table to prune (default: logs; security events are "
            "kept unless asked for).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=10_000,
            help="Rows removed per transaction (default: 10000).",
        )

    def handle(self, *args, **options):
        days = options["older_than"]
        if days < 1:
            raise CommandError("--older-than must be at least 1 day.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        names = list(TABLES) if options["table"] == "all" else [options["table"]]

        for name in names:
            try:
                result = chain_prune(
                    TABLES[name], cutoff=cutoff, batch_size=options["batch_size"]
                )
            except AuditTrailError as exc:
                logger.error("audit rows not pruned table=%s error=%s", name, exc)
                raise CommandError(str(exc)) from exc
            logger.info(
                "audit rows pruned table=%s rows=%s older_than_days=%s "
                "checkpoint_id=%s",
                name,
                result.rows,
                days,
                result.anchor_id,
                extra={
                    "janus": {
                        "table": name,
                        "rows": result.rows,
                        "cutoff": cutoff.isoformat(),
                        "checkpoint_id": result.anchor_id,
                        "checkpoint_hash": result.anchor_hash,
                    }
                },
            )
            if options["verbosity"]:
                self.stdout.write(
                    f"{name}: removed {result.rows} rows older than {days} days; "
                    f"checkpoint at row {result.anchor_id}."
                )
