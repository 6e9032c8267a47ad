"""Run the colour analysis of stored images now, in this process or a pool."""

import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef

from images import conf
from images.models import AnalysisStatus, Image, ImageAnalysis
from images.services import analysis_fail, analysis_start, analysis_succeed
from images.workers import analyse_source
from janus.progress import progress

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Analyse the colours of stored images (all of them, or those without a "
        "successful analysis) and record one new analysis per image."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--missing",
            action="store_true",
            help="Images without a successful analysis.",
        )
        which.add_argument("--all", action="store_true", help="Every image.")
        which.add_argument(
            "--image",
            type=int,
            action="append",
            metavar="ID",
            help="This image (repeatable).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Parallel worker processes (default: 1, in this process).",
        )
        parser.add_argument(
            "--colors",
            type=int,
            metavar="N",
            help="Largest palette to extract (default: JANUS_ANALYSIS_COLORS, "
            f"{conf.DEFAULT_ANALYSIS_COLORS} unless set).",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        self.colors = options["colors"]
        if self.colors is None:
            self.colors = conf.analysis_colors()
        elif self.colors < conf.MIN_ANALYSIS_COLORS:
            raise CommandError(f"--colors must be at least {conf.MIN_ANALYSIS_COLORS}.")
        images = Image.objects.order_by("pk")
        if options["missing"]:
            good = ImageAnalysis.objects.filter(
                image=OuterRef("pk"), status=AnalysisStatus.SUCCEEDED
            )
            images = images.filter(~Exists(good))
        elif options["image"]:
            images = images.filter(pk__in=options["image"])
        images = list(images)

        started = time.monotonic()
        analyses = [
            ImageAnalysis.objects.create(image=image, status=AnalysisStatus.QUEUED)
            for image in images
        ]
        if options["workers"] == 1:
            outcomes = [
                self.run_here(analysis)
                for analysis in progress(analyses, command=self, desc="analysing")
            ]
        else:
            outcomes = self.run_in_pool(analyses, options["workers"])

        failed = outcomes.count(AnalysisStatus.FAILED)
        summary = (
            f"{len(analyses)} images analysed in {time.monotonic() - started:.1f} s: "
            f"{len(analyses) - failed} succeeded, {failed} failed."
        )
        logger.info(
            "analyze_images finished images=%s failed=%s workers=%s",
            len(analyses),
            failed,
            options["workers"],
        )
        if failed:
            raise CommandError(summary, returncode=1)
        if self.verbosity:
            self.stdout.write(self.style.SUCCESS(summary))

    def run_here(self, analysis):
        analysis = analysis_start(analysis_id=analysis.pk)
        document, error, seconds = analyse_source(
            _source_of(analysis.image), colors=self.colors
        )
        return self.record(analysis, document, error, seconds)

    def run_in_pool(self, analyses, workers):
        # Spawned workers import only the analysis code, never Django, and
        # share no database connection with this process.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            started = [analysis_start(analysis_id=a.pk) for a in analyses]
            futures = [
                pool.submit(
                    analyse_source, _source_of(analysis.image), colors=self.colors
                )
                for analysis in started
            ]
            return [
                self.record(analysis, *future.result())
                for analysis, future in progress(
                    list(zip(started, futures, strict=True)),
                    command=self,
                    desc="analysing",
                )
            ]

    def record(self, analysis, document, error, seconds):
        if document is None:
            analysis_fail(analysis=analysis, error=error)
            if self.verbosity:
                self.stderr.write(f"image {analysis.image_id}: {error}")
        else:
            analysis_succeed(analysis=analysis, results=document, seconds=seconds)
        return analysis.status


def _source_of(image: Image) -> str | bytes:
    """Return a path the worker can open, or the content when there is none."""
    try:
        return image.file.path
    except NotImplementedError:
        with image.file.open("rb") as handle:
            return handle.read()
