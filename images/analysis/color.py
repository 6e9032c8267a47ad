"""Convert colors between sRGB, linear RGB, XYZ and CIELAB; measure contrast.

All conversions are vectorised with numpy and work on arrays shaped (..., 3).
CIELAB uses the D65 white point and the 2 degree standard observer, with the
sRGB to XYZ matrix of IEC 61966-2-1. The sRGB transfer function switches from
its linear segment at 0.04045 (encoded) and 0.0031308 (linear), the values of
the sRGB standard. WCAG 2.x prints 0.03928 instead, a value copied from an
early draft of sRGB; no 8-bit value lies between the two thresholds, so the
results are identical for 8-bit colors, and WCAG's own editors now recommend
0.04045.
"""

import numpy as np

D65_WHITE = np.array([0.95047, 1.0, 1.08883])
SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
XYZ_TO_SRGB = np.linalg.inv(SRGB_TO_XYZ)

# WCAG 2.x defines relative luminance with the rounded Rec. 709 coefficients.
WCAG_COEFFICIENTS = np.array([0.2126, 0.7152, 0.0722])

_LAB_EPSILON = (6.0 / 29.0) ** 3
_LAB_KAPPA = 3.0 * (6.0 / 29.0) ** 2

# Fold the white point into the matrix so one product gives X/Xn, Y/Yn, Z/Zn.
_LINEAR_TO_XYZ_N = (SRGB_TO_XYZ / D65_WHITE[:, None]).T
_XYZ_N_TO_LINEAR = (XYZ_TO_SRGB * D65_WHITE[None, :]).T


def srgb_to_linear(values):
    """Return linear-light values for sRGB-encoded values in [0, 1]."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(
        values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4
    )


def linear_to_srgb(values):
    """Return sRGB-encoded values in [0, 1] for linear-light values.

    Values outside [0, 1] are clipped first, which is the simplest gamut
    mapping: callers that care about hue keep colors inside the gamut.
    """
    values = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
    return np.where(
        values <= 0.0031308,
        values * 12.92,
        1.055 * np.power(values, 1.0 / 2.4) - 0.055,
    )


# Linear value of each 8-bit code, shared by every 8-bit conversion below.
LINEAR_LUT = srgb_to_linear(np.arange(256) / 255.0)
_WCAG_LUTS = [LINEAR_LUT * weight for weight in WCAG_COEFFICIENTS]


def linear_to_lab(linear):
    """Return CIELAB (D65) for linear sRGB values shaped (..., 3)."""
    xyz = np.asarray(linear, dtype=np.float64) @ _LINEAR_TO_XYZ_N
    f = np.where(xyz > _LAB_EPSILON, np.cbrt(xyz), xyz / _LAB_KAPPA + 4.0 / 29.0)
    lab = np.empty_like(f)
    lab[..., 0] = 116.0 * f[..., 1] - 16.0
    lab[..., 1] = 500.0 * (f[..., 0] - f[..., 1])
    lab[..., 2] = 200.0 * (f[..., 1] - f[..., 2])
    return lab


def lab_to_linear(lab):
    """Return linear sRGB for CIELAB (D65) values, unclipped."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16.0) / 116.0
    f = np.stack([fy + lab[..., 1] / 500.0, fy, fy - lab[..., 2] / 200.0], axis=-1)
    xyz = np.where(f > 6.0 / 29.0, f**3, _LAB_KAPPA * (f - 4.0 / 29.0))
    return xyz @ _XYZ_N_TO_LINEAR


def srgb8_to_lab(rgb):
    """Return CIELAB for 8-bit sRGB values shaped (..., 3)."""
    return linear_to_lab(LINEAR_LUT[np.asarray(rgb, dtype=np.uint8)])


def srgb_to_lab(rgb):
    """Return CIELAB for sRGB values in [0, 1], possibly fractional."""
    return linear_to_lab(srgb_to_linear(rgb))


def lab_to_srgb(lab):
    """Return sRGB values in [0, 1] for CIELAB values, clipped to the gamut."""
    return linear_to_srgb(lab_to_linear(lab))


def lab_to_srgb8(lab):
    """Return 8-bit sRGB (uint8) for CIELAB values, clipped to the gamut."""
    return np.rint(lab_to_srgb(lab) * 255.0).astype(np.uint8)


def in_gamut(lab, tolerance=1e-6):
    """Return True where CIELAB values lie inside the sRGB gamut."""
    linear = lab_to_linear(lab)
    return np.all((linear >= -tolerance) & (linear <= 1.0 + tolerance), axis=-1)


def lab_to_lch(lab):
    """Return CIE LCh(ab): lightness, chroma and hue angle in degrees."""
    lab = np.asarray(lab, dtype=np.float64)
    lch = np.empty_like(lab)
    lch[..., 0] = lab[..., 0]
    lch[..., 1] = np.hypot(lab[..., 1], lab[..., 2])
    lch[..., 2] = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])) % 360.0
    return lch


def relative_luminance(rgb):
    """Return WCAG 2.x relative luminance of 8-bit sRGB values (..., 3)."""
    rgb = np.asarray(rgb, dtype=np.uint8)
    return (
        _WCAG_LUTS[0][rgb[..., 0]]
        + _WCAG_LUTS[1][rgb[..., 1]]
        + _WCAG_LUTS[2][rgb[..., 2]]
    )


def contrast_ratio(luminance_a, luminance_b):
    """Return the WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), L1 lighter.

    Arguments broadcast, so a column against a row gives a matrix.
    """
    a = np.asarray(luminance_a, dtype=np.float64)
    b = np.asarray(luminance_b, dtype=np.float64)
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


def to_hex(rgb):
    """Return "#rrggbb" for one 8-bit sRGB triple."""
    r, g, b = (int(c) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def from_hex(value):
    """Return the 8-bit sRGB triple of "#rgb" or "#rrggbb"."""
    digits = value.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) != 6:
        raise ValueError(f"not a hex color: {value!r}")
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))


_FIT_STEPS = np.linspace(0.0, 1.0, 257)


def fit_to_srgb8(lab):
    """Return the 8-bit sRGB color nearest in hue to one CIELAB color.

    A color outside the sRGB gamut keeps its L* and hue angle and loses
    chroma until it fits; clipping the channels instead would shift the hue.
    Along a line of constant L* and hue the gamut can be left and entered
    again (near the yellow corner at high L*), so the chroma kept is the
    end of the run that starts at the grey axis. It is found on a grid of
    257 steps and then on 257 steps between the last fitting step and the
    next, each one vectorised test, which pins it to 1/65536 of the chroma.
    """
    lab = np.asarray(lab, dtype=np.float64).reshape(3)
    lab = np.array([min(max(lab[0], 0.0), 100.0), lab[1], lab[2]])
    if not in_gamut(lab):
        low, high = 0.0, 1.0
        for _ in range(2):
            scales = low + (high - low) * _FIT_STEPS
            candidates = np.empty((scales.size, 3))
            candidates[:, 0] = lab[0]
            candidates[:, 1] = lab[1] * scales
            candidates[:, 2] = lab[2] * scales
            outside = np.flatnonzero(~in_gamut(candidates))
            # The first step is the grey axis (or the last fitting step of
            # the coarse grid), which fits.
            first_out = outside[0] if outside.size else scales.size
            last = max(first_out - 1, 0)
            low, high = scales[last], scales[min(last + 1, scales.size - 1)]
        lab = np.array([lab[0], lab[1] * low, lab[2] * low])
    return lab_to_srgb8(lab)
