"""Analyse the colors of an image: palette, luminance, contrast, tokens.

Plain functions on numpy and Pillow, with no Django imports, so that a task
worker or a benchmark can call them directly:

- analyze_image(path) and analyze(image) return the whole JSON-ready
  document (see document);
- palette.extract_palette(path) returns the palette alone;
- export.to_dtcg(tokens) and export.to_css(tokens) turn the tokens into
  files for design tools and stylesheets.
"""

from .document import analyze, analyze_image
from .export import to_css, to_dtcg
from .palette import extract_palette

__all__ = ["analyze", "analyze_image", "extract_palette", "to_css", "to_dtcg"]
