"""State changes for users and their admin levels."""

import logging

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.levels import AdminLevel, group_name
from accounts.models import Admin, User

logger = logging.getLogger(__name__)


def user_sync_access(*, user: User) -> None:
    """Make ``is_staff`` and the level groups of ``user`` match its Admin row.

    A user holds staff access and exactly one level group while it has an
    Admin row, and neither once the row is gone. Superusers keep staff
    access regardless.
    """
    level = Admin.objects.level_of(user)
    level_groups = Group.objects.filter(
        name__in=[group_name(value) for value in AdminLevel.values]
    )
    with transaction.atomic():
        user.groups.remove(*level_groups)
        if level is not None:
            group, _created = Group.objects.get_or_create(name=group_name(level))
            user.groups.add(group)
        is_staff = level is not None or user.is_superuser
        if user.is_staff != is_staff:
            user.is_staff = is_staff
            User.objects.filter(pk=user.pk).update(is_staff=is_staff)

    logger.info(
        "admin access synced user_id=%s level=%s is_staff=%s",
        user.pk,
        level,
        is_staff,
    )


def admin_grant(*, user: User, level: str) -> Admin:
    """Give ``user`` the admin ``level``, replacing any level it held."""
    with transaction.atomic():
        admin, _created = Admin.objects.update_or_create(
            user=user, defaults={"admin_level": level}
        )
    return admin


def admin_revoke(*, user: User) -> None:
    """Take away the admin level of ``user`` and the access it granted."""
    Admin.objects.filter(user=user).delete()
