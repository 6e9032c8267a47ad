"""Rows the analytics tests share: images and analyses with known values."""

import itertools

from model_bakery import baker

from images.models import AnalysisStatus, Image, ImageAnalysis

_serial = itertools.count(1)


def make_image(**fields) -> Image:
    """Return a saved image row; no file is written, only the columns."""
    number = next(_serial)
    fields.setdefault("image_metadata", {"format": "PNG"})
    return baker.make(
        Image,
        file=f"images/analytics-{number}.png",
        sha256=f"{number:064x}",
        **fields,
    )


def make_analysis(image: Image, *, results: dict, **fields) -> ImageAnalysis:
    fields.setdefault("status", AnalysisStatus.SUCCEEDED)
    return baker.make(ImageAnalysis, image=image, analysis_results=results, **fields)


def palette(*colors: tuple[str, float]) -> list[dict]:
    """Return palette entries for ``(hex, share)`` pairs, without CIELAB."""
    return [{"hex": hex_value, "share": share} for hex_value, share in colors]
