"""The hash chains over ``logs`` and ``security``: link, verify and prune.

Every row stores ``previous_hash``, the ``row_hash`` of the row before it in
its table (by id), and ``row_hash``, the SHA-256 of that previous hash and
the row's canonical content. The first row links to the table's checkpoint:
all zeros until ``prune_logs`` removes old rows, then the hash of the last
removed row. Changing, removing or inserting a row by any route other than
this module breaks a link that ``verify_audit_trail`` reports.

``audit_chain_heads`` holds one row per table with the newest link and the
checkpoint. A writer locks that row (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already lets one writer in at a
time), reads the head, inserts and moves the head in one transaction, so
concurrent writers queue up instead of forking the chain, and ids grow in
chain order.

The canonical content leaves out ``id``, ``updated_at`` (``auto_now``) and
the ``user`` key, which becomes empty when a user is deleted; the
``username`` snapshot inside the hash says who acted.
"""

import hashlib
import io
import ipaddress
import json
import logging
import math
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

GENESIS = "0" * 64


# Canonical content -------------------------------------------------------


def canonical_time(value: datetime) -> str:
    """Return ``value`` in UTC with microseconds, the form the hash uses."""
    if value.tzinfo is not UTC:
        if timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
    r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
)


def canonical_ip(value: str | None) -> str | None:
    """Return ``value`` in Python's normal spelling, or None when empty."""
    if not value:
        return None
    value = str(value).strip()
    if _IPV4.fullmatch(value):
        return value
    return str(ipaddress.ip_address(value))


_encode_str = json.encoder.encode_basestring
_encode_json = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode


def _canonical(value) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return _encode_str(value)
    if isinstance(value, datetime):
        return f'"{canonical_time(value)}"'
    return _encode_json(value)


def canonical_content(table: str, values: Sequence) -> str:
    """Return the canonical JSON array of a row: its table, then ``values``.

    The same text as ``json.dumps([table, *values], sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`` with datetimes in UTC,
    built value by value because this runs once per row of every bulk load.
    """
    return f"[{_encode_str(table)},{','.join(map(_canonical, values))}]"


def link_hash(previous: str, table: str, values: Sequence) -> str:
    """Return the ``row_hash`` of a row holding ``values`` after ``previous``.

    ``values`` are the row's ``CHAIN_FIELDS`` in order, as the model or the
    database returns them: datetimes, strings, None and JSON data that went
    through :func:`clean_json`.
    """
    content = canonical_content(table, values)
    return hashlib.sha256(f"{previous}\n{content}".encode()).hexdigest()


# Cleaning values before they are hashed ----------------------------------


def clean_text(value: str) -> str:
    """Return ``value`` without NUL characters or lone surrogates.

    PostgreSQL refuses both; dropping them here keeps a write from failing
    and keeps the stored text equal to the hashed text.
    """
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _stable_float(text: str) -> float | int:
    # PostgreSQL's jsonb keeps numbers as decimals and prints them without
    # exponents, so 1e20 would come back as an integer, and -0.0 as 0.0.
    # Storing those numbers in the form PostgreSQL returns keeps the hash of
    # a row the same before and after the round trip.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("JSON cannot hold NaN or infinity.")
    if value == 0:
        return 0.0
    if ("e" in text or "E" in text) and value.is_integer():
        return int(Decimal(text))
    return value


class _LenientEncoder(DjangoJSONEncoder):
    """Django's encoder, writing anything else it meets as its ``repr``."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return repr(o)


def clean_json(value):
    """Return ``value`` as plain JSON data that survives a database round trip.

    Dates, UUIDs and decimals become strings (as ``DjangoJSONEncoder`` writes
    them), unknown objects their ``repr``, and strings lose what PostgreSQL
    refuses.
    """
    if value is None:
        return None
    text = json.dumps(value, cls=_LenientEncoder, allow_nan=False, ensure_ascii=False)
    value = json.loads(clean_text(text), parse_float=_stable_float)
    return _without_nul(value) if "\\u0000" in text else value


_PLAIN_TYPES = (bool, int, type(None))


def _clean_json_value(value):
    # Most metadata is a flat dict of short ASCII strings, flags and
    # integers, which needs no round trip; everything else gets one.
    if type(value) is dict and all(
        type(key) is str
        and (
            type(item) in _PLAIN_TYPES
            or (type(item) is str and item.isascii() and "\x00" not in item)
        )
        for key, item in value.items()
    ):
        return value
    return clean_json(value)


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _cleaners(model) -> list[tuple[str, object]]:
    cleaners = []
    for name in model.CHAIN_FIELDS:
        field = model._meta.get_field(name)
        if isinstance(field, models.GenericIPAddressField):
            cleaners.append((field.attname, canonical_ip))
        elif isinstance(field, models.JSONField):
            cleaners.append((field.attname, _clean_json_value))
        elif isinstance(field, models.CharField):
            limit = field.max_length

            def clean(value, limit=limit):
                if value is None:
                    return None
                if type(value) is str and value.isascii() and "\x00" not in value:
                    return value[:limit]
                return clean_text(str(value))[:limit]

            cleaners.append((field.attname, clean))
    return cleaners


def chain_values(obj) -> list:
    """Return the values of ``obj`` that its row hash covers, in order."""
    return [getattr(obj, name) for name in obj.CHAIN_FIELDS]


def _stored_content(model):
    """Return a function that puts values read back into hashing form.

    Only addresses need it: PostgreSQL spells some IPv6 addresses
    differently from Python.
    """
    positions = [
        index
        for index, name in enumerate(model.CHAIN_FIELDS)
        if isinstance(model._meta.get_field(name), models.GenericIPAddressField)
    ]

    def normalise(content: list) -> list:
        for index in positions:
            content[index] = canonical_ip(content[index])
        return content

    return normalise


# Writing -----------------------------------------------------------------


def _lock_head(model, using: str):
    """Return the head row of ``model``'s chain, locked until commit."""
    from auditlog.models import ChainHead

    table = model._meta.db_table
    heads = ChainHead.objects.using(using)
    head = heads.select_for_update().filter(chain=table).first()
    if head is not None:
        return head

    # First write, or the head row was removed: start from the newest row
    # so the chain carries on. A removed head may have taken the newest rows
    # with it, which no link shows; the rebuild is marked for
    # verify_audit_trail to report.
    newest = (
        model._base_manager.using(using)
        .order_by("-id")
        .values_list("id", "row_hash")
        .first()
    )
    head_id, head_hash = newest or (0, GENESIS)
    rebuilt = {} if newest is None else {"rebuilt_at": timezone.now()}
    heads.bulk_create(
        [
            ChainHead(
                chain=table,
                head_id=head_id,
                head_hash=head_hash,
                rebuilt_from_id=head_id if newest else None,
                **rebuilt,
            )
        ],
        ignore_conflicts=True,
    )
    if newest is not None:
        logger.warning("audit chain head recreated table=%s head_id=%s", table, head_id)
    return heads.select_for_update().get(chain=table)


@contextmanager
def chain_locked(model):
    """Hold the chain lock of ``model``'s table for the enclosed block.

    For a writer that must read and then append without anyone appending
    in between, such as counting failed sign-ins before deciding on a
    lockout. Writes inside the block go through ``chain_extend`` as usual.
    """
    using = router.db_for_write(model)
    with transaction.atomic(using=using):
        _lock_head(model, using)
        yield


def _move_head(head, last_id: int, last_hash: str) -> None:
    head.head_id = last_id
    head.head_hash = last_hash
    head.save(update_fields=["head_id", "head_hash", "updated_at"])


def chain_extend(queryset, objs: list, *, batch_size: int | None = None) -> list:
    """Link ``objs`` into the chain of their table and insert them.

    This is what ``bulk_create`` and ``save`` of ``Log`` and
    ``SecurityEvent`` do, so every row written through the ORM is chained.
    """
    model = queryset.model
    if not objs:
        return objs
    if any(obj.pk is not None for obj in objs):
        raise ValueError("Rows of the audit trail get their id from the database.")
    using = queryset.db
    table = model._meta.db_table
    cleaners = _cleaners(model)

    # No savepoint of its own: a caller inside a transaction that wants to
    # survive a failed write brings one (the handler and the services do).
    with transaction.atomic(using=using, savepoint=False):
        head = _lock_head(model, using)
        previous = head.head_hash
        for obj in objs:
            for attname, clean in cleaners:
                setattr(obj, attname, clean(getattr(obj, attname)))
            obj.previous_hash = previous
            obj.row_hash = previous = link_hash(previous, table, chain_values(obj))
        models.QuerySet.bulk_create(queryset, objs, batch_size=batch_size)
        last_id = objs[-1].pk
        if last_id is None:
            last_id = model._base_manager.using(using).order_by("-id").first().pk
        _move_head(head, last_id, previous)
    return objs


def chain_bulk_insert(
    model, rows: Iterable[dict], *, rebuild_indexes: bool = False
) -> int:
    """Append ``rows`` (dicts of column values) to the chain at bulk speed.

    For large loads such as ``manage.py seed``. No model instances are
    built; every row is cleaned, hashed and linked exactly as
    ``chain_extend`` does, in one transaction holding the chain lock.
    PostgreSQL receives one streaming ``COPY``, so hashing in Python and
    inserting in the server run side by side; other databases get
    ``executemany`` in chunks. With ``rebuild_indexes`` the table's
    secondary indexes are dropped first and built again at the end, which
    is several times faster for hundreds of thousands of rows but blocks
    readers of the table until the load commits. Return the row count.
    """
    using = router.db_for_write(model)
    connection = connections[using]
    encoder = _RowEncoder(model, connection)
    state = {"previous": GENESIS, "count": 0}

    def lines():
        for row in rows:
            values = encoder.values(row)
            state["previous"] = encoder.link(values, state["previous"])
            state["count"] += 1
            yield values

    with transaction.atomic(using=using):
        head = _lock_head(model, using)
        state["previous"] = head.head_hash
        dropped = _drop_indexes(connection, encoder.table) if rebuild_indexes else []
        if connection.vendor == "postgresql":
            _copy(connection, encoder, lines())
        else:
            _insert(connection, encoder, lines())
        _create_indexes(connection, dropped)
        if state["count"]:
            last_id = model._base_manager.using(using).order_by("-id").first().pk
            _move_head(head, last_id, state["previous"])
        if rebuild_indexes and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(encoder.table)}")
    return state["count"]


class _RowEncoder:
    """Turn dicts of column values into cleaned, linked rows of one table.

    Datetimes become their canonical UTC text at once, which PostgreSQL
    reads as it is and the hash covers as it is; each value is encoded once
    and reused for both.
    """

    def __init__(self, model, connection):
        self.table = model._meta.db_table
        self.table_json = _encode_str(self.table)
        fields = [f for f in model._meta.concrete_fields if f.attname != "id"]
        self.fields = fields
        self.columns = [field.attname for field in fields]
        self.chain_at = [self.columns.index(name) for name in model.CHAIN_FIELDS]
        self.cleaners = [
            (self.columns.index(name), clean) for name, clean in _cleaners(model)
        ]
        self.previous_at = self.columns.index("previous_hash")
        self.row_hash_at = self.columns.index("row_hash")
        self.json_at = [
            index
            for index, field in enumerate(fields)
            if isinstance(field, models.JSONField)
        ]
        self.time_at = [
            index
            for index, field in enumerate(fields)
            if isinstance(field, models.DateTimeField)
        ]
        self.text_at = [
            index
            for index, field in enumerate(fields)
            if isinstance(field, (models.CharField, models.TextField))
            and index not in (self.previous_at, self.row_hash_at)
        ]
        self.escape_at = self.text_at + self.json_at
        self.now = canonical_time(timezone.now())
        self.defaults = []
        self.callable_defaults = []
        for index, field in enumerate(fields):
            if getattr(field, "auto_now", False) or getattr(
                field, "auto_now_add", False
            ):
                default = self.now
            elif field.has_default() and callable(field.default):
                default = _CALL
                self.callable_defaults.append((index, field))
            else:
                default = field.get_default()
            self.defaults.append((field.attname, default))
        self.json_text = {}

    def values(self, row: dict) -> list:
        values = [row.get(name, default) for name, default in self.defaults]
        for index, field in self.callable_defaults:
            if values[index] is _CALL:
                values[index] = field.get_default()
        for index, clean in self.cleaners:
            values[index] = clean(values[index])
        for index in self.time_at:
            if isinstance(values[index], datetime):
                values[index] = canonical_time(values[index])
        return values

    def link(self, values: list, previous: str) -> str:
        parts = [_canonical(values[index]) for index in self.chain_at]
        content = f"[{self.table_json},{','.join(parts)}]"
        for index, part in zip(self.chain_at, parts, strict=True):
            if index in self.json_at:
                self.json_text[index] = part
        values[self.previous_at] = previous
        values[self.row_hash_at] = previous = hashlib.sha256(
            f"{previous}\n{content}".encode()
        ).hexdigest()
        return previous

    def _json(self, values: list, index: int) -> str:
        text = self.json_text.get(index)
        return _encode_json(values[index]) if text is None else text

    def copy_line(self, values: list) -> str:
        """Return ``values`` as one line of PostgreSQL's COPY text format."""
        values = ["\\N" if value is None else value for value in values]
        for index in self.json_at:
            if values[index] != "\\N":
                values[index] = self._json(values, index)
        texts = [values[index] for index in self.escape_at if values[index] != "\\N"]
        # One search over all text columns; most rows need no escaping.
        if _COPY_SPECIAL.search("".join(texts)):
            for index in self.escape_at:
                if values[index] != "\\N":
                    values[index] = _copy_text(values[index])
        return "\t".join(map(str, values)) + "\n"

    def parameters(self, values: list) -> list:
        """Return ``values`` ready for a parameterised INSERT on SQLite."""
        for index in self.json_at:
            if values[index] is not None:
                values[index] = self._json(values, index)
        for index in self.time_at:
            if values[index] is not None:
                # Django's SQLite backend stores naive UTC as "date time".
                text = values[index].replace("T", " ").removesuffix("+00:00")
                values[index] = text.removesuffix(".000000")
        return values


_CALL = object()


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(text: str) -> str:
    return text.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(text) else text


class _LineStream(io.TextIOBase):
    """A read-only file over an iterator of text lines, for ``copy_expert``."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self._pending = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        chunks, length = [self._pending], len(self._pending)
        while size < 0 or length < size:
            line = next(self._lines, None)
            if line is None:
                break
            chunks.append(line)
            length += len(line)
        data = "".join(chunks)
        if size < 0:
            self._pending = ""
            return data
        self._pending = data[size:]
        return data[:size]


def _copy(connection, encoder: _RowEncoder, rows: Iterable[list]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in encoder.columns)
    sql = f"COPY {quote(encoder.table)} ({columns}) FROM STDIN"
    stream = _LineStream(encoder.copy_line(values) for values in rows)
    with connection.cursor() as cursor:
        # psycopg2 exposes COPY through copy_expert on the raw cursor; the
        # server inserts while this process hashes the next rows.
        cursor.cursor.copy_expert(sql, stream, size=1 << 16)


def _insert(connection, encoder: _RowEncoder, rows: Iterable[list]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in encoder.columns)
    marks = ", ".join(["%s"] * len(encoder.columns))
    sql = f"INSERT INTO {quote(encoder.table)} ({columns}) VALUES ({marks})"  # noqa: S608
    batch = []
    with connection.cursor() as cursor:
        for values in rows:
            batch.append(encoder.parameters(values))
            if len(batch) >= 10_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _drop_indexes(connection, table: str) -> list[str]:
    """Drop the secondary indexes of ``table``; return their definitions."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass)",
                [table, table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _name, definition in indexes]


def _create_indexes(connection, definitions: list[str]) -> None:
    if not definitions:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL refuses to index a table whose foreign key checks
            # are still deferred; running them now is what commit would do.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)


# Verifying ---------------------------------------------------------------


@dataclass
class ChainReport:
    """What ``chain_verify`` found in one table."""

    table: str
    rows: int
    head_hash: str
    broken_id: int | None = None
    problem: str = ""

    @property
    def is_intact(self) -> bool:
        return self.broken_id is None and not self.problem


def chain_verify(model, *, chunk_size: int = 5000) -> ChainReport:
    """Recompute the chain of ``model``'s table and report the first break.

    Only rows up to the head read at the start are checked, so writers may
    go on meanwhile. When the checkpoint moves during the check (a prune
    ran), the check starts again.
    """
    for _attempt in range(3):
        report, anchor = _verify_once(model, chunk_size)
        if report.is_intact or _anchor(model) == anchor:
            return report
    return report


def _anchor(model):
    from auditlog.models import ChainHead

    return (
        ChainHead.objects.using(router.db_for_read(model))
        .filter(chain=model._meta.db_table)
        .values_list("anchor_id", "anchor_hash")
        .first()
    )


def _verify_once(model, chunk_size: int) -> tuple[ChainReport, tuple | None]:
    from auditlog.models import ChainHead

    using = router.db_for_read(model)
    table = model._meta.db_table
    head = ChainHead.objects.using(using).filter(chain=table).first()
    rows = model._base_manager.using(using).order_by("id")
    if head is None:
        first = rows.values_list("id", flat=True).first()
        report = ChainReport(table, 0, GENESIS)
        if first is not None:
            report.broken_id = first
            report.problem = "the chain head is missing, so no row can be trusted"
        return report, None

    anchor = (head.anchor_id, head.anchor_hash)
    normalise = _stored_content(model)
    report = ChainReport(table, 0, head.head_hash)
    previous_id, previous = head.anchor_id, head.anchor_hash
    values = rows.filter(id__lte=head.head_id).values_list(
        "id", "previous_hash", "row_hash", *model.CHAIN_FIELDS
    )
    early = rows.filter(id__lte=head.anchor_id).values_list("id", flat=True).first()
    if early is not None:
        report.broken_id = early
        report.problem = (
            f"row {early} lies before the checkpoint at row {head.anchor_id}; "
            "it was inserted after pruning"
        )
        return report, anchor

    for row_id, stored_previous, stored_hash, *content in values.iterator(
        chunk_size=chunk_size
    ):
        if stored_previous != previous:
            report.broken_id = row_id
            report.problem = (
                f"row {row_id} does not follow row {previous_id or 'checkpoint'}: "
                "a row before it was removed or changed, or it was inserted "
                "out of band"
            )
            return report, anchor
        expected = link_hash(previous, table, normalise(content))
        if stored_hash != expected:
            report.broken_id = row_id
            report.problem = f"row {row_id} was changed after it was written"
            return report, anchor
        report.rows += 1
        previous_id, previous = row_id, stored_hash

    if previous != head.head_hash or previous_id != head.head_id:
        report.broken_id = previous_id or head.head_id
        report.problem = (
            f"the chain ends at row {previous_id} but its head records row "
            f"{head.head_id}: newer rows were removed"
        )
        return report, anchor
    beyond = rows.filter(id__gt=head.head_id).values_list("id", flat=True).first()
    if beyond is not None and not _is_newer_link(model, using, head, beyond):
        report.broken_id = beyond
        report.problem = f"row {beyond} is not part of the chain: inserted out of band"
    elif head.rebuilt_at is not None:
        report.broken_id = head.rebuilt_from_id
        report.problem = (
            f"the chain head was missing and was rebuilt from row "
            f"{head.rebuilt_from_id} at {head.rebuilt_at.isoformat()}; rows "
            "written after that row may have been removed with it (after "
            "checking, accept with verify_audit_trail --accept-rebuilt-head)"
        )
    return report, anchor


def chain_accept_rebuilt_head(model, *, by: str) -> int | None:
    """Clear the rebuilt mark of ``model``'s chain head; log who did it.

    Return the row the head was rebuilt from, or None when it was not
    marked. The acceptance is logged, and so becomes part of ``logs``.
    """
    from auditlog.models import ChainHead

    using = router.db_for_write(model)
    table = model._meta.db_table
    with transaction.atomic(using=using):
        head = (
            ChainHead.objects.using(using)
            .select_for_update()
            .filter(chain=table, rebuilt_at__isnull=False)
            .first()
        )
        if head is None:
            return None
        row_id = head.rebuilt_from_id
        head.rebuilt_at = head.rebuilt_from_id = None
        head.save(update_fields=["rebuilt_at", "rebuilt_from_id", "updated_at"])
    logger.warning(
        "audit chain rebuilt head accepted table=%s from_row=%s by=%s",
        table,
        row_id,
        by,
        extra={"janus": {"table": table, "rebuilt_from_id": row_id, "by": by}},
    )
    return row_id


def _is_newer_link(model, using, head, row_id) -> bool:
    """Return True when ``row_id`` was linked after the head was read."""
    from auditlog.models import ChainHead

    current = ChainHead.objects.using(using).get(chain=head.chain)
    return current.head_id >= row_id


# Pruning -----------------------------------------------------------------


@dataclass
class PruneResult:
    table: str
    rows: int = 0
    anchor_id: int = 0
    anchor_hash: str = GENESIS


def _allow_prune(using: str, *, allowed: bool = True) -> None:
    """Let this transaction delete audit rows past the append-only triggers.

    The triggers (PostgreSQL only, migration ``auditlog.0005``) refuse every
    DELETE unless the transaction has set ``janus.audit_prune``. The setting
    is local to the outermost transaction, not to a savepoint, so callers
    switch it off again (``allowed=False``) right after their delete.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('janus.audit_prune', %s, true)",
                ["on" if allowed else "off"],
            )


def chain_prune(model, *, cutoff: datetime, batch_size: int = 10_000) -> PruneResult:
    """Remove the oldest rows of ``model``'s table, up to ``cutoff``.

    Rows leave in chain order: from the oldest up to the first row written
    at or after ``cutoff``, so the rest stays one unbroken chain. Each batch
    is checked, removed and recorded as the new checkpoint in one
    transaction. Raise ``AuditTrailError`` before removing a batch whose links
    do not hold, so pruning never erases the evidence of tampering.
    """
    from auditlog.exceptions import AuditTrailError

    using = router.db_for_write(model)
    table = model._meta.db_table
    base = model._base_manager.using(using)
    result = PruneResult(table)
    normalise = _stored_content(model)
    boundary = (
        base.filter(timestamp__gte=cutoff).order_by("id").values_list("id", flat=True)
    ).first()

    while True:
        with transaction.atomic(using=using):
            head = _lock_head(model, using)
            limit = head.head_id if boundary is None else boundary - 1
            batch = list(
                base.filter(id__gt=head.anchor_id, id__lte=limit)
                .order_by("id")
                .values_list("id", "previous_hash", "row_hash", *model.CHAIN_FIELDS)[
                    :batch_size
                ]
            )
            if not batch:
                break
            previous = head.anchor_hash
            for row_id, stored_previous, stored_hash, *content in batch:
                if stored_previous != previous or stored_hash != link_hash(
                    previous, table, normalise(content)
                ):
                    raise AuditTrailError(
                        f"{table} row {row_id} breaks the hash chain; nothing "
                        "from there on was pruned. Run verify_audit_trail."
                    )
                previous = stored_hash
            last_id = batch[-1][0]
            _allow_prune(using)
            base.filter(id__gt=head.anchor_id, id__lte=last_id).delete()
            _allow_prune(using, allowed=False)
            head.anchor_id, head.anchor_hash = last_id, previous
            head.pruned_rows += len(batch)
            head.pruned_at = timezone.now()
            head.save(
                update_fields=[
                    "anchor_id",
                    "anchor_hash",
                    "pruned_rows",
                    "pruned_at",
                    "updated_at",
                ]
            )
        result.rows += len(batch)
        result.anchor_id, result.anchor_hash = last_id, previous
    return result
