"""Build the analysis document stored with every image.

The document is plain JSON-ready data with the keys "palette", "luminance",
"alpha", "contrast", "tokens" and "algorithm"; the modules named after each
key describe its contents.
"""

import logging
import time

from .contrast import AA_NORMAL, contrast_report
from .luminance import luminance_summary
from .palette import (
    ALGORITHM_NAME,
    ALGORITHM_VERSION,
    DEFAULT_COLORS,
    grid_sample,
    palette_from_pixels,
    round_shares,
)
from .sampling import ALPHA_CUTOFF, load_sample, open_image
from .tokens import derive_tokens

logger = logging.getLogger(__name__)


def alpha_summary(histogram):
    """Return the alpha section for a 256-bin alpha histogram (None: no alpha).

    transparent is alpha 0, opaque alpha 255 and translucent everything in
    between, as shares of all pixels of the full-size image. Only pixels
    with alpha of at least "cutoff" enter the other sections.
    """
    if histogram is None:
        return {"has_alpha": False}
    transparent, opaque = histogram[0], histogram[255]
    translucent = sum(histogram) - transparent - opaque
    shares = round_shares([transparent, translucent, opaque])
    return {
        "has_alpha": True,
        "transparent": shares[0],
        "translucent": shares[1],
        "opaque": shares[2],
        "cutoff": ALPHA_CUTOFF,
    }


def analyze(image, *, colors=DEFAULT_COLORS, min_contrast=AA_NORMAL):
    """Return the analysis document of a PIL image.

    colors is the largest palette size; min_contrast the WCAG ratio every
    text token reaches against its surface token. A path or a file object
    is read as well, but analyze_image also closes the file afterwards.
    """
    return _analyze(image, colors, min_contrast, time.perf_counter())


def analyze_image(path, *, colors=DEFAULT_COLORS, min_contrast=AA_NORMAL):
    """Open the image at path (or a file object), analyse it and close it.

    Unreadable files raise what Pillow raises: PIL.UnidentifiedImageError,
    OSError or Image.DecompressionBombError.
    """
    started = time.perf_counter()
    with open_image(path) as image:
        return _analyze(image, colors, min_contrast, started)


def _analyze(image, colors, min_contrast, started):
    sample = load_sample(image)
    pixels = grid_sample(sample.pixels)

    palette = palette_from_pixels(pixels, colors=colors)
    document = {
        "palette": palette,
        "luminance": luminance_summary(pixels),
        "alpha": alpha_summary(sample.alpha_histogram),
        "contrast": contrast_report(palette),
        "tokens": derive_tokens(palette, min_contrast=min_contrast),
    }

    duration_ms = (time.perf_counter() - started) * 1000.0
    document["algorithm"] = {
        "name": ALGORITHM_NAME,
        "version": ALGORITHM_VERSION,
        "colors": colors,
        "sample_size": len(pixels),
        "source_size": list(sample.source_size),
        "duration_ms": round(duration_ms, 2),
    }
    logger.debug(
        "image analysed sample_size=%d colors=%d duration_ms=%.2f",
        len(pixels),
        len(palette),
        duration_ms,
    )
    return document
