import math

import numpy as np
import pytest

from images.analysis import color
from images.analysis.contrast import hex_contrast
from images.analysis.palette import round_shares
from images.analysis.tokens import SURFACE_TOKENS, derive_tokens, token_contrast


def palette_of(values, shares=None):
    """Return palette entries for hex values, shares falling by default."""
    shares = shares or round_shares(list(range(len(values), 0, -1)))
    entries = []
    for value, share in zip(values, shares, strict=True):
        rgb = color.from_hex(value)
        lab = color.srgb8_to_lab(np.array(rgb)).round(2).tolist()
        entries.append({"hex": value, "srgb": list(rgb), "lab": lab, "share": share})
    return entries


def random_palettes(count, seed=11):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        size = int(rng.integers(1, 9))
        rgb = rng.integers(0, 256, (size, 3))
        yield palette_of([color.to_hex(c) for c in rgb])


MID_GREYS = ["#767676", "#777777", "#787878", "#797979", "#7a7a7a", "#7b7b7b"]


class TestTextTokens:
    @pytest.mark.parametrize("palette", list(random_palettes(150)))
    def test_every_text_token_passes_aa(self, palette):
        tokens = derive_tokens(palette)
        for name, ratio in token_contrast(tokens).items():
            assert ratio >= 4.5, name
        assert all(pair["passes"] is True for pair in tokens["pairs"])

    @pytest.mark.parametrize("palette", list(random_palettes(60, seed=5)))
    def test_every_text_token_passes_aaa_when_asked(self, palette):
        tokens = derive_tokens(palette, min_contrast=7.0)
        assert min(token_contrast(tokens).values()) >= 7.0

    def test_text_is_a_palette_color_moved_in_lightness_when_none_passes(self):
        tokens = derive_tokens(palette_of(MID_GREYS))

        changes = {change["token"]: change for change in tokens["adjusted"]}
        assert set(changes) == {f"on-{name}" for name in SURFACE_TOKENS}
        for name in SURFACE_TOKENS:
            change = changes[f"on-{name}"]
            assert change["from"] in MID_GREYS
            assert tokens["colors"][f"on-{name}"] == change["to"]
            assert hex_contrast(change["from"], tokens["colors"][name]) < 4.5
            assert hex_contrast(change["to"], tokens["colors"][name]) >= 4.5

    def test_moved_text_keeps_the_hue_of_its_palette_color(self):
        tokens = derive_tokens(palette_of(["#d0602a", "#2a80d0"]))

        change = {c["token"]: c for c in tokens["adjusted"]}["on-background"]
        before = color.srgb8_to_lab(np.array(color.from_hex(change["from"])))
        after = color.srgb8_to_lab(np.array(color.from_hex(change["to"])))
        hue_before = math.degrees(math.atan2(before[2], before[1]))
        hue_after = math.degrees(math.atan2(after[2], after[1]))
        assert change["from"] == "#2a80d0"
        assert abs(hue_after - hue_before) < 5.0
        assert after[0] - before[0] == pytest.approx(change["delta_l"], abs=0.01)
        assert tokens["roles"]["on-background"] == (
            "palette color 2, L* moved to reach 4.5:1"
        )

    def test_moved_text_takes_the_palette_color_needing_the_smallest_move(self):
        # Text on these greys must go darker, and the darkest grey has the
        # shortest way to go; the palette lists it last.
        tokens = derive_tokens(palette_of(MID_GREYS[::-1]))

        change = {c["token"]: c for c in tokens["adjusted"]}["on-background"]
        assert change["from"] == "#767676"
        assert change["delta_l"] < 0

    def test_surfaces_are_not_moved_at_aa(self):
        for palette in random_palettes(80, seed=3):
            tokens = derive_tokens(palette)
            moved = [c["token"] for c in tokens["adjusted"]]
            assert all(token.startswith("on-") for token in moved)

    def test_mid_greys_are_adjusted_to_reach_aaa(self):
        tokens = derive_tokens(palette_of(MID_GREYS), min_contrast=7.0)
        assert tokens["adjusted"], "no token needed a lightness change"
        for change in tokens["adjusted"]:
            name = change["token"]
            assert tokens["colors"][name] == change["to"]
            assert change["from"] != change["to"]
            assert hex_contrast(change["from"], tokens["colors"][f"on-{name}"]) < 7.0
            assert hex_contrast(change["to"], tokens["colors"][f"on-{name}"]) >= 7.0
            assert change["delta_l"] != 0
        assert min(token_contrast(tokens).values()) >= 7.0

    def test_adjustment_keeps_hue_and_moves_lightness_only(self):
        tokens = derive_tokens(palette_of(["#d0602a", "#2a80d0"]), min_contrast=7.0)
        changes = {c["token"]: c for c in tokens["adjusted"]}
        assert "background" in changes
        before = color.srgb8_to_lab(
            np.array(color.from_hex(changes["background"]["from"]))
        )
        after = color.srgb8_to_lab(
            np.array(color.from_hex(changes["background"]["to"]))
        )
        hue_before = math.degrees(math.atan2(before[2], before[1]))
        hue_after = math.degrees(math.atan2(after[2], after[1]))
        assert abs(hue_after - hue_before) < 3.0
        assert after[0] - before[0] == pytest.approx(
            changes["background"]["delta_l"], abs=0.01
        )

    def test_palette_text_color_is_preferred_when_it_passes(self):
        tokens = derive_tokens(palette_of(["#f5f0e6", "#1e3a8a", "#fbbf24"]))
        assert tokens["colors"]["on-background"] == "#1e3a8a"
        assert tokens["roles"]["on-background"] == "palette color 2"

    def test_min_contrast_out_of_range_is_rejected(self):
        with pytest.raises(ValueError):
            derive_tokens(palette_of(MID_GREYS), min_contrast=22)


class TestSurfaceTokens:
    def test_background_is_the_largest_share(self):
        palette = palette_of(["#f5f0e6", "#1e3a8a", "#fbbf24"], [0.6, 0.3, 0.1])
        assert derive_tokens(palette)["colors"]["background"] == "#f5f0e6"

    def test_surface_moves_a_light_background_darker(self):
        tokens = derive_tokens(palette_of(["#f5f0e6", "#1e3a8a"]))
        background = color.srgb8_to_lab(np.array(color.from_hex("#f5f0e6")))
        surface = color.srgb8_to_lab(
            np.array(color.from_hex(tokens["colors"]["surface"]))
        )
        assert surface[0] == pytest.approx(background[0] - 6.0, abs=0.5)

    def test_surface_moves_a_dark_background_lighter(self):
        tokens = derive_tokens(palette_of(["#101820", "#fbbf24"]))
        background = color.srgb8_to_lab(np.array(color.from_hex("#101820")))
        surface = color.srgb8_to_lab(
            np.array(color.from_hex(tokens["colors"]["surface"]))
        )
        assert surface[0] == pytest.approx(background[0] + 6.0, abs=0.5)

    def test_primary_is_the_most_chromatic_color_with_enough_share(self):
        palette = palette_of(
            ["#f5f0e6", "#808080", "#1e3a8a", "#ff0000"], [0.6, 0.2, 0.17, 0.03]
        )
        assert derive_tokens(palette)["colors"]["primary"] == "#1e3a8a"

    def test_secondary_differs_in_hue_from_primary(self):
        values = ["#f5f0e6", "#1e3aaa", "#34508f", "#8a9a5b"]
        chroma = {v: math.hypot(*palette_of([v], [1.0])[0]["lab"][1:]) for v in values}
        # The premise: the second blue is more chromatic than the olive.
        assert chroma["#34508f"] > chroma["#8a9a5b"]
        palette = palette_of(values, [0.5, 0.2, 0.2, 0.1])
        colors = derive_tokens(palette)["colors"]
        assert colors["primary"] == "#1e3aaa"
        assert colors["secondary"] == "#8a9a5b"

    def test_accent_is_the_odd_one_out(self):
        palette = palette_of(
            ["#f5f0e6", "#1e3a8a", "#fbbf24", "#efe8da", "#e0115f"],
            [0.42, 0.25, 0.2, 0.1, 0.03],
        )
        colors = derive_tokens(palette)["colors"]
        assert (colors["primary"], colors["secondary"]) == ("#fbbf24", "#1e3a8a")
        assert colors["accent"] == "#e0115f"

    def test_single_color_palette_derives_the_rest(self):
        tokens = derive_tokens(palette_of(["#3366cc"], [1.0]))
        assert set(tokens["colors"]) == {
            name for base in SURFACE_TOKENS for name in (base, f"on-{base}")
        }
        assert tokens["roles"]["primary"].startswith("derived")
        assert tokens["roles"]["accent"].startswith("derived")
        assert min(token_contrast(tokens).values()) >= 4.5

    def test_empty_palette_falls_back_to_white(self):
        tokens = derive_tokens([])
        assert tokens["colors"]["background"] == "#ffffff"
        assert min(token_contrast(tokens).values()) >= 4.5

    def test_pairs_list_every_surface_token(self):
        tokens = derive_tokens(palette_of(["#f5f0e6", "#1e3a8a", "#fbbf24"]))
        assert [p["token"] for p in tokens["pairs"]] == list(SURFACE_TOKENS)
        assert [p["text"] for p in tokens["pairs"]] == [
            f"on-{name}" for name in SURFACE_TOKENS
        ]
