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
import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime

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
# Deeper JSON is refused: the indented display recurses once per level, and
# several hundred levels exhaust Python's stack.
MAX_DEPTH = 100
# Text PostgreSQL stores in neither text nor jsonb: the NUL character, and
# UTF-16 surrogates, which only an unpaired escape such as "\ud800" puts
# into a parsed string (and which no page could then show as UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


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
    raise ValueError(f"{name} is not a JSON number; write it as a string or null.")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is too large a number; write it as a string.")
    return value


def json_error(exc: json.JSONDecodeError) -> str:
    """Return "Line L, column C: problem" for a JSON syntax error."""
    return f"Line {exc.lineno}, column {exc.colno}: {exc.msg}"


def json_parse(text: str):
    """Parse ``text`` as strict JSON that a database can store.

    PostgreSQL's jsonb has no NaN or Infinity, and a number too large for a
    float would turn into Infinity, so both are refused. Raise
    ``json.JSONDecodeError`` for a syntax error and ``ValueError``, with a
    sentence for a person, for such a number or for nesting too deep for
    Python to read. See ``json_refusal`` for what else a value must meet.
    """
    try:
        return json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite_float
        )
    except RecursionError as exc:
        raise ValueError(
            f"The JSON is nested more than {MAX_DEPTH} levels deep."
        ) from exc


def json_refusal(value) -> str | None:
    """Return why parsed JSON ``value`` cannot be stored and shown, or None.

    It is refused when nested more than ``MAX_DEPTH`` levels deep or when a
    key or string holds text in ``UNSTORABLE``. The answer is a phrase that
    completes a sentence whose subject the caller names ("The JSON ...").
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return f"is nested more than {MAX_DEPTH} levels deep."
            children = [*item, *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str) and (found := UNSTORABLE.search(item)):
            escape = f"\\u{ord(found.group()):04x}"
            if found.group() == "\x00":
                return (
                    f'holds "{escape}", the NUL character, which cannot be stored; '
                    "remove it."
                )
            return (
                f'holds "{escape}", half of a surrogate pair without its other '
                "half, which cannot be stored; write the character itself."
            )
    return None


def _storable_moment(moment: datetime) -> datetime | None:
    """Return ``moment`` made aware, or None if it cannot be stored and shown.

    The database keeps it in UTC and the admin shows it in the current time
    zone; near the years 1 and 9999 either move can leave Python's range.
    """
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        moment.astimezone(UTC)
        timezone.localtime(moment)
    except OverflowError:
        return None
    return moment


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
    elif problem := json_refusal(item["data"]):
        errors.append(f'{where}: "data" {problem}')
    fields = {"data": item.get("data")}

    topic = item.get("research_topic")
    max_length = Analytics._meta.get_field("research_topic").max_length
    if topic is not None and not isinstance(topic, str):
        errors.append(f'{where}: "research_topic" must be a string or null.')
    elif topic is not None and len(topic) > max_length:
        errors.append(
            f'{where}: "research_topic" is longer than {max_length} characters.'
        )
    elif topic is not None and (problem := json_refusal(topic)):
        errors.append(f'{where}: "research_topic" {problem}')
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
        elif (moment := _storable_moment(moment)) is None:
            errors.append(
                f'{where}: "created_at" {json.dumps(created)} lies outside the '
                "years 1 to 9999 once moved to UTC or the local time zone."
            )
        else:
            fields["created_at"] = moment
    return fields, errors


def records_parse(text: str) -> list[dict]:
    """Return the records of a JSON import file as ``Analytics`` fields.

    The file is a JSON array of objects. Each needs "data" (any JSON value
    but null, "", [] or {}, that ``json_refusal`` accepts) and may give
    "research_topic" (a string) and "created_at" (ISO 8601; without an
    offset it is read in the current time zone). Raise
    :class:`RecordsRejected` listing every problem, by record number, when
    any record is wrong: an import is all or nothing.
    """
    try:
        payload = json_parse(text)
    except json.JSONDecodeError as exc:
        raise RecordsRejected([json_error(exc)]) from exc
    except ValueError as exc:
        raise RecordsRejected([str(exc)]) from exc
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
