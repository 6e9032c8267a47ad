"""Tests for images.thumbnails: size, orientation, transparency and limits."""

import io
import struct
import tracemalloc
import warnings
import zlib

import pytest
from PIL import Image, ImageDraw, JpegImagePlugin, TiffImagePlugin, features

from images.exceptions import ImageRejected
from images.metadata import Limits
from images.thumbnails import Thumbnail, make_thumbnail


def _encode(im: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def _decode(thumbnail: Thumbnail) -> Image.Image:
    im = Image.open(io.BytesIO(thumbnail.content))
    im.load()
    return im


def _marked_landscape() -> Image.Image:
    """Return a 400x200 grey image with a red block in its top-left corner."""
    im = Image.new("RGB", (400, 200), "gray")
    ImageDraw.Draw(im).rectangle((0, 0, 99, 49), fill="red")
    return im


def _is_red(pixel) -> bool:
    red, green, blue = pixel[:3]
    return red > 180 and green < 90 and blue < 90


@pytest.mark.parametrize(("width", "height"), [(1200, 800), (600, 900)])
def test_make_thumbnail_longest_side_equals_size(width, height):
    content = _encode(Image.new("RGB", (width, height), "olive"), "PNG")

    thumbnail = make_thumbnail(content, size=256)

    assert max(thumbnail.width, thumbnail.height) == 256
    assert _decode(thumbnail).size == (thumbnail.width, thumbnail.height)


def test_make_thumbnail_keeps_aspect_ratio():
    content = _encode(Image.new("RGB", (1200, 800), "olive"), "JPEG")

    thumbnail = make_thumbnail(content, size=300)

    assert (thumbnail.width, thumbnail.height) == (300, 200)


def test_make_thumbnail_does_not_enlarge_small_images():
    content = _encode(Image.new("RGB", (40, 30), "olive"), "PNG")

    thumbnail = make_thumbnail(content, size=256)

    assert (thumbnail.width, thumbnail.height) == (40, 30)


def test_make_thumbnail_turns_image_upright_when_exif_orientation_is_6():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned left: rotate 90 degrees clockwise
    content = _encode(_marked_landscape(), "JPEG", exif=exif, quality=95)

    thumbnail = make_thumbnail(content, size=256)

    im = _decode(thumbnail).convert("RGB")
    assert (thumbnail.width, thumbnail.height) == (128, 256)
    assert _is_red(im.getpixel((thumbnail.width - 5, 5)))
    assert not _is_red(im.getpixel((5, 5)))


def test_make_thumbnail_turns_tiff_upright_once_when_orientation_is_6():
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[0x0112] = 6
    content = _encode(_marked_landscape(), "TIFF", tiffinfo=tags)

    thumbnail = make_thumbnail(content, size=256)

    im = _decode(thumbnail).convert("RGB")
    assert (thumbnail.width, thumbnail.height) == (128, 256)
    assert _is_red(im.getpixel((thumbnail.width - 5, 5)))


def test_make_thumbnail_leaves_image_as_stored_without_orientation():
    content = _encode(_marked_landscape(), "JPEG", quality=95)

    im = _decode(make_thumbnail(content, size=256)).convert("RGB")

    assert im.size == (256, 128)
    assert _is_red(im.getpixel((5, 5)))


def test_make_thumbnail_keeps_alpha_when_png_is_transparent():
    im = Image.new("RGBA", (512, 512), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((128, 128, 383, 383), fill=(200, 30, 30, 255))

    thumbnail = _decode(make_thumbnail(_encode(im, "PNG"), size=128))

    assert thumbnail.mode == "RGBA"
    assert thumbnail.getpixel((0, 0))[3] == 0
    assert thumbnail.getpixel((64, 64))[3] == 255


def test_make_thumbnail_keeps_alpha_when_gif_has_transparent_index():
    im = Image.new("P", (300, 300), 0)
    im.putpalette([0, 0, 0, 0, 128, 255])
    ImageDraw.Draw(im).rectangle((100, 100, 199, 199), fill=1)
    content = _encode(im, "GIF", transparency=0)

    thumbnail = _decode(make_thumbnail(content, size=150))

    assert thumbnail.mode == "RGBA"
    assert thumbnail.getpixel((0, 0))[3] == 0
    assert thumbnail.getpixel((75, 75))[3] == 255


def test_make_thumbnail_decodes_jpeg_at_reduced_scale(monkeypatch):
    scales = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(self, mode, size):
        result = draft(self, mode, size)
        if result is not None:
            scales.append(result[1][2])
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    content = _encode(Image.new("RGB", (4000, 3000), "teal"), "JPEG")

    make_thumbnail(content, size=256)

    assert scales
    assert scales[0] >= 4


@pytest.mark.parametrize("side", [64, 1024], ids=["resized", "reduced"])
def test_make_thumbnail_scales_16_bit_grayscale_instead_of_clipping(side):
    content = _encode(Image.new("I;16", (side, side), 32768), "PNG")

    im = _decode(make_thumbnail(content, size=32, format="PNG"))

    assert im.mode == "L"
    assert im.getpixel((10, 10)) == pytest.approx(128, abs=1)


@pytest.mark.parametrize("mode", ["I;16", "I;16B"], ids=["little", "big-endian"])
def test_make_thumbnail_scales_16_bit_grayscale_tiff_of_either_byte_order(mode):
    content = _encode(Image.new(mode, (64, 64), 32768), "TIFF")

    im = _decode(make_thumbnail(content, size=32, format="PNG"))

    assert im.mode == "L"
    assert im.getpixel((10, 10)) == pytest.approx(128, abs=1)


def test_make_thumbnail_converts_cmyk_jpeg_to_rgb():
    content = _encode(Image.new("CMYK", (300, 200), (0, 255, 255, 0)), "JPEG")

    im = _decode(make_thumbnail(content, size=150))

    assert im.mode == "RGB"
    assert _is_red(im.getpixel((75, 50)))


def test_make_thumbnail_ignores_icc_profile_littlecms_cannot_read():
    im = Image.new("RGB", (300, 200), "red")
    content = _encode(im, "JPEG", icc_profile=b"not a colour profile" * 10)

    thumbnail = make_thumbnail(content, size=150)

    assert _is_red(_decode(thumbnail).convert("RGB").getpixel((75, 50)))


def test_make_thumbnail_writes_png_when_asked():
    content = _encode(Image.new("RGB", (300, 200), "red"), "JPEG")

    thumbnail = make_thumbnail(content, size=100, format="png")

    assert (thumbnail.extension, thumbnail.mime_type) == ("png", "image/png")
    assert _decode(thumbnail).format == "PNG"


def test_make_thumbnail_writes_webp_by_default_when_pillow_supports_it():
    content = _encode(Image.new("RGB", (300, 200), "red"), "PNG")

    thumbnail = make_thumbnail(content, size=100)

    expected = "webp" if features.check("webp") else "png"
    assert thumbnail.extension == expected
    assert _decode(thumbnail).format == expected.upper()


def test_make_thumbnail_refuses_unknown_output_format():
    content = _encode(Image.new("RGB", (30, 20)), "PNG")

    with pytest.raises(ValueError, match="format"):
        make_thumbnail(content, format="GIF")


def test_make_thumbnail_rejects_image_over_the_pixel_limit():
    content = _encode(Image.new("RGB", (50, 50)), "PNG")

    with pytest.raises(ImageRejected) as excinfo:
        make_thumbnail(content, limits=Limits(max_pixels=2499))

    assert excinfo.value.code == "too_many_pixels"


def test_make_thumbnail_rejects_truncated_image():
    content = _encode(Image.effect_noise((256, 256), 60).convert("RGB"), "PNG")

    with pytest.raises(ImageRejected) as excinfo:
        make_thumbnail(content[: len(content) // 2])

    assert excinfo.value.code in ("truncated", "corrupt")


def test_make_thumbnail_rewinds_file_object_when_done():
    upload = io.BytesIO(_encode(Image.new("RGB", (30, 20)), "PNG"))

    make_thumbnail(upload, size=10)

    assert upload.tell() == 0


def _png_with_exif_bomb(entries: int, value_bytes: int) -> bytes:
    """Return a PNG whose eXIf entries all point at one shared text value."""
    value_offset = 8 + 2 + 12 * entries + 4
    ifd = struct.pack("<H", entries) + b"".join(
        struct.pack("<HHII", 0x1000 + index, 2, value_bytes, value_offset)
        for index in range(entries)
    )
    exif = b"II*\x00" + struct.pack("<I", 8) + ifd + bytes(4) + b"A" * value_bytes
    chunk = struct.pack(">I", len(exif)) + b"eXIf" + exif
    chunk += struct.pack(">I", zlib.crc32(b"eXIf" + exif))
    png = _encode(Image.new("RGB", (300, 200), "olive"), "PNG")
    return png[:33] + chunk + png[33:]


def test_make_thumbnail_stays_small_in_memory_when_exif_is_a_bomb():
    # 6,000 entries of 1 MB each: 6 GB if every value were copied.
    content = _png_with_exif_bomb(6000, 1024 * 1024)

    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            # Pillow warns once for every entry it refuses to read.
            warnings.simplefilter("ignore", UserWarning)
            thumbnail = make_thumbnail(content, size=100)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert (thumbnail.width, thumbnail.height) == (100, 67)
    assert peak < 8 * len(content)
