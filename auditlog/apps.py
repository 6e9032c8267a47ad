from django.apps import AppConfig


class AuditlogConfig(AppConfig):
    name = "auditlog"
    verbose_name = "Audit trail"

    def ready(self):
        from django.contrib import admin

        from auditlog import admin_audit, checks, receivers
        from auditlog.forms import LockoutAwareAuthenticationForm

        receivers.register()
        checks.register()
        # The admin apps' ready() ran first (it is first in INSTALLED_APPS),
        # so every ModelAdmin is registered by now.
        admin_audit.install(admin.site)
        if admin.site.login_form is None:
            admin.site.login_form = LockoutAwareAuthenticationForm
