"""Fill every Janus table with demo data."""

import logging
import random
import time

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.levels import AdminLevel
from accounts.models import Admin
from analytics.models import Analytics
from auditlog.chain import chain_bulk_insert
from auditlog.models import Log, SecurityAction, SecurityEvent
from images.exceptions import DuplicateImage, ImageRejected
from images.ingest import image_ingest
from images.models import Image
from images.services import analysis_request
from janus import demo
from janus.progress import progress

logger = logging.getLogger(__name__)
BATCH_SIZE = 2000
# From this many new log or security rows on, their tables' indexes are
# rebuilt after the load instead of updated row by row.
REBUILD_INDEXES_FROM = 100_000


class Command(BaseCommand):
    help = "Create demo users, images, analyses, logs, security events and analytics."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            type=int,
            default=6,
            help="Demo users, spread over the admin levels (default: 6).",
        )
        parser.add_argument(
            "--images",
            type=int,
            default=36,
            help="Demo images drawn with Pillow (default: 36).",
        )
        parser.add_argument(
            "--analyses",
            type=int,
            default=24,
            help="Demo images that get a colour analysis (default: 24).",
        )
        parser.add_argument(
            "--logs", type=int, default=500, help="Demo log entries (default: 500)."
        )
        parser.add_argument(
            "--security-events",
            type=int,
            default=200,
            help="Demo security events (default: 200).",
        )
        parser.add_argument(
            "--analytics",
            type=int,
            default=20,
            help="Demo analytics records (default: 20).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=42,
            help="Random seed; the same seed gives the same data (default: 42).",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help=(
                "Remove earlier demo images, users and analytics records first; "
                "the append-only audit trail and all real data are kept."
            ),
        )
        parser.add_argument(
            "--password",
            default="",
            help="Password for the demo users. Without it they get no usable "
            "password and cannot sign in.",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        for name in (
            "users",
            "images",
            "analyses",
            "logs",
            "security_events",
            "analytics",
        ):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must not be negative.")
        seed = options["seed"]

        def rng(table: str) -> random.Random:
            # One stream per table: a table a run skips (already seeded, or
            # kept by --flush) leaves the others' data as it would be.
            return random.Random(f"{seed}:{table}")

        started = time.monotonic()

        if options["flush"]:
            self.flush()
        users = self.seed_users(options["users"], options["password"])
        images = self.seed_images(rng("images"), options["images"], users)
        # The newest images, the first ones the image list shows.
        analysed = self.seed_analyses(
            images[max(len(images) - options["analyses"], 0) :]
        )
        logs = self.seed_logs(rng("logs"), options["logs"], users)
        events = self.seed_security_events(
            rng("security"), options["security_events"], users
        )
        records = self.seed_analytics(rng("analytics"), options["analytics"])

        elapsed = time.monotonic() - started
        logger.info(
            "seed run finished users=%s images=%s analyses=%s logs=%s "
            "security_events=%s analytics=%s seconds=%.1f",
            len(users),
            len(images),
            analysed,
            logs,
            events,
            records,
            elapsed,
            extra={"janus": {"seed": options["seed"]}},
        )
        if self.verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data ready in {elapsed:.1f} s: {len(users)} users, "
                    f"{len(images)} images, {analysed} new analyses, {logs} new log "
                    f"entries, {events} new security events, {records} new analytics "
                    "records."
                )
            )

    def note(self, message):
        if self.verbosity >= 2:
            self.stdout.write(message)

    def flush(self):
        User = get_user_model()
        demo_users = User.objects.filter(email__endswith=f"@{demo.DEMO_EMAIL_DOMAIN}")
        with transaction.atomic():
            images = Image.objects.filter(user__in=demo_users)
            image_count = images.count()
            for image in images.iterator():
                image.delete()
            records, _ = Analytics.objects.filter(
                research_topic__startswith=demo.DEMO_TOPIC_PREFIX
            ).delete()
            users, _ = demo_users.delete()
        if self.verbosity:
            self.stdout.write(
                f"Removed demo data: {image_count} images, {records} analytics "
                f"records, {users} users and their admin rows. Demo log entries "
                "and security events stay: the audit trail is append-only "
                "(manage.py prune_logs removes old rows)."
            )

    def seed_users(self, count, password):
        User = get_user_model()
        levels = AdminLevel.values
        users = []
        for index in range(count):
            level = levels[index % len(levels)]
            username = f"demo-{level}-{index // len(levels) + 1}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@{demo.DEMO_EMAIL_DOMAIN}"},
            )
            if created:
                if password:
                    user.set_password(password)
                else:
                    user.set_unusable_password()
                user.save(update_fields=["password"])
            Admin.objects.update_or_create(user=user, defaults={"admin_level": level})
            users.append(user)
        self.note(f"{len(users)} demo users")
        return users

    def seed_images(self, rng, count, users):
        owners = [user for user in users if user.admin_level != AdminLevel.AUDITOR]
        images = []
        now = timezone.now()
        for index in progress(range(count), command=self, desc="images"):
            content, name = demo.demo_image(rng, index)
            # Spread uploads over the last month so charts have a shape.
            uploaded_at = demo.demo_time(rng, now, days=30)
            owner = owners[index % len(owners)] if owners else None
            try:
                image = image_ingest(
                    source=ContentFile(content, name=name),
                    user=owner,
                    original_name=name,
                    analyse=False,
                )
            except DuplicateImage as exc:
                image = exc.existing
            except ImageRejected as exc:
                raise CommandError(f"Demo image {name} was rejected: {exc}") from exc
            else:
                Image.objects.filter(pk=image.pk).update(created_at=uploaded_at)
            images.append(image)
        self.note(f"{len(images)} demo images")
        return images

    def seed_analyses(self, images):
        created = 0
        for image in progress(images, command=self, desc="analyses"):
            if image.analyses.exists():
                continue
            analysis_request(image=image)
            created += 1
        return created

    def seed_logs(self, rng, count, users):
        missing = count - Log.objects.filter(log_metadata__demo=True).count()
        if missing <= 0:
            return 0
        # Oldest first, so the hash chain runs in time order as a live trail
        # does; rows are generated lazily and streamed to the database.
        now = timezone.now()
        times = sorted(demo.demo_time(rng, now) for _index in range(missing))

        def rows():
            for timestamp in times:
                module, level, action = rng.choice(demo.LOG_EVENTS)
                user = rng.choice(users) if users and rng.random() < 0.8 else None
                yield {
                    "action": action,
                    "module": module,
                    "level": level,
                    "user_id": user.pk if user else None,
                    "username": user.username if user else "",
                    "ip_address": demo.demo_ip(rng) if user else None,
                    "timestamp": timestamp,
                    "log_metadata": {
                        "demo": True,
                        "request_id": f"{rng.getrandbits(64):016x}",
                    },
                }

        return chain_bulk_insert(
            Log,
            progress(rows(), command=self, total=missing, desc="log entries"),
            rebuild_indexes=missing >= REBUILD_INDEXES_FROM,
        )

    def seed_security_events(self, rng, count, users):
        missing = count - SecurityEvent.objects.filter(details__demo=True).count()
        if missing <= 0:
            return 0
        now = timezone.now()
        times = sorted(demo.demo_time(rng, now) for _index in range(missing))
        actions = [
            (SecurityAction.LOGIN, 0.45),
            (SecurityAction.LOGIN_FAILED, 0.3),
            (SecurityAction.LOGOUT, 0.2),
            (SecurityAction.PERMISSION_DENIED, 0.05),
        ]
        names = [str(name) for name, _weight in actions]
        weights = [weight for _name, weight in actions]

        def rows():
            for timestamp in times:
                action = rng.choices(names, weights)[0]
                user = rng.choice(users) if users else None
                username = user.username if user else "unknown"
                if action == SecurityAction.LOGIN_FAILED and rng.random() < 0.3:
                    user = None
                    username = rng.choice(["root", "admin1", "test", "guest"])
                yield {
                    "action": action,
                    "user_id": user.pk if user else None,
                    "username": username,
                    "timestamp": timestamp,
                    "ip_address": demo.demo_ip(rng),
                    "user_agent": rng.choice(demo.USER_AGENTS),
                    "details": {"demo": True},
                }

        return chain_bulk_insert(
            SecurityEvent,
            progress(rows(), command=self, total=missing, desc="security events"),
            rebuild_indexes=missing >= REBUILD_INDEXES_FROM,
        )

    def seed_analytics(self, rng, count):
        existing = Analytics.objects.filter(
            research_topic__startswith=demo.DEMO_TOPIC_PREFIX
        ).count()
        missing = count - existing
        if missing <= 0:
            return 0
        topics = ["contrast-study", "palette-trends", "dark-mode", "brand-audit"]
        now = timezone.now()
        rows = [
            Analytics(
                research_topic=demo.DEMO_TOPIC_PREFIX + rng.choice(topics),
                created_at=demo.demo_time(rng, now),
                data={
                    "demo": True,
                    "sample_size": rng.randint(10, 400),
                    "aa_pass_rate": round(rng.uniform(0.4, 0.98), 3),
                    "notes": "Generated by manage.py seed.",
                },
            )
            for _index in range(missing)
        ]
        Analytics.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return missing
