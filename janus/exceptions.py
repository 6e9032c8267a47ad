"""The root of every Janus exception.

Each app keeps its own exceptions in its ``exceptions.py`` and derives them
from :class:`JanusError`, so callers can catch Janus failures in one place.
This module imports nothing from Django.
"""


class JanusError(Exception):
    """Base class for errors raised by Janus code."""
