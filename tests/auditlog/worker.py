"""A separate Janus process for the tests that need more than one.

Run as ``python -m tests.auditlog.worker TASK ...`` with ``DATABASE_URL``
pointing at the test's database; prints one JSON document on stdout.
"""

import argparse
import json
import logging
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def sign_in(args) -> list[str]:
    """Post the admin login form; return "ok", "failed" or "locked" per try.

    With several usernames the tries take them in turn.
    """
    from django.test import Client
    from django.urls import reverse

    outcomes = []
    for attempt in range(args.attempts):
        client = Client(REMOTE_ADDR=args.ip)
        username = args.username[attempt % len(args.username)]
        response = client.post(
            reverse("admin:login"),
            {"username": username, "password": args.password, "next": "/admin/"},
        )
        if response.status_code == 302:
            outcomes.append("ok")
        elif b"Too many failed sign-in attempts" in response.content:
            outcomes.append("locked")
        else:
            outcomes.append("failed")
    return outcomes


def write(args) -> int:
    """Append rows through the real paths: the log handler or the services."""
    from auditlog.models import SecurityAction
    from auditlog.services import security_event_record

    logger = logging.getLogger("janus.worker")
    for number in range(args.count):
        if args.kind == "logs":
            logger.info(
                "worker record number=%s pid=%s",
                number,
                os.getpid(),
                extra={"janus": {"number": number}},
            )
        else:
            security_event_record(
                action=SecurityAction.LOGIN_FAILED,
                username=f"worker-{os.getpid()}",
                details={"number": number},
            )
    return args.count


def report(args) -> dict:
    """Return the row counts per action and the verdict of the chains."""
    from django.db.models import Count

    from auditlog.chain import chain_verify
    from auditlog.models import Log, SecurityEvent

    result = {}
    for name, model in (("logs", Log), ("security", SecurityEvent)):
        chain = chain_verify(model)
        result[name] = {
            "rows": model.objects.count(),
            "intact": chain.is_intact,
            "broken_id": chain.broken_id,
            "problem": chain.problem,
        }
    result["actions"] = dict(
        SecurityEvent.objects.values_list("action").annotate(n=Count("id"))
    )
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=["sign_in", "write", "report"])
    parser.add_argument("--username", nargs="+", default=[""])
    parser.add_argument("--password", default="")
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--attempts", type=int, default=1)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--kind", choices=["logs", "security"], default="logs")
    args = parser.parse_args()

    import django

    django.setup()
    task = {"sign_in": sign_in, "write": write, "report": report}[args.task]
    json.dump(task(args), sys.stdout)


if __name__ == "__main__":
    main()
