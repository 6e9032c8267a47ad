"""The authentication backend that enforces lockouts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from auditlog.context import request_info
from auditlog.lockout import lockout_for


class LockoutBackend(ModelBackend):
    """Django's model backend, refusing sign-in during a lockout.

    The lockout is checked before the password is: a locked username or
    address gets ``PermissionDenied``, which makes Django stop and send
    ``user_login_failed``, without any password hashing, for known and
    unknown usernames alike, so neither the answer nor its timing tells
    whether an account exists. Otherwise it is ``ModelBackend`` unchanged,
    including ``get_user`` for sessions and the permission checks.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username:
            ip = request_info(request).ip if request is not None else None
            lock = lockout_for(username=str(username), ip=ip)
            if lock is not None:
                if request is not None:
                    request.janus_lockout = lock
                raise PermissionDenied("Sign-in is locked out.")
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )
