"""System checks for the audit trail's settings."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from auditlog import conf

BACKEND = "auditlog.backends.LockoutBackend"
MIDDLEWARE = "auditlog.middleware.AuditMiddleware"


def check_settings(app_configs=None, **kwargs):
    errors = []
    try:
        conf.trusted_proxies()
    except ImproperlyConfigured as exc:
        errors.append(
            checks.Error(
                str(exc),
                hint="Use a number of hops (1) or addresses and networks "
                "(10.0.0.0/8,192.0.2.7).",
                id="auditlog.E001",
            )
        )
    for name, value in (
        ("JANUS_LOCKOUT_FAILURES", conf.lockout_failures),
        ("JANUS_LOCKOUT_WINDOW", lambda: conf.lockout_window().total_seconds()),
        ("JANUS_LOCKOUT_COOLOFF", lambda: conf.lockout_cooloff().total_seconds()),
    ):
        try:
            bad = value() < 0
        except (TypeError, ValueError):
            bad = True
        if bad:
            errors.append(
                checks.Error(
                    f"{name} must be a whole number of zero or more.",
                    id="auditlog.E002",
                )
            )
    try:
        lockout_on = conf.lockout_failures() > 0
    except (TypeError, ValueError):
        lockout_on = True  # E002 above already says what is wrong
    if lockout_on and BACKEND not in getattr(settings, "AUTHENTICATION_BACKENDS", []):
        errors.append(
            checks.Warning(
                "Lockouts are recorded but not enforced.",
                hint=f"Use {BACKEND!r} in AUTHENTICATION_BACKENDS instead of "
                "ModelBackend.",
                id="auditlog.W001",
            )
        )
    middleware = list(getattr(settings, "MIDDLEWARE", []))
    auth = "django.contrib.auth.middleware.AuthenticationMiddleware"
    if MIDDLEWARE not in middleware or (
        auth in middleware and middleware.index(MIDDLEWARE) < middleware.index(auth)
    ):
        errors.append(
            checks.Warning(
                "Log entries will not name the user or address of a request, "
                "and refused pages will not be recorded.",
                hint=f"Add {MIDDLEWARE!r} to MIDDLEWARE after "
                "AuthenticationMiddleware.",
                id="auditlog.W002",
            )
        )
    return errors


def register() -> None:
    checks.register(check_settings, checks.Tags.security)
