"""The ways analytics records are written: imports and computed reports."""

import logging
import time
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from analytics import reports
from analytics.models import Analytics

logger = logging.getLogger(__name__)
IMPORT_BATCH_SIZE = 500


def analytics_import(
    *, records: list[dict], user=None, source: str = ""
) -> list[Analytics]:
    """Create one analytics record per entry of ``records``, all or none.

    ``records`` comes from ``exchange.records_parse``, which has already
    checked every entry; the single transaction covers what the database
    itself may still refuse.
    """
    rows = [Analytics(**fields) for fields in records]
    with transaction.atomic():
        created = Analytics.objects.bulk_create(rows, batch_size=IMPORT_BATCH_SIZE)

    logger.info(
        "analytics records imported count=%d source=%r user=%s",
        len(created),
        source,
        getattr(user, "pk", None),
        extra={
            "janus": {
                "count": len(created),
                "source": source,
                "user_id": getattr(user, "pk", None),
            }
        },
    )
    return created


def report_store(
    *, name: str, period: reports.Period, now=None
) -> tuple[Analytics, float]:
    """Compute report ``name`` over ``period`` and store it as a record.

    Return the record and the seconds the computation took.
    """
    now = now or timezone.now()
    started = time.perf_counter()
    data = reports.report_data(name, period, generated_at=now)
    record = Analytics.objects.create(
        research_topic=reports.report_topic(name), data=data, created_at=now
    )
    seconds = time.perf_counter() - started

    logger.info(
        "analytics report stored topic=%s record=%s days=%d seconds=%.3f",
        record.research_topic,
        record.pk,
        period.days,
        seconds,
        extra={
            "janus": {
                "topic": record.research_topic,
                "record_id": record.pk,
                "period": period.as_dict(),
                "seconds": round(seconds, 3),
            }
        },
    )
    return record, seconds


def reports_compute(
    *,
    names: Iterable[str] | None = None,
    days: int,
    now=None,
    on_stored: Callable[[Analytics, float], None] | None = None,
) -> tuple[list[Analytics], list[str]]:
    """Store a snapshot of each report in ``names`` (default: all of them).

    Every report covers the same ``days`` calendar days, today included. A
    report that fails is logged and skipped, so one bug does not cost the
    others. Return the records stored and the names of the reports that
    failed; ``on_stored`` is called with each record and its seconds.
    """
    now = now or timezone.now()
    period = reports.Period.last_days(days, now=now)
    names = [reports.report_name(name) for name in (names or reports.REPORTS)]
    stored, failed = [], []
    for name in names:
        try:
            record, seconds = report_store(name=name, period=period, now=now)
        except Exception:
            logger.exception("analytics report failed topic=%s", name)
            failed.append(name)
            continue
        stored.append(record)
        if on_stored is not None:
            on_stored(record, seconds)
    return stored, failed
