from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image as PILImage

from analytics.exceptions import UnknownReport
from analytics.reports import (
    Period,
    activity_report,
    color_report,
    counts_per_day,
    images_report,
    report_data,
    report_name,
    security_report,
)
from auditlog.models import Log, SecurityAction, SecurityEvent
from images.analysis import analyze
from images.models import AnalysisStatus, Image
from tests.analytics.helpers import make_analysis, make_image, palette

NOW = datetime(2026, 12, 3, 15, 30, tzinfo=UTC)
DAY1 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
DAY3 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
BEFORE = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def period():
    return Period.last_days(7, now=NOW)


class TestPeriod:
    def test_last_days_starts_at_midnight_and_ends_now(self, period):
        assert period.start == datetime(2026, 11, 27, tzinfo=UTC)
        assert period.end == NOW
        assert period.dates()[0] == date(2026, 11, 27)
        assert period.dates()[-1] == date(2026, 12, 3)
        assert len(period.dates()) == 7

    def test_last_days_follows_the_current_time_zone(self, settings):
        settings.TIME_ZONE = "America/New_York"

        period = Period.last_days(1, now=datetime(2026, 12, 3, 2, 0, tzinfo=UTC))

        # 02:00 UTC is still 2 December in New York.
        assert period.dates() == [date(2026, 12, 2)]
        assert period.start == datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
        assert period.as_dict()["time_zone"] == "America/New_York"

    def test_last_days_refuses_an_empty_period(self):
        with pytest.raises(ValueError, match="at least one day"):
            Period.last_days(0)


@pytest.mark.django_db
def test_counts_per_day_fills_days_without_rows(period):
    make_image(created_at=DAY1)
    make_image(created_at=DAY1 + timedelta(hours=5))
    make_image(created_at=BEFORE)

    per_day = counts_per_day(Image.objects.all(), "created_at", period)

    assert list(per_day) == period.dates()
    assert per_day[date(2026, 12, 1)] == 2
    assert sum(per_day.values()) == 2


@pytest.mark.django_db
class TestImagesReport:
    @pytest.fixture
    def images(self):
        return [
            make_image(
                created_at=DAY1,
                image_metadata={"format": "PNG"},
                color_type="RGB",
                bit_depth=8,
                width=200,
                height=100,
                file_size_bytes=50_000,
            ),
            make_image(
                created_at=DAY1,
                image_metadata={"format": "PNG"},
                color_type="RGBA",
                bit_depth=8,
                width=2000,
                height=1000,
                file_size_bytes=2_000_000,
            ),
            make_image(
                created_at=DAY3,
                image_metadata={"format": "JPEG"},
                color_type="RGB",
                bit_depth=8,
                width=5000,
                height=4000,
                file_size_bytes=12_000_000,
            ),
            make_image(
                created_at=BEFORE,
                image_metadata={"format": "GIF"},
                color_type="P",
                bit_depth=1,
                width=10,
                height=10,
                file_size_bytes=10,
            ),
        ]

    def test_images_report_counts_by_format_colour_type_and_bit_depth(
        self, images, period
    ):
        report = images_report(period)

        assert report["count"] == 3
        assert report["by_format"] == [
            {"format": "PNG", "count": 2},
            {"format": "JPEG", "count": 1},
        ]
        assert report["by_color_type"] == [
            {"color_type": "RGB", "count": 2},
            {"color_type": "RGBA", "count": 1},
        ]
        assert report["by_bit_depth"] == [{"bit_depth": 8, "count": 3}]

    def test_images_report_counts_uploads_per_day(self, images, period):
        per_day = images_report(period)["uploads_per_day"]

        assert len(per_day) == 7
        assert {"date": "2026-12-01", "count": 2} in per_day
        assert {"date": "2026-12-03", "count": 1} in per_day
        assert sum(day["count"] for day in per_day) == 3

    def test_images_report_gives_the_size_distribution(self, images, period):
        report = images_report(period)

        pixels = {row["range"]: row["count"] for row in report["by_pixel_size"]}
        assert pixels == {"tiny": 1, "small": 0, "medium": 1, "large": 0, "huge": 1}
        by_bytes = {row["range"]: row["count"] for row in report["by_file_size"]}
        assert by_bytes == {
            "under_100kb": 1,
            "100kb_1mb": 0,
            "1mb_10mb": 1,
            "10mb_up": 1,
        }
        assert report["dimensions"] == {
            "width_min": 200,
            "width_max": 5000,
            "height_min": 100,
            "height_max": 4000,
        }
        assert report["file_size"] == {"mean_bytes": 4_683_333, "max_bytes": 12_000_000}

    def test_images_report_of_an_empty_period_is_all_zeros(self, period):
        report = images_report(period)

        assert report["count"] == 0
        assert report["by_format"] == []
        assert report["file_size"] == {"mean_bytes": 0, "max_bytes": 0}


def luminance(mean: float, dark: float, mid: float, light: float) -> dict:
    shares = [0.0] * 10
    shares[min(int(mean * 10), 9)] = 1.0
    return {
        "mean": mean,
        "histogram": {"shares": shares},
        "layers": {"dark": dark, "mid": mid, "light": light},
    }


@pytest.mark.django_db
class TestColorReport:
    @pytest.fixture
    def analyses(self):
        first, second, third = make_image(), make_image(), make_image()
        # The first image's older analysis is replaced by its newer one.
        make_analysis(
            first,
            created_at=DAY1 - timedelta(days=1),
            results={"palette": palette(("#00ff00", 1.0))},
        )
        make_analysis(
            first,
            created_at=DAY1,
            results={
                "palette": palette(("#ff0000", 0.6), ("#0000ff", 0.4)),
                "luminance": luminance(0.25, 0.5, 0.5, 0.0),
                "tokens": {"adjusted": [{"token": "primary", "delta_l": -3.0}]},
            },
        )
        make_analysis(
            second,
            created_at=DAY3,
            results={
                "palette": palette(("#fa0505", 0.5), ("#ffffff", 0.5)),
                "luminance": luminance(0.75, 0.0, 0.5, 0.5),
                "tokens": {"adjusted": []},
            },
        )
        # A failed analysis and an analysis from before the period count not.
        make_analysis(second, created_at=DAY3, status=AnalysisStatus.FAILED, results={})
        make_analysis(
            third, created_at=BEFORE, results={"palette": palette(("#123456", 1.0))}
        )

    def test_color_report_merges_the_latest_palette_of_each_image(
        self, analyses, period
    ):
        report = color_report(period)

        assert report["images"] == 2
        top = report["top_colors"]
        assert top[0]["images"] == 2
        assert top[0]["hex"].startswith("#f")
        assert top[0]["pixel_share"] == pytest.approx(0.55)
        assert {item["hex"] for item in top[1:]} == {"#0000ff", "#ffffff"}
        assert "#00ff00" not in {item["hex"] for item in top}

    def test_color_report_gives_the_luminance_distribution(self, analyses, period):
        report = color_report(period)["luminance"]

        assert report["images"] == 2
        assert report["mean"] == 0.5
        assert report["image_means"] == [0, 0, 1, 0, 0, 0, 0, 1, 0, 0]
        assert report["pixel_shares"][2] == 0.5
        assert report["pixel_shares"][7] == 0.5
        assert report["layers"] == {"dark": 0.25, "mid": 0.5, "light": 0.25}

    def test_color_report_gives_the_share_of_adjusted_token_sets(
        self, analyses, period
    ):
        tokens = color_report(period)["tokens"]

        assert tokens == {
            "adjusted_images": 1,
            "adjusted_share": 0.5,
            "adjusted_tokens": {"primary": 1},
        }


@pytest.mark.django_db
class TestActivityReport:
    @pytest.fixture
    def entries(self):
        rows = [
            (DAY1, "INFO", "images.ingest", "alice"),
            (DAY1, "INFO", "images.ingest", "alice"),
            (DAY1, "WARNING", "auditlog.auth", "bob"),
            (DAY3, "INFO", "images.ingest", "alice"),
            (DAY3, "ERROR", "images.tasks", ""),
            (BEFORE, "INFO", "images.ingest", "carol"),
        ]
        for timestamp, level, module, username in rows:
            Log.objects.create(
                action="x",
                timestamp=timestamp,
                level=level,
                module=module,
                username=username,
            )

    def test_activity_report_counts_per_day_level_and_module(self, entries, period):
        report = activity_report(period)

        assert report["count"] == 5
        assert report["per_day"] == [
            {
                "date": "2026-12-01",
                "level": "INFO",
                "module": "images.ingest",
                "count": 2,
            },
            {
                "date": "2026-12-01",
                "level": "WARNING",
                "module": "auditlog.auth",
                "count": 1,
            },
            {
                "date": "2026-12-03",
                "level": "ERROR",
                "module": "images.tasks",
                "count": 1,
            },
            {
                "date": "2026-12-03",
                "level": "INFO",
                "module": "images.ingest",
                "count": 1,
            },
        ]
        assert report["by_level"] == [
            {"name": "INFO", "count": 3},
            {"name": "ERROR", "count": 1},
            {"name": "WARNING", "count": 1},
        ]
        assert report["by_module"] == [
            {"name": "images.ingest", "count": 3},
            {"name": "auditlog.auth", "count": 1},
            {"name": "images.tasks", "count": 1},
        ]

    def test_activity_report_lists_the_most_active_users(self, entries, period):
        assert activity_report(period)["most_active_users"] == [
            {"username": "alice", "count": 3},
            {"username": "bob", "count": 1},
        ]


@pytest.mark.django_db
def test_security_report_counts_sign_ins_failures_and_lockouts_per_day(period):
    rows = [
        (DAY1, SecurityAction.LOGIN),
        (DAY1, SecurityAction.LOGIN_FAILED),
        (DAY1, SecurityAction.LOGIN_FAILED),
        (DAY3, SecurityAction.LOCKED_OUT),
        (DAY3, SecurityAction.LOGOUT),
        (BEFORE, SecurityAction.LOGIN_FAILED),
    ]
    for timestamp, action in rows:
        SecurityEvent.objects.create(action=action, timestamp=timestamp, username="u")

    report = security_report(period)

    assert (report["sign_ins"], report["failures"], report["lockouts"]) == (1, 2, 1)
    assert len(report["per_day"]) == 7
    assert report["per_day"][4] == {
        "date": "2026-12-01",
        "sign_ins": 1,
        "failures": 2,
        "lockouts": 0,
    }
    assert report["per_day"][6] == {
        "date": "2026-12-03",
        "sign_ins": 0,
        "failures": 0,
        "lockouts": 1,
    }


@pytest.mark.django_db
def test_report_data_says_which_period_it_covers_and_when_it_was_made(period):
    generated = timezone.now()

    data = report_data("security", period, generated_at=generated)

    assert data["report"] == "security"
    assert data["period"] == {
        "start": "2026-11-27T00:00:00+00:00",
        "end": "2026-12-03T15:30:00+00:00",
        "days": 7,
        "time_zone": "UTC",
    }
    assert data["generated_at"] == generated.isoformat()


def test_report_name_accepts_names_and_topics():
    assert report_name("colour") == "colour"
    assert report_name("janus.reports.activity") == "activity"
    with pytest.raises(UnknownReport, match=r"janus\.reports\.images"):
        report_name("color")


def two_tone(first: str, second: str) -> PILImage.Image:
    """Return a 40 x 20 image, left half ``first``, right half ``second``."""
    image = PILImage.new("RGB", (40, 20), first)
    image.paste(PILImage.new("RGB", (20, 20), second), (20, 0))
    return image


@pytest.mark.django_db
def test_color_report_reads_the_documents_the_analysis_writes(period):
    # At 7:1 no palette colour, nor white or black, reaches mid-grey, so its
    # tokens are moved; navy and amber pass with their own text colours.
    documents = [
        analyze(PILImage.new("RGB", (20, 20), "#777777"), min_contrast=7.0),
        analyze(two_tone("#1e3a8a", "#fbbf24")),
    ]
    for document in documents:
        make_analysis(make_image(), created_at=DAY1, results=document)
    moved = [item["token"] for item in documents[0]["tokens"]["adjusted"]]
    assert moved and documents[1]["tokens"]["adjusted"] == []

    report = color_report(period)

    assert report["images"] == 2
    assert {item["hex"]: item["images"] for item in report["top_colors"]} == {
        "#777777": 1,
        "#1e3a8a": 1,
        "#fbbf24": 1,
    }
    means = [document["luminance"]["mean"] for document in documents]
    assert report["luminance"]["mean"] == round((means[0] + means[1]) / 2, 4)
    assert sum(report["luminance"]["image_means"]) == 2
    assert sum(report["luminance"]["layers"].values()) == pytest.approx(1.0, abs=0.01)
    assert report["tokens"] == {
        "adjusted_images": 1,
        "adjusted_share": 0.5,
        "adjusted_tokens": {token: moved.count(token) for token in sorted(moved)},
    }


def add_rows(count: int) -> None:
    """Add ``count`` images, analyses, log entries and sign-in events."""
    for index in range(count):
        day = DAY1 + timedelta(hours=index)
        image = make_image(
            created_at=day,
            image_metadata={"format": ["PNG", "JPEG"][index % 2]},
            color_type="RGB",
            bit_depth=8,
            width=10 + index,
            height=10,
            file_size_bytes=1000 * index,
        )
        make_analysis(
            image, created_at=day, results={"palette": palette(("#123456", 1.0))}
        )
        Log.objects.create(
            action="x", timestamp=day, level="INFO", module="m", username=f"u{index}"
        )
        SecurityEvent.objects.create(
            action=SecurityAction.LOGIN_FAILED, timestamp=day, username=f"u{index}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "report",
    [images_report, color_report, activity_report, security_report],
    ids=lambda report: report.__name__,
)
def test_report_query_count_does_not_grow_with_rows(report, period):
    add_rows(1)
    with CaptureQueriesContext(connection) as one_row:
        report(period)
    add_rows(24)
    with CaptureQueriesContext(connection) as many_rows:
        report(period)

    assert len(many_rows) == len(one_row), [q["sql"] for q in many_rows]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "report",
    [images_report, activity_report, security_report],
    ids=lambda r: r.__name__,
)
def test_report_counts_in_the_database(report, period):
    add_rows(3)

    with CaptureQueriesContext(connection) as queries:
        report(period)

    # Every query aggregates: counting never means loading the rows.
    assert queries.captured_queries
    assert all("COUNT(" in query["sql"].upper() for query in queries), [
        query["sql"] for query in queries
    ]
