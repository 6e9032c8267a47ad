"""Colour analyses of stored images: queue them, run them, record the outcome.

The analysis itself is a pure function (``images.analysis``); this module
wraps it with the rows that say what was asked, what ran and what failed.
"""

import logging
import time
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from images.analysis import analyze_image
from images.models import AnalysisStatus, Image, ImageAnalysis

logger = logging.getLogger(__name__)

# How much of an exception's text is kept on a failed analysis.
ERROR_MESSAGE_LIMIT = 2000


def analysis_request(*, image: Image) -> ImageAnalysis:
    """Queue an analysis of ``image`` and return its row (status queued).

    The task is enqueued once the current transaction commits, so a worker
    never looks for a row that is not visible yet, and a rolled-back upload
    queues nothing.
    """
    from images.tasks import analyse_image

    analysis = ImageAnalysis.objects.create(image=image, status=AnalysisStatus.QUEUED)
    transaction.on_commit(lambda: analyse_image.enqueue(analysis.pk))
    logger.debug("analysis queued analysis_id=%s image_id=%s", analysis.pk, image.pk)
    return analysis


def analysis_retry(*, analysis: ImageAnalysis) -> ImageAnalysis:
    """Queue a failed (or stuck) analysis again, keeping its row."""
    from images.tasks import analyse_image

    analysis.status = AnalysisStatus.QUEUED
    analysis.error_message = ""
    analysis.save(update_fields=["status", "error_message", "updated_at"])
    transaction.on_commit(lambda: analyse_image.enqueue(analysis.pk))
    return analysis


def analysis_run(*, analysis_id: int) -> ImageAnalysis | None:
    """Run the queued analysis ``analysis_id`` and record what happened.

    A failure is stored on the row (status failed, with the reason) and
    logged; it is never raised, so neither the image nor the caller suffers.
    Returns None when the row no longer exists (its image was deleted).
    """
    analysis = analysis_start(analysis_id=analysis_id)
    if analysis is None:
        return None
    started = time.perf_counter()
    try:
        with _opened(analysis.image) as source:
            results = analyze_image(source)
    except Exception as exc:
        return analysis_fail(analysis=analysis, error=exc)
    return analysis_succeed(
        analysis=analysis,
        results=results,
        seconds=time.perf_counter() - started,
    )


def analysis_start(*, analysis_id: int) -> ImageAnalysis | None:
    """Mark an analysis as running; return it, or None when it is gone."""
    now = timezone.now()
    updated = ImageAnalysis.objects.filter(pk=analysis_id).update(
        status=AnalysisStatus.RUNNING, started_at=now, updated_at=now
    )
    if not updated:
        logger.info("analysis skipped: row is gone analysis_id=%s", analysis_id)
        return None
    return ImageAnalysis.objects.select_related("image").get(pk=analysis_id)


def analysis_succeed(*, analysis: ImageAnalysis, results: dict, seconds: float):
    analysis.analysis_results = results
    analysis.status = AnalysisStatus.SUCCEEDED
    analysis.error_message = ""
    analysis.finished_at = timezone.now()
    analysis.save()
    logger.info(
        "image analysed image_id=%s analysis_id=%s colors=%s seconds=%.3f",
        analysis.image_id,
        analysis.pk,
        len(results.get("palette") or []),
        seconds,
        extra={
            "janus": {
                "object": f"images.imageanalysis:{analysis.pk}",
                "image": f"images.image:{analysis.image_id}",
                "adjusted_tokens": len(
                    (results.get("tokens") or {}).get("adjusted") or []
                ),
            }
        },
    )
    return analysis


def analysis_fail(*, analysis: ImageAnalysis, error: BaseException | str):
    if isinstance(error, BaseException):
        message = f"{type(error).__name__}: {error}"
    else:
        message = str(error)
    analysis.status = AnalysisStatus.FAILED
    analysis.error_message = message[:ERROR_MESSAGE_LIMIT]
    analysis.finished_at = timezone.now()
    analysis.save()
    logger.error(
        "image analysis failed image_id=%s analysis_id=%s error=%r",
        analysis.image_id,
        analysis.pk,
        analysis.error_message,
        exc_info=isinstance(error, BaseException),
        extra={"janus": {"object": f"images.imageanalysis:{analysis.pk}"}},
    )
    return analysis


@contextmanager
def _opened(image: Image):
    """Yield the stored file of ``image`` opened for reading."""
    handle = image.file.storage.open(image.file.name, "rb")
    try:
        yield handle
    finally:
        handle.close()
