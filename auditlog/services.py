"""State changes of the security trail: events, lockouts and unlocks.

Receivers, the middleware, the admin and the ``unlock`` command call these;
only ``seed`` adds demo rows by another path, through the same hash chain.
The log lines here go to the console only (see
``auditlog.handler.EXCLUDED_LOGGERS``): the row in ``security`` is the
record.
"""

import logging

from django.db import IntegrityError, router, transaction

from auditlog.chain import chain_locked
from auditlog.conf import lockout_failures
from auditlog.context import request_info, request_user
from auditlog.handler import in_transaction
from auditlog.lockout import IP, USERNAME, Lockout, failures_since_reset, lockout_for
from auditlog.models import SecurityAction, SecurityEvent

logger = logging.getLogger(__name__)

USERNAME_LENGTH = 255


def security_event_record(
    *,
    action: str,
    request=None,
    user=None,
    username: str | None = None,
    ip: str | None = None,
    details: dict | None = None,
) -> SecurityEvent:
    """Write one security event, linked into the chain.

    ``user`` is whom the event is about; the signed-in user of ``request``,
    when someone else, is kept in ``details["by"]``. ``ip`` overrides the
    request's address (an unlock records the address it unlocks).
    """
    info = request_info(request) if request is not None else None
    details = dict(details or {})
    if info is not None:
        details.setdefault("request", info.as_dict())
        actor = request_user(request)
        if actor is not None and (user is None or actor.pk != user.pk):
            details.setdefault("by", actor.get_username())
    if username is None:
        username = user.get_username() if user is not None else ""

    event = SecurityEvent(
        action=action,
        user_id=user.pk if user is not None else None,
        username=username[:USERNAME_LENGTH],
        ip_address=ip if ip is not None else (info.ip if info else None),
        user_agent=info.user_agent if info else "",
        details=details,
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        # The user was deleted in the transaction that produced the event;
        # the username snapshot still says who it was.
        event = SecurityEvent(
            **{
                field.attname: getattr(event, field.attname)
                for field in SecurityEvent._meta.concrete_fields
                if field.attname not in ("id", "user_id")
            }
        )
        event.save()
    return event


def security_event_record_on_commit(*, action: str, request=None, user, details):
    """Record an event about a change once the change's transaction commits.

    For an admin level or a password: the event exists only if the change
    does, and the chain lock is not held for the rest of that transaction.
    Outside a transaction it is recorded at once. A user deleted in the
    same transaction is kept as a username only.
    """
    username = user.get_username()
    user_model, user_pk = type(user), user.pk

    def record():
        exists = user_model._default_manager.filter(pk=user_pk).exists()
        security_event_record(
            action=action,
            request=request,
            user=user if exists else None,
            username=username,
            details=details,
        )

    if in_transaction(router.db_for_write(SecurityEvent)):
        transaction.on_commit(record, robust=True)
    else:
        record()


def sign_in_record(*, request, user) -> None:
    security_event_record(action=SecurityAction.LOGIN, request=request, user=user)
    logger.info(
        "sign-in user_id=%s ip=%s",
        user.pk,
        request_info(request).ip if request else None,
    )


def sign_out_record(*, request, user) -> None:
    security_event_record(action=SecurityAction.LOGOUT, request=request, user=user)
    logger.info("sign-out user_id=%s", user.pk if user else None)


def sign_in_failure_record(*, request, username: str) -> Lockout | None:
    """Record a failed sign-in and lock the username or address if due.

    The failure is recorded, the failures since the last reset counted and
    any lockout written while this process holds the chain lock, so two
    servers failing at once cannot both miss the limit. An attempt refused
    because of a lockout is recorded as ``auth.login_refused`` and counts
    for nothing. Return the lockout in force, if any.
    """
    username = (username or "")[:USERNAME_LENGTH]
    ip = request_info(request).ip if request is not None else None
    refused = getattr(request, "janus_lockout", None) if request else None
    if refused is None and request is None:
        refused = lockout_for(username=username)
    if refused is not None:
        security_event_record(
            action=SecurityAction.LOGIN_REFUSED,
            request=request,
            username=username,
            details={"scope": refused.scope, "until": refused.until.isoformat()},
        )
        logger.warning(
            "sign-in refused while locked out username=%r ip=%s scope=%s",
            username,
            ip,
            refused.scope,
        )
        return refused

    limit = lockout_failures()
    locked = None
    with chain_locked(SecurityEvent):
        security_event_record(
            action=SecurityAction.LOGIN_FAILED, request=request, username=username
        )
        for scope, value in ((USERNAME, username), (IP, ip)):
            if limit <= 0 or not value or locked is not None:
                continue
            failures = failures_since_reset(scope, value)
            if failures >= limit:
                locked = _lock(
                    request=request,
                    username=username,
                    ip=ip,
                    scope=scope,
                    value=value,
                    failures=failures,
                )
    logger.warning(
        "sign-in failed username=%r ip=%s locked=%s",
        username,
        ip,
        locked.scope if locked else None,
    )
    return locked


def _lock(*, request, username, ip, scope, value, failures) -> Lockout:
    event = security_event_record(
        action=SecurityAction.LOCKED_OUT,
        request=request,
        username=username,
        ip=ip,
        details={"scope": scope, "failures": failures},
    )
    lock = lockout_for(username=value) if scope == USERNAME else lockout_for(ip=value)
    logger.warning(
        "locked out scope=%s value=%r failures=%s event_id=%s",
        scope,
        value,
        failures,
        event.pk,
    )
    return lock


def lockout_lift(
    *, username: str | None = None, ip: str | None = None, by: str, request=None
) -> SecurityEvent:
    """Lift the lockout of ``username`` or of ``ip`` and record who did it.

    The event is written even when nothing was locked, so every use of the
    unlock button or command is on record; ``details["was_locked"]`` tells.
    """
    if bool(username) == bool(ip):
        raise ValueError("Unlock either a username or an address.")
    scope = USERNAME if username else IP
    was_locked = lockout_for(username=username) if username else lockout_for(ip=ip)
    event = security_event_record(
        action=SecurityAction.UNLOCKED,
        request=request,
        username=username or "",
        ip=ip,
        details={"scope": scope, "by": by, "was_locked": was_locked is not None},
    )
    logger.info(
        "lockout lifted scope=%s value=%r by=%r was_locked=%s",
        scope,
        username or ip,
        by,
        was_locked is not None,
    )
    return event


def permission_denied_record(*, request, user, reason: str = "") -> None:
    security_event_record(
        action=SecurityAction.PERMISSION_DENIED,
        request=request,
        user=user,
        details={"reason": reason[:500], "is_staff": bool(user.is_staff)},
    )
    logger.warning(
        "page refused user_id=%s path=%r", user.pk, request_info(request).path
    )
