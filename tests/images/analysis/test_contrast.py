import pytest

from images.analysis.contrast import contrast_report, hex_contrast, pass_flags


def entry(value):
    from images.analysis import color

    return {"hex": value, "srgb": list(color.from_hex(value))}


class TestHexContrast:
    def test_hex_contrast_of_777777_on_white(self):
        assert hex_contrast("#777777", "#ffffff") == pytest.approx(4.478, abs=5e-4)

    def test_hex_contrast_of_black_on_white_is_21(self):
        assert hex_contrast("#000000", "#ffffff") == pytest.approx(21.0)

    def test_hex_contrast_of_same_color_is_1(self):
        assert hex_contrast("#3a7bd5", "#3a7bd5") == 1.0


class TestPassFlags:
    def test_pass_flags_use_unrounded_ratio(self):
        flags = pass_flags(hex_contrast("#777777", "#ffffff"))
        assert flags == {
            "aa_normal": False,
            "aa_large": True,
            "aaa_normal": False,
            "aaa_large": False,
        }

    def test_pass_flags_at_exact_thresholds(self):
        assert pass_flags(7.0) == {
            "aa_normal": True,
            "aa_large": True,
            "aaa_normal": True,
            "aaa_large": True,
        }
        assert pass_flags(2.99)["aa_large"] is False


class TestContrastReport:
    def test_contrast_report_picks_the_better_text_color(self):
        report = contrast_report([entry("#1e3a8a"), entry("#fbbf24")])
        navy, amber = report["colors"]
        assert navy["text"] == "#ffffff"
        assert navy["vs_white"] == pytest.approx(10.36, abs=0.01)
        assert amber["text"] == "#000000"
        assert amber["text_ratio"] == amber["vs_black"]
        assert navy["aaa_normal"] is True

    def test_contrast_report_matrix_is_symmetric_with_unit_diagonal(self):
        values = ["#1e3a8a", "#fbbf24", "#777777"]
        ratios = contrast_report([entry(v) for v in values])["matrix"]["ratios"]
        for i in range(3):
            assert ratios[i][i] == 1.0
            for j in range(3):
                assert ratios[i][j] == ratios[j][i]

    def test_contrast_report_lists_only_pairs_passing_aa(self):
        values = ["#1e3a8a", "#fbbf24", "#777777", "#ffffff"]
        report = contrast_report([entry(v) for v in values])
        listed = {(p["a"], p["b"]) for p in report["aa_normal_pairs"]}
        expected = {
            (a, b)
            for i, a in enumerate(values)
            for b in values[i + 1 :]
            if hex_contrast(a, b) >= 4.5
        }
        assert listed == expected
        assert ("#777777", "#ffffff") not in listed

    def test_contrast_report_of_empty_palette_is_empty(self):
        report = contrast_report([])
        assert report["colors"] == []
        assert report["aa_normal_pairs"] == []
