"""Template tags for the audit trail's admin pages."""

import calendar
import datetime

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import Max, Min
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


def _bounds(cl):
    """Return the first and last value of the date field, in local time."""
    field = cl.date_hierarchy
    bounds = cl.queryset.aggregate(first=Min(field), last=Max(field))
    if bounds["first"] is None or bounds["last"] is None:
        return None, None
    return timezone.localtime(bounds["first"]), timezone.localtime(bounds["last"])


@register.inclusion_tag("admin/date_hierarchy.html")
def trail_date_hierarchy(cl):
    """Show the date drill-down without reading every row's date.

    Django's tag lists the years, months or days that have rows with
    ``QuerySet.dates()``, which truncates and sorts every timestamp in the
    list. This one reads only the first and last timestamp (two index
    probes) and offers every year, month or day between them, so a period
    without rows may appear and turn out empty.
    """
    field = cl.date_hierarchy
    year = cl.params.get(f"{field}__year")
    month = cl.params.get(f"{field}__month")
    day = cl.params.get(f"{field}__day")
    if year and month and day:
        return date_hierarchy(cl)

    def link(filters):
        return cl.get_query_string(filters, [f"{field}__"])

    first, last = _bounds(cl)
    title = cl.model._meta.get_field(field).verbose_name
    shown = {"show": True, "field_name": title, "choices": [], "back": None}
    if first is None:
        return shown
    if not (year or month) and first.year == last.year:
        year = first.year
        if first.month == last.month:
            month = first.month

    if year and month:
        year, month = int(year), int(month)
        start = first.day if (first.year, first.month) == (year, month) else 1
        end = (
            last.day
            if (last.year, last.month) == (year, month)
            else calendar.monthrange(year, month)[1]
        )
        shown["back"] = {"link": link({f"{field}__year": year}), "title": str(year)}
        for number in range(start, end + 1):
            date = datetime.date(year, month, number)
            shown["choices"].append(
                {
                    "link": link(
                        {
                            f"{field}__year": year,
                            f"{field}__month": month,
                            f"{field}__day": number,
                        }
                    ),
                    "title": capfirst(formats.date_format(date, "MONTH_DAY_FORMAT")),
                }
            )
        return shown

    if year:
        year = int(year)
        start = first.month if first.year == year else 1
        end = last.month if last.year == year else 12
        shown["back"] = {"link": link({}), "title": _("All dates")}
        for number in range(start, end + 1):
            date = datetime.date(year, number, 1)
            shown["choices"].append(
                {
                    "link": link({f"{field}__year": year, f"{field}__month": number}),
                    "title": capfirst(formats.date_format(date, "YEAR_MONTH_FORMAT")),
                }
            )
        return shown

    for number in range(first.year, last.year + 1):
        shown["choices"].append(
            {"link": link({f"{field}__year": str(number)}), "title": str(number)}
        )
    return shown
