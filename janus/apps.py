from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class JanusConfig(AppConfig):
    default = True
    name = "janus"
    verbose_name = "Janus"


class JanusAdminConfig(admin_apps.AdminConfig):
    """Install the Janus admin site as the default ``admin.site``."""

    default = False
    default_site = "janus.admin.JanusAdminSite"
