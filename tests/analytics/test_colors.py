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


def test_merge_palettes_joins_colours_across_a_grid_cube_boundary():
    # 9.9 apart on L*, on either side of the cube edge at L* = 10.
    palettes = [
        (1, [{"hex": "#000001", "lab": [0.1, 0.0, 0.0], "share": 1.0}]),
        (2, [{"hex": "#000002", "lab": [10.0, 0.0, 0.0], "share": 0.5}]),
        (3, [{"hex": "#000003", "lab": [25.0, 0.0, 0.0], "share": 0.4}]),
    ]

    colors, _count = merge_palettes(palettes, delta_e=10, limit=5)

    assert [item["images"] for item in colors] == [2, 1]


def test_merge_palettes_picks_the_nearest_of_two_leaders_in_reach():
    palettes = [
        (1, [{"hex": "#000001", "lab": [50.0, 0.0, 0.0], "share": 0.9}]),
        (2, [{"hex": "#000002", "lab": [50.0, 15.0, 0.0], "share": 0.8}]),
        (3, [{"hex": "#000003", "lab": [50.0, 9.0, 0.0], "share": 0.1}]),
    ]

    colors, _count = merge_palettes(palettes, delta_e=10, limit=5)

    by_leader = {item["images"]: item["lab"] for item in colors}
    assert sorted(by_leader) == [1, 2]
    # The colour at a* 9 joined the leader at a* 15 (6 away), not the one
    # at a* 0 (9 away): the merged colour lies between 9 and 15.
    assert 9.0 < by_leader[2][1] < 15.0
