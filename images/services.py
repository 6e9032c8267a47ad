"""Colour analyses of stored images: queue them, run them, record the outcome.

The analysis itself is a pure function (``images.analysis``); this module
wraps it with the rows that say what was asked, what ran and what failed.
"""

import logging
import time
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from images import conf
from images.analysis import analyze_image
from images.models import AnalysisStatus, Image, ImageAnalysis

logger = logging.getLogger(__name__)

# How much of an exception's text is kept on a failed analysis.
ERROR_MESSAGE_LIMIT = 2000


def analysis_request(*, image: Image) -> ImageAnalysis:
    """Queue an analysis of ``image`` and return its row (status queued).

    The task is enqueued once the current transaction commits, so a worker
    never looks for a row that is not visible yet, and a rolled-back upload
    queues nothing. A queue that refuses the task fails the analysis, not
    the upload (see ``_enqueue``).
    """
    analysis = ImageAnalysis.objects.create(image=image, status=AnalysisStatus.QUEUED)
    transaction.on_commit(lambda: _enqueue(analysis))
    logger.info(
        "analysis requested analysis_id=%s image_id=%s",
        analysis.pk,
        image.pk,
        extra={"janus": _context(analysis)},
    )
    return analysis


def analysis_retry(*, analysis: ImageAnalysis) -> ImageAnalysis:
    """Queue a failed (or stuck) analysis again, keeping its row."""
    previous = analysis.status
    analysis.status = AnalysisStatus.QUEUED
    analysis.error_message = ""
    analysis.save(update_fields=["status", "error_message", "updated_at"])
    transaction.on_commit(lambda: _enqueue(analysis))
    logger.info(
        "analysis retried analysis_id=%s image_id=%s previous_status=%s",
        analysis.pk,
        analysis.image_id,
        previous,
        extra={"janus": {**_context(analysis), "previous_status": previous}},
    )
    return analysis


def analysis_run(*, analysis_id: int) -> ImageAnalysis | None:
    """Run the queued analysis ``analysis_id`` and record what happened.

    A failure is stored on the row (status failed, with the reason) and
    logged; it is never raised, so neither the image nor the caller suffers.
    That holds for every step after the row is marked running, recording the
    results included, so no row is left running by an error. Returns None
    when the row no longer exists (its image was deleted).
    """
    analysis = analysis_start(analysis_id=analysis_id)
    if analysis is None:
        return None
    started = time.perf_counter()
    try:
        with _opened(analysis.image) as source:
            results = analyze_image(source, colors=conf.analysis_colors())
        return analysis_succeed(
            analysis=analysis,
            results=results,
            seconds=time.perf_counter() - started,
        )
    except Exception as exc:
        return _fail_quietly(analysis=analysis, error=exc)


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
    # Results a failed save left on the instance were never recorded.
    analysis.analysis_results = {}
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


def _fail_quietly(*, analysis: ImageAnalysis, error: BaseException | str):
    """Record ``error`` on ``analysis``; when even that fails, only log it.

    The second failure (the database gone, say) leaves the row queued or
    running, where "Retry failed analyses" finds it once it is stuck.
    """
    try:
        return analysis_fail(analysis=analysis, error=error)
    except Exception:
        logger.exception(
            "analysis failure not recorded analysis_id=%s image_id=%s",
            analysis.pk,
            analysis.image_id,
            extra={"janus": _context(analysis)},
        )
        return analysis


def _enqueue(analysis: ImageAnalysis) -> None:
    """Hand ``analysis`` to the task backend; a refusal fails the analysis.

    Runs after the commit of the request that queued it. A backend that
    cannot take the task (its database unreachable, a queue it does not
    serve) would otherwise raise into the upload or the admin action.
    """
    from images.tasks import analyse_image

    try:
        analyse_image.enqueue(analysis.pk)
    except Exception as exc:
        logger.exception(
            "analysis enqueue failed analysis_id=%s image_id=%s",
            analysis.pk,
            analysis.image_id,
            extra={"janus": _context(analysis)},
        )
        _fail_quietly(
            analysis=analysis,
            error=f"Could not queue the analysis: {type(exc).__name__}: {exc}",
        )


def _context(analysis: ImageAnalysis) -> dict:
    return {
        "object": f"images.imageanalysis:{analysis.pk}",
        "image": f"images.image:{analysis.image_id}",
    }


@contextmanager
def _opened(image: Image):
    """Yield the stored file of ``image`` opened for reading."""
    handle = image.file.storage.open(image.file.name, "rb")
    try:
        yield handle
    finally:
        handle.close()
