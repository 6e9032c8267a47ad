import numpy as np
import pytest

from images.analysis import color


def srgb_decode(value):
    """Decode one sRGB value in [0, 1], written out from IEC 61966-2-1."""
    if value <= 0.04045:
        return value / 12.92
    return ((value + 0.055) / 1.055) ** 2.4


class TestCielab:
    @pytest.mark.parametrize(
        ("rgb", "expected"),
        [
            ((255, 255, 255), (100.0, 0.0, 0.0)),
            ((0, 0, 0), (0.0, 0.0, 0.0)),
            ((255, 0, 0), (53.2408, 80.0925, 67.2032)),
            ((0, 255, 0), (87.7347, -86.1827, 83.1793)),
            ((0, 0, 255), (32.2970, 79.1875, -107.8602)),
        ],
    )
    def test_srgb8_to_lab_matches_reference_values(self, rgb, expected):
        assert color.srgb8_to_lab(np.array(rgb)) == pytest.approx(expected, abs=1e-3)

    def test_lab_to_srgb8_round_trips_every_sampled_color(self):
        rng = np.random.default_rng(7)
        rgb = rng.integers(0, 256, (5000, 3), dtype=np.uint8)
        back = color.lab_to_srgb8(color.srgb8_to_lab(rgb))
        assert np.array_equal(back, rgb)

    def test_fractional_and_8bit_paths_agree(self):
        rgb = np.array([[12, 200, 99], [250, 3, 180]])
        assert np.allclose(
            color.srgb_to_lab(rgb / 255.0), color.srgb8_to_lab(rgb), atol=1e-9
        )

    def test_lab_to_lch_gives_chroma_and_hue(self):
        lch = color.lab_to_lch(np.array([50.0, 0.0, 10.0]))
        assert lch == pytest.approx((50.0, 10.0, 90.0))


class TestTransfer:
    def test_linear_lut_uses_the_sRGB_formula(self):
        expected = [srgb_decode(i / 255.0) for i in range(256)]
        assert np.allclose(color.LINEAR_LUT, expected, rtol=0.0, atol=1e-15)

    def test_linear_to_srgb_inverts_srgb_to_linear(self):
        values = np.linspace(0.0, 1.0, 101)
        back = color.linear_to_srgb(color.srgb_to_linear(values))
        assert np.allclose(back, values, atol=1e-12)


class TestRelativeLuminance:
    @pytest.mark.parametrize(
        ("rgb", "expected"),
        [
            ((255, 255, 255), 1.0),
            ((0, 0, 0), 0.0),
            ((255, 0, 0), 0.2126),
            ((0, 255, 0), 0.7152),
            ((0, 0, 255), 0.0722),
        ],
    )
    def test_relative_luminance_of_primaries(self, rgb, expected):
        assert float(color.relative_luminance(np.array(rgb))) == pytest.approx(
            expected, abs=1e-12
        )

    def test_contrast_ratio_of_777777_on_white_is_4_48(self):
        grey = float(color.relative_luminance(np.array([0x77, 0x77, 0x77])))
        ratio = float(color.contrast_ratio(grey, 1.0))
        assert ratio == pytest.approx(4.478, abs=5e-4)
        assert ratio < 4.5

    def test_contrast_ratio_of_black_on_white_is_21(self):
        assert float(color.contrast_ratio(0.0, 1.0)) == pytest.approx(21.0)

    def test_contrast_ratio_of_a_color_with_itself_is_1(self):
        assert float(color.contrast_ratio(0.3, 0.3)) == 1.0

    def test_contrast_ratio_is_symmetric(self):
        assert float(color.contrast_ratio(0.1, 0.7)) == float(
            color.contrast_ratio(0.7, 0.1)
        )


class TestHex:
    def test_to_hex_and_from_hex_round_trip(self):
        assert color.to_hex((30, 58, 138)) == "#1e3a8a"
        assert color.from_hex("#1e3a8a") == (30, 58, 138)

    def test_from_hex_expands_short_form(self):
        assert color.from_hex("#fa0") == (255, 170, 0)

    def test_from_hex_rejects_garbage(self):
        with pytest.raises(ValueError):
            color.from_hex("#12345")


class TestGamut:
    def test_fit_to_srgb8_keeps_in_gamut_colors(self):
        lab = color.srgb8_to_lab(np.array([200, 60, 20]))
        assert color.fit_to_srgb8(lab).tolist() == [200, 60, 20]

    def test_fit_to_srgb8_keeps_hue_when_reducing_chroma(self):
        lab = np.array([60.0, 120.0, 40.0])  # far outside sRGB
        fitted = color.srgb8_to_lab(color.fit_to_srgb8(lab))
        hue = np.degrees(np.arctan2(lab[2], lab[1]))
        fitted_hue = np.degrees(np.arctan2(fitted[2], fitted[1]))
        assert abs(fitted_hue - hue) < 1.5
        assert abs(fitted[0] - 60.0) < 1.0


def test_fit_keeps_the_chroma_run_that_starts_at_the_grey_axis():
    # At this L* and hue the line from grey leaves sRGB at about a quarter
    # of the chroma and comes back in further out; the fit stays with the
    # first run instead of jumping to the far one.
    lab = np.array([97.1, -35.5, 142.0])
    scales = np.linspace(0.0, 1.0, 20001)
    line = np.stack([np.full_like(scales, lab[0]), lab[1] * scales, lab[2] * scales], 1)
    inside = color.in_gamut(line)
    first_end = scales[np.argmin(inside)] - scales[1]
    assert inside[np.argmin(inside) :].any(), "the line re-enters the gamut"

    fitted = color.srgb8_to_lab(np.array(color.fit_to_srgb8(lab)))

    chroma = np.hypot(fitted[1], fitted[2])
    assert chroma == pytest.approx(np.hypot(lab[1], lab[2]) * first_end, abs=1.5)
