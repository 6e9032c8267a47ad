"""A paginator for tables of millions of rows.

Django's admin counts every matching row to number the pages; on a large
table that count is most of the page's time. This one estimates the size
of an unfiltered table from PostgreSQL's statistics, counts a filtered
list only up to a cap, and reads deep pages through the index before
fetching the rows.
"""

from functools import cached_property

from django.core.paginator import InvalidPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.translation import gettext as _

COUNT_CAP = 10_000
# From this offset on, a page's ids are read from the index first and only
# those rows fetched, so skipped rows are never read from the table.
DEEP_OFFSET = 2_000


def table_estimate(queryset) -> int | None:
    """Return PostgreSQL's estimate of the rows in the queryset's table."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] > 0 else None


class TrailPaginator(Paginator):
    """Number pages from an estimated or capped count instead of COUNT(*)."""

    is_estimate = False
    is_capped = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not queryset.query.where:
            estimate = table_estimate(queryset)
            if estimate is not None and estimate > COUNT_CAP:
                self.is_estimate = True
                return estimate
        counted = queryset.order_by()[: COUNT_CAP + 1].count()
        if counted > COUNT_CAP:
            self.is_capped = True
        return counted

    @property
    def is_exact(self) -> bool:
        return not (self.is_estimate or self.is_capped)

    def count_label(self) -> str:
        """Return the count as the page shows it: exact, about or at least."""
        count = self.count
        if self.is_estimate:
            return _("about %(count)s") % {"count": f"{count:,}"}
        if self.is_capped:
            return _("more than %(count)s") % {"count": f"{COUNT_CAP:,}"}
        return f"{count:,}"

    def validate_number(self, number):
        if self.is_exact:
            return super().validate_number(number)
        # The last page is not known exactly; a page past the end is empty.
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(_("That page number is not an integer")) from exc
        if number < 1:
            raise InvalidPage(_("That page number is less than 1"))
        return number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        queryset = self.object_list
        if bottom < DEEP_OFFSET:
            return self._get_page(queryset[bottom:top], number, self)
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
