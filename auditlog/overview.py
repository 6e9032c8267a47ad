"""The numbers behind the security overview page, and its chart.

The chart is an SVG drawn on the server: no script, nothing fetched from
elsewhere, and a ``<title>``, a ``<desc>`` and a data table for people who
cannot see it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from auditlog.lockout import Lockout, lockouts_active
from auditlog.models import SecurityAction, SecurityEvent

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP_LIMIT = 10

CHART_WIDTH = 720
CHART_HEIGHT = 240
MARGIN_LEFT = 48
MARGIN_BOTTOM = 28
MARGIN_TOP = 12


@dataclass
class Overview:
    days: int
    start: date
    per_day: list[tuple[date, int]]
    top_ips: list[tuple[str, int]]
    top_usernames: list[tuple[str, int]]
    lockouts: list[Lockout]
    failures: int = 0
    refused: int = 0
    chart: dict = field(default_factory=dict)


def overview_build(days: int = DEFAULT_PERIOD) -> Overview:
    """Return failed sign-ins per day, top sources and lockouts in force."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(start, time.min))
    events = SecurityEvent.objects.since(since)
    counts = dict(events.failures_per_day())
    per_day = [
        (start + timedelta(days=offset), counts.get(start + timedelta(days=offset), 0))
        for offset in range(days)
    ]
    overview = Overview(
        days=days,
        start=start,
        per_day=per_day,
        top_ips=list(events.top_failing("ip_address", limit=TOP_LIMIT)),
        top_usernames=list(events.top_failing("username", limit=TOP_LIMIT)),
        lockouts=lockouts_active(),
        failures=sum(count for _day, count in per_day),
        refused=events.filter(action=SecurityAction.LOGIN_REFUSED).count(),
    )
    overview.chart = failures_chart(per_day)
    return overview


def _nice_ceiling(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        ceiling = int(step * magnitude)
        if ceiling >= value:
            return ceiling
    return value


def failures_chart(per_day: list[tuple[date, int]]) -> dict:
    """Return the geometry of a bar chart of failed sign-ins per day."""
    plot_width = CHART_WIDTH - MARGIN_LEFT - 8
    plot_height = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    top = _nice_ceiling(max((count for _day, count in per_day), default=0))
    slot = plot_width / max(len(per_day), 1)
    label_every = max(1, len(per_day) // 8)
    bars = []
    for index, (day, count) in enumerate(per_day):
        height = plot_height * count / top
        bars.append(
            {
                "x": round(MARGIN_LEFT + index * slot + slot * 0.1, 1),
                "y": round(MARGIN_TOP + plot_height - height, 1),
                "width": round(max(slot * 0.8, 1), 1),
                "height": round(height, 1),
                "day": day,
                "count": count,
                "label": day.strftime("%d %b") if index % label_every == 0 else "",
                "label_x": round(MARGIN_LEFT + index * slot + slot / 2, 1),
                "tooltip": ngettext(
                    "%(day)s: %(count)s failed sign-in",
                    "%(day)s: %(count)s failed sign-ins",
                    count,
                )
                % {"day": day.isoformat(), "count": count},
            }
        )
    grid = [
        {
            "value": int(top * fraction),
            "y": round(MARGIN_TOP + plot_height * (1 - fraction), 1),
        }
        for fraction in (0, 0.5, 1)
    ]
    total = sum(count for _day, count in per_day)
    busiest = max(per_day, key=lambda item: item[1], default=None)
    description = _(
        "%(total)s failed sign-ins over %(days)s days, from %(first)s to %(last)s."
    ) % {
        "total": total,
        "days": len(per_day),
        "first": per_day[0][0].isoformat() if per_day else "-",
        "last": per_day[-1][0].isoformat() if per_day else "-",
    }
    if busiest and busiest[1]:
        description += " " + _("The busiest day was %(day)s with %(count)s.") % {
            "day": busiest[0].isoformat(),
            "count": busiest[1],
        }
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": MARGIN_LEFT,
        "right": CHART_WIDTH - 8,
        "baseline": MARGIN_TOP + plot_height,
        "label_y": CHART_HEIGHT - 8,
        "bars": bars,
        "grid": grid,
        "description": description,
    }
