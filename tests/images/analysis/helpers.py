"""Build test images in memory."""

import io

from PIL import Image


def two_color_image(size=(100, 10), split=70, left="#1e3a8a", right="#fbbf24"):
    """Return an RGB image: the first split columns left, the rest right."""
    image = Image.new("RGB", size, right)
    image.paste(left, (0, 0, split, size[1]))
    return image


def grey_ramp(rows=4):
    """Return a 256 x rows greyscale ramp, column i holding grey level i."""
    image = Image.new("RGB", (256, rows))
    image.putdata([(x, x, x) for _ in range(rows) for x in range(256)])
    return image


def encoded(image, format_name, **options):
    """Return image saved in format_name and reopened from memory."""
    buffer = io.BytesIO()
    image.save(buffer, format=format_name, **options)
    buffer.seek(0)
    return Image.open(buffer)


def stripes_image(stripes, height=20):
    """Return an RGB image of vertical stripes from (color, width) pairs."""
    image = Image.new("RGB", (sum(width for _color, width in stripes), height))
    left = 0
    for fill, width in stripes:
        image.paste(fill, (left, 0, left + width, height))
        left += width
    return image
