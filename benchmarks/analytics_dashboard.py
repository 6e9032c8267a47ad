"""Time the admin index (with its dashboard) and ``compute_analytics``.

Run from the project root:

    .venv/bin/python benchmarks/analytics_dashboard.py [--repeat 30] \
        [--database-url URL] [--logs 1000000] [--security-events 200000]

The default URL is postgres://postgres@127.0.0.1:5432/janus_bench_analytics.

The script works on a database of its own (created if missing, then
migrated), so it never touches the development data. PostgreSQL is the
target; a SQLite URL such as ``sqlite:///var/bench/analytics.sqlite3``
works too, for comparison. When that database
holds fewer demo rows than asked for, it fills it with

    manage.py seed --logs N --security-events N --images 0 --users 6

and runs ``VACUUM ANALYZE`` on the two big tables, as autovacuum would soon
after such a load (and ``ANALYZE`` on the image tables after ``--images``).
It then prints

- the server time of ``GET /admin/`` for a superadmin (every figure shown):
  median, 95th percentile and fastest of ``--repeat`` requests through
  Django's full request handling (middleware, session, template), and the
  number of queries;
- the time ``dashboard_figures`` alone takes;
- the time of each report of ``compute_analytics`` over 30 days, and of the
  whole command.

``--images N`` adds N image rows (no files) with one analysis each, spread
over 60 days, to time the image and colour figures as well.

The seed spreads its rows over 60 days, so the dashboard and the reports see
about half of them. Figures depend on the machine; the README lists them
with the machine they came from.
"""

import argparse
import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/janus_bench_analytics"
TARGET_MS = 300


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist."""
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    connection.close()


def add_analysed_images(count: int) -> None:
    """Add ``count`` image rows, each with one analysis of 8 random colours.

    Only the columns the reports read are filled; no file is stored, so
    these rows serve a benchmark database and nothing else.
    """
    import random
    from datetime import timedelta

    from django.utils import timezone

    from images.analysis import color
    from images.models import AnalysisStatus, Image, ImageAnalysis

    rng = random.Random(7)
    now = timezone.now()
    start = Image.objects.count()
    for first in range(0, count, 2000):
        batch = range(start + first, start + min(first + 2000, count))
        images = Image.objects.bulk_create(
            Image(
                file=f"bench/{number}.png",
                sha256=f"{number:064x}",
                original_name=f"{number}.png",
                width=rng.choice([640, 1920, 4000]),
                height=rng.choice([480, 1080, 3000]),
                bit_depth=8,
                color_type=rng.choice(["RGB", "RGBA", "P"]),
                image_metadata={"format": rng.choice(["PNG", "JPEG", "WEBP"])},
                file_size_bytes=rng.randint(10_000, 8_000_000),
                created_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 60)),
            )
            for number in batch
        )
        analyses = []
        for image in images:
            shares = [rng.random() for _index in range(8)]
            palette = []
            for share in shares:
                rgb = [rng.randrange(0, 256, 16) for _channel in range(3)]
                palette.append(
                    {
                        "hex": color.to_hex(rgb),
                        "lab": [float(v) for v in color.srgb8_to_lab(rgb)],
                        "share": share / sum(shares),
                    }
                )
            mean = rng.random()
            analyses.append(
                ImageAnalysis(
                    image=image,
                    status=AnalysisStatus.SUCCEEDED,
                    created_at=image.created_at,
                    analysis_results={
                        "palette": palette,
                        "luminance": {
                            "mean": mean,
                            "histogram": {"shares": [0.1] * 10},
                            "layers": {"dark": 0.3, "mid": 0.4, "light": 0.3},
                        },
                        "tokens": {"adjusted": []},
                    },
                )
            )
        ImageAnalysis.objects.bulk_create(analyses)
    print(f"added {count:,} analysed image rows")


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
        f"fastest {ordered[0]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--logs", type=int, default=1_000_000)
    parser.add_argument("--security-events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--images",
        type=int,
        default=0,
        help="Image rows with one analysis each to add (no files; default 0).",
    )
    options = parser.parse_args()

    if options.database_url.startswith("postgres"):
        ensure_database(options.database_url)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "janus.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()

    from django.contrib import admin
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from accounts.levels import AdminLevel
    from accounts.models import User
    from accounts.services import admin_grant
    from analytics.dashboard import dashboard_figures
    from analytics.models import Analytics
    from analytics.reports import REPORT_PREFIX
    from analytics.services import reports_compute
    from auditlog.models import Log, SecurityEvent
    from images.models import Image

    call_command("migrate", verbosity=0)
    logs = Log.objects.filter(log_metadata__demo=True).count()
    events = SecurityEvent.objects.filter(details__demo=True).count()
    if logs < options.logs or events < options.security_events:
        print(f"seeding: {logs:,} demo log rows and {events:,} security rows found")
        started = time.perf_counter()
        call_command(
            "seed",
            logs=options.logs,
            security_events=options.security_events,
            images=0,
            users=6,
            verbosity=1,
        )
        print(f"seed took {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE logs")
                cursor.execute("VACUUM ANALYZE security")
            else:
                cursor.execute("ANALYZE")
    if options.images:
        add_analysed_images(options.images)
        # Fresh statistics, as autovacuum would gather soon after the load;
        # without them the planner guesses the new tables are nearly empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE images")
            cursor.execute("ANALYZE image_analysis")
    print(
        f"rows: images {Image.objects.count():,}, logs {Log.objects.count():,}, "
        f"security {SecurityEvent.objects.count():,} "
        f"({connection.vendor}, {connection.settings_dict['NAME']})"
    )

    user, _created = User.objects.get_or_create(
        username="bench-superadmin", defaults={"email": "bench@example.org"}
    )
    admin_grant(user=user, level=AdminLevel.SUPERADMIN)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    for _warm_up in range(3):
        assert client.get("/admin/").status_code == 200
    samples = []
    for _index in range(options.repeat):
        started = time.perf_counter()
        response = client.get("/admin/")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/admin/")
    print(f"\nGET /admin/ ({options.repeat} requests, {len(queries)} queries)")
    print(f"  {summary(samples)}   target < {TARGET_MS} ms")

    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=user.pk)
    figures = []
    for _index in range(options.repeat):
        started = time.perf_counter()
        dashboard_figures(request, site=admin.site)
        figures.append((time.perf_counter() - started) * 1000)
    print("dashboard_figures alone")
    print(f"  {summary(figures)}")

    print("\ncompute_analytics over 30 days, report by report")
    timings = {}
    reports_compute(
        days=30,
        on_stored=lambda record, seconds: timings.update(
            {record.research_topic: seconds * 1000}
        ),
    )
    for topic, milliseconds in timings.items():
        print(f"  {topic:<26} {milliseconds:8.1f} ms")
    started = time.perf_counter()
    call_command("compute_analytics", stdout=StringIO())
    print(f"  {'whole command':<26} {(time.perf_counter() - started) * 1000:8.1f} ms")
    Analytics.objects.filter(research_topic__startswith=REPORT_PREFIX).delete()


if __name__ == "__main__":
    main()
