"""Request context for the audit trail; refused pages as security events."""

import logging

from django.core.exceptions import PermissionDenied

from auditlog.context import current_request, request_info
from auditlog.handler import flush_pending

logger = logging.getLogger(__name__)


class AuditMiddleware:
    """Make the request known to the log handler; record refused pages.

    Place it after ``AuthenticationMiddleware``. For the length of the
    request the current request sits in a context variable, so records
    logged anywhere below the view carry its user, address and path. A
    signed-in user answered with 403 becomes an ``auth.permission_denied``
    security event; a failure to record it is logged and the 403 still
    goes out, since a broken audit write must not break the request it
    describes. When the response is ready, log records that waited for a
    transaction to end are written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_info(request)
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                self.record_refusal(request, response)
        finally:
            current_request.reset(token)
            flush_pending()
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request._janus_denied_reason = str(exception)
        return None

    def record_refusal(self, request, response) -> None:
        from auditlog.services import permission_denied_record

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        try:
            permission_denied_record(
                request=request,
                user=user,
                reason=getattr(request, "_janus_denied_reason", "") or "",
            )
        except Exception:
            logger.exception(
                "security event not recorded action=auth.permission_denied user_id=%s",
                user.pk,
            )
