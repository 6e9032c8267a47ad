"""Print the metadata Janus would record for image files."""

import json

from django.core.management.base import BaseCommand, CommandError

from images import conf
from images.analysis import analyze_image, to_css, to_dtcg
from images.exceptions import ImageRejected
from images.ingest import image_inspect


class Command(BaseCommand):
    help = (
        "Print the metadata ingest would record for each FILE, writing nothing "
        "to the database; exit status 1 when any file would be rejected."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Image files.")
        parser.add_argument(
            "--json",
            action="store_true",
            help="One JSON object per line instead of a readable table.",
        )
        parser.add_argument(
            "--analyze",
            action="store_true",
            help="Also print the colour analysis and its design-token exports "
            "(DTCG JSON and CSS custom properties).",
        )
        parser.add_argument(
            "--colors",
            type=int,
            metavar="N",
            help="With --analyze: largest palette to extract (default: "
            f"JANUS_ANALYSIS_COLORS, {conf.DEFAULT_ANALYSIS_COLORS} unless set).",
        )

    def handle(self, *args, **options):
        colors = options["colors"]
        if colors is not None and not options["analyze"]:
            raise CommandError("--colors needs --analyze.")
        if colors is not None and colors < conf.MIN_ANALYSIS_COLORS:
            raise CommandError(f"--colors must be at least {conf.MIN_ANALYSIS_COLORS}.")
        if options["analyze"] and colors is None:
            colors = conf.analysis_colors()
        failures = 0
        for path in options["files"]:
            try:
                with open(path, "rb") as handle:
                    info = image_inspect(handle)
            except OSError as exc:
                failures += 1
                self.report_error(
                    path, f"Cannot read the file: {exc.strerror}.", options
                )
                continue
            except ImageRejected as exc:
                failures += 1
                self.report_error(path, str(exc), options, code=exc.code)
                continue
            analysis = self.analyse(path, colors) if options["analyze"] else None
            self.report(path, info, options, analysis)

        if failures:
            raise CommandError(
                f"{failures} of {len(options['files'])} files would be rejected.",
                returncode=1,
            )

    def analyse(self, path, colors: int) -> dict:
        document = analyze_image(path, colors=colors)
        return {
            "analysis": document,
            "tokens_dtcg": to_dtcg(document["tokens"], palette=document["palette"]),
            "tokens_css": to_css(document["tokens"]),
        }

    def report(self, path, info, options, analysis=None):
        record = {"file": path, **info.columns()}
        if analysis is not None:
            record.update(analysis)
        if options["json"]:
            self.stdout.write(json.dumps(record, ensure_ascii=False, sort_keys=True))
            return
        self.stdout.write(self.style.MIGRATE_HEADING(path))
        rows = [
            ("format", f"{info.format} ({info.mime_type})"),
            ("size", f"{info.width} x {info.height}"),
            ("bit depth", info.bit_depth),
            ("color type", info.color_type),
            ("compression", info.compression_method),
            ("file size", f"{info.file_size} bytes"),
            ("sha256", info.sha256),
        ]
        rows += [
            (key, json.dumps(value, ensure_ascii=False))
            for key, value in sorted(info.metadata.items())
            if key not in {"format", "mime_type", "file_size", "sha256"}
        ]
        width = max(len(label) for label, _value in rows)
        for label, value in rows:
            self.stdout.write(f"  {label:<{width}}  {value}")
        if analysis is not None:
            self.report_analysis(analysis)

    def report_analysis(self, analysis):
        document = analysis["analysis"]
        self.stdout.write("  palette")
        for colour in document["palette"]:
            self.stdout.write(
                f"    {colour['hex']}  {colour['share'] * 100:5.1f}%  "
                f"L*a*b* {colour['lab']}"
            )
        luminance = document["luminance"]
        self.stdout.write(
            f"  luminance  mean {luminance['mean']}, median {luminance['median']}"
        )
        self.stdout.write("  design tokens (DTCG)")
        self.stdout.write(json.dumps(analysis["tokens_dtcg"], indent=2))
        self.stdout.write("  design tokens (CSS)")
        self.stdout.write(analysis["tokens_css"])

    def report_error(self, path, message, options, code="unreadable"):
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"file": path, "error": message, "code": code}, ensure_ascii=False
                )
            )
        else:
            self.stderr.write(self.style.ERROR(f"{path}: {message}"))
