"""Settings of the images app, with their defaults, read at call time."""

from django.conf import settings

from images.metadata import Limits

DEFAULT_MAX_UPLOAD_MB = 25
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000
DEFAULT_THUMBNAIL_SIZE = 256


def upload_limits() -> Limits:
    """Return the limits every ingested file is held to."""
    max_mb = getattr(settings, "JANUS_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)
    max_pixels = getattr(settings, "JANUS_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    return Limits(max_bytes=int(max_mb * 1024 * 1024), max_pixels=int(max_pixels))


def thumbnail_size() -> int:
    return getattr(settings, "JANUS_THUMBNAIL_SIZE", DEFAULT_THUMBNAIL_SIZE)
