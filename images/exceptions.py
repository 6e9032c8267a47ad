"""Exceptions raised by the images app.

This module imports nothing from Django, so the Pillow-only modules
(``metadata.py``, ``thumbnails.py``) can raise these errors in a worker that
has no Django set-up. The ingest service turns them into a ``ValidationError``
for the admin.
"""

from janus.exceptions import JanusError


class ImageRejected(JanusError, ValueError):
    """Signal that a file is not an image Janus accepts.

    ``code`` is a short machine string for callers and logs; ``message`` is a
    sentence for the person who uploaded the file. The codes are:

    - ``empty``: the file has no bytes.
    - ``too_large``: the file is bigger than the byte limit.
    - ``too_many_pixels``: the image declares more pixels than the limit, so
      it is refused before decoding (a decompression bomb is one of these).
    - ``unsupported_format``: not a raster format Janus accepts, or a variant
      of one that Pillow cannot decode.
    - ``corrupt``: the file claims to be an accepted format but is damaged.
    - ``truncated``: the file ends before the image data does.
    - ``metadata_too_large``: a PNG text chunk decompresses to more than
      Pillow's safety limit, so the image is refused rather than read.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


class DuplicateImage(ImageRejected):
    """Signal that the same content is already stored as ``existing``.

    Janus refuses the second copy and points at the first, so one image
    never has two rows with diverging analyses.
    """

    def __init__(self, existing) -> None:
        super().__init__(
            "duplicate", f"The same image is already in Janus as {existing}."
        )
        self.existing = existing
