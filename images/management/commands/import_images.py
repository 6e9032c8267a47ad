"""Import every image below a folder through the ingest path."""

import logging
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from images.exceptions import DuplicateImage, ImageRejected
from images.ingest import image_ingest
from janus.progress import progress

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Import the images below DIR (recursively) for a user; bad files are "
        "skipped and reported, files already in Janus are not imported twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="Folder to import.")
        parser.add_argument(
            "--user", required=True, help="Username of the owner of the images."
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        root = Path(options["directory"])
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder.")
        User = get_user_model()
        try:
            owner = User.objects.get(username=options["user"])
        except User.DoesNotExist as exc:
            raise CommandError(f"There is no user {options['user']!r}.") from exc

        paths = sorted(
            path
            for path in root.rglob("*")
            if path.is_file() and not path.name.startswith(".")
        )
        imported, duplicates, rejected = 0, 0, []
        for path in progress(paths, command=self, desc="importing"):
            try:
                with path.open("rb") as handle:
                    image_ingest(source=handle, user=owner, original_name=path.name)
            except DuplicateImage:
                duplicates += 1
            except (ImageRejected, OSError) as exc:
                rejected.append((path, str(exc)))
                logger.warning(
                    "import skipped file path=%r reason=%r", str(path), str(exc)
                )
            else:
                imported += 1

        for path, reason in rejected:
            self.stderr.write(f"skipped {path.relative_to(root)}: {reason}")
        logger.info(
            "images imported directory=%r user_id=%s imported=%s duplicates=%s "
            "rejected=%s",
            str(root),
            owner.pk,
            imported,
            duplicates,
            len(rejected),
        )
        summary = (
            f"{len(paths)} files: {imported} imported, {duplicates} already in "
            f"Janus, {len(rejected)} skipped."
        )
        if rejected:
            raise CommandError(summary, returncode=1)
        if self.verbosity:
            self.stdout.write(self.style.SUCCESS(summary))
