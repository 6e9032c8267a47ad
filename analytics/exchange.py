"""Analytics records in and out of Janus as JSON and CSV.

Exports are generators of text, so a view can stream them and a command can
write them, without holding every record in memory. Imports are parsed and
checked completely before anything is written; see ``records_parse``.

The JSON form of a record is the one the import reads back::

    {"id": 7, "research_topic": "contrast-study",
     "created_at": "2026-11-30T09:12:00+00:00",
     "updated_at": "2026-11-30T09:12:00+00:00", "data": {...}}

Only "data" is required on import; "id" and "updated_at" are accepted and
ignored (imported records get new ones).
"""

import csv
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from analytics import conf
from analytics.exceptions import RecordsRejected
from analytics.models import Analytics

EXPORT_FIELDS = ("id", "research_topic", "created_at", "updated_at", "data")
IMPORT_FIELDS = ("data", "research_topic", "created_at")
IGNORED_FIELDS = ("id", "updated_at")
# The values Django's admin also refuses for a required JSON field.
EMPTY_DATA = (None, "", [], {})
# Reported per file; past this many the rest are summed up in one line.
MAX_ERRORS = 50
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _rows(queryset: QuerySet) -> Iterator[dict]:
    return queryset.values(*EXPORT_FIELDS).iterator(chunk_size=conf.export_chunk_size())


def _timestamp(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_json(queryset: QuerySet) -> Iterator[str]:
    """Yield the records of ``queryset`` as one JSON array, a record a line."""
    yield "["
    separator = "\n"
    for row in _rows(queryset):
        record = {
            "id": row["id"],
            "research_topic": row["research_topic"],
            "created_at": _timestamp(row["created_at"]),
            "updated_at": _timestamp(row["updated_at"]),
            "data": row["data"],
        }
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


class _Line:
    """A file-like object whose ``write`` hands back what it is given."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_safe(value: str | None) -> str:
    """Return ``value`` so that a spreadsheet shows it, never runs it."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value or ""


def export_csv(queryset: QuerySet) -> Iterator[str]:
    """Yield the records of ``queryset`` as CSV with a header line.

    The "data" column holds the record's JSON. Research topics that a
    spreadsheet would take for a formula get a leading apostrophe; the JSON
    column is left exact, since JSON text never starts a formula except as
    a negative number, which a spreadsheet shows as that number.
    """
    writer = csv.writer(_Line())
    yield writer.writerow(EXPORT_FIELDS)
    for row in _rows(queryset):
        yield writer.writerow(
            [
                row["id"],
                spreadsheet_safe(row["research_topic"]),
                _timestamp(row["created_at"]),
                _timestamp(row["updated_at"]),
                json.dumps(row["data"], ensure_ascii=False),
            ]
        )


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def json_error(exc: json.JSONDecodeError) -> str:
    """Return "Line L, column C: problem" for a JSON syntax error."""
    return f"Line {exc.lineno}, column {exc.colno}: {exc.msg}"


def json_parse(text: str):
    """Parse ``text`` as strict JSON: NaN and Infinity are refused.

    PostgreSQL's jsonb has no NaN or Infinity, so a value holding one could
    not be stored. Raise ``json.JSONDecodeError`` for a syntax error and
    ``ValueError`` for such a constant.
    """
    return json.loads(text, parse_constant=_refuse_constant)


def _record_errors(number: int, item) -> tuple[dict | None, list[str]]:
    """Return the fields of record ``number`` and what is wrong with it."""
    where = f"Record {number}"
    if not isinstance(item, dict):
        kind = type(item).__name__ if item is not None else "null"
        return None, [f'{where}: expected an object with a "data" key, not {kind}.']
    errors = []
    unknown = sorted(set(item) - set(IMPORT_FIELDS) - set(IGNORED_FIELDS))
    if unknown:
        errors.append(
            f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(key) for key in unknown)}; a record holds "
            f"{', '.join(IMPORT_FIELDS)}."
        )
    if "data" not in item:
        errors.append(f'{where}: "data" is missing.')
    elif item["data"] in EMPTY_DATA:
        errors.append(
            f'{where}: "data" is empty ({json.dumps(item["data"])}); a record '
            "needs some data."
        )
    fields = {"data": item.get("data")}

    topic = item.get("research_topic")
    max_length = Analytics._meta.get_field("research_topic").max_length
    if topic is not None and not isinstance(topic, str):
        errors.append(f'{where}: "research_topic" must be a string or null.')
    elif topic is not None and len(topic) > max_length:
        errors.append(
            f'{where}: "research_topic" is longer than {max_length} characters.'
        )
    else:
        fields["research_topic"] = topic or None

    created = item.get("created_at")
    if created is not None:
        moment = None
        if isinstance(created, str):
            try:
                moment = parse_datetime(created)
            except ValueError:
                moment = None
        if moment is None:
            errors.append(
                f'{where}: "created_at" must be an ISO 8601 date and time such '
                f'as "2026-11-30T09:12:00+00:00", not {json.dumps(created)}.'
            )
        else:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            fields["created_at"] = moment
    return fields, errors


def records_parse(text: str) -> list[dict]:
    """Return the records of a JSON import file as ``Analytics`` fields.

    The file is a JSON array of objects. Each needs "data" (any JSON value
    but null, "", [] or {}) and may give "research_topic" (a string) and
    "created_at" (ISO 8601; without an offset it is read in the current time
    zone). Raise
    :class:`RecordsRejected` listing every problem, by record number, when
    any record is wrong: an import is all or nothing.
    """
    try:
        payload = json_parse(text)
    except json.JSONDecodeError as exc:
        raise RecordsRejected([json_error(exc)]) from exc
    except ValueError as exc:
        raise RecordsRejected([f"{exc}."]) from exc
    if not isinstance(payload, list):
        raise RecordsRejected(
            ['The file must hold a JSON array of records, [ {"data": ...}, ... ].']
        )
    if not payload:
        raise RecordsRejected(["The file holds no records."])

    records, errors = [], []
    for number, item in enumerate(payload, start=1):
        fields, problems = _record_errors(number, item)
        errors.extend(problems)
        if not problems:
            records.append(fields)
    if errors:
        if len(errors) > MAX_ERRORS:
            hidden = len(errors) - MAX_ERRORS
            errors = [*errors[:MAX_ERRORS], f"... and {hidden} more problems."]
        raise RecordsRejected(errors)
    return records
