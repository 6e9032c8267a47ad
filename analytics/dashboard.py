"""The figures on the admin index: totals, two charts and the colour strip.

Every figure is a fixed number of queries. The log and security figures
read only a day's or a month's rows through an index, so they cost the same
with a hundred log entries or a million; the totals of images, analyses and
users count their whole tables. A figure is shown only to a user whose
admin may view the model it counts, and links to that model's admin list,
filtered to the rows behind the figure.
"""

from urllib.parse import urlencode

from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analytics import conf
from analytics.colors import merge_palettes
from analytics.reports import Period, counts_per_day
from auditlog.models import Log, SecurityAction, SecurityEvent
from images.display import palette_strip
from images.models import AnalysisStatus, Image, ImageAnalysis
from janus.charts import bar_chart

STRIP_WIDTH = 560


def changelist_url(site, model, **params) -> str:
    """Return the URL of ``model``'s admin list, filtered by ``params``.

    Datetimes are written as the admin's own date filter writes them, so
    its "Today" or "Past 7 days" choice shows as selected when it matches.
    """
    opts = model._meta
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=site.name
    )
    if not params:
        return url
    return f"{url}?{urlencode({key: str(value) for key, value in params.items()})}"


def may_view(request, site, model) -> bool:
    """Return True if ``request.user`` may open ``model``'s admin list."""
    try:
        model_admin = site.get_model_admin(model)
    except NotRegistered:
        return False
    return model_admin.has_view_or_change_permission(request)


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _total(key: str, label: str, value: int, url: str) -> dict:
    return {"key": key, "label": label, "value": _number(value), "url": url}


def _day_chart(
    key, *, title, unit, summary, per_day, period, link, url
) -> tuple[dict, dict]:
    """Return a chart of ``per_day`` counts whose bars link to their day."""
    days = list(per_day)
    labels = [date_format(day, "M j") for day in days]
    links = []
    for day in days:
        start, end = period.day_bounds(day)
        links.append(link(start, end))
    values = list(per_day.values())
    per_bar = "; ".join(
        f"{label}: {value}" for label, value in zip(labels, values, strict=True)
    )
    description = f"{summary} {per_bar}"
    chart = {
        "key": key,
        "title": title,
        "unit": unit,
        "summary": summary,
        "url": url,
        "svg": bar_chart(
            values,
            labels,
            title=title,
            description=description,
            label_every=max(1, len(values) // 6),
            links=links,
        ),
        "rows": [
            {"label": label, "value": _number(value), "url": link_url}
            for label, value, link_url in zip(labels, values, links, strict=True)
        ],
    }
    return chart, dict(zip(days, values, strict=True))


def _busiest(per_day: dict) -> str:
    day, count = max(per_day.items(), key=lambda item: (item[1], item[0]))
    return _("the most on %(day)s (%(count)s)") % {
        "day": date_format(day, "M j"),
        "count": _number(count),
    }


def uploads_chart(site, period: Period) -> dict:
    per_day = counts_per_day(Image.objects.all(), "created_at", period)
    total = sum(per_day.values())
    if total:
        summary = ngettext(
            "%(total)s image uploaded in the last %(days)d days, %(busiest)s.",
            "%(total)s images uploaded in the last %(days)d days, %(busiest)s.",
            total,
        ) % {"total": _number(total), "days": period.days, "busiest": _busiest(per_day)}
    else:
        summary = _("No image uploaded in the last %(days)d days.") % {
            "days": period.days
        }
    chart, _counts = _day_chart(
        "uploads",
        title=_("Uploads per day"),
        unit=_("Images"),
        summary=summary,
        per_day=per_day,
        period=period,
        link=lambda start, end: changelist_url(
            site, Image, created_at__gte=start, created_at__lt=end
        ),
        url=changelist_url(site, Image, created_at__gte=period.start),
    )
    return chart


def failures_chart(site, period: Period) -> tuple[dict, int]:
    """Return the failed sign-ins chart and today's count."""
    failed = SecurityEvent.objects.filter(action=SecurityAction.LOGIN_FAILED)
    per_day = counts_per_day(failed, "timestamp", period)
    total = sum(per_day.values())
    if total:
        summary = ngettext(
            "%(total)s failed sign-in in the last %(days)d days, %(busiest)s.",
            "%(total)s failed sign-ins in the last %(days)d days, %(busiest)s.",
            total,
        ) % {"total": _number(total), "days": period.days, "busiest": _busiest(per_day)}
    else:
        summary = _("No failed sign-in in the last %(days)d days.") % {
            "days": period.days
        }
    action = str(SecurityAction.LOGIN_FAILED)
    chart, counts = _day_chart(
        "failed-sign-ins",
        title=_("Failed sign-ins per day"),
        unit=_("Failed sign-ins"),
        summary=summary,
        per_day=per_day,
        period=period,
        link=lambda start, end: changelist_url(
            site,
            SecurityEvent,
            action__exact=action,
            timestamp__gte=start,
            timestamp__lt=end,
        ),
        url=changelist_url(
            site, SecurityEvent, action__exact=action, timestamp__gte=period.start
        ),
    )
    return chart, counts[max(counts)]


def color_trend(site, period: Period) -> dict:
    """Return the most frequent palette colours of recently analysed images.

    Reads the newest successful analysis of at most
    ``JANUS_ANALYTICS_DASHBOARD_ANALYSES`` recent analyses, one per image.
    """
    rows = (
        ImageAnalysis.objects.filter(
            status=AnalysisStatus.SUCCEEDED, created_at__gte=period.start
        )
        .order_by("-created_at", "-id")
        .values_list("image_id", "analysis_results__palette")[
            : conf.dashboard_analyses()
        ]
    )
    palettes = {}
    for image_id, palette in rows:
        palettes.setdefault(image_id, palette if isinstance(palette, list) else [])
    delta_e = conf.color_delta_e()
    colors, images = merge_palettes(
        palettes.items(), delta_e=delta_e, limit=conf.top_colors()
    )

    weight = sum(item["images"] for item in colors) or 1
    strip = palette_strip(
        [{"hex": item["hex"], "share": item["images"] / weight} for item in colors],
        width=STRIP_WIDTH,
        height=28,
    )
    if images:
        summary = ngettext(
            "The most frequent palette colours of the %(images)s image analysed "
            "in the last %(days)d days; colours closer than ΔE %(delta)g are "
            "counted as one.",
            "The most frequent palette colours of the %(images)s images analysed "
            "in the last %(days)d days; colours closer than ΔE %(delta)g are "
            "counted as one.",
            images,
        ) % {"images": _number(images), "days": period.days, "delta": delta_e}
    else:
        summary = _("No image was analysed in the last %(days)d days.") % {
            "days": period.days
        }
    return {
        "title": _("Colour trend"),
        "summary": summary,
        "strip": strip,
        "items": [
            {
                "hex": item["hex"],
                "caption": _("in %(count)s of %(total)s images")
                % {"count": _number(item["images"]), "total": _number(images)},
            }
            for item in colors
        ],
        "url": changelist_url(
            site,
            ImageAnalysis,
            status__exact=AnalysisStatus.SUCCEEDED,
            created_at__gte=period.start,
        ),
    }


def dashboard_figures(request, *, site, now=None) -> dict | None:
    """Return the figures ``request.user`` may see; None if there are none."""
    now = now or timezone.now()
    period = Period.last_days(conf.dashboard_days(), now=now)
    today_start, tomorrow = period.day_bounds(timezone.localdate(now))
    User = get_user_model()
    totals, charts, colors = [], [], None

    if may_view(request, site, Image):
        totals.append(
            _total(
                "images",
                _("images"),
                Image.objects.count(),
                changelist_url(site, Image),
            )
        )
        charts.append(uploads_chart(site, period))
    if may_view(request, site, ImageAnalysis):
        totals.append(
            _total(
                "analyses",
                _("analyses"),
                ImageAnalysis.objects.count(),
                changelist_url(site, ImageAnalysis),
            )
        )
        colors = color_trend(site, period)
    if may_view(request, site, User):
        totals.append(
            _total(
                "users", _("users"), User.objects.count(), changelist_url(site, User)
            )
        )
    if may_view(request, site, Log):
        totals.append(
            _total(
                "logs-today",
                _("log entries today"),
                Log.objects.filter(
                    timestamp__gte=today_start, timestamp__lt=tomorrow
                ).count(),
                changelist_url(
                    site, Log, timestamp__gte=today_start, timestamp__lt=tomorrow
                ),
            )
        )
    if may_view(request, site, SecurityEvent):
        chart, failed_today = failures_chart(site, period)
        charts.append(chart)
        totals.append(
            _total(
                "failed-today",
                _("failed sign-ins today"),
                failed_today,
                changelist_url(
                    site,
                    SecurityEvent,
                    action__exact=str(SecurityAction.LOGIN_FAILED),
                    timestamp__gte=today_start,
                    timestamp__lt=tomorrow,
                ),
            )
        )

    if not (totals or charts or colors):
        return None
    return {"totals": totals, "charts": charts, "colors": colors}
