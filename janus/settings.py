"""Janus settings, read from the environment.

Every value comes from an environment variable (or a ``.env`` file in the
project root) through django-environ; ``.env.example`` documents them all.
This is the only module that reads the environment.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(see .env.example); only a DEBUG=true development server may "
            "run without one."
        )
    # Development only: a fixed, obviously unsafe key so sessions survive
    # restarts of `make run`.
    SECRET_KEY = "janus-development-only-insecure-key"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "janus.apps.JanusAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "janus",
    "accounts",
    "images",
    "auditlog",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "auditlog.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "janus.urls"
WSGI_APPLICATION = "janus.wsgi.application"
ASGI_APPLICATION = "janus.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "janus" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded default is a SQLite file under var/, created on first use.
DEFAULT_SQLITE_PATH = VAR_DIR / "janus.sqlite3"
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DEFAULT_SQLITE_PATH}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"].setdefault(
        "CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60)
    )
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# The original schema uses 32-bit integer keys; keeping them lets existing
# data move without conversion.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
MEDIA_URL = env.str("MEDIA_URL", default="media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security headers; production values unless DEBUG is on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# Readable console output in development; one line per record otherwise.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "console": {
            "format": "%(asctime)s %(levelname)-8s %(name)s: %(message)s",
            "datefmt": "%H:%M:%S",
        },
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "console" if DEBUG else "plain",
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        **{
            name: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
            for name in ("janus", "accounts", "images", "auditlog", "analytics")
        },
    },
}

# Background tasks (colour analysis). "immediate" runs a task in the process
# that queued it; "database" stores it for `manage.py db_worker` processes.
TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
JANUS_TASKS_BACKEND = env.str("JANUS_TASKS_BACKEND", default="immediate")
if JANUS_TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"JANUS_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, "
        f"not {JANUS_TASKS_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[JANUS_TASKS_BACKEND]}}

# Janus's own settings; images/conf.py holds the defaults and the accessors.
JANUS_MAX_UPLOAD_MB = env.int("JANUS_MAX_UPLOAD_MB", default=25)
JANUS_MAX_IMAGE_PIXELS = env.int("JANUS_MAX_IMAGE_PIXELS", default=50_000_000)
JANUS_THUMBNAIL_SIZE = env.int("JANUS_THUMBNAIL_SIZE", default=256)
# Largest palette a colour analysis extracts.
JANUS_ANALYSIS_COLORS = env.int("JANUS_ANALYSIS_COLORS", default=8)
# Password for the `admin` account that `make run` creates when it is missing.
JANUS_ADMIN_PASSWORD = env.str("JANUS_ADMIN_PASSWORD", default="")

# Audit trail; auditlog/conf.py holds the defaults and the accessors.
# Logger hierarchies whose INFO and higher records are kept in the logs
# table (auditlog's own trail records are always kept).
JANUS_AUDIT_LOGGERS = env.list(
    "JANUS_AUDIT_LOGGERS", default=["janus", "accounts", "images", "analytics"]
)
JANUS_AUDIT_WRITE_TIMEOUT = env.int("JANUS_AUDIT_WRITE_TIMEOUT", default=2000)
# Proxy hops (a number) or proxy addresses/networks (a list) in front of
# Janus whose X-Forwarded-For entries are trusted; empty trusts nobody.
JANUS_TRUSTED_PROXIES = env.list("JANUS_TRUSTED_PROXIES", default=[])
JANUS_LOCKOUT_FAILURES = env.int("JANUS_LOCKOUT_FAILURES", default=5)
JANUS_LOCKOUT_WINDOW = env.int("JANUS_LOCKOUT_WINDOW", default=15 * 60)
JANUS_LOCKOUT_COOLOFF = env.int("JANUS_LOCKOUT_COOLOFF", default=15 * 60)
# Django's ModelBackend with the lockout check in front of the password.
AUTHENTICATION_BACKENDS = ["auditlog.backends.LockoutBackend"]
# The audit loggers pass INFO on to the database handler whatever LOG_LEVEL
# is; their console output keeps LOG_LEVEL through a handler of its own.
LOGGING["handlers"]["audit"] = {
    "class": "auditlog.handler.DatabaseHandler",
    "level": "INFO",
}
LOGGING["handlers"]["console_app"] = {
    **LOGGING["handlers"]["console"],
    "level": LOG_LEVEL,
}
for _name in ["auditlog", *JANUS_AUDIT_LOGGERS]:
    _logger = LOGGING["loggers"].setdefault(_name, {"handlers": ["console"]})
    _logger["handlers"] = [
        "console_app" if handler == "console" else handler
        for handler in _logger.get("handlers", [])
    ] + ["audit"]
    _logger["level"] = "DEBUG" if LOG_LEVEL == "DEBUG" else "INFO"
    _logger["propagate"] = False
