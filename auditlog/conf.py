"""Settings of the audit trail, with their defaults, read at call time.

``janus/settings.py`` reads the environment; this module only interprets
the values and fills in defaults, so tests can change a setting with
``override_settings`` and see the effect at once.
"""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_LOCKOUT_FAILURES = 5
DEFAULT_LOCKOUT_WINDOW = 15 * 60
DEFAULT_LOCKOUT_COOLOFF = 15 * 60
DEFAULT_AUDIT_LOGGERS = ("janus", "accounts", "images", "analytics")
DEFAULT_AUDIT_WRITE_TIMEOUT_MS = 2000
DEFAULT_EXPORT_CHUNK_SIZE = 2000

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def lockout_failures() -> int:
    """Return how many failures lock a username or an IP; 0 turns it off."""
    return int(getattr(settings, "JANUS_LOCKOUT_FAILURES", DEFAULT_LOCKOUT_FAILURES))


def lockout_window() -> timedelta:
    """Return how far back failed sign-ins count towards a lockout."""
    seconds = getattr(settings, "JANUS_LOCKOUT_WINDOW", DEFAULT_LOCKOUT_WINDOW)
    return timedelta(seconds=int(seconds))


def lockout_cooloff() -> timedelta:
    """Return how long a lockout lasts unless it is lifted earlier."""
    seconds = getattr(settings, "JANUS_LOCKOUT_COOLOFF", DEFAULT_LOCKOUT_COOLOFF)
    return timedelta(seconds=int(seconds))


def audit_loggers() -> tuple[str, ...]:
    """Return the logger hierarchies whose records the handler persists."""
    names = getattr(settings, "JANUS_AUDIT_LOGGERS", DEFAULT_AUDIT_LOGGERS)
    return tuple(name for name in names if name)


def audit_write_timeout_ms() -> int:
    """Return how long one write of the handler may wait for a lock."""
    return int(
        getattr(settings, "JANUS_AUDIT_WRITE_TIMEOUT", DEFAULT_AUDIT_WRITE_TIMEOUT_MS)
    )


def export_chunk_size() -> int:
    """Return how many rows an export reads from the database at a time."""
    return int(
        getattr(settings, "JANUS_AUDIT_EXPORT_CHUNK_SIZE", DEFAULT_EXPORT_CHUNK_SIZE)
    )


def trusted_proxies() -> int | tuple[Network, ...]:
    """Return the proxies trusted to set ``X-Forwarded-For``.

    ``JANUS_TRUSTED_PROXIES`` is either a number of proxy hops in front of
    Janus or a list of proxy addresses and networks. Either way the default,
    0, trusts nobody and the client address is ``REMOTE_ADDR``. Raise
    ``ImproperlyConfigured`` for a value that is neither.
    """
    value = getattr(settings, "JANUS_TRUSTED_PROXIES", 0)
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ImproperlyConfigured("JANUS_TRUSTED_PROXIES must not be negative.")
        return value
    if isinstance(value, (list, tuple)):
        items = [str(item).strip() for item in value]
        if len(items) == 1 and items[0].isdigit():
            return int(items[0])
        try:
            return tuple(ipaddress.ip_network(item, strict=False) for item in items)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"JANUS_TRUSTED_PROXIES holds an entry that is not an address or "
                f"network: {exc}"
            ) from exc
    raise ImproperlyConfigured(
        "JANUS_TRUSTED_PROXIES must be a number of hops or a list of addresses."
    )
