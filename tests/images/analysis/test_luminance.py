import numpy as np
import pytest
from PIL import Image

from images.analysis.document import analyze
from images.analysis.luminance import (
    DARK_BELOW,
    LIGHT_FROM,
    l_star_to_luminance,
    luminance_summary,
)

from .helpers import grey_ramp


def srgb_decode(code):
    value = code / 255.0
    if value <= 0.04045:
        return value / 12.92
    return ((value + 0.055) / 1.055) ** 2.4


class TestGreyRamp:
    def test_ramp_mean_is_the_mean_of_decoded_levels(self):
        expected = sum(srgb_decode(i) for i in range(256)) / 256
        result = analyze(grey_ramp())["luminance"]
        assert result["mean"] == pytest.approx(expected, abs=5e-5)

    def test_ramp_median_lies_between_levels_127_and_128(self):
        expected = (srgb_decode(127) + srgb_decode(128)) / 2
        result = analyze(grey_ramp())["luminance"]
        assert result["median"] == pytest.approx(expected, abs=5e-5)

    def test_ramp_histogram_counts_levels_per_tenth(self):
        levels = [srgb_decode(i) for i in range(256)]
        expected = [0] * 10
        for value in levels:
            expected[min(int(value * 10), 9)] += 4
        histogram = analyze(grey_ramp())["luminance"]["histogram"]
        assert histogram["counts"] == expected
        assert histogram["bins"] == pytest.approx([i / 10 for i in range(11)])
        assert sum(histogram["counts"]) == 1024

    def test_ramp_layers_follow_the_l_star_thresholds(self):
        levels = [srgb_decode(i) for i in range(256)]
        dark = sum(v < DARK_BELOW for v in levels) / 256
        light = sum(v >= LIGHT_FROM for v in levels) / 256
        layers = analyze(grey_ramp())["luminance"]["layers"]
        assert layers["dark"] == pytest.approx(dark, abs=5e-5)
        assert layers["light"] == pytest.approx(light, abs=5e-5)
        assert layers["mid"] == pytest.approx(1 - dark - light, abs=5e-5)


class TestLayers:
    def test_thresholds_are_l_star_33_and_66(self):
        assert l_star_to_luminance(33.0) == pytest.approx(0.07537, abs=1e-5)
        assert l_star_to_luminance(66.0) == pytest.approx(0.35323, abs=1e-5)
        assert l_star_to_luminance(100.0) == pytest.approx(1.0)

    def test_black_and_white_halves_split_into_dark_and_light(self):
        image = Image.new("RGB", (10, 10), "white")
        image.paste("black", (0, 0, 5, 10))
        layers = analyze(image)["luminance"]["layers"]
        assert (layers["dark"], layers["mid"], layers["light"]) == (0.5, 0.0, 0.5)
        assert layers["thresholds"]["dark_below"] == 0.0754
        assert layers["thresholds"]["light_from"] == 0.3532

    def test_white_pixels_land_in_the_last_bin(self):
        pixels = np.full((5, 3), 255, dtype=np.uint8)
        result = luminance_summary(pixels)
        assert result["histogram"]["counts"][-1] == 5
        assert result["mean"] == 1.0

    def test_no_pixels_give_empty_statistics(self):
        result = luminance_summary(np.empty((0, 3), dtype=np.uint8))
        assert result["mean"] is None
        assert result["median"] is None
        assert sum(result["histogram"]["counts"]) == 0
