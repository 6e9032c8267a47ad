import numpy as np
import pytest
from PIL import Image

from images.analysis.document import analyze
from images.analysis.sampling import SAMPLE_PIXELS, load_sample, sample_dimensions

from .helpers import encoded, two_color_image


def rgba_image():
    """Return 100 pixels of four kinds.

    40 transparent red, 10 green at alpha 100, 10 white at alpha 200 and 40
    opaque blue.
    """
    pixels = (
        [(255, 0, 0, 0)] * 40
        + [(0, 255, 0, 100)] * 10
        + [(255, 255, 255, 200)] * 10
        + [(0, 0, 255, 255)] * 40
    )
    image = Image.new("RGBA", (10, 10))
    image.putdata(pixels)
    return image


class TestAlpha:
    def test_alpha_shares_count_every_pixel(self):
        alpha = analyze(rgba_image())["alpha"]
        assert alpha == {
            "has_alpha": True,
            "transparent": 0.4,
            "translucent": 0.2,
            "opaque": 0.4,
            "cutoff": 128,
        }

    def test_pixels_below_the_alpha_cutoff_are_ignored(self):
        palette = analyze(rgba_image())["palette"]
        assert {(e["hex"], e["share"]) for e in palette} == {
            ("#0000ff", 0.8),
            ("#ffffff", 0.2),
        }

    def test_image_without_alpha_says_so(self):
        assert analyze(two_color_image())["alpha"] == {"has_alpha": False}

    def test_palette_image_with_transparency_counts_alpha(self):
        image = rgba_image().convert("RGB").quantize(4)
        image.info["transparency"] = image.getpixel((0, 0))
        alpha = analyze(image)["alpha"]
        assert alpha["has_alpha"] is True
        assert alpha["transparent"] == 0.4

    @pytest.mark.parametrize(
        ("mode", "clear", "kept", "expected"),
        [
            ("RGB", (255, 0, 0), (0, 0, 255), "#0000ff"),
            ("L", 255, 0, "#000000"),
            ("I;16", 0xFFFF, 0x0101, "#010101"),
        ],
        ids=["rgb", "grey", "grey-16-bit"],
    )
    def test_png_transparent_color_is_left_out_of_the_palette(
        self, mode, clear, kept, expected
    ):
        image = Image.new(mode, (10, 10), kept)
        image.paste(clear, (0, 0, 10, 4))
        png = encoded(image, "PNG", transparency=clear)

        document = analyze(png)

        assert document["alpha"]["transparent"] == 0.4
        assert [(e["hex"], e["share"]) for e in document["palette"]] == [
            (expected, 1.0)
        ]

    def test_fully_transparent_image_gives_an_empty_palette(self):
        document = analyze(Image.new("RGBA", (8, 8), (10, 20, 30, 0)))
        assert document["palette"] == []
        assert document["alpha"]["transparent"] == 1.0
        assert document["luminance"]["mean"] is None
        assert document["tokens"]["colors"]["background"] == "#ffffff"


class TestSample:
    def test_sample_dimensions_keep_aspect_within_limit(self):
        width, height = sample_dimensions((6000, 4000))
        assert width * height <= SAMPLE_PIXELS
        assert width / height == pytest.approx(1.5, abs=0.02)

    def test_small_images_are_not_resampled(self):
        sample = load_sample(two_color_image())
        assert sample.sample_size == (100, 10)
        assert len(sample.pixels) == 1000

    def test_large_jpeg_is_drafted_and_bounded(self):
        image = encoded(two_color_image(size=(3000, 2000), split=2100), "JPEG")
        sample = load_sample(image)
        assert sample.source_size == (3000, 2000)
        assert len(sample.pixels) <= SAMPLE_PIXELS
        assert sample.pixels.dtype == np.uint8

    def test_greyscale_images_are_read_as_rgb(self):
        sample = load_sample(Image.new("L", (4, 4), 128))
        assert sample.pixels.shape == (16, 3)
        assert sample.pixels[0].tolist() == [128, 128, 128]

    def test_sixteen_bit_grey_keeps_its_high_byte(self):
        levels = np.array([[0x0000, 0x4000, 0x8000, 0xFFFF]], dtype=np.uint16)
        image = encoded(Image.fromarray(levels), "PNG")
        sample = load_sample(image)
        assert sample.pixels[:, 0].tolist() == [0x00, 0x40, 0x80, 0xFF]
