"""Settings for the test suite: the real settings plus test-only speed-ups."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "janus-tests-only-not-a-secret")

from janus.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="janus-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="janus-test-static-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False

# A SQLite test database in a file, not in memory: tests with parallel
# requests then meet SQLite's real locking, as a deployment would.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"janus-test-{os.getpid()}.sqlite3")
    }
