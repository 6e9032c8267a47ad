"""Tests for images.metadata: accepted formats, header values and rejections.

Images are made in memory with Pillow; the only files read are the shared
corpora beside the repository.
"""

import csv
import gzip
import hashlib
import io
import json
import random
import struct
import tarfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, TiffImagePlugin

from images.exceptions import ImageRejected
from images.metadata import DEFAULT_LIMITS, Limits, inspect_image
from janus.exceptions import JanusError

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
PNGSUITE = CORPORA / "pngsuite"
PHOTOS = CORPORA / "photos"


def _manifest_rows() -> list[dict]:
    with open(PNGSUITE / "manifest.csv", newline="") as fp:
        return list(csv.DictReader(fp))


MANIFEST = _manifest_rows()
VALID_ROWS = [row for row in MANIFEST if row["valid"] == "true"]
INVALID_ROWS = [row for row in MANIFEST if row["valid"] == "false"]
PHOTO_FILES = sorted(path for path in PHOTOS.iterdir() if path.suffix != ".md")


def _encode(im: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def _chunk(chunk_type: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(chunk_type + data)
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def _png_with_chunk(chunk: bytes, *, after_image_data: bool = False) -> bytes:
    """Return a small valid PNG with ``chunk`` added before or after IDAT."""
    png = _encode(Image.new("RGB", (8, 8), "teal"), "PNG")
    if after_image_data:
        return png[:-12] + chunk + png[-12:]
    return png[:33] + chunk + png[33:]


def _rejection(source, **kwargs) -> ImageRejected:
    with pytest.raises(ImageRejected) as excinfo:
        inspect_image(source, **kwargs)
    return excinfo.value


def _jpeg_with_exif(exif_tags: dict, size=(40, 20)) -> bytes:
    exif = Image.Exif()
    for tag, value in exif_tags.items():
        exif[tag] = value
    return _encode(Image.new("RGB", size, "white"), "JPEG", exif=exif)


# PngSuite conformance -------------------------------------------------------


def test_pngsuite_manifest_lists_every_file():
    assert len(VALID_ROWS) == 162
    assert len(INVALID_ROWS) == 14


@pytest.mark.parametrize("row", VALID_ROWS, ids=lambda row: row["filename"])
def test_inspect_image_matches_manifest_when_pngsuite_file_is_valid(row):
    info = inspect_image(PNGSUITE / row["filename"])

    assert (info.width, info.height) == (int(row["width"]), int(row["height"]))
    assert info.bit_depth == int(row["bit_depth"])
    assert info.color_type == row["color_type"]
    assert info.metadata["interlace"] == row["interlace"]
    assert info.metadata["interlaced"] is (row["interlace"] == "adam7")
    assert info.compression_method == "deflate"
    assert (info.format, info.mime_type) == ("PNG", "image/png")


@pytest.mark.parametrize("row", INVALID_ROWS, ids=lambda row: row["filename"])
def test_inspect_image_rejects_pngsuite_file_when_invalid(row):
    rejection = _rejection(PNGSUITE / row["filename"])

    assert rejection.code == "corrupt"
    assert rejection.message.startswith("The image is corrupt: ")


@pytest.mark.parametrize(
    ("filename", "phrase"),
    [
        ("xcsn0g01.png", "IDAT chunk fails its CRC check"),
        ("xdtn0g01.png", "no IDAT chunk"),
        ("xhdn0g08.png", "IHDR) fails its CRC check"),
        ("xc9n2c08.png", "invalid colour type 9"),
        ("xd9n2c08.png", "bit depth 99"),
        ("xlfn0g04.png", "text-mode transfer"),
        ("xs2n0g01.png", "signature is damaged"),
    ],
)
def test_inspect_image_names_the_defect_when_png_is_invalid(filename, phrase):
    assert phrase in _rejection(PNGSUITE / filename).message


# Photo corpus ---------------------------------------------------------------


def test_inspect_image_reports_dct_progressive_for_progressive_jpeg():
    info = inspect_image(PHOTOS / "app13-multiple.jpg")

    assert info.compression_method == "dct-progressive"
    assert info.metadata["interlace"] == "progressive"
    assert info.metadata["interlaced"] is True


def test_inspect_image_reports_dct_baseline_for_baseline_jpeg():
    info = inspect_image(PHOTOS / "hopper.jpg")

    assert (info.format, info.compression_method) == ("JPEG", "dct-baseline")
    assert (info.width, info.height, info.bit_depth) == (128, 128, 8)
    assert info.color_type == "ycbcr"
    assert info.metadata["interlaced"] is False


def test_inspect_image_counts_two_frames_when_file_is_mpo():
    info = inspect_image(PHOTOS / "frozenpond.mpo")

    assert info.format == "MPO"
    assert info.mime_type == "image/jpeg"
    assert info.metadata["frame_count"] == 2
    assert info.metadata["is_animated"] is False


def test_inspect_image_keeps_camera_exif_when_jpeg_has_it():
    metadata = inspect_image(PHOTOS / "flower.jpg").metadata

    assert metadata["orientation"] == 1
    assert metadata["exif"]["Make"] == "Canon"
    assert metadata["exif"]["Model"] == "Canon PowerShot S40"
    assert metadata["exif"]["DateTimeOriginal"] == "2003:12:14 12:01:44"
    assert metadata["exif"]["FNumber"] == pytest.approx(4.9)


def test_inspect_image_reads_orientation_from_xmp_when_png_has_no_exif():
    metadata = inspect_image(PHOTOS / "xmp_tags_orientation.png").metadata

    assert metadata["orientation"] == 3


def test_inspect_image_accepts_jpeg_when_gps_exif_is_malformed():
    metadata = inspect_image(PHOTOS / "exif_gps_typeerror.jpg").metadata

    assert metadata["has_gps"] is False
    assert metadata["exif"]["Software"] == "Adobe Photoshop Elements 5.0"


def test_inspect_image_reports_transparency_when_png_has_transparent_pixels():
    info = inspect_image(PHOTOS / "synthetic_ui_icon_transparent_512.png")

    assert info.color_type == "rgba"
    assert info.metadata["has_transparency"] is True


def test_inspect_image_reports_no_transparency_when_png_is_rgb():
    info = inspect_image(PHOTOS / "test-card.png")

    assert info.metadata["has_transparency"] is False


def test_inspect_image_describes_icc_profile_without_its_bytes():
    profile = inspect_image(PHOTOS / "icc_profile_big.jpg").metadata["icc_profile"]

    assert profile == {
        "size": 399788,
        "color_space": "RGB",
        "device_class": "spac",
        "version": "2.1",
        "description": "TIFF RGB",
    }


@pytest.mark.parametrize(
    "path",
    PHOTO_FILES + [PNGSUITE / row["filename"] for row in VALID_ROWS],
    ids=lambda path: path.name,
)
def test_inspect_image_metadata_is_bounded_json_for_every_corpus_file(path):
    info = inspect_image(path)

    encoded = json.dumps(info.metadata, allow_nan=False)
    assert len(encoded) < 200_000
    assert "\\u0000" not in encoded


def test_inspect_image_hashes_and_measures_the_file_content():
    path = PHOTOS / "hopper.jpg"
    content = path.read_bytes()

    info = inspect_image(path)

    assert info.sha256 == hashlib.sha256(content).hexdigest()
    assert info.file_size == len(content)
    assert info.metadata["sha256"] == info.sha256


# Sources --------------------------------------------------------------------


def test_inspect_image_reads_str_path_path_object_file_and_bytes_alike(tmp_path):
    content = _encode(Image.new("RGB", (10, 10), "red"), "PNG")
    path = tmp_path / "picture.jpg"  # a misleading name changes nothing
    path.write_bytes(content)

    with open(path, "rb") as fp:
        results = [inspect_image(s) for s in (str(path), path, fp, content)]

    assert {(r.format, r.sha256) for r in results} == {
        ("PNG", hashlib.sha256(content).hexdigest())
    }


def test_inspect_image_rewinds_file_object_when_done():
    upload = io.BytesIO(_encode(Image.new("RGB", (10, 10), "red"), "PNG"))
    upload.seek(5)

    inspect_image(upload)

    assert upload.tell() == 0


def test_inspect_image_rejects_text_mode_file(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"not really")

    with open(path, encoding="latin-1") as fp, pytest.raises(TypeError):
        inspect_image(fp)


# Formats made in memory -----------------------------------------------------


def _palette_image(size=(32, 32)) -> Image.Image:
    im = Image.new("P", size)
    im.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    ImageDraw.Draw(im).rectangle((0, 0, size[0] // 2, size[1] // 2), fill=1)
    return im


def test_inspect_image_reports_lzw_palette_when_gif():
    info = inspect_image(_encode(_palette_image(), "GIF", interlace=False))

    assert (info.format, info.mime_type) == ("GIF", "image/gif")
    assert (info.compression_method, info.color_type) == ("lzw", "palette")
    assert info.bit_depth == 2  # a four-colour table
    assert info.metadata["interlace"] == "none"


def test_inspect_image_reports_gif_interlace_when_gif_is_interlaced():
    info = inspect_image(_encode(_palette_image(), "GIF", interlace=True))

    assert info.metadata["interlace"] == "gif-4-pass"
    assert info.metadata["interlaced"] is True


def test_inspect_image_reports_transparency_when_gif_has_transparent_index():
    info = inspect_image(_encode(_palette_image(), "GIF", transparency=0))

    assert info.metadata["has_transparency"] is True


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_inspect_image_counts_frames_when_image_is_animated(fmt):
    frames = [Image.new("RGB", (20, 20), c) for c in ("red", "green", "blue")]
    content = _encode(frames[0], fmt, save_all=True, append_images=frames[1:])

    metadata = inspect_image(content).metadata

    assert metadata["frame_count"] == 3
    assert metadata["is_animated"] is True


@pytest.mark.parametrize(
    ("params", "compression"),
    [({"quality": 80}, "webp-lossy"), ({"lossless": True}, "webp-lossless")],
)
def test_inspect_image_reports_webp_compression(params, compression):
    info = inspect_image(_encode(Image.new("RGB", (30, 20), "navy"), "WEBP", **params))

    assert (info.format, info.mime_type) == ("WEBP", "image/webp")
    assert info.compression_method == compression
    assert (info.color_type, info.bit_depth) == ("rgb", 8)


def test_inspect_image_reports_rgba_when_webp_has_alpha():
    im = Image.new("RGBA", (30, 20), (10, 20, 30, 40))

    info = inspect_image(_encode(im, "WEBP", lossless=True))

    assert info.color_type == "rgba"
    assert info.metadata["has_transparency"] is True


@pytest.mark.parametrize(
    ("im", "bit_depth", "color_type"),
    [
        (Image.new("RGB", (9, 7), "gold"), 8, "rgb"),
        (_palette_image((9, 7)), 8, "palette"),
        (Image.new("1", (9, 7)), 1, "palette"),
    ],
    ids=["rgb", "palette", "one-bit"],
)
def test_inspect_image_reports_uncompressed_bmp(im, bit_depth, color_type):
    info = inspect_image(_encode(im, "BMP"))

    assert (info.format, info.compression_method) == ("BMP", "none")
    assert (info.bit_depth, info.color_type) == (bit_depth, color_type)


def _rle_bmp(width: int, height: int, *, bits: int) -> bytes:
    """Return a 4- or 8-bit BMP of run-length runs, which Pillow cannot write.

    Each row is one run of a single palette index, then an end-of-line code.
    """
    index = 0x11 if bits == 4 else 0x01  # RLE4 packs two indices in a byte
    rows = b"".join(bytes([width, index * (row % 2), 0, 0]) for row in range(height))
    pixels = rows + b"\x00\x01"  # end of bitmap
    palette = b"\x00\x00\xff\x00" + b"\xff\x00\x00\x00"
    offset = 14 + 40 + len(palette)
    compression = {8: 1, 4: 2}[bits]
    info = struct.pack(
        "<IiiHHIIiiII",
        40,
        width,
        height,
        1,
        bits,
        compression,
        len(pixels),
        2835,
        2835,
        2,
        0,
    )
    header = b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset)
    return header + info + palette + pixels


@pytest.mark.parametrize(("bits", "compression"), [(8, "rle8"), (4, "rle4")])
def test_inspect_image_reports_rle_when_bmp_is_run_length_encoded(bits, compression):
    info = inspect_image(_rle_bmp(12, 6, bits=bits))

    assert info.compression_method == compression
    assert (info.width, info.height) == (12, 6)
    assert (info.bit_depth, info.color_type) == (bits, "palette")


@pytest.mark.parametrize(
    "compression", ["raw", "tiff_lzw", "tiff_adobe_deflate", "packbits"]
)
def test_inspect_image_reports_tiff_compression_tag(compression):
    im = Image.new("RGB", (16, 12), "purple")

    info = inspect_image(_encode(im, "TIFF", compression=compression))

    assert (info.format, info.mime_type) == ("TIFF", "image/tiff")
    assert info.compression_method == compression
    assert (info.color_type, info.bit_depth) == ("rgb", 8)


@pytest.mark.parametrize(
    ("mode", "bit_depth", "color_type"),
    [
        ("1", 1, "grayscale"),
        ("I;16", 16, "grayscale"),
        ("LA", 8, "grayscale_alpha"),
        ("RGBA", 8, "rgba"),
        ("CMYK", 8, "cmyk"),
    ],
)
def test_inspect_image_reads_tiff_samples(mode, bit_depth, color_type):
    info = inspect_image(_encode(Image.new(mode, (9, 9)), "TIFF"))

    assert (info.bit_depth, info.color_type) == (bit_depth, color_type)


def test_inspect_image_counts_pages_when_tiff_has_several():
    pages = [Image.new("L", (10, 10)), Image.new("L", (20, 20))]
    content = _encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])

    metadata = inspect_image(content).metadata

    assert metadata["frame_count"] == 2
    assert metadata["is_animated"] is False


def test_inspect_image_rejects_tiff_when_a_later_page_has_too_many_pixels():
    pages = [Image.new("L", (10, 10)), Image.new("L", (100, 100))]
    content = _encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])

    rejection = _rejection(content, limits=Limits(max_pixels=1000))

    assert rejection.code == "too_many_pixels"


@pytest.mark.parametrize(
    ("mode", "color_type"), [("L", "grayscale"), ("RGB", "ycbcr"), ("CMYK", "cmyk")]
)
def test_inspect_image_reports_jpeg_colour_type(mode, color_type):
    info = inspect_image(_encode(Image.new(mode, (16, 16)), "JPEG"))

    assert info.color_type == color_type
    assert (info.bit_depth, info.compression_method) == (8, "dct-baseline")


def test_inspect_image_reports_rgb_when_jpeg_stores_rgb_without_ycbcr():
    content = _encode(Image.new("RGB", (16, 16), "red"), "JPEG", keep_rgb=True)

    info = inspect_image(content)

    assert info.color_type == "rgb"
    assert (info.bit_depth, info.compression_method) == (8, "dct-baseline")


def test_inspect_image_reads_dpi_when_jpeg_has_density():
    content = _encode(Image.new("RGB", (16, 16)), "JPEG", dpi=(300, 150))

    assert inspect_image(content).metadata["dpi"] == [300.0, 150.0]


def test_inspect_image_caps_comment_when_jpeg_comment_is_long():
    content = _encode(Image.new("RGB", (16, 16)), "JPEG", comment=b"c" * 60_000)

    comment = inspect_image(content).metadata["comment"]

    assert 0 < len(json.dumps(comment)) <= 4096
    assert set(comment) == {"c"}


def test_inspect_image_reads_orientation_when_jpeg_exif_sets_it():
    metadata = inspect_image(_jpeg_with_exif({0x0112: 6})).metadata

    assert metadata["orientation"] == 6
    assert metadata["exif"]["Orientation"] == 6


def test_inspect_image_reports_16_bit_when_png_is_16_bit_grayscale():
    info = inspect_image(_encode(Image.new("I;16", (5, 5)), "PNG"))

    assert (info.bit_depth, info.color_type) == (16, "grayscale")


def test_inspect_image_reports_transparency_when_png_has_trns_chunk():
    content = _encode(Image.new("RGB", (5, 5)), "PNG", transparency=(0, 0, 0))

    info = inspect_image(content)

    assert info.color_type == "rgb"
    assert info.metadata["has_transparency"] is True


def test_inspect_image_rounds_dpi_when_png_has_physical_size():
    content = _encode(Image.new("RGB", (5, 5)), "PNG", dpi=(72, 300))

    assert inspect_image(content).metadata["dpi"] == [72.0, 300.0]


# Rejections -----------------------------------------------------------------


def test_inspect_image_rejects_empty_file(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")

    rejection = _rejection(path)

    assert (rejection.code, rejection.message) == ("empty", "The file is empty.")


def test_image_rejected_is_a_janus_error_and_a_value_error():
    rejection = _rejection(b"")

    assert isinstance(rejection, JanusError)
    assert isinstance(rejection, ValueError)
    assert str(rejection) == "The file is empty."


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_inspect_image_rejects_png_when_truncated(keep):
    im = Image.effect_noise((64, 64), 50).convert("RGB")
    content = _encode(im, "PNG")

    rejection = _rejection(content[: int(len(content) * keep)])

    assert rejection.code == "truncated"
    assert rejection.message.startswith("The image is truncated")


def test_inspect_image_rejects_jpeg_when_truncated():
    content = _encode(Image.effect_noise((64, 64), 50).convert("RGB"), "JPEG")

    rejection = _rejection(content[: len(content) * 2 // 3])

    assert rejection.code == "truncated"


@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("GIF", {}),
        ("WEBP", {"quality": 80}),
        ("WEBP", {"lossless": True}),
        ("BMP", {}),
        ("TIFF", {}),
        ("TIFF", {"compression": "tiff_lzw"}),
        ("JPEG", {"progressive": True}),
    ],
    ids=["gif", "webp-lossy", "webp-lossless", "bmp", "tiff", "tiff-lzw", "jpeg-p"],
)
@pytest.mark.parametrize("keep", [0.3, 0.9, 0.99])
# Pillow warns while it looks for the directory of a cut TIFF.
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_inspect_image_rejects_file_when_truncated(fmt, params, keep):
    im = Image.effect_noise((96, 96), 60).convert("RGB")
    if fmt == "GIF":
        im = im.convert("P")
    content = _encode(im, fmt, **params)

    rejection = _rejection(content[: int(len(content) * keep)])

    assert rejection.code == "truncated"
    assert rejection.message.startswith("The image is truncated: ")


def test_inspect_image_rejects_png_when_image_data_is_damaged():
    im = Image.effect_noise((64, 64), 50).convert("RGB")
    content = bytearray(_encode(im, "PNG", compress_level=1))
    idat = content.index(b"IDAT")
    length = struct.unpack_from(">I", content, idat - 4)[0]
    content[idat + 4 : idat + 4 + length] = bytes(length)  # zeros: bad zlib
    content[idat + 4 + length : idat + 8 + length] = struct.pack(
        ">I", zlib.crc32(content[idat : idat + 4 + length])
    )

    rejection = _rejection(bytes(content))

    assert rejection.code in ("corrupt", "truncated")


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"<svg width='10' height='10'></svg>", "SVG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "HTML"),
        (b"\xef\xbb\xbf  <html lang='en'></html>", "HTML"),
        (b"just some notes\n", "text"),
    ],
    ids=["svg-xml", "svg", "pdf", "html", "html-bom", "text"],
)
def test_inspect_image_names_what_it_found_when_file_is_not_an_image(content, found):
    rejection = _rejection(content)

    assert rejection.code == "unsupported_format"
    assert rejection.message.startswith("The file is not an image Janus accepts")
    assert found in rejection.message


def test_inspect_image_rejects_zip_archive_even_when_it_holds_an_image():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inside.png", _encode(Image.new("RGB", (4, 4)), "PNG"))

    rejection = _rejection(buffer.getvalue())

    assert rejection.code == "unsupported_format"
    assert "ZIP archive" in rejection.message


def _tar_holding_an_image() -> bytes:
    png = _encode(Image.new("RGB", (4, 4)), "PNG")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        member = tarfile.TarInfo("inside.png")
        member.size = len(png)
        archive.addfile(member, io.BytesIO(png))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(64)), "gzip archive"),
        (_tar_holding_an_image(), "tar archive"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24), "7-Zip archive"),
        (b"Rar!\x1a\x07\x01\x00" + bytes(24), "RAR archive"),
    ],
    ids=["gzip", "tar", "7z", "rar"],
)
def test_inspect_image_names_the_archive_when_file_is_one(content, found):
    rejection = _rejection(content)

    assert rejection.code == "unsupported_format"
    assert found in rejection.message


def test_inspect_image_rejects_12_bit_jpeg_naming_its_precision():
    content = bytearray(_encode(Image.new("RGB", (16, 16)), "JPEG"))
    content[content.index(b"\xff\xc0") + 4] = 12  # SOF0 sample precision

    rejection = _rejection(bytes(content))

    assert rejection.code == "unsupported_format"
    assert "12-bit JPEG" in rejection.message


def test_inspect_image_rejects_random_bytes():
    content = random.Random(7).randbytes(4096)

    assert _rejection(content).code == "unsupported_format"


@pytest.mark.parametrize("fmt", ["PPM", "ICO", "TGA"])
def test_inspect_image_rejects_formats_pillow_reads_but_janus_does_not(fmt):
    content = _encode(Image.new("RGB", (16, 16), "red"), fmt)

    assert _rejection(content).code == "unsupported_format"


def _png_header_only(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def test_inspect_image_rejects_before_decoding_when_png_declares_too_many_pixels():
    content = _png_header_only(100_000, 100_000)

    tracemalloc.start()
    try:
        rejection = _rejection(content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert rejection.code == "too_many_pixels"
    assert "100000x100000" in rejection.message
    assert peak < 1024 * 1024


def test_inspect_image_rejects_gif_when_logical_screen_is_huge():
    content = bytearray(_encode(_palette_image(), "GIF"))
    content[6:10] = struct.pack("<HH", 65535, 65535)

    assert _rejection(bytes(content)).code == "too_many_pixels"


def test_inspect_image_rejects_image_over_the_pixel_limit():
    content = _encode(Image.new("RGB", (40, 30)), "JPEG")

    rejection = _rejection(content, limits=Limits(max_pixels=40 * 30 - 1))

    assert rejection.code == "too_many_pixels"


def test_inspect_image_accepts_image_at_the_pixel_limit():
    content = _encode(Image.new("RGB", (40, 30)), "JPEG")

    assert inspect_image(content, limits=Limits(max_pixels=40 * 30)).width == 40


@pytest.mark.parametrize("kind", ["path", "file", "bytes"])
def test_inspect_image_rejects_file_over_the_byte_limit(tmp_path, kind):
    content = _encode(Image.effect_noise((64, 64), 50), "PNG")
    path = tmp_path / "big.png"
    path.write_bytes(content)
    source = {"path": path, "file": io.BytesIO(content), "bytes": content}[kind]

    rejection = _rejection(source, limits=Limits(max_bytes=len(content) - 1))

    assert rejection.code == "too_large"
    assert rejection.message.startswith("The file is too large")


def _ztxt_bomb(inflated_bytes: int) -> bytes:
    compressor = zlib.compressobj(9)
    block = b"A" * (1024 * 1024)
    parts = [compressor.compress(block) for _ in range(inflated_bytes // len(block))]
    compressed = b"".join(parts) + compressor.flush()
    return _chunk(b"zTXt", b"Comment\x00\x00" + compressed)


@pytest.mark.parametrize("after_image_data", [False, True])
def test_inspect_image_rejects_png_text_bomb_without_inflating_it(after_image_data):
    content = _png_with_chunk(
        _ztxt_bomb(64 * 1024 * 1024), after_image_data=after_image_data
    )

    tracemalloc.start()
    try:
        rejection = _rejection(content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert rejection.code == "metadata_too_large"
    assert peak < 8 * 1024 * 1024


def test_inspect_image_caps_png_text_value_when_it_is_long():
    value = "x" * 200_000
    content = _png_with_chunk(_chunk(b"tEXt", b"Description\x00" + value.encode()))

    metadata = inspect_image(content).metadata

    kept = metadata["png_text"]["Description"]
    assert len(json.dumps(kept)) <= DEFAULT_LIMITS.max_text_chunk_bytes
    assert kept == value[: len(kept)]
    assert metadata["text_truncated"] is True


def test_inspect_image_caps_total_png_text_when_there_are_many_chunks():
    chunks = b"".join(
        _chunk(b"tEXt", f"Key{index}".encode() + b"\x00" + b"y" * 900)
        for index in range(20)
    )
    limits = Limits(max_text_total_bytes=5000)

    metadata = inspect_image(_png_with_chunk(chunks), limits=limits).metadata

    assert 0 < len(metadata["png_text"]) < 20
    assert len(json.dumps(metadata["png_text"])) <= 5000
    assert metadata["text_truncated"] is True


def test_inspect_image_caps_number_of_png_text_keys():
    chunks = b"".join(
        _chunk(b"tEXt", f"Key{index}".encode() + b"\x00v") for index in range(100)
    )

    metadata = inspect_image(_png_with_chunk(chunks)).metadata

    assert len(metadata["png_text"]) == 64
    assert metadata["text_truncated"] is True


def test_inspect_image_drops_nul_characters_from_png_text():
    content = _png_with_chunk(_chunk(b"tEXt", b"Title\x00one\x00two"))

    assert inspect_image(content).metadata["png_text"] == {"Title": "onetwo"}


def test_inspect_image_caps_exif_strings_when_they_are_long():
    content = _jpeg_with_exif({0x010E: "d" * 20_000, 0x010F: "Maker"})

    exif = inspect_image(content).metadata["exif"]

    assert exif["Make"] == "Maker"
    assert len(exif["ImageDescription"]) == 256


def test_inspect_image_caps_exif_total_when_limit_is_small():
    content = _jpeg_with_exif(
        {0x010E: "d" * 200, 0x010F: "Maker", 0x0110: "Model", 0x0131: "Software"}
    )

    metadata = inspect_image(content, limits=Limits(max_exif_bytes=100)).metadata

    assert len(json.dumps(metadata["exif"])) <= 100
    assert metadata["exif_truncated"] is True


def _exif_bomb(entries: int, value_bytes: int) -> bytes:
    """Return a little-endian EXIF block whose entries all share one value.

    Every entry is an allowlisted ASCII tag pointing at the same
    ``value_bytes`` of text, so a reader that copies each value it meets
    would allocate ``entries * value_bytes`` from a block that small.
    """
    tags = (0x010E, 0x010F, 0x0110, 0x0131, 0x013B, 0x8298)
    value_offset = 8 + 2 + 12 * entries + 4
    ifd = struct.pack("<H", entries) + b"".join(
        struct.pack("<HHII", tags[index % len(tags)], 2, value_bytes, value_offset)
        for index in range(entries)
    )
    return b"II*\x00" + struct.pack("<I", 8) + ifd + bytes(4) + b"A" * value_bytes


def test_inspect_image_caps_exif_without_copying_when_block_is_a_bomb():
    content = _png_with_chunk(_chunk(b"eXIf", _exif_bomb(65_535, 1024 * 1024)))

    tracemalloc.start()
    try:
        metadata = inspect_image(content).metadata
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert len(json.dumps(metadata["exif"])) <= DEFAULT_LIMITS.max_exif_bytes
    assert max(len(value) for value in metadata["exif"].values()) <= 256
    assert peak < 4 * len(content)


def test_inspect_image_flags_gps_without_keeping_coordinates():
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (52.0, 22.0, 12.0)  # GPSLatitude
    content = _encode(Image.new("RGB", (8, 8)), "JPEG", exif=exif)

    metadata = inspect_image(content).metadata

    assert metadata["has_gps"] is True
    assert "52" not in json.dumps(metadata["exif"])


def test_inspect_image_reads_exif_sub_directory_values():
    exif = Image.Exif()
    exif[0x010F] = "Maker"
    sub = exif.get_ifd(0x8769)
    sub[0x829D] = 2.8  # FNumber, a rational
    sub[0x8827] = 400  # ISOSpeedRatings
    sub[0xA434] = "Lens 35mm"  # LensModel
    sub[0x927C] = b"\x00" * 5000  # MakerNote: not kept
    content = _encode(Image.new("RGB", (8, 8)), "JPEG", exif=exif)

    exif_kept = inspect_image(content).metadata["exif"]

    assert exif_kept == {
        "Make": "Maker",
        "FNumber": 2.8,
        "ISOSpeedRatings": 400,
        "LensModel": "Lens 35mm",
    }


def test_inspect_image_keeps_base_exif_when_sub_directory_offset_is_bogus():
    # A little-endian TIFF block with two entries: Make, and an Exif IFD
    # pointer far past the end of the block.
    entries = struct.pack("<HHII", 0x010F, 2, 4, int.from_bytes(b"Acm\x00", "little"))
    entries += struct.pack("<HHII", 0x8769, 4, 1, 0x7FFFFFF0)
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 2) + entries
    exif = b"Exif\x00\x00" + tiff + struct.pack("<I", 0)
    content = _encode(Image.new("RGB", (8, 8)), "JPEG", exif=exif)

    metadata = inspect_image(content).metadata

    assert metadata["exif"] == {"Make": "Acm"}


def test_inspect_image_reads_exif_tags_from_tiff_directory():
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[0x010F] = "Scanner Co"
    tags[0x0112] = 8
    content = _encode(Image.new("RGB", (8, 8)), "TIFF", tiffinfo=tags)

    metadata = inspect_image(content).metadata

    assert metadata["exif"]["Make"] == "Scanner Co"
    assert metadata["orientation"] == 8


def test_inspect_image_reports_stored_size_when_tiff_orientation_turns_it():
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[0x0112] = 6
    content = _encode(Image.new("RGB", (30, 10)), "TIFF", tiffinfo=tags)

    info = inspect_image(content)

    assert (info.width, info.height) == (30, 10)
    assert info.metadata["orientation"] == 6


def test_limits_refuse_non_positive_values():
    with pytest.raises(ValueError, match="max_bytes"):
        Limits(max_bytes=0)
