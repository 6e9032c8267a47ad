"""Export design tokens as DTCG JSON and as CSS custom properties.

to_dtcg follows the Design Tokens Format Module 2025.10 of the W3C Design
Tokens Community Group: a "color" group that declares "$type": "color" once
for all its tokens, and each token's "$value" an object with "colorSpace"
"srgb", "components" (red, green and blue from 0 to 1) and the "hex"
fallback. Style Dictionary 5 and Terrazzo 2 read the file as it is.
"""

from . import color
from .tokens import SURFACE_TOKENS, token_contrast


def _tokens_of(tokens):
    # Accept the whole analysis document as well as its "tokens" part.
    if "tokens" in tokens and "colors" not in tokens:
        return tokens["tokens"]
    return tokens


def dtcg_color(value):
    """Return the DTCG 2025.10 "$value" object of a "#rrggbb" color."""
    rgb = color.from_hex(value)
    return {
        "colorSpace": "srgb",
        "components": [round(c / 255.0, 5) for c in rgb],
        "hex": color.to_hex(rgb),
    }


def to_dtcg(tokens, *, palette=None):
    """Return the tokens as a DTCG 2025.10 document (a JSON-ready dict).

    Tokens sit in one "color" group, in the order surface, then its "on-"
    text token. palette, a list of palette entries, adds a nested "palette"
    group with the colors numbered from 1 in share order.
    """
    tokens = _tokens_of(tokens)
    roles = tokens.get("roles", {})
    ratios = token_contrast(tokens)
    group = {
        "$type": "color",
        "$description": (
            "Colors derived from an image palette by Janus; every on-* token "
            f"reaches {tokens.get('min_contrast', 4.5):g}:1 WCAG contrast "
            "against its surface."
        ),
    }
    for name, value in tokens["colors"].items():
        token = {"$value": dtcg_color(value)}
        description = roles.get(name)
        surface = name.removeprefix("on-")
        if name.startswith("on-") and surface in ratios:
            description = (
                f"Text and icons on {surface} ({ratios[surface]:.2f}:1); {description}"
            )
        if description:
            token["$description"] = description[0].upper() + description[1:]
        group[name] = token

    if palette:
        group["palette"] = {
            "$description": "Dominant colors of the image, largest share first.",
            **{
                str(number): {
                    "$value": dtcg_color(entry["hex"]),
                    "$description": f"Share {entry['share'] * 100:.2f}%",
                }
                for number, entry in enumerate(palette, start=1)
            },
        }
    return {"color": group}


def to_css(tokens, *, prefix="janus", selector=":root"):
    """Return the tokens as CSS custom properties, one per line.

    Names are --<prefix>-<token>, for example --janus-on-primary.
    """
    tokens = _tokens_of(tokens)
    colors = tokens["colors"]
    names = [n for n in colors if n.removeprefix("on-") in SURFACE_TOKENS]
    names += [n for n in colors if n not in names]
    lines = [f"{selector} {{"]
    lines += [f"  --{prefix}-{name}: {colors[name]};" for name in names]
    lines.append("}")
    return "\n".join(lines) + "\n"
