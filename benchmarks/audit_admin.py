"""Server time of the audit trail's admin pages against Django's defaults.

Seeds the database through ``manage.py seed`` (unless ``--no-seed``), then
times each page several times in-process through Django's test client (the
whole request: middleware, queries, template rendering) and prints the
median for Janus's admin beside a plain ``ModelAdmin`` registered on a
throwaway ``AdminSite`` with the configuration Django would give the same
columns, filters, search and date drill-down.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/janus_bench \\
        .venv/bin/python benchmarks/audit_admin.py

    DATABASE_URL=sqlite:///var/bench/audit.sqlite3 \\
        .venv/bin/python benchmarks/audit_admin.py --cases first

Run it against a database of its own: it migrates it and adds demo rows.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ["DEBUG"] = "false"

CASES = {
    "logs": [
        ("first page", ""),
        ("filtered by level", "?level__exact=ERROR"),
        ("search for a username", "?q=demo-editor-1"),
        ("search for an IP", "?q=203.0.113.7"),
        ("page 500", "?p=500"),
    ],
    "security": [
        ("first page", ""),
        ("filtered by action", "?action__exact=auth.login_failed"),
        ("search for a username", "?q=demo-auditor-1"),
        ("search for an IP", "?q=203.0.113.7"),
        ("page 500", "?p=500"),
    ],
}
PATHS = {"logs": "auditlog/log/", "security": "auditlog/securityevent/"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--security-events", type=int, default=200_000)
    parser.add_argument("--no-seed", action="store_true", help="Use the rows there.")
    parser.add_argument("--repeat", type=int, default=5, help="Timed runs per page.")
    parser.add_argument(
        "--cases",
        choices=["all", "first"],
        default="all",
        help="'first' times only the first pages (for slow baselines).",
    )
    parser.add_argument(
        "--export",
        action="store_true",
        help="Also stream the whole CSV and JSON export of logs and report the "
        "time, size and the growth of peak memory.",
    )
    parser.add_argument(
        "--skip-default",
        action="store_true",
        help="Do not time Django's default admin.",
    )
    return parser.parse_args()


def migrate_and_seed(args) -> float | None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "janus.settings", "DEBUG": "true"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    if args.no_seed:
        return None
    started = time.perf_counter()
    subprocess.run(
        [
            *manage,
            "seed",
            "--logs",
            str(args.logs),
            "--security-events",
            str(args.security_events),
            "-v0",
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return time.perf_counter() - started


def default_site():
    """Return an AdminSite with Django's stock ModelAdmin for both tables."""
    from django.contrib import admin

    from auditlog.models import Log, SecurityEvent

    site = admin.AdminSite(name="default_admin")

    class DefaultLogAdmin(admin.ModelAdmin):
        list_display = ["timestamp", "level", "module", "action", "username"]
        list_filter = ["level", "module", "timestamp"]
        search_fields = ["action", "module", "username", "ip_address"]
        date_hierarchy = "timestamp"
        ordering = ["-timestamp", "-id"]

    class DefaultSecurityEventAdmin(admin.ModelAdmin):
        list_display = ["timestamp", "action", "username", "ip_address", "user_agent"]
        list_filter = ["action", "timestamp"]
        search_fields = ["username", "ip_address", "user_agent"]
        date_hierarchy = "timestamp"
        ordering = ["-timestamp", "-id"]

    site.register(Log, DefaultLogAdmin)
    site.register(SecurityEvent, DefaultSecurityEventAdmin)
    return site


def timed(client, url: str, repeat: int) -> float:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    runs = []
    for _run in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        runs.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(runs)


def peak_rss_mb() -> float:
    """Return this process's peak resident set size so far, in megabytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_export(client, table: str, fmt: str) -> str:
    """Stream one whole export and return a line of figures for it."""
    before = peak_rss_mb()
    started = time.perf_counter()
    response = client.get(f"/admin/{PATHS[table]}export/{fmt}/")
    assert response.status_code == 200, response.status_code
    size = rows = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    grown = peak_rss_mb() - before
    return (
        f"{table} {fmt:<4} {rows:>10,} lines {size / 2**20:>8.1f} MB "
        f"{seconds:>7.1f} s   peak memory grew {grown:.0f} MB"
    )


def main():
    args = parse_args()
    seconds = migrate_and_seed(args)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib import admin
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path

    from accounts.levels import AdminLevel
    from accounts.models import User
    from accounts.services import admin_grant
    from auditlog.models import Log, SecurityEvent

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE logs")
            cursor.execute("VACUUM ANALYZE security")

    urls = types.ModuleType("audit_admin_bench_urls")
    urls.urlpatterns = [
        path("admin/", admin.site.urls),
        path("default/", default_site().urls),
    ]
    sys.modules[urls.__name__] = urls

    user, _created = User.objects.get_or_create(
        username="bench-superadmin", defaults={"email": "bench@example.org"}
    )
    admin_grant(user=user, level=AdminLevel.SUPERADMIN)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(user)

    print(
        f"Database: {connection.vendor}; logs: {Log.objects.count():,} rows; "
        f"security: {SecurityEvent.objects.count():,} rows"
    )
    if seconds is not None:
        print(
            f"manage.py seed --logs {args.logs} --security-events "
            f"{args.security_events}: {seconds:.1f} s"
        )
    print(f"Median of {args.repeat} runs, server time in ms\n")
    print(f"{'page':<34} {'Janus':>9} {'Django default':>15}")
    with override_settings(ROOT_URLCONF=urls.__name__, DEBUG=False):
        assert urls.__name__ == settings.ROOT_URLCONF
        for table, cases in CASES.items():
            for name, query in cases:
                if args.cases == "first" and name != "first page":
                    continue
                ours = timed(client, f"/admin/{PATHS[table]}{query}", args.repeat)
                theirs = "-"
                if not args.skip_default:
                    default = timed(
                        client, f"/default/{PATHS[table]}{query}", args.repeat
                    )
                    theirs = f"{default:.0f}"
                print(f"{table + ': ' + name:<34} {ours:>9.0f} {theirs:>15}")
        if args.export:
            print(f"\nWhole exports (peak memory before: {peak_rss_mb():.0f} MB)")
            for fmt in ("csv", "json"):
                print(time_export(client, "logs", fmt))


if __name__ == "__main__":
    main()
