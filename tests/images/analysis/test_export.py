import json

import numpy as np
import pytest

from images.analysis import analyze, color, to_css, to_dtcg

from .helpers import two_color_image
from .test_tokens import MID_GREYS, palette_of


@pytest.fixture
def document():
    return analyze(two_color_image())


class TestDtcg:
    def test_dtcg_groups_colors_under_one_typed_group(self, document):
        exported = to_dtcg(document["tokens"])
        assert list(exported) == ["color"]
        group = exported["color"]
        assert group["$type"] == "color"
        assert "$description" in group

    def test_dtcg_values_use_srgb_components_and_hex(self, document):
        group = to_dtcg(document["tokens"])["color"]
        for name, value in document["tokens"]["colors"].items():
            token = group[name]
            assert set(token["$value"]) == {"colorSpace", "components", "hex"}
            assert token["$value"]["colorSpace"] == "srgb"
            assert token["$value"]["hex"] == value
            components = token["$value"]["components"]
            assert len(components) == 3
            assert all(0.0 <= c <= 1.0 for c in components)
            assert [round(c * 255) for c in components] == list(color.from_hex(value))

    def test_dtcg_tokens_carry_no_type_of_their_own(self, document):
        group = to_dtcg(document["tokens"])["color"]
        tokens = {k: v for k, v in group.items() if not k.startswith("$")}
        assert all("$type" not in token for token in tokens.values())
        assert all("$value" in token for token in tokens.values())

    def test_dtcg_text_tokens_describe_their_contrast(self, document):
        group = to_dtcg(document["tokens"])["color"]
        assert group["on-primary"]["$description"].startswith(
            "Text and icons on primary ("
        )

    def test_dtcg_accepts_the_whole_document(self, document):
        assert to_dtcg(document) == to_dtcg(document["tokens"])

    def test_dtcg_adds_the_palette_when_given(self, document):
        group = to_dtcg(document["tokens"], palette=document["palette"])["color"]
        assert group["palette"]["1"]["$value"]["hex"] == "#1e3a8a"
        assert group["palette"]["2"]["$value"]["hex"] == "#fbbf24"

    def test_dtcg_names_avoid_reserved_characters(self, document):
        exported = to_dtcg(document["tokens"], palette=document["palette"])

        def names(group):
            for key, value in group.items():
                if key.startswith("$"):
                    continue
                yield key
                if "$value" not in value:
                    yield from names(value)

        for name in names(exported):
            assert not set(name) & set("{}.$")

    def test_dtcg_is_json(self, document):
        text = json.dumps(to_dtcg(document["tokens"], palette=document["palette"]))
        assert json.loads(text)["color"]["$type"] == "color"


class TestCss:
    def test_css_declares_every_token(self, document):
        css = to_css(document["tokens"])
        colors = document["tokens"]["colors"]
        assert css.startswith(":root {\n")
        assert css.endswith("}\n")
        assert f"  --janus-primary: {colors['primary']};\n" in css
        for name, value in colors.items():
            assert f"--janus-{name}: {value};" in css

    def test_css_prefix_and_selector_are_configurable(self):
        tokens = {"colors": {"background": "#ffffff", "on-background": "#000000"}}
        css = to_css(tokens, prefix="brand", selector=".card")
        assert css == (
            ".card {\n"
            "  --brand-background: #ffffff;\n"
            "  --brand-on-background: #000000;\n"
            "}\n"
        )

    def test_css_of_adjusted_tokens_uses_the_adjusted_value(self):
        from images.analysis.tokens import derive_tokens

        tokens = derive_tokens(palette_of(MID_GREYS), min_contrast=7.0)
        change = tokens["adjusted"][0]
        assert f"--janus-{change['token']}: {change['to']};" in to_css(tokens)
        assert np.all(np.isfinite(color.from_hex(change["to"])))
