"""Decode an image into a small, bounded sample of pixels.

Every analysis step works on this sample, so its cost does not grow with the
megapixels of the upload beyond the decoding itself: JPEGs are decoded at a
reduced scale by libjpeg (Pillow's draft mode), and every image is then
thinned to at most SAMPLE_PIXELS pixels. Alpha statistics are the one
exception; they count the full-size alpha band.

Pixel values are read as sRGB. An embedded ICC profile is not applied, which
matters only for images tagged with a wide-gamut profile.
"""

import math
import os
from dataclasses import dataclass

import numpy as np
from PIL import Image

# Pixels in the sample, about 128 x 128. Twice as many lower the palette
# error on the benchmark corpus by only 0.3% and cost time in every step.
SAMPLE_PIXELS = 16384
# A pixel counts as visible, and so enters every statistic, from this alpha on.
ALPHA_CUTOFF = 128


@dataclass(frozen=True)
class Sample:
    """Hold the visible pixels of a reduced image and its alpha counts."""

    pixels: np.ndarray
    source_size: tuple[int, int]
    sample_size: tuple[int, int]
    alpha_histogram: list[int] | None

    @property
    def has_alpha(self):
        return self.alpha_histogram is not None


def open_image(source):
    """Return a PIL image for a path, a file object or an open image."""
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, (str, os.PathLike)):
        return Image.open(os.fspath(source))
    return Image.open(source)


def _has_alpha(image):
    # A "transparency" entry is a PNG tRNS chunk or a GIF transparent index:
    # one palette index, grey level or RGB value that stands for clear.
    return image.mode in ("RGBA", "LA", "PA", "RGBa") or "transparency" in image.info


def sample_dimensions(size, limit=SAMPLE_PIXELS):
    """Return size scaled down, aspect kept, to at most limit pixels."""
    width, height = size
    if width * height <= limit:
        return width, height
    scale = math.sqrt(limit / (width * height))
    return max(1, int(width * scale)), max(1, int(height * scale))


def load_sample(source, *, limit=SAMPLE_PIXELS):
    """Decode source into a Sample of at most limit pixels.

    JPEGs are decoded at the smallest DCT scale that still covers the sample
    (libjpeg averages the pixels it drops); any image is then thinned to the
    sample by nearest-neighbour selection, which keeps real pixel values
    rather than blends and costs almost nothing. A JPEG passed in still
    undecoded is switched to draft mode, a change the caller sees.
    """
    image = open_image(source)
    source_size = image.size
    target = sample_dimensions(source_size, limit)
    if image.format in ("JPEG", "MPO") and target != source_size:
        # Draft mode is a no-op on an image that is already decoded.
        image.draft("RGB", target)

    if image.mode == "I" or image.mode.startswith("I;16"):
        # Pillow clips 16-bit grey to 255 when converting to RGB; keep the
        # high byte instead, and turn a transparent grey level into alpha
        # here, while the full value is still there to compare.
        values = np.asarray(image).astype(np.int64)
        high = np.clip(values >> 8, 0, 255).astype(np.uint8)
        key = image.info.get("transparency")
        if isinstance(key, int):
            alpha = np.where(values == key, 0, 255).astype(np.uint8)
            image = Image.fromarray(np.dstack([high, high, high, alpha]), "RGBA")
        else:
            image = Image.fromarray(high, "L")

    alpha_histogram = None
    if _has_alpha(image):
        if image.mode != "RGBA":
            image = image.convert("RGBA")
        alpha_histogram = image.getchannel("A").histogram()
        mode = "RGBA"
    else:
        mode = "RGB"
        if image.mode not in ("RGB", "L"):
            # Palette and CMYK images are converted before thinning, so
            # that the conversion runs once on the source colors.
            image = image.convert("RGB")

    target = sample_dimensions(image.size, limit)
    if target != image.size:
        image = image.resize(target, Image.Resampling.NEAREST)
    if image.mode != mode:
        image = image.convert(mode)

    array = np.asarray(image)
    if mode == "RGBA":
        pixels = array[array[..., 3] >= ALPHA_CUTOFF][:, :3]
    else:
        pixels = array.reshape(-1, 3)
    return Sample(
        pixels=np.ascontiguousarray(pixels),
        source_size=source_size,
        sample_size=image.size,
        alpha_histogram=alpha_histogram,
    )
