"""Analysis work for worker processes; imports nothing from Django.

``manage.py analyze_images --workers N`` sends stored files here through a
process pool; results travel back as plain data and are recorded by the
parent process.
"""

import io
import time

from images.analysis import analyze_image


def analyse_source(
    source: str | bytes, *, colors: int
) -> tuple[dict | None, str, float]:
    """Analyse a file path or file content; never raise.

    Returns ``(document, "", seconds)`` on success and
    ``(None, "ErrorType: message", seconds)`` on failure. ``colors``, the
    largest palette, comes from the parent: a worker reads no settings.
    """
    started = time.perf_counter()
    try:
        target = io.BytesIO(source) if isinstance(source, bytes) else source
        document = analyze_image(target, colors=colors)
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}", time.perf_counter() - started
    return document, "", time.perf_counter() - started
