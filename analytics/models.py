from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AnalyticsQuerySet(models.QuerySet):
    def recent(self, limit: int = 10):
        """Return the ``limit`` most recent records, newest first."""
        return self.order_by("-created_at", "-id")[:limit]

    def for_topic(self, topic: str):
        return self.filter(research_topic=topic)


class Analytics(models.Model):
    """A research finding or computed report as JSON (table ``analytics``)."""

    data = models.JSONField(_("data"))
    research_topic = models.CharField(
        _("research topic"), max_length=255, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AnalyticsQuerySet.as_manager()

    class Meta:
        db_table = "analytics"
        verbose_name = _("analytics record")
        verbose_name_plural = _("analytics records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="analytics_created_at_idx"),
            models.Index(
                fields=["research_topic", "created_at"], name="analytics_topic_idx"
            ),
        ]

    def __str__(self):
        return f"{self.research_topic or 'untitled'} #{self.pk}"
