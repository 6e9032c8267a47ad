import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


# How long a process waits for another's SQLite write lock before it fails
# with "database is locked"; the driver's default, five seconds, is less
# than a loaded CI machine can take.
SQLITE_BUSY_TIMEOUT = 60


class SharedDatabase:
    """Run Janus processes against the database of the current test.

    The processes connect to the test database itself (the test must
    commit, hence ``transactional_db``): on PostgreSQL by name, on SQLite by
    the file ``tests/settings.py`` puts it in. Only an in-memory SQLite test
    database, which no other process can open, is copied to a file when the
    first process starts; rows written by the test after that stay invisible
    to the processes.
    """

    def __init__(self, env: dict, sqlite_path: Path | None = None):
        self.env = env
        self.sqlite_path = sqlite_path

    def _share(self) -> None:
        if self.sqlite_path is None or "DATABASE_URL" in self.env:
            return
        name = connection.settings_dict["NAME"]
        if not connection.creation.is_in_memory_db(name):
            # The file itself: no copy step to fail, and the processes see
            # what the test writes later, as on PostgreSQL.
            path = name
        else:
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            path = self.sqlite_path
        self.env["DATABASE_URL"] = f"sqlite:///{path}?timeout={SQLITE_BUSY_TIMEOUT}"

    def popen(self, *args: str, env: dict | None = None) -> subprocess.Popen:
        self._share()
        return subprocess.Popen(
            [sys.executable, "-m", "tests.auditlog.worker", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def result(self, process: subprocess.Popen, timeout: int = 120):
        stdout, stderr = process.communicate(timeout=timeout)
        assert process.returncode == 0, stderr
        return json.loads(stdout)

    def run(self, *args: str, env: dict | None = None):
        return self.result(self.popen(*args, env=env))

    def manage(self, *args: str, env: dict | None = None):
        self._share()
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """Return a helper that starts Janus processes on this test's database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DEBUG", None)
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = settings["USER"]
        if settings.get("PASSWORD"):
            credentials += f":{settings['PASSWORD']}"
        env["DATABASE_URL"] = (
            f"postgres://{credentials}@{settings['HOST'] or 'localhost'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
        return SharedDatabase(env)
    env.pop("DATABASE_URL", None)
    return SharedDatabase(env, sqlite_path=tmp_path / "shared.sqlite3")
