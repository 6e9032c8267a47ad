"""Read an image's technical metadata and reject files Janus cannot use.

:func:`inspect_image` takes a path, a binary file object or bytes, checks it
against :class:`Limits`, decodes it once with Pillow and returns an
:class:`ImageInfo`. Every value comes from the file's content, never from its
name. Anything unacceptable raises :class:`~images.exceptions.ImageRejected`
with a code and a sentence saying what was wrong. The module imports nothing
from Django.

Accepted formats are PNG (APNG included), JPEG, MPO, GIF, WebP, BMP and TIFF,
recognised by content. Only the first frame of a multi-frame file is decoded;
later frames are counted, and TIFF pages also have their sizes checked.

Colour type
-----------

One vocabulary for every format. Colour type and bit depth are independent:
a 1-bit image is ``grayscale`` with ``bit_depth`` 1 in every format (there is
no separate "bilevel" value).

=================  =========================================================
``color_type``     Where it comes from
=================  =========================================================
grayscale          PNG colour type 0; JPEG with 1 component; TIFF
                   photometric 0 or 1 without an alpha sample
grayscale_alpha    PNG colour type 4; TIFF grayscale plus an alpha sample
rgb                PNG colour type 2; JPEG with 3 components stored as RGB
                   (Adobe transform 0, or component ids R, G, B); WebP
                   without alpha; BMP of 16, 24 or 32 bits without alpha;
                   TIFF photometric 2
rgba               PNG colour type 6; WebP with alpha; BMP with an alpha
                   mask; TIFF RGB plus an alpha sample
palette            PNG colour type 3; every GIF; BMP of 8 bits or fewer;
                   TIFF photometric 3
ycbcr              JPEG with 3 components (the JFIF default: the file stores
                   luma and chroma, which decoders turn into RGB); TIFF
                   photometric 6
cmyk               JPEG with 4 components (CMYK or YCCK); TIFF photometric 5
lab                TIFF photometric 8, 9 or 10 (CIELab variants)
=================  =========================================================

For PNG the value always matches the IHDR colour type byte, read from the
file rather than from Pillow's mode (Pillow widens 2- and 4-bit gray to ``L``
and turns 16-bit gray plus alpha into ``RGBA``). WebP lossy data is coded as
YUV inside the codec, but the format offers no choice of colour model, so it
is reported as the ``rgb``/``rgba`` it decodes to.

Bit depth
---------

Bits per sample as the file stores them: PNG, the IHDR bit depth (palette
index bits for palette images); JPEG, the SOF precision; GIF, the bits of the
first frame's colour table (local, else global; 8 when there is none); WebP,
8; BMP, the index bits for 8 bits per pixel or fewer, the widest channel mask
for bitfield images, 5 for plain 16-bit (RGB555) and 8 for plain 24- and
32-bit; TIFF, the largest BitsPerSample value (1 when absent, as the TIFF
specification says).

Compression method
------------------

=============  =============================================================
Format         ``compression_method``
=============  =============================================================
PNG            ``deflate`` (the only method PNG defines)
JPEG, MPO      from the SOF marker: ``dct-baseline`` (SOF0),
               ``dct-extended`` (SOF1), ``dct-progressive`` (SOF2),
               ``lossless`` (SOF3); hierarchical and arithmetic-coded
               variants add ``-differential``/``-arithmetic`` words, e.g.
               ``dct-progressive-arithmetic`` (SOF10)
GIF            ``lzw``
WebP           ``webp-lossy`` (VP8), ``webp-lossless`` (VP8L), or
               ``webp-mixed`` for an animation that uses both
BMP            ``none``, ``rle8``, ``rle4`` or ``bitfields``
TIFF           Pillow's name for the Compression tag: ``raw``, ``tiff_lzw``,
               ``tiff_adobe_deflate``, ``tiff_deflate``, ``packbits``,
               ``group3``, ``group4``, ``tiff_ccitt``, ``jpeg``,
               ``tiff_jpeg``, ``lzma``, ``zstd``, ``webp``...; an unknown
               code N becomes ``tiff_N``
=============  =============================================================

Interlace
---------

``metadata["interlace"]`` is ``none``, ``adam7`` (PNG), ``progressive``
(JPEG SOF2, SOF6, SOF10 or SOF14) or ``gif-4-pass`` (GIF interlace flag).
``metadata["interlaced"]`` is true for all but ``none``: a progressive JPEG,
like an interlaced PNG or GIF, can show the whole picture coarsely before it
has all the data.

The ``metadata`` dictionary
---------------------------

JSON-safe (no bytes, NaN or NUL characters) and bounded by :class:`Limits`:
``format``, ``mime_type``, ``file_size``, ``sha256``, ``interlace``,
``interlaced``, ``frame_count``, ``is_animated`` (true only for GIF, APNG
and WebP animations, not for MPO stereo pairs or multi-page TIFF),
``has_transparency`` (the file can carry transparency: an alpha channel, a
PNG tRNS chunk or a GIF transparent index; it does not look at pixels),
``dpi`` (``[x, y]`` rounded to one decimal, since PNG stores whole pixels
per metre; or null), ``orientation`` (EXIF, or XMP when there is no EXIF
value: 1-8, or null), ``icc_profile`` (size, colour space, device class,
version and description; never the profile bytes), ``exif`` (an allowlist
of camera and capture tags; GPS coordinates are never kept, only
``has_gps``), ``exif_truncated``, ``has_xmp``, ``comment`` (JPEG and GIF
comment, when present) and, for PNG, ``png_text`` with ``text_truncated``.

``width`` and ``height`` are as stored, in every format: an image whose
orientation is 5 to 8 is displayed turned, ``height`` wide.

MPO files report the MIME type ``image/jpeg``: their first frame is a
complete JPEG, and browsers do not know ``image/mpo``.
"""

import hashlib
import io
import json
import logging
import math
import os
import struct
import time
import zlib
from dataclasses import dataclass, fields
from typing import Any, BinaryIO

from PIL import ExifTags, Image, PngImagePlugin, TiffImagePlugin, UnidentifiedImageError

from images.exceptions import ImageRejected

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without LittleCMS
    ImageCms = None

logger = logging.getLogger(__name__)

# Pillow refuses a PNG text chunk that inflates past MAX_TEXT_CHUNK and a file
# whose text adds up past MAX_TEXT_MEMORY. Both are process-wide, so they are
# lowered once here rather than changed per call, which would race between
# threads. The Limits below only cap how much of the accepted text is kept.
PngImagePlugin.MAX_TEXT_CHUNK = min(PngImagePlugin.MAX_TEXT_CHUNK, 1024 * 1024)
PngImagePlugin.MAX_TEXT_MEMORY = min(PngImagePlugin.MAX_TEXT_MEMORY, 8 * 1024 * 1024)

ACCEPTED_FORMATS = ("PNG", "JPEG", "MPO", "GIF", "WEBP", "BMP", "TIFF")

MIME_TYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}

_FORMAT_NAMES = {
    "PNG": "PNG",
    "JPEG": "JPEG",
    "GIF": "GIF",
    "WEBP": "WebP",
    "BMP": "BMP",
    "TIFF": "TIFF",
}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_PNG_COLOR_TYPES = {
    0: "grayscale",
    2: "rgb",
    3: "palette",
    4: "grayscale_alpha",
    6: "rgba",
}

_JPEG_COMPRESSION = {
    0xC0: "dct-baseline",
    0xC1: "dct-extended",
    0xC2: "dct-progressive",
    0xC3: "lossless",
    0xC5: "dct-differential-sequential",
    0xC6: "dct-differential-progressive",
    0xC7: "lossless-differential",
    0xC9: "dct-extended-arithmetic",
    0xCA: "dct-progressive-arithmetic",
    0xCB: "lossless-arithmetic",
    0xCD: "dct-differential-sequential-arithmetic",
    0xCE: "dct-differential-progressive-arithmetic",
    0xCF: "lossless-differential-arithmetic",
}
_JPEG_PROGRESSIVE = frozenset({0xC2, 0xC6, 0xCA, 0xCE})

_BMP_COMPRESSION = {0: "none", 1: "rle8", 2: "rle4", 3: "bitfields", 6: "bitfields"}

_TIFF_COLOR_TYPES = {
    0: "grayscale",
    1: "grayscale",
    2: "rgb",
    3: "palette",
    4: "grayscale",
    5: "cmyk",
    6: "ycbcr",
    8: "lab",
    9: "lab",
    10: "lab",
}

# Pillow mode -> (color_type, bit_depth), for formats whose header does not
# say more than the mode does.
_MODE_COLOR = {
    "1": ("grayscale", 1),
    "L": ("grayscale", 8),
    "LA": ("grayscale_alpha", 8),
    "La": ("grayscale_alpha", 8),
    "I;16": ("grayscale", 16),
    "I;16B": ("grayscale", 16),
    "I;16L": ("grayscale", 16),
    "I": ("grayscale", 32),
    "F": ("grayscale", 32),
    "P": ("palette", 8),
    "PA": ("palette", 8),
    "RGB": ("rgb", 8),
    "RGBX": ("rgb", 8),
    "RGBA": ("rgba", 8),
    "RGBa": ("rgba", 8),
    "CMYK": ("cmyk", 8),
    "YCbCr": ("ycbcr", 8),
    "LAB": ("lab", 8),
}

_ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})
_ANIMATION_FORMATS = frozenset({"GIF", "PNG", "WEBP"})

# EXIF tags worth keeping for design research. Serial numbers, GPS, maker
# notes and user comments are left out: they identify people or are large.
_EXIF_BASE_TAGS = tuple(
    ExifTags.Base[name]
    for name in (
        "ImageDescription",
        "Make",
        "Model",
        "Orientation",
        "XResolution",
        "YResolution",
        "ResolutionUnit",
        "Software",
        "DateTime",
        "Artist",
        "Copyright",
    )
)
_EXIF_IFD_TAGS = tuple(
    ExifTags.Base[name]
    for name in (
        "ExposureTime",
        "FNumber",
        "ExposureProgram",
        "ISOSpeedRatings",
        "ExifVersion",
        "DateTimeOriginal",
        "DateTimeDigitized",
        "OffsetTime",
        "OffsetTimeOriginal",
        "OffsetTimeDigitized",
        "ShutterSpeedValue",
        "ApertureValue",
        "BrightnessValue",
        "ExposureBiasValue",
        "MaxApertureValue",
        "SubjectDistance",
        "MeteringMode",
        "LightSource",
        "Flash",
        "FocalLength",
        "ColorSpace",
        "ExifImageWidth",
        "ExifImageHeight",
        "ExposureMode",
        "WhiteBalance",
        "DigitalZoomRatio",
        "FocalLengthIn35mmFilm",
        "SceneCaptureType",
        "Contrast",
        "Saturation",
        "Sharpness",
        "LensSpecification",
        "LensMake",
        "LensModel",
    )
)
_EXIF_BASE_TAG_SET = frozenset(_EXIF_BASE_TAGS)
_EXIF_IFD_TAG_SET = frozenset(_EXIF_IFD_TAGS)
_EXIF_POINTERS = frozenset({ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo})
_EXIF_NAMES = {tag: ExifTags.Base(tag).name for tag in _EXIF_BASE_TAGS + _EXIF_IFD_TAGS}
_ORIENTATION = ExifTags.Base.Orientation

# TIFF field types: bytes per value and struct code. ASCII and UNDEFINED
# values are sliced as bytes instead.
_TIFF_TYPES = {
    1: (1, "B"),  # BYTE
    2: (1, ""),  # ASCII
    3: (2, "H"),  # SHORT
    4: (4, "I"),  # LONG
    5: (8, "II"),  # RATIONAL
    6: (1, "b"),  # SBYTE
    7: (1, ""),  # UNDEFINED
    8: (2, "h"),  # SSHORT
    9: (4, "i"),  # SLONG
    10: (8, "ii"),  # SRATIONAL
    11: (4, "f"),  # FLOAT
    12: (8, "d"),  # DOUBLE
    13: (4, "I"),  # IFD, an offset like LONG
}
_MAX_IFD_VALUE_BYTES = 1024

_MAX_EXIF_STRING = 256
_MAX_LIST_ITEMS = 16
_MAX_TEXT_KEYS = 64
_MAX_TEXT_KEY_CHARS = 79  # the PNG specification's keyword limit
_MAX_COMMENT_BYTES = 4096
_MAX_ICC_DESCRIPTION = 200


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Bound what :func:`inspect_image` accepts and how much metadata it keeps.

    Pillow's own process-wide ``Image.MAX_IMAGE_PIXELS`` still applies: an
    image over twice that count is refused by Pillow whatever ``max_pixels``
    says.
    """

    max_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_text_chunk_bytes: int = 64 * 1024  # per PNG text value kept
    max_text_total_bytes: int = 256 * 1024
    max_exif_bytes: int = 64 * 1024  # JSON size of the EXIF dict kept

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{field.name} must be a positive int, not {value!r}")


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class ImageInfo:
    """Technical facts about one accepted image, ready for the images table."""

    width: int
    height: int
    bit_depth: int
    color_type: str
    compression_method: str
    format: str
    mime_type: str
    file_size: int
    sha256: str
    metadata: dict

    def columns(self) -> dict:
        """Return the values of the images table's metadata columns."""
        return {
            "width": self.width,
            "height": self.height,
            "bit_depth": self.bit_depth,
            "color_type": self.color_type,
            "compression_method": self.compression_method,
            "image_metadata": self.metadata,
        }


@dataclass(frozen=True)
class _PngHeader:
    width: int
    height: int
    bit_depth: int
    color_type: int
    interlace: int


@dataclass(frozen=True)
class _JpegHeader:
    marker: int
    precision: int
    components: int
    component_ids: bytes
    adobe_transform: int | None
    scan_offset: int | None


def inspect_image(source, *, limits: Limits = DEFAULT_LIMITS) -> ImageInfo:
    """Validate an image file and return its technical metadata.

    ``source`` is a filesystem path, a binary file object (read from the
    start and rewound afterwards, so an upload can still be saved) or bytes.
    The file is read into memory once (it is at most ``limits.max_bytes``),
    hashed, checked from its header bytes and decoded once by Pillow. Raise
    :class:`ImageRejected` for anything Janus does not accept.
    """
    started = time.perf_counter()
    try:
        info = _inspect(source, limits)
    except ImageRejected as exc:
        logger.debug("image rejected code=%s reason=%r", exc.code, exc.message)
        raise
    logger.debug(
        "image inspected format=%s width=%d height=%d bytes=%d elapsed_ms=%.1f",
        info.format,
        info.width,
        info.height,
        info.file_size,
        (time.perf_counter() - started) * 1000,
    )
    return info


def read_image_source(source, *, limits: Limits = DEFAULT_LIMITS, digest=None) -> bytes:
    """Return the bytes of ``source``, refusing empty and oversized files.

    ``source`` is as for :func:`inspect_image`. ``digest``, a ``hashlib``
    object, is fed the bytes as they are read.
    """
    max_bytes = limits.max_bytes
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _too_large(len(data), max_bytes)
        if digest is not None:
            digest.update(data)
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fp:
            size = os.fstat(fp.fileno()).st_size
            if size > max_bytes:
                raise _too_large(size, max_bytes)
            data = _read_limited(fp, max_bytes, digest)
    elif callable(getattr(source, "read", None)):
        seekable = getattr(source, "seekable", None)
        rewind = callable(seekable) and seekable()
        if rewind:
            source.seek(0)
        try:
            data = _read_limited(source, max_bytes, digest)
        finally:
            if rewind:
                source.seek(0)
    else:
        raise TypeError(
            f"source must be a path, a binary file or bytes, not {type(source)!r}"
        )

    if not data:
        raise ImageRejected("empty", "The file is empty.")
    return data


def open_image(data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Image.Image:
    """Open ``data`` with Pillow, restricted to the accepted formats.

    Only the header is read: the returned image is not decoded yet, and its
    size has been checked against ``limits.max_pixels``. Pillow's errors
    become :class:`ImageRejected`.
    """
    try:
        im = Image.open(io.BytesIO(data), formats=_available_formats())
    except UnidentifiedImageError as exc:
        raise _unidentified(data) from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise rejection_from_pillow(exc) from exc

    try:
        _check_pixels(im.size, limits)
    except ImageRejected:
        im.close()
        raise
    return im


def _inspect(source, limits: Limits) -> ImageInfo:
    digest = hashlib.sha256()
    data = read_image_source(source, limits=limits, digest=digest)

    # Header checks on the raw bytes: they name the defect precisely and
    # refuse oversized PNGs before Pillow allocates anything.
    png = None
    jpeg = None
    if data.startswith(_PNG_SIGNATURE):
        png = _parse_png(data, limits)
    elif _is_damaged_png_signature(data):
        raise _damaged_png_signature(data)
    elif data.startswith(b"\xff\xd8\xff"):
        jpeg = _parse_jpeg(data)
        _check_jpeg_end(data, jpeg)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        _check_riff_end(data)

    with open_image(data, limits=limits) as im:
        fmt = im.format
        width, height = _stored_size(im)
        frame_count = _count_frames(im, limits)

        # Pillow turns a TIFF upright while loading it and then drops its
        # orientation tag, so EXIF is read before decoding; a PNG's eXIf
        # chunk may follow the image data, so for PNG it is read after.
        exif = None if fmt == "PNG" else _exif_metadata(im, limits)
        try:
            im.load()
        except MemoryError:
            raise
        except Exception as exc:
            raise rejection_from_pillow(exc) from exc
        if exif is None:
            exif = _exif_metadata(im, limits)

        if fmt == "PNG" and png is not None:
            bit_depth = png.bit_depth
            color_type = _PNG_COLOR_TYPES[png.color_type]
            compression = "deflate"
            interlace = "adam7" if png.interlace else "none"
        elif fmt in ("JPEG", "MPO"):
            bit_depth, color_type, compression, interlace = _jpeg_facts(im, jpeg)
        else:
            bit_depth, color_type, compression, interlace = _other_facts(im, data)

        metadata = {
            "format": fmt,
            "mime_type": MIME_TYPES[fmt],
            "file_size": len(data),
            "sha256": digest.hexdigest(),
            "interlace": interlace,
            "interlaced": interlace != "none",
            "frame_count": frame_count,
            "is_animated": frame_count > 1 and fmt in _ANIMATION_FORMATS,
            "has_transparency": _has_transparency(im),
            "dpi": _dpi(im.info.get("dpi")),
        }
        metadata.update(exif)
        metadata["icc_profile"] = _icc_metadata(im.info.get("icc_profile"))
        metadata["has_xmp"] = _has_xmp(im)
        comment = im.info.get("comment")
        if isinstance(comment, (bytes, str)) and comment:
            metadata["comment"] = _cap_text(_to_text(comment), _MAX_COMMENT_BYTES)
        if fmt == "PNG":
            metadata.update(_png_text(im.text, limits))

    return ImageInfo(
        width=width,
        height=height,
        bit_depth=bit_depth,
        color_type=color_type,
        compression_method=compression,
        format=fmt,
        mime_type=metadata["mime_type"],
        file_size=metadata["file_size"],
        sha256=metadata["sha256"],
        metadata=metadata,
    )


# Reading and rejecting ------------------------------------------------------


def _read_limited(fp: BinaryIO, max_bytes: int, digest) -> bytes:
    chunks = []
    total = 0
    while True:
        chunk = fp.read(max_bytes + 1 - total)
        if not chunk:
            break
        if isinstance(chunk, str):
            raise TypeError("source must be opened in binary mode")
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(None, max_bytes)
        if digest is not None:
            digest.update(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _available_formats() -> list[str]:
    Image.init()
    return [fmt for fmt in ACCEPTED_FORMATS if fmt in Image.OPEN]


def _format_bytes(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count} bytes"


def _too_large(size: int | None, max_bytes: int) -> ImageRejected:
    limit = _format_bytes(max_bytes)
    if size is None:
        message = f"The file is too large: it is over the {limit} limit."
    else:
        message = (
            f"The file is too large ({_format_bytes(size)}; the limit is {limit})."
        )
    return ImageRejected("too_large", message)


def _check_pixels(size: tuple[int, int], limits: Limits) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ImageRejected(
            "corrupt", f"The image is corrupt: it declares a size of {width}x{height}."
        )
    if width * height > limits.max_pixels:
        raise ImageRejected(
            "too_many_pixels",
            f"The image has too many pixels: {width}x{height} is "
            f"{width * height:,} pixels, over the limit of {limits.max_pixels:,}.",
        )


def rejection_from_pillow(exc: BaseException) -> ImageRejected:
    """Return the rejection for an exception Pillow raised reading a file.

    Any exception counts: Pillow signals damaged data with ``OSError``,
    ``SyntaxError``, ``ValueError``, ``EOFError`` and even ``IndexError``.
    """
    if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
        return ImageRejected(
            "too_many_pixels",
            "The image has too many pixels for Janus to decode safely.",
        )
    reason = str(exc).strip().rstrip(".") or type(exc).__name__
    if isinstance(exc, ValueError) and "MAX_TEXT" in reason:
        return ImageRejected(
            "metadata_too_large",
            "The image carries more text metadata than Janus reads (a PNG text "
            "chunk inflates past its safety limit).",
        )
    if len(reason) > 200:
        reason = reason[:200] + "..."
    if "truncated" in reason.lower() or isinstance(exc, EOFError):
        return ImageRejected("truncated", f"The image is truncated: {reason}.")
    return ImageRejected("corrupt", f"The image is corrupt: {reason}.")


def _unidentified(data: bytes) -> ImageRejected:
    found = _sniff_accepted(data)
    if found == "JPEG":
        header = _parse_jpeg(data)
        if header is not None and header.precision != 8:
            return ImageRejected(
                "unsupported_format",
                f"The file is a {header.precision}-bit JPEG; Janus reads only "
                "8-bit JPEG images.",
            )
    if found == "TIFF" and _tiff_directory_missing(data):
        return ImageRejected(
            "truncated",
            "The image is truncated: the file ends before its TIFF image directory.",
        )
    if found is not None:
        return ImageRejected(
            "corrupt",
            f"The image is corrupt: it starts like a {_FORMAT_NAMES[found]} file "
            "but its header cannot be read.",
        )
    return ImageRejected(
        "unsupported_format",
        f"The file is not an image Janus accepts (found: {_describe_content(data)}).",
    )


def _sniff_accepted(data: bytes) -> str | None:
    """Name the accepted format ``data`` starts like, going by magic bytes."""
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:2] == b"BM" and len(data) >= 26:
        return "BMP"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "TIFF"
    return None


_OTHER_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"%!PS", "a PostScript document"),
    (b"PK\x03\x04", "a ZIP archive (or a file packed as one, like DOCX or EPUB)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"\x00\x00\x01\x00", "an ICO icon"),
    (b"8BPS", "a Photoshop document"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 codestream"),
    (b"\xff\x0a", "a JPEG XL image"),
    (b"\x00\x00\x00\x0cJXL ", "a JPEG XL image"),
    (b"qoif", "a QOI image"),
    (b"v/1\x01", "an OpenEXR image"),
    (b"OggS", "an Ogg audio or video file"),
    (b"ID3", "an MP3 audio file"),
    (b"fLaC", "a FLAC audio file"),
)


def _describe_content(data: bytes) -> str:
    """Say in a few words what a file that is not an accepted image holds."""
    for prefix, description in _OTHER_SIGNATURES:
        if data.startswith(prefix):
            return description
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1"):
            return "a HEIF/HEIC image"
        return "a video or other ISO media file"
    if data[:4] == b"RIFF":
        return "a RIFF file (such as AVI video or WAV audio)"
    if len(data) > 262 and data[257:262] == b"ustar":
        return "a tar archive"

    head = data[:1024]
    if b"\x00" not in head:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # The cut at 1024 bytes may split the last character.
            text = head[: exc.start].decode() if exc.start >= len(head) - 3 else None
        if text is not None:
            text = text.lstrip("\ufeff \t\r\n").lower()
            if "<svg" in text:
                return "an SVG/XML document"
            if text.startswith(("<!doctype html", "<html", "<head", "<body")):
                return "an HTML document"
            if text.startswith("<?xml") or text.startswith("<"):
                return "an XML or HTML document"
            if text.startswith(("{", "[")):
                return "a JSON document or other text"
            return "a text file"
    return "data in an unrecognised format"


# PNG ------------------------------------------------------------------------


def _is_damaged_png_signature(data: bytes) -> bool:
    return data[12:16] == b"IHDR" or data[1:4].upper() == b"PNG"


def _damaged_png_signature(data: bytes) -> ImageRejected:
    message = "The image is corrupt: its PNG signature is damaged"
    if data[:8].replace(b"\r", b"\n") == _PNG_SIGNATURE.replace(b"\r", b"\n"):
        message += " (line endings were changed, as by a text-mode transfer)"
    return ImageRejected("corrupt", message + ".")


def _parse_png(data: bytes, limits: Limits) -> _PngHeader:
    """Check a PNG's header and every chunk CRC, and return its IHDR values.

    Pillow checks CRCs only before the image data while opening, and only
    in ``verify()`` afterwards; walking the chunks here does the same check
    in one pass without a second Pillow open, and names the defect.
    """
    if data[12:16] != b"IHDR" or struct.unpack_from(">I", data, 8)[0] != 13:
        raise ImageRejected(
            "corrupt", "The image is corrupt: its first chunk is not a PNG header."
        )
    if len(data) < 33:
        raise ImageRejected("truncated", "The image is truncated: its header is cut.")
    width, height, depth, color, compression, filter_method, interlace = (
        struct.unpack_from(">IIBBBBB", data, 16)
    )
    if zlib.crc32(data[12:29]) != struct.unpack_from(">I", data, 29)[0]:
        raise _png_corrupt("its header chunk (IHDR) fails its CRC check")
    if color not in _PNG_DEPTHS:
        raise _png_corrupt(f"its header declares an invalid colour type {color}")
    if depth not in _PNG_DEPTHS[color]:
        raise _png_corrupt(
            f"its header declares bit depth {depth}, invalid for colour type {color}"
        )
    if compression != 0 or filter_method != 0 or interlace not in (0, 1):
        raise _png_corrupt(
            "its header declares an unknown compression, filter or interlace method"
        )
    if width > 2**31 - 1 or height > 2**31 - 1:
        raise _png_corrupt(f"its header declares an invalid size {width}x{height}")
    _check_pixels((width, height), limits)

    view = memoryview(data)
    seen_idat = seen_plte = False
    pos = 8
    end = len(data)
    while True:
        if pos + 12 > end:
            raise ImageRejected(
                "truncated", "The image is truncated: the file ends before IEND."
            )
        length, chunk_type = struct.unpack_from(">I4s", data, pos)
        if length > 2**31 - 1 or not chunk_type.isalpha():
            raise _png_corrupt(f"a chunk header at byte {pos} is invalid")
        data_end = pos + 8 + length
        if data_end + 4 > end:
            raise ImageRejected(
                "truncated",
                "The image is truncated: the file ends inside a "
                f"{chunk_type.decode('ascii')} chunk.",
            )
        crc = struct.unpack_from(">I", data, data_end)[0]
        if zlib.crc32(view[pos + 4 : data_end]) != crc:
            raise _png_corrupt(
                f"its {chunk_type.decode('ascii')} chunk fails its CRC check"
            )
        if chunk_type == b"IDAT":
            seen_idat = True
        elif chunk_type == b"PLTE":
            seen_plte = True
        elif chunk_type == b"IEND":
            break
        pos = data_end + 4

    if not seen_idat:
        raise _png_corrupt("it has no image data (no IDAT chunk)")
    if color == 3 and not seen_plte:
        raise _png_corrupt("it is a palette image without a palette (no PLTE chunk)")
    return _PngHeader(width, height, depth, color, interlace)


def _png_corrupt(reason: str) -> ImageRejected:
    return ImageRejected("corrupt", f"The image is corrupt: {reason}.")


def _png_text(text: dict, limits: Limits) -> dict:
    values = {}
    capped = len(text) > _MAX_TEXT_KEYS
    for key, value in list(text.items())[:_MAX_TEXT_KEYS]:
        key = _clean_string(str(key))[:_MAX_TEXT_KEY_CHARS]
        value = _clean_string(str(value))
        values[key] = _cap_text(value, limits.max_text_chunk_bytes)
        capped = capped or values[key] != value
    kept, over = _fit_json(values, limits.max_text_total_bytes)
    return {"png_text": kept, "text_truncated": capped or over}


# JPEG -----------------------------------------------------------------------


def _parse_jpeg(data: bytes) -> _JpegHeader | None:
    """Return the SOF values and Adobe colour transform of a JPEG, if found.

    Markers are walked the way Pillow does, skipping junk and fill bytes, up
    to the first start of scan.
    """
    pos = 2
    end = len(data)
    sof = None
    adobe_transform = None
    scan_offset = None
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            pos += 1
            continue
        marker = data[pos + 1]
        if marker in (0x00, 0xFF):
            pos += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            pos += 2
            continue
        if marker == 0xD9:
            break
        length = struct.unpack_from(">H", data, pos + 2)[0]
        segment = data[pos + 4 : pos + 2 + length]
        if marker == 0xDA:
            scan_offset = pos
            break
        if marker == 0xEE and segment.startswith(b"Adobe") and len(segment) >= 12:
            adobe_transform = segment[11]
        elif marker in _JPEG_COMPRESSION and sof is None and len(segment) >= 6:
            sof = (marker, segment)
        pos += 2 + length

    if sof is None:
        return None
    marker, segment = sof
    components = segment[5]
    return _JpegHeader(
        marker=marker,
        precision=segment[0],
        components=components,
        component_ids=bytes(segment[6 : 6 + 3 * components : 3]),
        adobe_transform=adobe_transform,
        scan_offset=scan_offset,
    )


def _check_jpeg_end(data: bytes, header: _JpegHeader | None) -> None:
    """Refuse a JPEG with no end-of-image marker after its first scan.

    Inside scan data a 0xFF byte is always stuffed or a restart marker, so
    FFD9 there can only be the real end. This does not depend on Pillow's
    process-wide ``LOAD_TRUNCATED_IMAGES`` switch.
    """
    if header is None or header.scan_offset is None:
        return
    if data.rfind(b"\xff\xd9", header.scan_offset) == -1:
        raise ImageRejected(
            "truncated",
            "The image is truncated: the JPEG data ends without an end-of-image "
            "marker.",
        )


def _jpeg_facts(im: Image.Image, header: _JpegHeader | None) -> tuple:
    """Return bit depth, colour type, compression and interlace of a JPEG."""
    if header is None:
        # Pillow found a frame header that this parser did not; fall back on
        # what Pillow reports.
        progressive = bool(im.info.get("progressive"))
        color_type = {"L": "grayscale", "CMYK": "cmyk"}.get(im.mode, "ycbcr")
        compression = "dct-progressive" if progressive else "dct-baseline"
        return 8, color_type, compression, "progressive" if progressive else "none"

    if header.components == 1:
        color_type = "grayscale"
    elif header.components == 3:
        is_rgb = header.adobe_transform == 0 or header.component_ids == b"RGB"
        color_type = "rgb" if is_rgb else "ycbcr"
    else:
        color_type = "cmyk"
    interlace = "progressive" if header.marker in _JPEG_PROGRESSIVE else "none"
    return header.precision, color_type, _JPEG_COMPRESSION[header.marker], interlace


# Other formats --------------------------------------------------------------


def _other_facts(im: Image.Image, data: bytes) -> tuple:
    """Return the header facts of a GIF, WebP, BMP or TIFF image."""
    color_type, bit_depth = _MODE_COLOR.get(im.mode, ("rgb", 8))
    interlace = "none"
    fmt = im.format
    if fmt == "GIF":
        bit_depth, interlaced = _parse_gif(data)
        color_type = "palette"
        compression = "lzw"
        interlace = "gif-4-pass" if interlaced else "none"
    elif fmt == "WEBP":
        bit_depth = 8
        compression = _webp_compression(data)
    elif fmt == "BMP":
        bit_depth, color_type, compression = _bmp_facts(im, data)
    elif fmt == "TIFF":
        bit_depth, color_type, compression = _tiff_facts(im, color_type)
    else:
        compression = "unknown"
    return bit_depth, color_type, compression, interlace


def _parse_gif(data: bytes) -> tuple[int, bool]:
    """Return the first frame's colour table bits and interlace flag."""
    flags = data[10]
    global_bits = (flags & 7) + 1 if flags & 0x80 else None
    pos = 13 + (3 << global_bits if global_bits else 0)
    end = len(data)
    while pos < end:
        block = data[pos]
        if block == 0x21:  # extension: label, then sub-blocks up to a 0 size
            pos += 2
            while pos < end:
                size = data[pos]
                pos += 1 + size
                if size == 0:
                    break
        elif block == 0x2C and pos + 10 <= end:  # image descriptor
            image_flags = data[pos + 9]
            local_bits = (image_flags & 7) + 1 if image_flags & 0x80 else None
            return local_bits or global_bits or 8, bool(image_flags & 0x40)
        else:
            break
    return global_bits or 8, False


def _webp_compression(data: bytes) -> str:
    kinds = set()
    _walk_webp_chunks(data, 12, len(data), kinds)
    if kinds == {"VP8 "}:
        return "webp-lossy"
    if kinds == {"VP8L"}:
        return "webp-lossless"
    if kinds:
        return "webp-mixed"
    return "unknown"


def _walk_webp_chunks(data: bytes, pos: int, end: int, kinds: set) -> None:
    while pos + 8 <= end:
        fourcc = data[pos : pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if fourcc in (b"VP8 ", b"VP8L"):
            kinds.add(fourcc.decode("ascii"))
        elif fourcc == b"ANMF":
            # An animation frame: 16 bytes of placement, then its own chunks.
            _walk_webp_chunks(data, body + 16, min(body + size, end), kinds)
        pos = body + size + (size & 1)


def _check_riff_end(data: bytes) -> None:
    """Refuse a WebP file shorter than the size its RIFF header declares.

    libwebp says no more of such a file than that it cannot make a decoder.
    """
    declared = struct.unpack_from("<I", data, 4)[0] + 8
    if len(data) < declared:
        raise ImageRejected(
            "truncated",
            f"The image is truncated: the file ends after {len(data):,} of the "
            f"{declared:,} bytes its WebP header declares.",
        )


def _tiff_directory_missing(data: bytes) -> bool:
    """Say whether the first TIFF image directory lies past the end of ``data``.

    Writers often put the directory after the image data, so a cut file
    loses it and Pillow cannot even open it.
    """
    order = "<" if data[:2] == b"II" else ">"
    if data[2:4] in (b"*\x00", b"\x00*"):
        if len(data) < 8:
            return True
        offset = struct.unpack_from(order + "I", data, 4)[0]
    else:  # BigTIFF: an 8-byte offset after two more header fields
        if len(data) < 16:
            return True
        offset = struct.unpack_from(order + "Q", data, 8)[0]
    return offset + 2 > len(data)


def _bmp_facts(im: Image.Image, data: bytes) -> tuple[int, str, str]:
    header_size = struct.unpack_from("<I", data, 14)[0]
    if header_size == 12:  # OS/2 1.x core header
        bits = struct.unpack_from("<H", data, 24)[0]
        compression = 0
    else:
        bits, compression = struct.unpack_from("<HI", data, 28)

    if bits <= 8:
        return bits, "palette", _BMP_COMPRESSION.get(compression, "unknown")

    color_type = "rgba" if "A" in im.getbands() else "rgb"
    if compression in (3, 6) and len(data) >= 66:
        masks = struct.unpack_from("<III", data, 54)
        depth = max(bin(mask).count("1") for mask in masks)
    else:
        depth = 5 if bits == 16 else 8
    return depth, color_type, _BMP_COMPRESSION.get(compression, "unknown")


def _tiff_facts(im: Image.Image, mode_color: str) -> tuple[int, str, str]:
    tags = im.tag_v2
    bits = tags.get(TiffImagePlugin.BITSPERSAMPLE, 1)
    bits = max(bits) if isinstance(bits, tuple) and bits else bits
    photometric = tags.get(TiffImagePlugin.PHOTOMETRIC_INTERPRETATION)
    extra = tags.get(TiffImagePlugin.EXTRASAMPLES, ())
    extra = extra if isinstance(extra, tuple) else (extra,)
    has_alpha = any(sample in (1, 2) for sample in extra)

    color_type = _TIFF_COLOR_TYPES.get(photometric, mode_color)
    if has_alpha and color_type == "grayscale":
        color_type = "grayscale_alpha"
    elif has_alpha and color_type == "rgb":
        color_type = "rgba"

    compression = im.info.get("compression")
    if not isinstance(compression, str):
        code = tags.get(TiffImagePlugin.COMPRESSION, 1)
        compression = TiffImagePlugin.COMPRESSION_INFO.get(code, f"tiff_{code}")
    return int(bits), color_type, compression


def _stored_size(im: Image.Image) -> tuple[int, int]:
    """Return the size as the file stores it, before any orientation.

    Pillow reports a TIFF with orientation 5 to 8 as height by width.
    """
    if im.format == "TIFF":
        width = im.tag_v2.get(TiffImagePlugin.IMAGEWIDTH)
        height = im.tag_v2.get(TiffImagePlugin.IMAGELENGTH)
        if isinstance(width, int) and isinstance(height, int):
            return width, height
    return im.size


def _count_frames(im: Image.Image, limits: Limits) -> int:
    """Count frames without decoding them; check every TIFF page's size.

    Animation frames are bounded by the canvas Pillow already checked, but
    TIFF pages each carry their own size.
    """
    try:
        count = getattr(im, "n_frames", 1)
        if im.format == "TIFF" and count > 1:
            for frame in range(1, count):
                im.seek(frame)
                _check_pixels(im.size, limits)
            im.seek(0)
    except (ImageRejected, MemoryError):
        raise
    except Exception as exc:
        raise rejection_from_pillow(exc) from exc
    return count


# Metadata shared by the formats ---------------------------------------------


def _has_transparency(im: Image.Image) -> bool:
    return "transparency" in im.info or im.mode in _ALPHA_MODES


def _dpi(value) -> list[float] | None:
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    try:
        pair = [round(float(part), 1) for part in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not all(math.isfinite(part) and part > 0 for part in pair):
        return None
    return pair


def _exif_metadata(im: Image.Image, limits: Limits) -> dict:
    """Return the allowlisted EXIF tags, the orientation and a GPS flag.

    Unreadable EXIF is left out rather than rejecting the image: the pixels
    are fine, and cameras write plenty of malformed EXIF.
    """
    result = {
        "orientation": None,
        "exif": {},
        "exif_truncated": False,
        "has_gps": False,
    }
    tiff = _raw_tiff(im.info.get("exif"))
    try:
        if tiff is not None:
            raw, result["has_gps"] = _read_exif_block(tiff)
        else:
            raw, result["has_gps"] = _read_pillow_exif(im)
        orientation = raw.get(_ORIENTATION)
        if orientation is None and tiff is not None and _has_xmp(im):
            # Pillow's getexif also finds an orientation kept only in XMP.
            orientation = im.getexif().get(_ORIENTATION)
    except Exception:
        logger.debug("exif unreadable format=%s", im.format, exc_info=True)
        return result

    if isinstance(orientation, int) and 1 <= orientation <= 8:
        result["orientation"] = orientation
    values = {}
    for tag, value in raw.items():
        value = _json_value(value)
        if value is not None:
            values[_EXIF_NAMES[tag]] = value
    result["exif"], result["exif_truncated"] = _fit_json(values, limits.max_exif_bytes)
    return result


def _read_exif_block(tiff: bytes) -> tuple[dict[int, Any], bool]:
    """Return the allowlisted tags of a raw EXIF block and whether it has GPS.

    The block is read here rather than through Pillow's Exif, which converts
    every tag (maker notes included) and costs several times the decode of a
    small JPEG.
    """
    order = "<" if tiff[:2] == b"II" else ">"
    first = struct.unpack_from(order + "I", tiff, 4)[0]
    raw = _read_ifd(tiff, first, _EXIF_BASE_TAG_SET | _EXIF_POINTERS)
    exif_offset = raw.pop(ExifTags.IFD.Exif, None)
    gps_offset = raw.pop(ExifTags.IFD.GPSInfo, None)
    if isinstance(exif_offset, int):
        raw.update(_read_ifd(tiff, exif_offset, _EXIF_IFD_TAG_SET))
    has_gps = isinstance(gps_offset, int) and _ifd_entry_count(tiff, gps_offset) > 0
    return raw, has_gps


def _read_pillow_exif(im: Image.Image) -> tuple[dict[int, Any], bool]:
    """Return the allowlisted tags as Pillow reads them, and a GPS flag.

    For files without a raw EXIF block: a TIFF keeps its tags in its own
    directory, and a PNG may carry its orientation in XMP only.
    """
    exif = im.getexif()
    raw = {tag: exif[tag] for tag in _EXIF_BASE_TAGS if tag in exif}
    if ExifTags.IFD.Exif in exif:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        raw.update((tag, sub[tag]) for tag in _EXIF_IFD_TAGS if tag in sub)
    has_gps = ExifTags.IFD.GPSInfo in exif and bool(exif.get_ifd(ExifTags.IFD.GPSInfo))
    return raw, has_gps


def _has_xmp(im: Image.Image) -> bool:
    return bool(im.info.get("xmp") or im.info.get("XML:com.adobe.xmp"))


def _raw_tiff(exif: Any) -> bytes | None:
    """Return the TIFF structure inside a raw EXIF block, if it is one."""
    if not isinstance(exif, bytes):
        return None
    if exif.startswith(b"Exif\x00\x00"):
        exif = exif[6:]
    return exif if exif[:4] in (b"II*\x00", b"MM\x00*") else None


def _ifd_entry_count(tiff: bytes, offset: int) -> int:
    if offset < 8 or offset + 2 > len(tiff):
        return 0
    order = "<" if tiff[:2] == b"II" else ">"
    return struct.unpack_from(order + "H", tiff, offset)[0]


def _read_ifd(tiff: bytes, offset: int, wanted: frozenset[int]) -> dict[int, Any]:
    """Return the wanted tags of the TIFF directory at ``offset``.

    Every offset is checked against the data, entries of unknown type are
    skipped, and no value is read past ``_MAX_IFD_VALUE_BYTES``.
    """
    order = "<" if tiff[:2] == b"II" else ">"
    values = {}
    for index in range(min(_ifd_entry_count(tiff, offset), 1024)):
        entry = offset + 2 + 12 * index
        if entry + 12 > len(tiff):
            break
        tag, kind, count = struct.unpack_from(order + "HHI", tiff, entry)
        if tag not in wanted or kind not in _TIFF_TYPES:
            continue
        size = _TIFF_TYPES[kind][0] * count
        start = entry + 8
        if size > 4:
            start = struct.unpack_from(order + "I", tiff, start)[0]
        if start + size > len(tiff):
            continue
        values[tag] = _tiff_value(tiff, order, kind, count, start)
    return values


def _tiff_value(tiff: bytes, order: str, kind: int, count: int, start: int) -> Any:
    if kind in (2, 7):  # ASCII, UNDEFINED
        value = tiff[start : start + min(count, _MAX_IFD_VALUE_BYTES)]
        return _to_text(value.split(b"\x00", 1)[0]) if kind == 2 else value
    count = min(count, _MAX_LIST_ITEMS)
    code = _TIFF_TYPES[kind][1]
    numbers = struct.unpack_from(order + code * count, tiff, start)
    if kind in (5, 10):  # RATIONAL, SRATIONAL: numerator, denominator pairs
        pairs = zip(numbers[::2], numbers[1::2], strict=True)
        numbers = tuple(top / bottom if bottom else math.nan for top, bottom in pairs)
    return numbers[0] if len(numbers) == 1 else numbers


def _fit_json(items: dict, max_bytes: int) -> tuple[dict, bool]:
    """Return the items whose JSON fits in ``max_bytes``, and whether any not.

    Items are kept in order; one that does not fit is skipped, and later
    smaller ones may still fit.
    """
    if _json_size(items) <= max_bytes:
        return items, False
    kept = {}
    budget = max_bytes - 2  # the braces
    for key, value in items.items():
        cost = _json_size(key) + _json_size(value) + 2  # colon and comma
        if cost <= budget:
            kept[key] = value
            budget -= cost
    return kept, True


def _icc_metadata(profile) -> dict | None:
    if not isinstance(profile, bytes) or not profile:
        return None
    result = {
        "size": len(profile),
        "color_space": None,
        "device_class": None,
        "version": None,
        "description": None,
    }
    if len(profile) >= 128:
        result["device_class"] = _clean_string(_to_text(profile[12:16])).strip()
        result["color_space"] = _clean_string(_to_text(profile[16:20])).strip()
        result["version"] = f"{profile[8]}.{profile[9] >> 4}"
    if ImageCms is not None:
        try:
            parsed = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            description = ImageCms.getProfileDescription(parsed)
        except Exception:
            logger.debug("icc profile unreadable size=%d", len(profile), exc_info=True)
        else:
            description = _clean_string(description).strip()
            result["description"] = description[:_MAX_ICC_DESCRIPTION] or None
    return result


def _json_value(value: Any, depth: int = 0):
    """Return ``value`` as JSON-safe data, or None to leave it out."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = _clean_string(value).strip()
        return text[:_MAX_EXIF_STRING] if text else None
    if isinstance(value, bytes):
        # Short printable ASCII (ExifVersion is b"0230") is worth keeping;
        # anything else in an UNDEFINED tag is opaque.
        if len(value) <= 64 and value.isascii():
            text = value.decode("ascii").strip("\x00 ")
            return text if text.isprintable() and text else None
        return None
    if isinstance(value, (tuple, list)):
        if depth > 0:
            return None
        items = [_json_value(item, depth + 1) for item in value[:_MAX_LIST_ITEMS]]
        return items or None
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return round(number, 6) if math.isfinite(number) else None


def _to_text(value: bytes | str) -> str:
    """Decode bytes as UTF-8, else as Latin-1, which never fails."""
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _clean_string(text: str) -> str:
    """Drop NUL characters and lone surrogates, which JSON columns reject."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def _cap_text(text: str, max_bytes: int) -> str:
    """Shorten ``text`` so that its JSON encoding fits in ``max_bytes``."""
    text = _clean_string(text)
    if len(text) * 12 + 2 <= max_bytes:
        return text  # even escaped as surrogate pairs it fits
    if len(text) > max_bytes:
        text = text[:max_bytes]
    while text and _json_size(text) > max_bytes:
        text = text[: max(0, len(text) * max_bytes // _json_size(text) - 1)]
    return text


def _json_size(value: Any) -> int:
    return len(json.dumps(value))
