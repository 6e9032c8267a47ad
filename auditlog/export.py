"""Streamed CSV and JSON exports of the audit trail.

Rows are read with ``values_list(...).iterator(chunk_size=...)`` (a
server-side cursor on PostgreSQL) and written out as they arrive, so an
export of a million rows holds one chunk in memory, not the table.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils import timezone

from auditlog.conf import export_chunk_size

# Spreadsheets run a cell that starts with one of these as a formula; the
# CSV export prefixes such cells with an apostrophe. The JSON export keeps
# every value exactly as stored.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_WRITE = 200


class _Echo:
    """A file whose write() returns the text, for ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(columns: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    """Yield the CSV text of ``rows`` under a header of ``columns``."""
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    batch = []
    for row in rows:
        batch.append(writer.writerow([_csv_cell(value) for value in row]))
        if len(batch) >= ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def json_lines(columns: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    """Yield a JSON array of one object per row, one row per line."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    yield "["
    separator = "\n"
    batch = []
    for row in rows:
        batch.append(separator + encoder.encode(dict(zip(columns, row, strict=True))))
        separator = ",\n"
        if len(batch) >= ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    batch.append("\n]\n")
    yield "".join(batch)


FORMATS = {
    "csv": (csv_lines, "text/csv; charset=utf-8"),
    "json": (json_lines, "application/json"),
}


def export_response(queryset, columns: list[str], *, fmt: str, name: str):
    """Return a streamed download of ``columns`` of ``queryset``'s rows."""
    writer, content_type = FORMATS[fmt]
    rows = queryset.values_list(*columns).iterator(chunk_size=export_chunk_size())
    response = StreamingHttpResponse(writer(columns, rows), content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
