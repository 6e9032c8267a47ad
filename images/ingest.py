"""The one path every image takes into Janus: validate, store, extract, record.

The admin upload forms, ``import_images`` and ``seed`` all call
:func:`image_ingest`, so the rules about what is accepted and how it is
stored live here alone.
"""

import logging
import threading
import unicodedata
import uuid
from pathlib import PurePosixPath

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from images.conf import thumbnail_size, upload_limits
from images.exceptions import DuplicateImage
from images.metadata import ImageInfo, inspect_image
from images.models import Image
from images.services import analysis_request
from images.thumbnails import make_thumbnail

logger = logging.getLogger(__name__)

EXTENSIONS = {
    "PNG": "png",
    "JPEG": "jpg",
    "MPO": "jpg",
    "GIF": "gif",
    "WEBP": "webp",
    "BMP": "bmp",
    "TIFF": "tif",
}
# Characters that change how a name is displayed without being visible.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
# Stored files whose rows wait for an enclosing transaction, per thread.
_held = threading.local()


def clean_original_name(name: str | None) -> str:
    """Return ``name`` made safe to display: no path, no control characters.

    The result is only ever shown to people; storage names are generated.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if unicodedata.category(char) in _INVISIBLE_CATEGORIES else char
        for char in name
    )
    name = " ".join(name.split()).strip(" .")
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: 255 - len(suffix)] + suffix
    return name or "unnamed"


def storage_name(extension: str, *, folder: str = "images") -> str:
    """Return a fresh storage name; nothing the uploader sent is part of it."""
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def _store(source, info: ImageInfo) -> tuple[str, str]:
    """Save the file and its thumbnail; return both storage names."""
    source.seek(0)
    extension = EXTENSIONS.get(info.format, "bin")
    stored = default_storage.save(storage_name(extension), File(source))
    try:
        source.seek(0)
        thumb = make_thumbnail(source, size=thumbnail_size(), limits=upload_limits())
        stored_thumbnail = default_storage.save(
            storage_name(thumb.extension, folder="thumbnails"),
            ContentFile(thumb.content),
        )
    except BaseException:
        _delete_files(stored)
        raise
    return stored, stored_thumbnail


def image_inspect(source) -> ImageInfo:
    """Return the metadata ingest would record for ``source``, writing nothing."""
    return inspect_image(source, limits=upload_limits())


def image_ingest(
    *,
    source,
    user=None,
    original_name: str | None = None,
    info: ImageInfo | None = None,
    analyse: bool = True,
) -> Image:
    """Validate ``source``, store it under a generated name and record it.

    Raises ``ImageRejected`` (with a message for the uploader) for anything
    that is not an acceptable image and ``DuplicateImage`` when the same
    content is already stored. A failure after the file was stored removes
    the file again, so no file is left without its row. ``info`` skips the
    inspection when the caller (a form's validation) has just done it.
    Unless ``analyse`` is false, a colour analysis is queued for the image.
    """
    if original_name is None:
        original_name = getattr(source, "name", "")
    if info is None:
        info = image_inspect(source)
    existing = Image.objects.filter(sha256=info.sha256).first()
    if existing is not None:
        raise DuplicateImage(existing)

    stored, stored_thumbnail = _store(source, info)
    try:
        with transaction.atomic():
            image = Image.objects.create(
                file=stored,
                thumbnail=stored_thumbnail,
                user=user,
                original_name=clean_original_name(original_name),
                sha256=info.sha256,
                file_size_bytes=info.file_size,
                **info.columns(),
            )
    except IntegrityError as exc:
        _delete_files(stored, stored_thumbnail)
        existing = Image.objects.filter(sha256=info.sha256).first()
        if existing is not None:
            raise DuplicateImage(existing) from exc
        raise
    except BaseException:
        _delete_files(stored, stored_thumbnail)
        raise
    _hold_until_commit(stored, stored_thumbnail)

    if analyse:
        analysis_request(image=image)

    logger.info(
        "image ingested image_id=%s format=%s size=%sx%s bytes=%s",
        image.pk,
        info.format,
        info.width,
        info.height,
        info.file_size,
        extra={
            "janus": {
                "object": f"images.image:{image.pk}",
                "sha256": info.sha256,
                "original_name": image.original_name,
            }
        },
    )
    return image


def image_replace_file(
    *, image: Image, source, original_name=None, info: ImageInfo | None = None
) -> Image:
    """Put new content behind ``image`` and extract its metadata again."""
    if info is None:
        info = image_inspect(source)
    clash = Image.objects.filter(sha256=info.sha256).exclude(pk=image.pk).first()
    if clash is not None:
        raise DuplicateImage(clash)

    old_files = (image.file.name, image.thumbnail.name if image.thumbnail else None)
    stored, stored_thumbnail = _store(source, info)
    image.file.name = stored
    image.thumbnail.name = stored_thumbnail
    image.sha256 = info.sha256
    image.file_size_bytes = info.file_size
    if original_name is not None:
        image.original_name = clean_original_name(original_name)
    for column, value in info.columns().items():
        setattr(image, column, value)
    try:
        with transaction.atomic():
            image.save()
    except BaseException:
        _delete_files(stored, stored_thumbnail)
        raise
    _hold_until_commit(stored, stored_thumbnail)
    transaction.on_commit(lambda: _delete_files(*old_files))
    analysis_request(image=image)

    logger.info(
        "image file replaced image_id=%s format=%s",
        image.pk,
        info.format,
        extra={"janus": {"object": f"images.image:{image.pk}"}},
    )
    return image


def image_delete_files(*, image: Image) -> None:
    """Remove the files of a deleted image once its transaction commits."""
    names = (image.file.name, image.thumbnail.name if image.thumbnail else None)
    transaction.on_commit(lambda: _delete_files(*names))


def _held_names() -> set[str]:
    if not hasattr(_held, "names"):
        _held.names = set()
    return _held.names


def _hold_until_commit(*names: str) -> None:
    """Remember stored files until the transaction recording them commits.

    Inside a caller's transaction (the admin wraps each form in one) the row
    may still be rolled back after ingest returns. Its on-commit callbacks
    are then dropped, so the names stay held, and
    :func:`image_files_discard_uncommitted` removes the files.
    """
    if not transaction.get_connection().in_atomic_block:
        return
    held = _held_names()
    held.update(names)
    transaction.on_commit(lambda: held.difference_update(names))


def image_files_discard_uncommitted() -> None:
    """Remove files this thread stored for rows that were rolled back.

    Called when a request ends. While a transaction is still open (a test's,
    or a caller's that outlives the request) its outcome is unknown, and
    nothing is removed.
    """
    held = _held_names()
    if not held or transaction.get_connection().in_atomic_block:
        return
    names = set(held)
    held.clear()
    # A commit callback that raised stops the ones after it, so a name may
    # still be held although its row was committed: a row points at it.
    kept = Image.objects.filter(Q(file__in=names) | Q(thumbnail__in=names))
    for file_name, thumbnail_name in kept.values_list("file", "thumbnail"):
        names.difference_update((file_name, thumbnail_name))
    if not names:
        return
    names = sorted(names)
    logger.warning(
        "stored files removed: their rows were rolled back count=%d", len(names)
    )
    _delete_files(*names)


def _delete_files(*names: str | None) -> None:
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("stored file could not be removed name=%r", name)
