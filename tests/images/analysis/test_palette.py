import math

import numpy as np
import pytest
from PIL import Image

from images.analysis import color
from images.analysis.palette import (
    extract_palette,
    palette_from_pixels,
    round_shares,
    to_working_space,
)

from .helpers import encoded, stripes_image, two_color_image


def photo_like(seed=3, size=(240, 160)):
    """Return a noisy image of soft gradients and blobs, like a photo."""
    rng = np.random.default_rng(seed)
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack(
        [
            120 + 100 * np.sin(x / 37.0),
            90 + 80 * np.cos(y / 23.0),
            140 + 90 * np.sin((x + y) / 51.0),
        ],
        axis=-1,
    )
    base += rng.normal(0.0, 12.0, base.shape)
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


class TestTwoColors:
    def test_extract_palette_returns_exactly_the_two_colors(self):
        palette = extract_palette(two_color_image())
        assert [entry["hex"] for entry in palette] == ["#1e3a8a", "#fbbf24"]
        assert [entry["share"] for entry in palette] == [0.7, 0.3]

    def test_extract_palette_reports_srgb_and_lab(self):
        navy = extract_palette(two_color_image())[0]
        assert navy["srgb"] == [30, 58, 138]
        expected = color.srgb8_to_lab(np.array([30, 58, 138]))
        assert navy["lab"] == pytest.approx(expected.tolist(), abs=0.005)

    def test_extract_palette_is_exact_through_png(self):
        palette = extract_palette(encoded(two_color_image(), "PNG"))
        assert [(e["hex"], e["share"]) for e in palette] == [
            ("#1e3a8a", 0.7),
            ("#fbbf24", 0.3),
        ]

    def test_extract_palette_reads_a_path(self, tmp_path):
        path = tmp_path / "two.png"
        two_color_image().save(path)
        assert [e["hex"] for e in extract_palette(path)] == ["#1e3a8a", "#fbbf24"]

    def test_extract_palette_keeps_close_colors_apart(self):
        # Both colors fall in the same histogram bin.
        image = two_color_image(left="#808080", right="#818181", split=50)
        palette = extract_palette(image)
        assert sorted(e["hex"] for e in palette) == ["#808080", "#818181"]

    def test_extract_palette_returns_fewer_colors_when_the_image_has_fewer(self):
        image = Image.new("RGB", (30, 10), "#ff0000")
        image.paste("#00ff00", (10, 0, 20, 10))
        image.paste("#0000ff", (20, 0, 30, 10))
        palette = extract_palette(image, colors=8)
        assert len(palette) == 3
        assert [e["share"] for e in palette] == pytest.approx([0.3334, 0.3333, 0.3333])


class TestPhotoPalette:
    def test_extract_palette_honours_colors(self):
        assert len(extract_palette(photo_like(), colors=5)) == 5
        assert len(extract_palette(photo_like(), colors=12)) == 12

    def test_extract_palette_is_deterministic(self):
        first = extract_palette(photo_like())
        second = extract_palette(photo_like())
        assert first == second

    def test_extract_palette_shares_add_up_to_one(self):
        palette = extract_palette(photo_like())
        shares = [entry["share"] for entry in palette]
        assert sum(round(s * 10000) for s in shares) == 10000
        assert math.fsum(shares) == pytest.approx(1.0, abs=1e-12)

    def test_extract_palette_sorts_by_share(self):
        shares = [entry["share"] for entry in extract_palette(photo_like())]
        assert shares == sorted(shares, reverse=True)

    def test_extract_palette_hex_matches_srgb(self):
        for entry in extract_palette(photo_like()):
            assert color.from_hex(entry["hex"]) == tuple(entry["srgb"])

    def test_palette_covers_the_image_better_than_a_fixed_grid(self):
        # Mean CIE76 error from each pixel to its nearest palette color must
        # beat the eight corners of the RGB cube by a wide margin.
        image = photo_like()
        pixels = np.asarray(image).reshape(-1, 3)
        lab = color.srgb8_to_lab(pixels)

        def error(rgb):
            centers = color.srgb8_to_lab(np.array(rgb, dtype=np.uint8))
            distance = np.linalg.norm(lab[:, None, :] - centers[None], axis=-1)
            return distance.min(axis=1).mean()

        palette = [e["srgb"] for e in extract_palette(image)]
        corners = [[r, g, b] for r in (0, 255) for g in (0, 255) for b in (0, 255)]
        assert error(palette) < 0.5 * error(corners)

    def test_palette_of_large_jpeg_is_bounded_and_sensible(self):
        image = encoded(two_color_image(size=(2400, 1600), split=1200), "JPEG")
        palette = extract_palette(image, colors=4)
        main = {e["hex"]: e["share"] for e in palette[:2]}
        assert len(main) == 2
        for entry in palette[:2]:
            nearest = min(
                ("#1e3a8a", "#fbbf24"),
                key=lambda h: np.abs(
                    np.subtract(color.from_hex(h), entry["srgb"])
                ).sum(),
            )
            assert (
                np.abs(np.subtract(color.from_hex(nearest), entry["srgb"])).max() <= 6
            )
        assert sum(main.values()) > 0.95


class TestPaletteFromPixels:
    def test_palette_from_pixels_of_nothing_is_empty(self):
        assert palette_from_pixels(np.empty((0, 3), dtype=np.uint8)) == []

    def test_palette_from_pixels_rejects_zero_colors(self):
        with pytest.raises(ValueError):
            palette_from_pixels(np.zeros((4, 3), dtype=np.uint8), colors=0)


class TestWorkingSpace:
    def test_working_space_compresses_chroma_like_ciede2000(self):
        # CIEDE2000 divides a chroma step by S_C = 1 + 0.045 C (mean C 65).
        lab = np.array([[50.0, 60.0, 0.0], [50.0, 70.0, 0.0]])
        work = to_working_space(lab)
        expected = 10.0 / (1.0 + 0.045 * 65.0)
        assert np.linalg.norm(work[1] - work[0]) == pytest.approx(expected, rel=0.01)

    def test_working_space_weights_lightness_less_near_black(self):
        # S_L grows away from L* 50, so equal L* steps shrink near the ends.
        lab = np.array([[5.0, 0, 0], [7.0, 0, 0], [50.0, 0, 0], [52.0, 0, 0]])
        work = to_working_space(lab)
        assert work[1, 0] - work[0, 0] < 0.75 * (work[3, 0] - work[2, 0])

    def test_working_space_distance_tracks_ciede2000_for_small_steps(self):
        # Near mid-grey the weights are 1, so a step of 2 in L* stays 2.
        lab = np.array([[50.0, 0.0, 0.0], [52.0, 0.0, 0.0]])
        work = to_working_space(lab)
        assert np.linalg.norm(work[1] - work[0]) == pytest.approx(2.0, abs=0.01)


class TestRoundShares:
    def test_round_shares_adds_up_to_one(self):
        shares = round_shares([1, 1, 1])
        assert shares == [0.3334, 0.3333, 0.3333]

    def test_round_shares_keep_equal_weights_in_order(self):
        shares = round_shares([1] * 6)
        assert shares == [0.1667, 0.1667, 0.1667, 0.1667, 0.1666, 0.1666]
        assert shares == sorted(shares, reverse=True)

    def test_round_shares_move_no_share_by_more_than_one_unit(self):
        weights = [3, 3, 3, 1, 1, 1, 1]
        shares = round_shares(weights)
        assert sum(round(s * 10_000) for s in shares) == 10_000
        for share, weight in zip(shares, weights, strict=True):
            assert abs(share - weight / sum(weights)) < 1e-4

    def test_round_shares_gives_the_rest_to_the_largest(self):
        assert round_shares([2, 1, 1, 1, 1, 1, 1, 1, 1]) == [
            0.2,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
        ]


def test_one_color_palette_of_a_many_colored_image_covers_it_whole():
    image = stripes_image([("#1e3a8a", 6), ("#fbbf24", 3), ("#dc2626", 1)])

    palette = extract_palette(image, colors=1)

    assert [entry["share"] for entry in palette] == [1.0]


def test_clustering_merges_the_pair_closest_to_the_eye_not_in_rgb():
    # The yellows lie 110 apart in sRGB and about 27 in CIELAB; black and
    # dark blue lie 100 apart in sRGB but about 68 in CIELAB. Clustering in
    # sRGB would merge the darks; a perceptual space merges the yellows.
    yellows, darks = ["#ffff00", "#ffff6e"], ["#000000", "#000064"]
    image = stripes_image([(value, 10) for value in yellows + darks])

    palette = extract_palette(image, colors=3)

    assert {entry["hex"] for entry in palette} >= set(darks)
    assert [entry["share"] for entry in palette] == [0.5, 0.25, 0.25]
