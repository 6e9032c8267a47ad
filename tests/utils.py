"""Helpers shared by the tests: images drawn in memory with Pillow."""

import io
import os
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def image_bytes(
    image_format: str = "PNG",
    *,
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    color=(30, 58, 138),
    accent=(251, 191, 36),
    **save_options,
) -> bytes:
    """Return an encoded image with a background and one accent rectangle."""
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle([0, 0, size[0] // 3, size[1] // 2], fill=accent)
    if mode != "RGB":
        image = image.convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **save_options)
    return buffer.getvalue()


def upload(name: str = "picture.png", content: bytes | None = None, **kwargs):
    """Return an uploaded file as Django's request handling would make it."""
    if content is None:
        content = image_bytes(**kwargs)
    return SimpleUploadedFile(name, content)


def stored_files() -> set[str]:
    """Return the names of every file in the default storage."""
    root = Path(default_storage.location)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def deselect_without(config, items, marker: str, *, available: bool, missing: str):
    """Leave out the tests marked ``marker`` when what they need is missing.

    Locally they are deselected with a printed note; in CI (``CI`` set) a
    missing tool is a broken set-up, and collection stops with ``missing``.
    """
    marked = [item for item in items if marker in item.keywords]
    if not marked or available:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"{missing}; CI must install it.")
    config.hook.pytest_deselected(items=marked)
    items[:] = [item for item in items if marker not in item.keywords]
    print(f"\nJanus: {len(marked)} {marker} tests deselected: {missing}.")
