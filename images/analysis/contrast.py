"""Report WCAG 2.x contrast for palette colors.

The contrast ratio is (L1 + 0.05) / (L2 + 0.05) with L1 the larger relative
luminance. Pass flags compare the unrounded ratio with the WCAG thresholds,
so 4.48:1 (shown) that is really 4.478:1 fails AA; ratios in the output are
rounded to two decimals for reading only.
"""

from functools import lru_cache

import numpy as np

from . import color

AA_NORMAL = 4.5
AA_LARGE = 3.0
AAA_NORMAL = 7.0
AAA_LARGE = 4.5
THRESHOLDS = {
    "aa_normal": AA_NORMAL,
    "aa_large": AA_LARGE,
    "aaa_normal": AAA_NORMAL,
    "aaa_large": AAA_LARGE,
}
WHITE = "#ffffff"
BLACK = "#000000"


# Token selection compares a few dozen single colors; plain floats are far
# cheaper than numpy calls on one-element arrays.
_WCAG_TERMS = [
    [float(v) for v in color.LINEAR_LUT * weight] for weight in color.WCAG_COEFFICIENTS
]


@lru_cache(maxsize=4096)
def luminance_of_hex(value):
    """Return the WCAG relative luminance of a "#rrggbb" color."""
    r, g, b = color.from_hex(value)
    return _WCAG_TERMS[0][r] + _WCAG_TERMS[1][g] + _WCAG_TERMS[2][b]


def hex_contrast(first, second):
    """Return the WCAG contrast ratio between two "#rrggbb" colors."""
    a = luminance_of_hex(first)
    b = luminance_of_hex(second)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def pass_flags(ratio):
    """Return the WCAG pass flags of a contrast ratio, by threshold name."""
    return {name: bool(ratio >= limit) for name, limit in THRESHOLDS.items()}


def contrast_report(palette):
    """Return the contrast section of the analysis for palette entries.

    For every color: its ratio against white and black, the better text
    color of the two (white on a tie) and the pass flags of that pairing.
    Then the matrix of ratios between palette colors, in palette order, and
    the pairs that pass AA for normal text.
    """
    rgb = np.array([entry["srgb"] for entry in palette], dtype=np.uint8).reshape(-1, 3)
    luminance = color.relative_luminance(rgb)
    on_white = color.contrast_ratio(luminance, 1.0)
    on_black = color.contrast_ratio(luminance, 0.0)
    matrix = color.contrast_ratio(luminance[:, None], luminance[None, :])

    colors = []
    rows = zip(
        palette, luminance.tolist(), on_white.tolist(), on_black.tolist(), strict=True
    )
    for entry, value, white, black in rows:
        best = max(white, black)
        colors.append(
            {
                "hex": entry["hex"],
                "luminance": round(value, 4),
                "vs_white": round(white, 2),
                "vs_black": round(black, 2),
                "text": WHITE if white >= black else BLACK,
                "text_ratio": round(best, 2),
                **pass_flags(best),
            }
        )

    pairs = []
    hexes = [entry["hex"] for entry in palette]
    for i in range(len(palette)):
        for j in range(i + 1, len(palette)):
            if matrix[i, j] >= AA_NORMAL:
                pairs.append(
                    {
                        "a": hexes[i],
                        "b": hexes[j],
                        "ratio": round(float(matrix[i, j]), 2),
                    }
                )
    return {
        "thresholds": dict(THRESHOLDS),
        "colors": colors,
        "matrix": {
            "colors": hexes,
            "ratios": [[round(v, 2) for v in row] for row in matrix.tolist()],
        },
        "aa_normal_pairs": pairs,
    }
