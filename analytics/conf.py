"""Settings of the analytics app, with their defaults, read at call time.

None of them needs setting: the defaults suit a research team of a few
people. ``janus/settings.py`` may set any of them from the environment.
"""

from django.conf import settings

DEFAULT_PERIOD_DAYS = 30
DEFAULT_DASHBOARD_DAYS = 30
DEFAULT_COLOR_DELTA_E = 10.0
DEFAULT_TOP_COLORS = 12
DEFAULT_DASHBOARD_ANALYSES = 200
DEFAULT_IMPORT_MAX_MB = 20
DEFAULT_EXPORT_CHUNK_SIZE = 500


def period_days() -> int:
    """Return how many days a computed report covers unless told otherwise."""
    return int(getattr(settings, "JANUS_ANALYTICS_PERIOD_DAYS", DEFAULT_PERIOD_DAYS))


def dashboard_days() -> int:
    """Return how many days the charts on the admin index show."""
    return int(
        getattr(settings, "JANUS_ANALYTICS_DASHBOARD_DAYS", DEFAULT_DASHBOARD_DAYS)
    )


def color_delta_e() -> float:
    """Return the CIELAB distance under which palette colours count as one."""
    return float(
        getattr(settings, "JANUS_ANALYTICS_COLOR_DELTA_E", DEFAULT_COLOR_DELTA_E)
    )


def top_colors() -> int:
    """Return how many merged colours the reports and the dashboard list."""
    return int(getattr(settings, "JANUS_ANALYTICS_TOP_COLORS", DEFAULT_TOP_COLORS))


def dashboard_analyses() -> int:
    """Return how many recent analyses feed the dashboard's colour strip.

    The bound keeps the admin index fast however many images there are.
    """
    return int(
        getattr(
            settings, "JANUS_ANALYTICS_DASHBOARD_ANALYSES", DEFAULT_DASHBOARD_ANALYSES
        )
    )


def import_max_bytes() -> int:
    """Return the largest file of records the admin import accepts."""
    megabytes = getattr(
        settings, "JANUS_ANALYTICS_IMPORT_MAX_MB", DEFAULT_IMPORT_MAX_MB
    )
    return int(float(megabytes) * 1024 * 1024)


def export_chunk_size() -> int:
    """Return how many records an export reads from the database at a time."""
    return int(
        getattr(
            settings, "JANUS_ANALYTICS_EXPORT_CHUNK_SIZE", DEFAULT_EXPORT_CHUNK_SIZE
        )
    )
