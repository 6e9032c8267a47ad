import pytest

from analytics.colors import merge_palettes, palette_lab
from tests.analytics.helpers import palette


def test_merge_palettes_counts_near_colours_as_one():
    palettes = [
        (1, palette(("#ff0000", 0.6), ("#0000ff", 0.4))),
        (2, palette(("#fa0505", 0.5), ("#00ff00", 0.5))),
    ]

    colors, count = merge_palettes(palettes, delta_e=10, limit=10)

    assert count == 2
    assert colors[0]["images"] == 2
    assert colors[0]["image_share"] == 1.0
    assert colors[0]["pixel_share"] == pytest.approx(0.55)
    assert colors[0]["hex"] in {"#ff0000", "#fd0202", "#fc0303", "#fe0101"}
    assert sorted(item["hex"] for item in colors[1:]) == ["#0000ff", "#00ff00"]


def test_merge_palettes_keeps_distant_colours_apart_when_delta_e_is_small():
    palettes = [(1, palette(("#ff0000", 1.0))), (2, palette(("#fa0505", 1.0)))]

    colors, _count = merge_palettes(palettes, delta_e=1, limit=10)

    assert [item["images"] for item in colors] == [1, 1]


def test_merge_palettes_counts_an_image_once_when_two_of_its_colours_merge():
    palettes = [(1, palette(("#ff0000", 0.5), ("#fa0505", 0.5)))]

    colors, _count = merge_palettes(palettes, delta_e=10, limit=10)

    assert len(colors) == 1
    assert colors[0]["images"] == 1
    assert colors[0]["pixel_share"] == pytest.approx(1.0)


def test_merge_palettes_orders_by_images_then_pixel_share_and_applies_limit():
    palettes = [
        (1, palette(("#ffffff", 0.9), ("#000000", 0.1))),
        (2, palette(("#000000", 1.0))),
        (3, palette(("#000000", 0.5), ("#00ff00", 0.5))),
    ]

    colors, _count = merge_palettes(palettes, delta_e=5, limit=2)

    assert [item["hex"] for item in colors] == ["#000000", "#ffffff"]
    assert colors[0]["images"] == 3


def test_merge_palettes_ignores_empty_palettes_and_broken_entries():
    palettes = [(1, []), (2, None), (3, [{"share": 1.0}, "red"])]

    assert merge_palettes(palettes, delta_e=10, limit=5) == ([], 0)


def test_palette_lab_prefers_stored_lab_and_falls_back_to_hex():
    assert list(palette_lab({"lab": [50.0, 0.0, 0.0]})) == [50.0, 0.0, 0.0]
    white = palette_lab({"hex": "#ffffff"})
    assert white[0] == pytest.approx(100.0, abs=0.01)
    assert palette_lab({"hex": "not a colour"}) is None
