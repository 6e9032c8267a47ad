"""Keep access in step with the admins table."""

from django.db.models.signals import post_delete, post_save


def _admin_changed(sender, instance, **kwargs):
    from accounts.services import user_sync_access

    user_model = type(instance).user.field.related_model
    try:
        user = user_model.objects.get(pk=instance.user_id)
    except user_model.DoesNotExist:
        # The user itself is being deleted; nothing is left to sync.
        return
    user_sync_access(user=user)


def sync_groups_after_migrate(sender, using="default", **kwargs):
    """Give the level groups the permissions of models added since."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from accounts.levels import sync_level_groups

    # Permissions of apps later in INSTALLED_APPS are not created yet when
    # this app's post_migrate signal fires; create them first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_level_groups()


def register():
    from accounts.models import Admin

    post_save.connect(_admin_changed, sender=Admin, dispatch_uid="admin_saved")
    post_delete.connect(_admin_changed, sender=Admin, dispatch_uid="admin_deleted")
