"""Create the permission group that each admin level grants."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.levels import AdminLevel, group_name, sync_level_groups


def create_level_groups(apps, schema_editor):
    # Permissions are normally created after the whole migrate run; create
    # them now so the groups can hold them from the start.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_level_groups(apps)


def delete_level_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(
        name__in=[group_name(level) for level in AdminLevel.values]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("analytics", "0001_initial"),
        ("auditlog", "0001_initial"),
        ("images", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_level_groups, delete_level_groups)]
