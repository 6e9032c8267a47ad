import json

import pytest
from PIL import Image

from images.analysis import analyze, analyze_image
from images.analysis.palette import ALGORITHM_NAME, ALGORITHM_VERSION

from .helpers import two_color_image
from .test_palette import photo_like

KEYS = {"palette", "luminance", "alpha", "contrast", "tokens", "algorithm"}


def plain_json_types(value):
    """Return True when value holds only types json.dumps writes unchanged."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain_json_types(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain_json_types(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


class TestDocument:
    def test_document_has_every_section(self):
        assert set(analyze(photo_like())) == KEYS

    def test_document_is_plain_json(self):
        document = analyze(photo_like())
        assert plain_json_types(document) is True
        assert json.loads(json.dumps(document, allow_nan=False)) == document

    def test_document_of_rgba_and_empty_images_is_plain_json(self):
        for image in (
            Image.new("RGBA", (4, 4), (0, 0, 0, 0)),
            Image.new("RGBA", (4, 4), (9, 9, 9, 200)),
        ):
            document = analyze(image)
            assert plain_json_types(document) is True
            json.dumps(document, allow_nan=False)

    def test_algorithm_records_name_version_and_sample(self):
        algorithm = analyze(two_color_image())["algorithm"]
        assert algorithm["name"] == ALGORITHM_NAME
        assert algorithm["version"] == ALGORITHM_VERSION
        assert algorithm["sample_size"] == 1000
        assert algorithm["source_size"] == [100, 10]
        assert algorithm["duration_ms"] >= 0.0

    def test_analyze_image_reads_a_path_and_closes_it(self, tmp_path):
        path = tmp_path / "two.png"
        two_color_image().save(path)
        document = analyze_image(path, colors=4)
        assert [e["hex"] for e in document["palette"]] == ["#1e3a8a", "#fbbf24"]
        assert document["algorithm"]["colors"] == 4

    def test_analyze_passes_min_contrast_to_tokens(self):
        document = analyze(two_color_image(), min_contrast=7.0)
        assert document["tokens"]["min_contrast"] == 7.0
        assert all(p["ratio"] >= 7.0 for p in document["tokens"]["pairs"])

    def test_analyze_does_not_change_an_open_image(self):
        image = two_color_image(size=(800, 600))
        analyze(image)
        assert image.size == (800, 600)

    @pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P", "CMYK", "LA"])
    def test_analyze_accepts_common_modes(self, mode):
        document = analyze(photo_like().convert(mode))
        assert 1 <= len(document["palette"]) <= 8
