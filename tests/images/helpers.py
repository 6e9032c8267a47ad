"""Images for the tests of the images app, drawn in memory with Pillow."""

import io

from PIL import Image, ImageDraw

# Twelve colours far apart, so that a palette of n <= 12 finds n clusters.
STRIPE_COLORS = [
    (230, 25, 75),
    (60, 180, 75),
    (255, 225, 25),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (210, 245, 60),
    (250, 190, 212),
    (0, 128, 128),
    (170, 110, 40),
]


def stripes_png(*, shift: int = 0) -> bytes:
    """Return a PNG of twelve equal stripes in twelve distinct colours.

    ``shift`` moves the first colour along, so that images differ in
    content (and hash) while holding the same colours.
    """
    colors = STRIPE_COLORS[shift:] + STRIPE_COLORS[:shift]
    image = Image.new("RGB", (10 * len(colors), 40))
    draw = ImageDraw.Draw(image)
    for index, color in enumerate(colors):
        draw.rectangle([index * 10, 0, index * 10 + 9, 39], fill=color)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
