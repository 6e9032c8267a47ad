"""Settings of the images app, with their defaults, read at call time."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from images.metadata import Limits

DEFAULT_MAX_UPLOAD_MB = 25
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000
DEFAULT_THUMBNAIL_SIZE = 256
DEFAULT_ANALYSIS_COLORS = 8
MIN_ANALYSIS_COLORS = 1
DEFAULT_ANALYSIS_STUCK_MINUTES = 15


def upload_limits() -> Limits:
    """Return the limits every ingested file is held to."""
    max_mb = getattr(settings, "JANUS_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)
    max_pixels = getattr(settings, "JANUS_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    return Limits(max_bytes=int(max_mb * 1024 * 1024), max_pixels=int(max_pixels))


def thumbnail_size() -> int:
    return getattr(settings, "JANUS_THUMBNAIL_SIZE", DEFAULT_THUMBNAIL_SIZE)


def analysis_colors() -> int:
    """Return the largest palette an analysis extracts.

    Raise ``ImproperlyConfigured`` below ``MIN_ANALYSIS_COLORS``: every
    analysis would fail.
    """
    colors = int(getattr(settings, "JANUS_ANALYSIS_COLORS", DEFAULT_ANALYSIS_COLORS))
    if colors < MIN_ANALYSIS_COLORS:
        raise ImproperlyConfigured(
            f"JANUS_ANALYSIS_COLORS must be at least {MIN_ANALYSIS_COLORS}."
        )
    return colors


def analysis_stuck_after() -> timedelta:
    """Return how long an analysis may sit queued or running before a retry.

    Past this, "Retry failed analyses" treats it as lost (its worker died,
    or its task never reached a queue) and queues it again.
    """
    minutes = getattr(
        settings, "JANUS_ANALYSIS_STUCK_MINUTES", DEFAULT_ANALYSIS_STUCK_MINUTES
    )
    return timedelta(minutes=float(minutes))
