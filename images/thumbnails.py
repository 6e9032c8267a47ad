"""Make small previews of accepted images.

:func:`make_thumbnail` reads a file with the same limits and format allowlist
as :func:`images.metadata.inspect_image`, shrinks its first frame so the
longest side is ``size`` (smaller images are not enlarged), turns it upright
according to its EXIF orientation, converts embedded colour profiles to sRGB
and encodes the result as WebP, or as PNG where Pillow lacks WebP support.
Transparency is kept. The output carries no metadata. The module imports
nothing from Django.
"""

import io
import logging
from dataclasses import dataclass

from PIL import ExifTags, Image, features

from images.exceptions import ImageRejected
from images.metadata import (
    DEFAULT_LIMITS,
    Limits,
    open_image,
    read_image_source,
    rejection_from_pillow,
)

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without LittleCMS
    ImageCms = None

logger = logging.getLogger(__name__)

OUTPUT_FORMATS = {"WEBP": ("webp", "image/webp"), "PNG": ("png", "image/png")}

# EXIF orientation -> the transpose that makes the picture upright, as in
# Pillow's ImageOps.exif_transpose. That function is not used because it
# reads the orientation from the image it is handed: after a mode conversion
# a TIFF has lost the tags holding it, and transposing before shrinking would
# double the peak memory of a large image.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16B", "I;16L"})
_CMS_MODES = frozenset({"L", "RGB", "RGBA", "CMYK"})
_REDUCING_GAP = 2  # decode JPEG at no less than twice the thumbnail size


@dataclass(frozen=True)
class Thumbnail:
    """An encoded preview image and what a storage layer needs to save it."""

    content: bytes
    extension: str
    mime_type: str
    width: int
    height: int


def default_thumbnail_format() -> str:
    """Return WEBP when this Pillow can write it, else PNG."""
    return "WEBP" if features.check("webp") else "PNG"


def make_thumbnail(
    source,
    *,
    size: int = 256,
    format: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Thumbnail:
    """Return a thumbnail of ``source`` whose longest side is ``size``.

    ``source`` is a path, a binary file object (rewound afterwards) or
    bytes. ``format`` is ``"WEBP"`` or ``"PNG"``; None picks
    :func:`default_thumbnail_format`. JPEGs are decoded at a reduced scale
    with ``draft()``, so a 24-megapixel photo never exists at full size in
    memory. Raise :class:`ImageRejected` when the file breaks ``limits`` or
    cannot be decoded.
    """
    if size < 1:
        raise ValueError(f"size must be at least 1, not {size!r}")
    output_format = (format or default_thumbnail_format()).upper()
    if output_format not in OUTPUT_FORMATS:
        raise ValueError(f"format must be WEBP or PNG, not {format!r}")

    data = read_image_source(source, limits=limits)
    with open_image(data, limits=limits) as im:
        try:
            small = _shrink(im, size, output_format)
        except (ImageRejected, MemoryError):
            raise
        except Exception as exc:
            raise rejection_from_pillow(exc) from exc

    buffer = io.BytesIO()
    if output_format == "WEBP":
        small.save(buffer, "WEBP", quality=80, method=4)
    else:
        small.save(buffer, "PNG", compress_level=6, icc_profile=None)
    extension, mime_type = OUTPUT_FORMATS[output_format]
    return Thumbnail(
        content=buffer.getvalue(),
        extension=extension,
        mime_type=mime_type,
        width=small.width,
        height=small.height,
    )


def _shrink(im: Image.Image, size: int, output_format: str) -> Image.Image:
    """Decode, shrink, colour-convert and turn upright the first frame."""
    if im.format in ("JPEG", "MPO"):
        # Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding.
        width, height = _fit(im.size, size)
        im.draft(None, (width * _REDUCING_GAP, height * _REDUCING_GAP))
    im.load()
    # Read after loading: Pillow turns a TIFF upright while loading it and
    # then drops the tag, and a PNG's eXIf chunk may follow the image data.
    upright = _UPRIGHT.get(_orientation(im))

    # Resizing a palette or bilevel image would pick pixels rather than
    # filter them, so those are expanded before shrinking.
    has_alpha = im.mode in _ALPHA_MODES or "transparency" in im.info
    if im.mode in ("P", "PA", "1") or "transparency" in im.info:
        im = im.convert("RGBA" if has_alpha else "RGB")
    # Pillow cannot reduce 16-bit grayscale, so map it to 8 bits first.
    im = _to_eight_bit(im)
    im.thumbnail((size, size), Image.Resampling.LANCZOS)

    im = _to_srgb(im)
    im = _to_output_mode(im, output_format)
    if upright is not None:
        im = im.transpose(upright)
    return im


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(ExifTags.Base.Orientation, 1)
    except Exception:
        logger.debug("exif unreadable format=%s", im.format, exc_info=True)
        return 1
    return value if isinstance(value, int) else 1


def _fit(image_size: tuple[int, int], size: int) -> tuple[int, int]:
    width, height = image_size
    scale = min(size / width, size / height, 1)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _to_eight_bit(im: Image.Image) -> Image.Image:
    """Map 16-bit, 32-bit and float grayscale onto 8 bits.

    ``convert("L")`` clips such values at 255 instead of scaling them.
    """
    if im.mode in _SIXTEEN_BIT_MODES:
        if im.mode != "I;16":
            # Pillow 13's point() takes no other 16-bit mode, and its
            # conversion from I;16B to I;16 clips every value at 255.
            im = im.convert("I")
        return im.point(lambda value: value * (255 / 65535)).convert("L")
    if im.mode in ("I", "F"):
        low, high = im.getextrema()
        if high > low:
            scale = 255 / (high - low)
            im = im.point(lambda value: (value - low) * scale)
        return im.convert("L")
    return im


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert pixels from an embedded ICC profile to sRGB, when there is one.

    Browsers assume sRGB for an untagged image, and the thumbnail carries no
    profile. A profile LittleCMS cannot use leaves the pixels as they are.
    """
    profile = im.info.get("icc_profile")
    if ImageCms is None or not profile or im.mode not in _CMS_MODES:
        return im
    output_mode = "RGBA" if im.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(
            im, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except Exception:
        logger.debug("icc conversion failed mode=%s", im.mode, exc_info=True)
        return im


def _to_output_mode(im: Image.Image, output_format: str) -> Image.Image:
    has_alpha = im.mode in _ALPHA_MODES
    if output_format == "PNG" and im.mode in ("L", "LA", "RGB", "RGBA"):
        return im
    target = "RGBA" if has_alpha else "RGB"
    return im if im.mode == target else im.convert(target)
