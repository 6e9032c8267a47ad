"""Settings come from the environment; a missing secret is a start-up error."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    """Import janus.settings in a fresh interpreter with ``env``; return it."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    environment.update({key: value for key, value in env.items() if value is not None})
    code = (
        "import json, janus.settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'db': s.DATABASES['default'], 'tz': s.TIME_ZONE, "
        "'use_tz': s.USE_TZ, 'hosts': s.ALLOWED_HOSTS}, default=str))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_missing_secret_key_without_debug_is_a_clear_error(tmp_path):
    result = load_settings(
        DEBUG="false", SECRET_KEY="", DATABASE_URL="sqlite://:memory:"
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_runs_without_secret_key():
    result = load_settings(
        DEBUG="true", SECRET_KEY="", DATABASE_URL="sqlite://:memory:"
    )
    assert result.returncode == 0, result.stderr


def test_postgres_url_is_understood():
    import json

    result = load_settings(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/janus",
    )
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)["db"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "janus"
    assert database["HOST"] == "127.0.0.1"
    assert database["PORT"] == 5432


def test_default_database_is_sqlite_file_under_var():
    import json

    result = load_settings(SECRET_KEY="x" * 50, DATABASE_URL=None)
    assert result.returncode == 0, result.stderr
    database = json.loads(result.stdout)["db"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == ROOT / "var" / "janus.sqlite3"


def test_time_zone_support_is_on(settings):
    assert settings.USE_TZ is True
