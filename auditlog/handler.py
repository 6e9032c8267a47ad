"""The logging handler that keeps records in the ``logs`` table.

Application code only calls ``logging.getLogger(__name__)``; settings attach
:class:`DatabaseHandler` to the hierarchies in ``JANUS_AUDIT_LOGGERS`` and to
``auditlog``. Structured context passed as ``extra={"janus": {...}}`` lands
in ``log_metadata``; the user, address and path come from the current
request (see ``auditlog.context``).

When a record is written
    Records emitted while a request is handled wait in a per-thread queue
    and are written in one batch, one short transaction, when the response
    is ready (``AuditMiddleware``). Elsewhere (commands, tasks) a record
    emitted outside a transaction is written at once; one emitted inside a
    transaction waits until it ends: on commit by an ``on_commit``
    callback, after a rollback at the next record or at process exit. So
    the chain lock is never held for the rest of someone else's
    transaction, SQLite's single writer is never waited for from inside its
    own transaction, a request costs one audit write however much it logs,
    and a rollback neither loses the record nor takes it down with it.

What a failure does
    Nothing to the caller. A write that fails is dropped and reported on
    the ``auditlog.handler`` logger, which goes to the console and is never
    persisted, at most once a minute with the number dropped. While the
    handler writes, records from the same thread are ignored, so it never
    recurses into itself. On PostgreSQL the write gives up after
    ``JANUS_AUDIT_WRITE_TIMEOUT`` milliseconds of waiting for a lock.
"""

import atexit
import contextlib
import logging
import threading
import time
from datetime import UTC, datetime

from django.apps import apps
from django.db import IntegrityError, connections, router, transaction

from auditlog.conf import audit_write_timeout_ms
from auditlog.context import (
    current_request,
    process_info,
    request_info,
    request_user,
)

fallback_logger = logging.getLogger("auditlog.handler")

# Loggers whose records are never persisted: the handler's own reports,
# and the security services, whose events are rows of ``security`` already.
EXCLUDED_LOGGERS = ("auditlog.handler", "auditlog.services")
ACTION_LENGTH = 255
MODULE_LENGTH = 100
MESSAGE_LENGTH = 10_000
EXCEPTION_LENGTH = 8_000
MAX_PENDING = 10_000

_local = threading.local()
_formatter = logging.Formatter()
_failures_lock = threading.Lock()
_failures = {"dropped": 0, "reported_at": None}


def in_transaction(using: str) -> bool:
    """Return True inside a transaction the application opened.

    Django's test cases wrap every test in atomic blocks marked
    ``_from_testcase`` (Django 6.1); those are not the application's and
    are ignored, so tests see records written as production does.
    """
    return any(
        not getattr(block, "_from_testcase", False)
        for block in connections[using].atomic_blocks
    )


def _pending() -> list:
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = []
    return pending


class DatabaseHandler(logging.Handler):
    """Persist log records as rows of ``logs``, linked into the hash chain."""

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(_local, "writing", False) or _is_excluded(record.name):
            return
        if not apps.ready:
            return
        try:
            entry = self.entry(record)
            from auditlog.models import Log

            pending = _pending()
            if len(pending) >= MAX_PENDING:
                del pending[0]
                _report_failure(RuntimeError("too many records waiting"), 1)
            pending.append(entry)
            using = router.db_for_write(Log)
            if in_transaction(using):
                # The user may be created in this very transaction and be
                # gone again if it rolls back; checked before writing.
                entry._janus_waited = True
                if current_request.get() is None:
                    transaction.on_commit(flush_pending, using=using, robust=True)
            elif current_request.get() is None:
                flush_pending()
        except Exception as exc:
            _report_failure(exc, 1)

    def entry(self, record: logging.LogRecord):
        """Return an unsaved ``Log`` row for ``record``."""
        from auditlog.models import Log

        message = record.getMessage()
        metadata = {}
        extra = getattr(record, "janus", None)
        if isinstance(extra, dict):
            metadata.update(extra)
        elif extra is not None:
            metadata["extra"] = extra
        if len(message) > ACTION_LENGTH:
            metadata["message"] = message[:MESSAGE_LENGTH]
            message = message[: ACTION_LENGTH - 1] + "\u2026"
        if record.exc_info:
            metadata["exception"] = _formatter.formatException(record.exc_info)[
                -EXCEPTION_LENGTH:
            ]

        user, ip = None, None
        request = current_request.get()
        if request is not None:
            info = request_info(request)
            user, ip = request_user(request), info.ip
            metadata.setdefault("request", info.as_dict())
        else:
            metadata.setdefault("process", process_info())

        return Log(
            action=message,
            module=record.name[:MODULE_LENGTH],
            level=record.levelname,
            timestamp=datetime.fromtimestamp(record.created, UTC),
            user_id=user.pk if user is not None else None,
            username=user.get_username() if user is not None else "",
            ip_address=ip,
            log_metadata=metadata or None,
        )


def _is_excluded(name: str) -> bool:
    return any(
        name == excluded or name.startswith(excluded + ".")
        for excluded in EXCLUDED_LOGGERS
    )


def flush_pending() -> None:
    """Write the records this thread holds, unless a transaction is open.

    Called after commits, by the middleware when a request ends, at process
    exit, and by tests.
    """
    pending = getattr(_local, "pending", None)
    if not pending or getattr(_local, "writing", False):
        return
    from auditlog.models import Log

    using = router.db_for_write(Log)
    if in_transaction(using):
        return
    entries, _local.pending = pending, []
    _local.writing = True
    try:
        _write(Log, entries, using)
    except Exception as exc:
        _report_failure(exc, len(entries))
    finally:
        _local.writing = False


def _write(model, entries: list, using: str) -> None:
    waited = {
        entry.user_id
        for entry in entries
        if entry.user_id is not None and getattr(entry, "_janus_waited", False)
    }
    if waited:
        user_model = model._meta.get_field("user").related_model
        existing = set(
            user_model._default_manager.using(using)
            .filter(pk__in=waited)
            .values_list("pk", flat=True)
        )
        for entry in entries:
            if entry.user_id is not None and entry.user_id not in existing:
                entry.user_id = None
    try:
        _insert(model, entries, using)
    except IntegrityError:
        # The user a record names was created in a transaction that rolled
        # back; the username snapshot still says who it was.
        for entry in entries:
            entry.pk = None
            entry._state.adding = True
            entry.user_id = None
        _insert(model, entries, using)


def _insert(model, entries: list, using: str) -> None:
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:
            timeout = max(int(audit_write_timeout_ms()), 1)
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = {timeout}")
                cursor.execute(f"SET LOCAL statement_timeout = {timeout}")
        model.objects.using(using).bulk_create(entries)


def _report_failure(exc: BaseException, dropped: int) -> None:
    with _failures_lock:
        _failures["dropped"] += dropped
        now = time.monotonic()
        last = _failures["reported_at"]
        if last is not None and now - last < 60:
            return
        _failures["reported_at"] = now
        total = _failures["dropped"]
    was_writing = getattr(_local, "writing", False)
    _local.writing = True
    try:
        fallback_logger.error(
            "audit records not stored dropped=%s error=%r", total, exc
        )
    finally:
        _local.writing = was_writing


def _flush_at_exit() -> None:
    # The interpreter is shutting down; there is no one left to tell.
    with contextlib.suppress(Exception):
        flush_pending()


atexit.register(_flush_at_exit)
