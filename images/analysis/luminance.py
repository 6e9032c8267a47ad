"""Summarise the WCAG relative luminance of an image's visible pixels.

Relative luminance Y is the WCAG 2.x quantity: linear-light sRGB weighted
0.2126 R + 0.7152 G + 0.0722 B, from 0 (black) to 1 (white).

The layers split the pixels into thirds of perceived lightness, CIE L*:
dark below L* 33, light from L* 66, mid in between. L* is a monotonic
function of Y, so the split is done on Y at the equivalent thresholds,
Y = ((L* + 16) / 116) ** 3: 0.0754 and 0.3532. Both forms go into the
output. For reference, Y = 0.1791 is where white and black text reach the
same contrast ratio (4.58:1).
"""

import numpy as np

from . import color

HISTOGRAM_BINS = 10
DARK_BELOW_L_STAR = 33.0
LIGHT_FROM_L_STAR = 66.0


def l_star_to_luminance(l_star):
    """Return relative luminance Y for CIE lightness L* (D65, Yn = 1)."""
    f = (l_star + 16.0) / 116.0
    if f > 6.0 / 29.0:
        return f**3
    return 3.0 * (6.0 / 29.0) ** 2 * (f - 4.0 / 29.0)


DARK_BELOW = l_star_to_luminance(DARK_BELOW_L_STAR)
LIGHT_FROM = l_star_to_luminance(LIGHT_FROM_L_STAR)


def luminance_summary(pixels):
    """Return mean, median, histogram and layers of (n, 3) uint8 pixels.

    The histogram has HISTOGRAM_BINS equal bins over [0, 1]; each bin holds
    its lower edge, the last bin also holds 1.0. An empty pixel array gives
    None statistics and zero counts.
    """
    edges = [round(i / HISTOGRAM_BINS, 10) for i in range(HISTOGRAM_BINS + 1)]
    thresholds = {
        "dark_below": round(DARK_BELOW, 4),
        "light_from": round(LIGHT_FROM, 4),
        "dark_below_l_star": DARK_BELOW_L_STAR,
        "light_from_l_star": LIGHT_FROM_L_STAR,
    }
    luminance = color.relative_luminance(pixels)
    total = int(luminance.size)
    if total == 0:
        return {
            "mean": None,
            "median": None,
            "pixels": 0,
            "histogram": {
                "bins": edges,
                "counts": [0] * HISTOGRAM_BINS,
                "shares": [0.0] * HISTOGRAM_BINS,
            },
            "layers": {"thresholds": thresholds, "dark": 0.0, "mid": 0.0, "light": 0.0},
        }

    bins = np.minimum((luminance * HISTOGRAM_BINS).astype(np.intp), HISTOGRAM_BINS - 1)
    counts = np.bincount(bins, minlength=HISTOGRAM_BINS)
    dark = int(np.count_nonzero(luminance < DARK_BELOW))
    light = int(np.count_nonzero(luminance >= LIGHT_FROM))
    return {
        "mean": round(float(luminance.mean()), 4),
        "median": round(float(np.median(luminance)), 4),
        "pixels": total,
        "histogram": {
            "bins": edges,
            "counts": counts.tolist(),
            "shares": [round(c / total, 4) for c in counts.tolist()],
        },
        "layers": {
            "thresholds": thresholds,
            "dark": round(dark / total, 4),
            "mid": round((total - dark - light) / total, 4),
            "light": round(light / total, 4),
        },
    }
