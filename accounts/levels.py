"""Admin levels and the permissions each one grants.

Kept free of model imports so that the data migration and the runtime sync
share one definition.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminLevel(models.TextChoices):
    AUDITOR = "auditor", _("auditor")
    EDITOR = "editor", _("editor")
    SUPERADMIN = "superadmin", _("superadmin")


def group_name(level: str) -> str:
    """Return the name of the permission group that ``level`` grants."""
    return f"janus:{level}"


# Permissions per level as (app_label, model, actions). The superadmin level
# is granted every permission of every installed model instead.
LEVEL_PERMISSIONS = {
    AdminLevel.AUDITOR: [
        ("images", "image", ("view",)),
        ("images", "imageanalysis", ("view",)),
        ("auditlog", "log", ("view",)),
        ("auditlog", "securityevent", ("view",)),
        ("analytics", "analytics", ("view",)),
    ],
    AdminLevel.EDITOR: [
        ("images", "image", ("view", "add", "change", "delete")),
        ("images", "imageanalysis", ("view", "add", "change", "delete")),
        ("analytics", "analytics", ("view", "add", "change", "delete")),
        ("auditlog", "log", ("view",)),
        ("auditlog", "securityevent", ("view",)),
        # Needed by the owner autocomplete on image forms.
        ("accounts", "user", ("view",)),
    ],
}


def sync_level_groups(apps=None) -> None:
    """Create the level groups and set exactly their permissions.

    Safe to run repeatedly: after each migration it picks up permissions of
    models added since.
    """
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    for level in AdminLevel.values:
        group, _created = Group.objects.get_or_create(name=group_name(level))
        if level == AdminLevel.SUPERADMIN:
            permissions = Permission.objects.all()
        else:
            codenames = [
                (app_label, f"{action}_{model}")
                for app_label, model, actions in LEVEL_PERMISSIONS[level]
                for action in actions
            ]
            query = models.Q(pk__in=[])
            for app_label, codename in codenames:
                query |= models.Q(content_type__app_label=app_label, codename=codename)
            permissions = Permission.objects.filter(query)
        group.permissions.set(permissions)
