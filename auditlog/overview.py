"""The numbers behind the security overview page, and its chart.

The chart is the admin's shared SVG bar chart (``janus.charts``): drawn on
the server, no script, nothing fetched from elsewhere, a ``<title>`` and a
``<desc>``, and the page adds a data table for people who cannot see it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from auditlog.lockout import Lockout, lockouts_active
from auditlog.models import SecurityAction, SecurityEvent
from janus.charts import bar_chart

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP_LIMIT = 10

CHART_WIDTH = 720
CHART_HEIGHT = 240


@dataclass
class Overview:
    days: int
    start: date
    since: datetime
    per_day: list[tuple[date, int]]
    top_ips: list[tuple[str, int]]
    top_usernames: list[tuple[str, int]]
    lockouts: list[Lockout]
    failures: int = 0
    refused: int = 0
    chart: SafeString = field(default_factory=SafeString)

    @property
    def failures_query(self) -> str:
        """Return the event-list filter for this period's failed sign-ins."""
        return urlencode(
            {
                "action__exact": SecurityAction.LOGIN_FAILED,
                "timestamp__gte": str(self.since),
            }
        )


def overview_build(days: int = DEFAULT_PERIOD, *, events_url: str) -> Overview:
    """Return failed sign-ins per day, top sources and lockouts in force.

    ``events_url`` is the security event list the chart's bars link to.
    """
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
        since=since,
        per_day=per_day,
        top_ips=list(events.top_failing("ip_address", limit=TOP_LIMIT)),
        top_usernames=list(events.top_failing("username", limit=TOP_LIMIT)),
        lockouts=lockouts_active(),
        failures=sum(count for _day, count in per_day),
        refused=events.filter(action=SecurityAction.LOGIN_REFUSED).count(),
    )
    overview.chart = failures_chart(per_day, events_url)
    return overview


def failures_chart(per_day: list[tuple[date, int]], events_url: str) -> SafeString:
    """Return the SVG chart of failed sign-ins per day.

    Each bar links to that day's failed sign-ins in the event list, as the
    dashboard's chart does; the chart takes the admin theme's colours.
    """
    labels = [date_format(day, "M j") for day, _count in per_day]
    links = []
    for day, _count in per_day:
        start = timezone.make_aware(datetime.combine(day, time.min))
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        query = urlencode(
            {
                "action__exact": SecurityAction.LOGIN_FAILED,
                "timestamp__gte": str(start),
                "timestamp__lt": str(end),
            }
        )
        links.append(f"{events_url}?{query}")
    total = sum(count for _day, count in per_day)
    description = _(
        "%(total)s failed sign-ins over %(days)s days, from %(first)s to %(last)s."
    ) % {
        "total": total,
        "days": len(per_day),
        "first": per_day[0][0].isoformat() if per_day else "-",
        "last": per_day[-1][0].isoformat() if per_day else "-",
    }
    busiest = max(per_day, key=lambda item: item[1], default=None)
    if busiest and busiest[1]:
        description += " " + _("The busiest day was %(day)s with %(count)s.") % {
            "day": busiest[0].isoformat(),
            "count": busiest[1],
        }
    return bar_chart(
        [count for _day, count in per_day],
        labels,
        title=_("Failed sign-ins per day"),
        description=description,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        label_every=max(1, len(per_day) // 8),
        links=links,
    )
