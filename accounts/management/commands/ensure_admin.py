"""Create the ``admin`` superadmin account when it does not exist.

The account is an ordinary user holding the superadmin level, not a Django
superuser: its access comes from the level alone, so removing the level in
the admin removes the access, as for every other account.
"""

import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.levels import AdminLevel
from accounts.services import admin_grant

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Create the superadmin account if it is missing, with the password from "
        "JANUS_ADMIN_PASSWORD or a generated one printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default="admin", help="Account name (default: admin)."
        )
        parser.add_argument(
            "--email",
            default="admin@localhost",
            help="Email address for a new account (default: admin@localhost).",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        username = options["username"]
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Account {username!r} exists; its password is unchanged."
            )
            return

        password = getattr(settings, "JANUS_ADMIN_PASSWORD", "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        # Both or neither: an account without its level could not sign in,
        # and a second run would leave it alone.
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, email=options["email"], password=password
            )
            admin_grant(user=user, level=AdminLevel.SUPERADMIN)
        logger.info("superadmin account created user_id=%s", user.pk)

        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created account {username!r} with the generated password:\n\n"
                    f"    {password}\n\n"
                    "It is shown only this once. Set JANUS_ADMIN_PASSWORD before the "
                    "first run to choose it, or change it in the admin."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created account {username!r} with the password from "
                    "JANUS_ADMIN_PASSWORD."
                )
            )
