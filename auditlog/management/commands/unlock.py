"""Lift a sign-in lockout from the command line."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from auditlog.filters import parse_ip
from auditlog.services import lockout_lift


class Command(BaseCommand):
    help = "Lift the sign-in lockout of a username or an IP address; recorded."

    def add_arguments(self, parser):
        parser.add_argument(
            "username", nargs="?", help="The username to unlock, exactly as typed."
        )
        parser.add_argument("--ip", help="An IP address to unlock instead.")

    def handle(self, *args, **options):
        username, ip = options["username"], options["ip"]
        if bool(username) == bool(ip):
            raise CommandError("Give either a USERNAME or --ip ADDRESS.")
        if ip:
            address = parse_ip(ip)
            if address is None:
                raise CommandError(f"{ip!r} is not an IP address.")
            ip = address
        try:
            by = f"command:{getpass.getuser()}"
        except (KeyError, OSError):
            by = "command"
        event = lockout_lift(username=username, ip=ip, by=by)
        if options["verbosity"]:
            state = (
                "was locked" if event.details.get("was_locked") else "was not locked"
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Unlocked {username or ip} ({state}); recorded as security "
                    f"event {event.pk}."
                )
            )
