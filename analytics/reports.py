"""Reports computed from Janus's own tables, stored as analytics records.

Each report is a function of a :class:`Period` that returns plain JSON-ready
data. Counting happens in the database (``values()``, ``annotate()``,
``TruncDate``, ``Count``), so the cost grows with the number of groups, not
with the number of rows: a million log entries are never loaded into
Python. The colour report is the exception: it reads the palette and
luminance summary of the newest successful analysis of each image analysed
in the period, one row per image, streamed with ``iterator()``.

Days are calendar days in the current time zone (``TIME_ZONE``).
"""

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import timezone

from analytics import conf
from analytics.colors import merge_palettes
from analytics.exceptions import UnknownReport
from auditlog.models import Log, SecurityAction, SecurityEvent
from images.filters import SIZE_RANGES
from images.models import AnalysisStatus, Image, ImageAnalysis

REPORT_PREFIX = "janus.reports."
REPORT_VERSION = 1
# Upper bounds are exclusive; None means no upper bound.
FILE_SIZE_RANGES = [
    ("under_100kb", "under 100 KB", 0, 100 * 1024),
    ("100kb_1mb", "100 KB to 1 MB", 100 * 1024, 1024 * 1024),
    ("1mb_10mb", "1 to 10 MB", 1024 * 1024, 10 * 1024 * 1024),
    ("10mb_up", "10 MB and more", 10 * 1024 * 1024, None),
]
LUMINANCE_BINS = 10
TOP_USERS = 10


@dataclass(frozen=True)
class Period:
    """The calendar days a report covers: from ``start`` up to ``end``.

    ``start`` is midnight of the first day in the current time zone and
    ``end`` the moment the report was asked for, so the last day is today,
    counted so far.
    """

    start: datetime
    end: datetime
    days: int

    @classmethod
    def last_days(cls, days: int, *, now: datetime | None = None) -> "Period":
        """Return the period of the last ``days`` days, today included."""
        if days < 1:
            raise ValueError("a period covers at least one day")
        now = now or timezone.now()
        first = timezone.localdate(now) - timedelta(days=days - 1)
        start = timezone.make_aware(datetime.combine(first, time.min))
        return cls(start=start, end=now, days=days)

    def dates(self) -> list[date]:
        """Return every calendar day of the period, oldest first."""
        first = timezone.localdate(self.start)
        return [first + timedelta(days=offset) for offset in range(self.days)]

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """Return the aware start of ``day`` and of the day after it."""
        start = timezone.make_aware(datetime.combine(day, time.min))
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return start, end

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "time_zone": timezone.get_current_timezone_name(),
        }


def within(queryset: QuerySet, field: str, period: Period) -> QuerySet:
    """Return the rows of ``queryset`` whose ``field`` falls in ``period``."""
    return queryset.filter(
        **{f"{field}__gte": period.start, f"{field}__lt": period.end}
    )


def counts_per_day(queryset: QuerySet, field: str, period: Period) -> dict[date, int]:
    """Return the rows per calendar day of ``period``, days without rows too.

    One grouped query; an index on ``field`` (alone or after the columns
    ``queryset`` filters on) keeps it to the rows of the period.
    """
    rows = (
        within(queryset, field, period)
        .annotate(day=TruncDate(field))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    found = {row["day"]: row["count"] for row in rows}
    return {day: found.get(day, 0) for day in period.dates()}


def _grouped(queryset: QuerySet, name: str, expression=None) -> list[dict]:
    """Return ``[{name: value, "count": n}]`` for each value, most first."""
    values = (
        queryset.values(**{name: expression}) if expression else queryset.values(name)
    )
    rows = values.annotate(count=Count("pk")).order_by("-count", name)
    return [{name: row[name], "count": row["count"]} for row in rows]


def images_report(period: Period) -> dict:
    """Return counts of the images uploaded in ``period``.

    By format, colour type and bit depth, per day, and by size in pixels
    (the ranges of the image list's size filter) and in bytes.
    """
    images = within(Image.objects.all(), "created_at", period)
    by_format = _grouped(images, "format", KT("image_metadata__format"))
    size_counts = {
        f"pixels_{key}": Count("pk", filter=_range_q("pixels", low, high))
        for key, (_label, low, high) in SIZE_RANGES.items()
    }
    size_counts.update(
        {
            f"bytes_{key}": Count("pk", filter=_range_q("file_size_bytes", low, high))
            for key, _label, low, high in FILE_SIZE_RANGES
        }
    )
    sizes = images.alias(pixels=F("width") * F("height")).aggregate(
        count=Count("pk"),
        **size_counts,
        width_min=Min("width"),
        width_max=Max("width"),
        height_min=Min("height"),
        height_max=Max("height"),
        bytes_mean=Avg("file_size_bytes"),
        bytes_max=Max("file_size_bytes"),
    )

    return {
        "count": sizes["count"],
        "by_format": by_format,
        "by_color_type": _grouped(images, "color_type"),
        "by_bit_depth": _grouped(images, "bit_depth"),
        "uploads_per_day": _series(counts_per_day(images, "created_at", period)),
        "by_pixel_size": [
            {
                "range": key,
                "label": str(label),
                "min_pixels": low,
                "max_pixels": high,
                "count": sizes[f"pixels_{key}"],
            }
            for key, (label, low, high) in SIZE_RANGES.items()
        ],
        "by_file_size": [
            {
                "range": key,
                "label": label,
                "min_bytes": low,
                "max_bytes": high,
                "count": sizes[f"bytes_{key}"],
            }
            for key, label, low, high in FILE_SIZE_RANGES
        ],
        "dimensions": {
            "width_min": sizes["width_min"],
            "width_max": sizes["width_max"],
            "height_min": sizes["height_min"],
            "height_max": sizes["height_max"],
        },
        "file_size": {
            "mean_bytes": round(sizes["bytes_mean"] or 0),
            "max_bytes": sizes["bytes_max"] or 0,
        },
    }


def latest_analyses(period: Period) -> QuerySet:
    """Return the newest good analysis of each image analysed in ``period``.

    A correlated subquery picks each image's newest analysis through the
    index on (image, created_at); only analyses made in the period count.
    """
    newest = (
        ImageAnalysis.objects.filter(
            image=OuterRef("image"), status=AnalysisStatus.SUCCEEDED
        )
        .order_by("-created_at", "-id")
        .values("id")[:1]
    )
    return within(
        ImageAnalysis.objects.filter(status=AnalysisStatus.SUCCEEDED),
        "created_at",
        period,
    ).filter(id=Subquery(newest))


def color_report(period: Period) -> dict:
    """Return the colours, lightness and token adjustments of recent analyses.

    One row per image: the newest successful analysis made in ``period``.
    "top_colors" merges palette colours closer than
    ``JANUS_ANALYTICS_COLOR_DELTA_E`` (see ``analytics.colors``);
    "luminance" is the distribution of the images' mean relative luminance,
    the mean share of pixels per luminance bin and per lightness layer;
    "tokens" gives the share of images whose token set needed a lightness
    adjustment to pass WCAG AA, and which tokens were moved.
    """
    rows = (
        latest_analyses(period)
        .order_by("image_id")
        .values_list(
            "image_id",
            "analysis_results__palette",
            "analysis_results__luminance",
            "analysis_results__tokens__adjusted",
        )
    )
    palettes = []
    means = []
    bin_shares = [0.0] * LUMINANCE_BINS
    layer_sums = {"dark": 0.0, "mid": 0.0, "light": 0.0}
    with_luminance = 0
    adjusted_images = 0
    adjusted_tokens: dict[str, int] = {}
    for image_id, palette, luminance, adjusted in rows.iterator(chunk_size=500):
        palettes.append((image_id, palette if isinstance(palette, list) else []))
        luminance = luminance if isinstance(luminance, dict) else {}
        if isinstance(luminance.get("mean"), int | float):
            means.append(float(luminance["mean"]))
            with_luminance += 1
            shares = (luminance.get("histogram") or {}).get("shares") or []
            for index, share in enumerate(shares[:LUMINANCE_BINS]):
                bin_shares[index] += share
            layers = luminance.get("layers") or {}
            for name in layer_sums:
                layer_sums[name] += float(layers.get(name) or 0.0)
        if adjusted:
            adjusted_images += 1
            for item in adjusted:
                token = str(item.get("token", "?")) if isinstance(item, dict) else "?"
                adjusted_tokens[token] = adjusted_tokens.get(token, 0) + 1
    images = len(palettes)
    top, palette_count = merge_palettes(
        palettes, delta_e=conf.color_delta_e(), limit=conf.top_colors()
    )

    edges = [round(index / LUMINANCE_BINS, 2) for index in range(LUMINANCE_BINS + 1)]
    mean_counts = [0] * LUMINANCE_BINS
    for value in means:
        mean_counts[min(int(value * LUMINANCE_BINS), LUMINANCE_BINS - 1)] += 1
    return {
        "images": images,
        "palettes": palette_count,
        "merge_delta_e": conf.color_delta_e(),
        "top_colors": top,
        "luminance": {
            "images": with_luminance,
            "mean": round(statistics.fmean(means), 4) if means else None,
            "median": round(statistics.median(means), 4) if means else None,
            "bins": edges,
            "image_means": mean_counts,
            "pixel_shares": [
                round(total / with_luminance, 4) if with_luminance else 0.0
                for total in bin_shares
            ],
            "layers": {
                name: round(total / with_luminance, 4) if with_luminance else 0.0
                for name, total in layer_sums.items()
            },
        },
        "tokens": {
            "adjusted_images": adjusted_images,
            "adjusted_share": round(adjusted_images / images, 4) if images else 0.0,
            "adjusted_tokens": dict(sorted(adjusted_tokens.items())),
        },
    }


def activity_report(period: Period) -> dict:
    """Return log entries per day, level and module, and the busiest users."""
    entries = within(Log.objects.all(), "timestamp", period)
    rows = (
        entries.annotate(day=TruncDate("timestamp"))
        .values("day", "level", "module")
        .annotate(count=Count("pk"))
        .order_by("day", "level", "module")
    )
    per_day = []
    by_level: dict[str, int] = {}
    by_module: dict[str, int] = {}
    for row in rows:
        level, module = row["level"] or "", row["module"] or ""
        per_day.append(
            {
                "date": row["day"].isoformat(),
                "level": level,
                "module": module,
                "count": row["count"],
            }
        )
        by_level[level] = by_level.get(level, 0) + row["count"]
        by_module[module] = by_module.get(module, 0) + row["count"]
    users = (
        entries.exclude(username="")
        .values("username")
        .annotate(count=Count("pk"))
        .order_by("-count", "username")[:TOP_USERS]
    )

    return {
        "count": sum(by_level.values()),
        "per_day": per_day,
        "by_level": _ranked(by_level),
        "by_module": _ranked(by_module),
        "most_active_users": [
            {"username": row["username"], "count": row["count"]} for row in users
        ],
    }


SECURITY_COLUMNS = {
    SecurityAction.LOGIN: "sign_ins",
    SecurityAction.LOGIN_FAILED: "failures",
    SecurityAction.LOCKED_OUT: "lockouts",
}


def security_report(period: Period) -> dict:
    """Return sign-ins, failed sign-ins and lockouts per day."""
    rows = (
        within(SecurityEvent.objects.all(), "timestamp", period)
        .filter(action__in=list(SECURITY_COLUMNS))
        .annotate(day=TruncDate("timestamp"))
        .values("day", "action")
        .annotate(count=Count("pk"))
        .order_by("day", "action")
    )
    days = {day: dict.fromkeys(SECURITY_COLUMNS.values(), 0) for day in period.dates()}
    for row in rows:
        days.setdefault(row["day"], dict.fromkeys(SECURITY_COLUMNS.values(), 0))
        days[row["day"]][SECURITY_COLUMNS[row["action"]]] = row["count"]
    totals = {
        column: sum(counts[column] for counts in days.values())
        for column in SECURITY_COLUMNS.values()
    }

    return {
        **totals,
        "per_day": [
            {"date": day.isoformat(), **counts} for day, counts in sorted(days.items())
        ],
    }


REPORTS: dict[str, Callable[[Period], dict]] = {
    "images": images_report,
    "colour": color_report,
    "activity": activity_report,
    "security": security_report,
}


def report_topic(name: str) -> str:
    """Return the research topic under which report ``name`` is stored."""
    return REPORT_PREFIX + name


def report_name(value: str) -> str:
    """Return the report name for ``value``: a name or a full topic.

    Raise :class:`UnknownReport` for anything else.
    """
    name = value.removeprefix(REPORT_PREFIX)
    if name not in REPORTS:
        raise UnknownReport(
            f"No report {value!r}; the reports are "
            f"{', '.join(report_topic(name) for name in REPORTS)}."
        )
    return name


def report_data(name: str, period: Period, *, generated_at: datetime) -> dict:
    """Return the snapshot of report ``name``: figures and their context."""
    return {
        "report": name,
        "version": REPORT_VERSION,
        "period": period.as_dict(),
        "generated_at": generated_at.isoformat(),
        **REPORTS[name](period),
    }


def _range_q(field: str, low: int, high: int | None) -> Q:
    query = Q(**{f"{field}__gte": low})
    if high is not None:
        query &= Q(**{f"{field}__lt": high})
    return query


def _series(per_day: dict[date, int]) -> list[dict]:
    return [{"date": day.isoformat(), "count": count} for day, count in per_day.items()]


def _ranked(counts: dict[str, int]) -> list[dict]:
    return [
        {"name": name, "count": count}
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
