from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from accounts import signals

        signals.register()
        post_migrate.connect(signals.sync_groups_after_migrate, sender=self)
