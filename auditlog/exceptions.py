"""Exceptions raised by the audit trail."""

from janus.exceptions import JanusError


class AuditTrailError(JanusError):
    """Base class for errors of the audit trail."""


class AppendOnlyError(AuditTrailError):
    """Signal an attempt to change a row of ``logs`` or ``security``.

    Rows are written once, linked into the hash chain, and never saved
    again; only ``manage.py prune_logs`` removes them.
    """
