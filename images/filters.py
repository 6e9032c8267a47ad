"""Computed list filters for the images admin."""

from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy as _

FORMATS = ["PNG", "JPEG", "MPO", "GIF", "WEBP", "BMP", "TIFF"]

# Pixel-count ranges in megapixels; the upper bound is exclusive.
SIZE_RANGES = {
    "tiny": (_("under 0.1 MP"), 0, 100_000),
    "small": (_("0.1 to 1 MP"), 100_000, 1_000_000),
    "medium": (_("1 to 4 MP"), 1_000_000, 4_000_000),
    "large": (_("4 to 12 MP"), 4_000_000, 12_000_000),
    "huge": (_("12 MP and more"), 12_000_000, None),
}


class FormatFilter(admin.SimpleListFilter):
    title = _("format")
    parameter_name = "format"

    def lookups(self, request, model_admin):
        return [(name, name) for name in FORMATS]

    def queryset(self, request, queryset):
        if self.value() in FORMATS:
            return queryset.filter(image_metadata__format=self.value())
        return queryset


class SizeRangeFilter(admin.SimpleListFilter):
    title = _("size")
    parameter_name = "size"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _low, _high) in SIZE_RANGES.items()]

    def queryset(self, request, queryset):
        if self.value() not in SIZE_RANGES:
            return queryset
        _label, low, high = SIZE_RANGES[self.value()]
        queryset = queryset.alias(pixels=F("width") * F("height")).filter(
            pixels__gte=low
        )
        if high is not None:
            queryset = queryset.filter(pixels__lt=high)
        return queryset
