"""Turn Django's auth signals and access changes into security events.

Each receiver only calls into ``auditlog.services``. A failure to record is
logged and swallowed: a broken audit write must not turn into a broken
sign-in page.
"""

import functools
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import post_delete, post_save, pre_save

from auditlog import services
from auditlog.context import current_request, request_user
from auditlog.models import SecurityAction

logger = logging.getLogger(__name__)


def _guarded(receiver):
    @functools.wraps(receiver)
    def wrapper(*args, **kwargs):
        try:
            receiver(*args, **kwargs)
        except Exception:
            logger.exception(
                "security event not recorded receiver=%s", receiver.__name__
            )

    return wrapper


@_guarded
def logged_in(sender, request, user, **kwargs):
    services.sign_in_record(request=request, user=user)


@_guarded
def logged_out(sender, request, user, **kwargs):
    services.sign_out_record(request=request, user=user)


@_guarded
def login_failed(sender, credentials, request=None, **kwargs):
    field = get_user_model().USERNAME_FIELD
    username = credentials.get(field) or credentials.get("username") or ""
    services.sign_in_failure_record(request=request, username=str(username))


@_guarded
def user_saved(sender, instance, created, raw=False, **kwargs):
    # AbstractBaseUser.set_password() keeps the new raw password in
    # ``_password`` until save() has run the validators' password_changed
    # hooks (Django 6.1); only its presence is read here, never its value.
    if created or raw or getattr(instance, "_password", None) is None:
        return
    request = current_request.get()
    actor = request_user(request) if request is not None else None
    action = (
        SecurityAction.PASSWORD_CHANGED
        if actor is not None and actor.pk == instance.pk
        else SecurityAction.PASSWORD_RESET
    )
    services.security_event_record_on_commit(
        action=action,
        request=request,
        user=instance,
        details={"via": "request" if request is not None else "command"},
    )


@_guarded
def admin_level_saving(sender, instance, raw=False, **kwargs):
    instance._janus_previous_level = (
        sender.objects.filter(pk=instance.pk)
        .values_list("admin_level", flat=True)
        .first()
        if instance.pk and not raw
        else None
    )


@_guarded
def admin_level_saved(sender, instance, created, raw=False, **kwargs):
    previous = getattr(instance, "_janus_previous_level", None)
    if raw or (not created and previous == instance.admin_level):
        return
    _level_event(SecurityAction.LEVEL_GRANTED, instance, previous)


@_guarded
def admin_level_deleted(sender, instance, **kwargs):
    _level_event(SecurityAction.LEVEL_REVOKED, instance, instance.admin_level)


def _level_event(action, admin, previous) -> None:
    user = admin.user
    request = current_request.get()
    details = {"level": admin.admin_level, "previous": previous}
    if action == SecurityAction.LEVEL_REVOKED:
        details = {"level": admin.admin_level}
    if request is None:
        details["via"] = "command"
    services.security_event_record_on_commit(
        action=action, request=request, user=user, details=details
    )


def register() -> None:
    from accounts.models import Admin

    user_logged_in.connect(logged_in, dispatch_uid="auditlog_logged_in")
    user_logged_out.connect(logged_out, dispatch_uid="auditlog_logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="auditlog_login_failed")
    post_save.connect(
        user_saved, sender=get_user_model(), dispatch_uid="auditlog_user_saved"
    )
    pre_save.connect(admin_level_saving, sender=Admin, dispatch_uid="auditlog_level")
    post_save.connect(admin_level_saved, sender=Admin, dispatch_uid="auditlog_level")
    post_delete.connect(
        admin_level_deleted, sender=Admin, dispatch_uid="auditlog_level_revoked"
    )
