"""Derive a small set of design tokens from a palette.

Color tokens, in the order they are chosen:

- background: the palette color with the largest share (white for an empty
  palette).
- surface: the background moved SURFACE_STEP units of L* toward mid-grey
  (lighter on a dark background, darker on a light one), hue and chroma kept.
- primary: the most chromatic palette color, other than the background,
  among those covering at least MIN_SHARE of the image; the most chromatic
  of the rest when none covers that much. With nothing left, the background
  moved 40 units of L* toward the far end.
- secondary: among the remaining colors covering at least MIN_SHARE, the
  most chromatic one that differs visibly in hue from primary (hue angles
  HUE_SEPARATION degrees apart, or one of the two neutral, C* below
  NEUTRAL_CHROMA); failing that, the most chromatic remaining color. With
  nothing left, primary rotated HUE_SEPARATION degrees in hue (moved 20 units
  of L* toward mid-grey when primary is neutral).
- accent: the remaining color farthest (CIE76) from its nearest of
  background, primary and secondary, whatever its share: the odd one out.
  With nothing left, primary's complementary hue (moved 30 units of L*
  toward mid-grey when primary is neutral).

Every one of these gets a text token "on-<name>" that passes min_contrast
(WCAG AA for normal text, 4.5:1, by default) against it:

1. the palette color with the highest contrast, if it passes;
2. otherwise a palette color moved in L* (hue and chroma kept, chroma
   reduced only to stay inside sRGB) toward white or black, whichever end
   contrasts more with the token, just far enough to pass: of all palette
   colors, the one that needs the smallest move. The text keeps the hue of
   the image instead of turning plain white or black;
3. otherwise (no palette color passes even when moved all the way, which
   only happens above 4.58:1, or the palette is empty) white or black,
   whichever contrasts more; if neither passes, the token itself is moved
   in L* just far enough for it to pass.

Every move in steps 2 and 3 is listed under "adjusted" with the token, its
color before and after and the change in L*. At 4.5:1 step 3 never moves a
token: the ratios of a color against white and against black multiply to
21, so the larger is at least sqrt(21) = 4.58. Ratios are checked on the
final 8-bit colors, and every pair is listed with its ratio under "pairs".
"""

import math
from dataclasses import dataclass

from . import color
from .contrast import AA_NORMAL, BLACK, WHITE, hex_contrast, luminance_of_hex

SURFACE_TOKENS = ("background", "surface", "primary", "secondary", "accent")
MIN_SHARE = 0.05
SURFACE_STEP = 6.0
HUE_SEPARATION = 30.0
NEUTRAL_CHROMA = 10.0


@dataclass(frozen=True)
class _Color:
    hex: str
    lab: tuple[float, float, float]
    share: float
    index: int | None

    @property
    def chroma(self):
        return math.hypot(self.lab[1], self.lab[2])

    @property
    def hue(self):
        return math.degrees(math.atan2(self.lab[2], self.lab[1])) % 360.0

    @property
    def neutral(self):
        return self.chroma < NEUTRAL_CHROMA


def _from_lab(lab):
    """Return a derived _Color for a CIELAB color, fitted into sRGB."""
    rgb = color.fit_to_srgb8(lab)
    fitted = color.srgb8_to_lab(rgb)
    return _Color(color.to_hex(rgb), tuple(float(v) for v in fitted), 0.0, None)


def _toward_middle(lab, step):
    """Return lab with L* moved step units toward 50, clamped to [0, 100]."""
    lightness = lab[0] + step if lab[0] < 50.0 else lab[0] - step
    return (min(max(lightness, 0.0), 100.0), lab[1], lab[2])


def _rotate_hue(lab, degrees):
    angle = math.radians(degrees)
    a = lab[1] * math.cos(angle) - lab[2] * math.sin(angle)
    b = lab[1] * math.sin(angle) + lab[2] * math.cos(angle)
    return (lab[0], a, b)


def _hue_distance(first, second):
    difference = abs(first.hue - second.hue) % 360.0
    return min(difference, 360.0 - difference)


def _distinct_hue(first, second):
    if first.neutral or second.neutral:
        return first.neutral != second.neutral
    return _hue_distance(first, second) >= HUE_SEPARATION


def _most_chromatic(candidates):
    # Ties go to the larger share, then to the earlier palette color.
    return max(candidates, key=lambda c: (c.chroma, c.share, -c.index))


def _percent(share):
    return f"{share * 100:.1f}%"


def _choose_background(colors):
    if not colors:
        return _from_lab((100.0, 0.0, 0.0)), "white: the palette is empty"
    first = colors[0]
    return first, f"palette color 1, the largest share ({_percent(first.share)})"


def _choose_primary(colors, background):
    others = [c for c in colors if c is not background]
    strong = [c for c in others if c.share >= MIN_SHARE]
    if strong:
        chosen = _most_chromatic(strong)
        return chosen, (
            f"palette color {chosen.index + 1}, the most chromatic covering at "
            f"least {_percent(MIN_SHARE)} (C* {chosen.chroma:.1f})"
        )
    if others:
        chosen = _most_chromatic(others)
        return chosen, (
            f"palette color {chosen.index + 1}, the most chromatic of the small "
            f"ones (C* {chosen.chroma:.1f})"
        )
    lab = background.lab
    lightness = lab[0] - 40.0 if lab[0] >= 50.0 else lab[0] + 40.0
    return _from_lab((lightness, lab[1], lab[2])), (
        "derived: the background moved 40 L* toward the far end"
    )


def _choose_secondary(colors, taken, primary):
    rest = [c for c in colors if c not in taken]
    strong = [c for c in rest if c.share >= MIN_SHARE]
    distinct = [c for c in strong if _distinct_hue(c, primary)]
    if distinct:
        chosen = _most_chromatic(distinct)
        return chosen, (
            f"palette color {chosen.index + 1}, the most chromatic covering at "
            f"least {_percent(MIN_SHARE)} whose hue differs from primary"
        )
    if rest:
        chosen = _most_chromatic(rest)
        return chosen, (
            f"palette color {chosen.index + 1}, the most chromatic remaining color"
        )
    if primary.neutral:
        return _from_lab(_toward_middle(primary.lab, 20.0)), (
            "derived: primary moved 20 L* toward mid-grey"
        )
    return _from_lab(_rotate_hue(primary.lab, HUE_SEPARATION)), (
        f"derived: primary rotated {HUE_SEPARATION:.0f} degrees in hue"
    )


def _choose_accent(colors, taken, primary):
    rest = [c for c in colors if c not in taken]
    if rest:

        def separation(candidate):
            nearest = min(math.dist(candidate.lab, other.lab) for other in taken)
            return (nearest, candidate.share, -candidate.index)

        chosen = max(rest, key=separation)
        return chosen, (
            f"palette color {chosen.index + 1}, the one farthest from background, "
            "primary and secondary"
        )
    if primary.neutral:
        return _from_lab(_toward_middle(primary.lab, 30.0)), (
            "derived: primary moved 30 L* toward mid-grey"
        )
    return _from_lab(_rotate_hue(primary.lab, 180.0)), (
        "derived: the complementary hue of primary"
    )


def _palette_text(colors, surface, min_contrast):
    """Return the passing palette color with the highest contrast, or None."""
    best = None
    for candidate in colors:
        ratio = hex_contrast(candidate.hex, surface.hex)
        if ratio >= min_contrast and (best is None or ratio > best[1]):
            best = (candidate, ratio)
    return best


def _lightness_of(luminance):
    """Return the CIELAB L* of a relative luminance (Y, white = 1)."""
    if luminance > (6.0 / 29.0) ** 3:
        return 116.0 * luminance ** (1.0 / 3.0) - 16.0
    return luminance * (29.0 / 3.0) ** 3


def _needed_lightness(fixed_hex, direction, min_contrast):
    """Return the L* a color must reach to pass against fixed_hex, or None.

    direction +1.0 asks for a lighter color, -1.0 for a darker one; None
    means no luminance in that direction gives min_contrast.
    """
    fixed = luminance_of_hex(fixed_hex)
    if direction > 0:
        needed = min_contrast * (fixed + 0.05) - 0.05
    else:
        needed = (fixed + 0.05) / min_contrast - 0.05
    if not 0.0 <= needed <= 1.0:
        return None
    return _lightness_of(needed)


def _move_lightness(moving, fixed_hex, direction, min_contrast):
    """Return moving shifted in L* toward direction until it passes, or None.

    direction is +1.0 (lighter) or -1.0 (darker); the move is the smallest
    that gives min_contrast against fixed_hex, and None means that no move
    does. Relative luminance is CIE Y, so the L* to reach follows from the
    ratio directly; a short walk then absorbs what fitting into sRGB and
    rounding to 8 bits change.
    """
    target = _needed_lightness(fixed_hex, direction, min_contrast)
    if target is None:
        return None
    span = 100.0 - moving.lab[0] if direction > 0 else moving.lab[0]

    def moved(delta):
        lightness = moving.lab[0] + direction * delta
        return _from_lab((lightness, moving.lab[1], moving.lab[2]))

    def passes(candidate):
        return hex_contrast(candidate.hex, fixed_hex) >= min_contrast

    delta = min(span, max(0.0, (target - moving.lab[0]) * direction))
    result = moved(delta)
    while not passes(result):
        if delta >= span:
            return None
        delta = min(span, delta + 0.1)
        result = moved(delta)
    return result


def _moved_palette_text(colors, surface, min_contrast):
    """Return the palette color that passes after the smallest L* move.

    Every color moves toward the end, white or black, that contrasts more
    with surface, so the one already nearest that end in L* has the least
    way to go. Return (original, moved), or None when it cannot pass.
    """
    if not colors:
        return None
    lighter = hex_contrast(WHITE, surface.hex) >= hex_contrast(BLACK, surface.hex)
    direction = 1.0 if lighter else -1.0
    # Ties go to the earlier palette color.
    nearest = max(colors, key=lambda c: (direction * c.lab[0], -c.index))
    moved = _move_lightness(nearest, surface.hex, direction, min_contrast)
    return None if moved is None else (nearest, moved)


def _adjustment(token, before, after):
    return {
        "token": token,
        "from": before.hex,
        "to": after.hex,
        "delta_l": round(after.lab[0] - before.lab[0], 2),
    }


def derive_tokens(palette, *, min_contrast=AA_NORMAL):
    """Return design tokens for palette entries (see the module docstring).

    The result holds "colors" (token name to "#rrggbb", each surface token
    followed by its "on-" text token), "roles" (how each was chosen),
    "pairs" (every surface and text pair with its contrast ratio),
    "adjusted" (text and surface tokens moved in L* to reach min_contrast)
    and "min_contrast".
    """
    if not 1.0 <= min_contrast <= 21.0:
        raise ValueError("min_contrast must lie between 1 and 21")
    colors = [
        _Color(entry["hex"], tuple(entry["lab"]), entry["share"], index)
        for index, entry in enumerate(palette)
    ]

    chosen = {}
    roles = {}
    background, roles["background"] = _choose_background(colors)
    chosen["background"] = background
    chosen["surface"] = _from_lab(_toward_middle(background.lab, SURFACE_STEP))
    roles["surface"] = (
        f"derived: the background moved {SURFACE_STEP:.0f} L* toward mid-grey"
    )
    primary, roles["primary"] = _choose_primary(colors, background)
    chosen["primary"] = primary
    taken = [background, primary]
    secondary, roles["secondary"] = _choose_secondary(colors, taken, primary)
    chosen["secondary"] = secondary
    taken.append(secondary)
    chosen["accent"], roles["accent"] = _choose_accent(colors, taken, primary)

    result_colors = {}
    adjusted = []
    pairs = []
    for name in SURFACE_TOKENS:
        surface = chosen[name]
        text_name = f"on-{name}"
        found = _palette_text(colors, surface, min_contrast)
        moved_text = None
        if found is None:
            moved_text = _moved_palette_text(colors, surface, min_contrast)
        if found is not None:
            text = found[0].hex
            roles[text_name] = f"palette color {found[0].index + 1}"
        elif moved_text is not None:
            original, moved = moved_text
            text = moved.hex
            adjusted.append(_adjustment(text_name, original, moved))
            roles[text_name] = (
                f"palette color {original.index + 1}, L* moved to reach "
                f"{min_contrast:g}:1"
            )
        else:
            on_white = hex_contrast(WHITE, surface.hex)
            on_black = hex_contrast(BLACK, surface.hex)
            text = WHITE if on_white >= on_black else BLACK
            roles[text_name] = "white" if text == WHITE else "black"
            if max(on_white, on_black) < min_contrast:
                # Away from the text: lighter under black, darker under white.
                direction = 1.0 if text == BLACK else -1.0
                moved = _move_lightness(surface, text, direction, min_contrast)
                adjusted.append(_adjustment(name, surface, moved))
                roles[name] += f"; L* moved to reach {min_contrast:g}:1"
                surface = moved
        result_colors[name] = surface.hex
        result_colors[text_name] = text
        ratio = hex_contrast(surface.hex, text)
        pairs.append(
            {
                "token": name,
                "text": text_name,
                "ratio": round(ratio, 2),
                "passes": bool(ratio >= min_contrast),
            }
        )

    return {
        "colors": result_colors,
        "roles": roles,
        "pairs": pairs,
        "adjusted": adjusted,
        "min_contrast": min_contrast,
    }


def token_contrast(tokens):
    """Return the unrounded contrast ratio of every surface and text pair."""
    colors = tokens["colors"]
    return {
        name: hex_contrast(colors[name], colors[f"on-{name}"])
        for name in SURFACE_TOKENS
        if name in colors
    }
