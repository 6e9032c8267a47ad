from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImageQuerySet(models.QuerySet):
    def at_least(self, width: int, height: int):
        """Return images at least ``width`` x ``height`` pixels."""
        return self.filter(width__gte=width, height__gte=height)

    def created_between(self, start, end):
        """Return images created in the half-open range [start, end)."""
        return self.filter(created_at__gte=start, created_at__lt=end)

    def owned_by(self, user):
        return self.filter(user=user)

    def with_latest_analysis(self):
        """Annotate each image with its newest analysis, in the same query.

        Adds ``latest_analysis_id``, ``latest_analysis_at`` and
        ``latest_analysis_results`` (None where the image has none).
        """
        newest = ImageAnalysis.objects.filter(image=OuterRef("pk")).order_by(
            "-created_at", "-id"
        )
        return self.annotate(
            latest_analysis_id=Subquery(newest.values("id")[:1]),
            latest_analysis_at=Subquery(newest.values("created_at")[:1]),
            latest_analysis_results=Subquery(
                newest.values("analysis_results")[:1],
                output_field=models.JSONField(),
            ),
        )

    def with_latest_palette(self):
        """Annotate ``latest_palette``: the palette of the newest good analysis.

        Only the palette is read, so list pages stay light.
        """
        newest = ImageAnalysis.objects.filter(
            image=OuterRef("pk"), status=AnalysisStatus.SUCCEEDED
        ).order_by("-created_at", "-id")
        return self.annotate(
            latest_palette=Subquery(
                newest.values("analysis_results__palette")[:1],
                output_field=models.JSONField(),
            )
        )


class Image(models.Model):
    """An uploaded image and its technical metadata (table ``images``).

    ``filename`` is the generated storage name of the file; the name the
    uploader gave is kept, cleaned, in ``original_name``.
    """

    file = models.FileField(
        _("file"), db_column="filename", max_length=255, unique=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="images",
        verbose_name=_("owner"),
    )
    width = models.IntegerField(_("width"), null=True, blank=True)
    height = models.IntegerField(_("height"), null=True, blank=True)
    bit_depth = models.IntegerField(_("bit depth"), null=True, blank=True)
    color_type = models.CharField(_("color type"), max_length=50, null=True, blank=True)
    compression_method = models.CharField(
        _("compression method"), max_length=50, null=True, blank=True
    )
    image_metadata = models.JSONField(_("image metadata"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Columns on top of the seed design.
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    file_size_bytes = models.BigIntegerField(
        _("file size (bytes)"), default=0, editable=False
    )
    thumbnail = models.FileField(
        _("thumbnail"), max_length=255, blank=True, editable=False
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        db_table = "images"
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="images_created_at_idx"),
            models.Index(fields=["original_name"], name="images_original_name_idx"),
        ]

    def __str__(self):
        return self.original_name or self.file.name

    @property
    def format(self) -> str:
        return (self.image_metadata or {}).get("format", "")

    @property
    def pixel_count(self) -> int | None:
        if self.width is None or self.height is None:
            return None
        return self.width * self.height


class AnalysisStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class ImageAnalysisQuerySet(models.QuerySet):
    def for_image(self, image):
        """Return the analyses of ``image``, newest first."""
        return self.filter(image=image).order_by("-created_at", "-id")

    def failed(self):
        return self.filter(status=AnalysisStatus.FAILED)

    def succeeded(self):
        return self.filter(status=AnalysisStatus.SUCCEEDED)

    def stuck(self, *, before):
        """Return analyses still queued or running, untouched since ``before``.

        Queuing and starting both set ``updated_at``, so it tells how long
        the row has waited in its current status.
        """
        return self.filter(
            status__in=[AnalysisStatus.QUEUED, AnalysisStatus.RUNNING],
            updated_at__lt=before,
        )

    def retryable(self, *, stuck_before):
        """Return failed analyses and those stuck since ``stuck_before``."""
        return self.failed() | self.stuck(before=stuck_before)


class ImageAnalysis(models.Model):
    """One colour analysis of an image (table ``image_analysis``)."""

    image = models.ForeignKey(
        Image,
        on_delete=models.CASCADE,
        related_name="analyses",
        verbose_name=_("image"),
    )
    analysis_results = models.JSONField(_("analysis results"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Columns on top of the seed design: where the analysis stands, and why
    # it failed when it did.
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AnalysisStatus.choices,
        default=AnalysisStatus.SUCCEEDED,
    )
    error_message = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImageAnalysisQuerySet.as_manager()

    class Meta:
        db_table = "image_analysis"
        verbose_name = _("image analysis")
        verbose_name_plural = _("image analyses")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="image_analysis_created_idx"),
            models.Index(
                fields=["image", "-created_at"], name="image_analysis_latest_idx"
            ),
            models.Index(fields=["status"], name="image_analysis_status_idx"),
        ]

    def __str__(self):
        return f"analysis {self.pk} of image {self.image_id}"

    @property
    def palette(self) -> list[dict]:
        return (self.analysis_results or {}).get("palette") or []
