import json
import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from images import conf
from images.analysis import to_css, to_dtcg
from images.display import analysis_report, palette_strip
from images.exceptions import DuplicateImage, ImageRejected
from images.filters import FormatFilter, SizeRangeFilter
from images.forms import BulkUploadForm, ImageAdminForm, duplicate_message
from images.ingest import image_ingest, image_replace_file
from images.models import AnalysisStatus, Image, ImageAnalysis
from images.services import analysis_request, analysis_retry
from janus.admin import pretty_json

logger = logging.getLogger(__name__)


def _thumbnail_tag(image: Image, size: int):
    if not image.thumbnail:
        return "-"
    return format_html(
        '<img src="{}" alt="{}" loading="lazy" '
        'style="max-width:{}px;max-height:{}px;border-radius:3px">',
        image.thumbnail.url,
        image.original_name,
        size,
        size,
    )


class ImageAnalysisInline(admin.TabularInline):
    model = ImageAnalysis
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["created_at", "status", "palette", "error_message"]
    readonly_fields = ["created_at", "status", "palette", "error_message"]
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("palette"))
    def palette(self, obj):
        return palette_strip(obj.palette)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = [
        "thumbnail_small",
        "original_name",
        "palette_display",
        "user",
        "dimensions",
        "format_display",
        "color_type",
        "bit_depth",
        "file_size_display",
        "created_at",
    ]
    list_display_links = ["thumbnail_small", "original_name"]
    list_filter = [
        FormatFilter,
        "color_type",
        "bit_depth",
        SizeRangeFilter,
        ("user", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["original_name", "file", "=sha256"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    list_select_related = ["user"]
    readonly_fields = [
        "thumbnail_large",
        "file",
        "width",
        "height",
        "bit_depth",
        "color_type",
        "compression_method",
        "file_size_display",
        "sha256",
        "metadata_display",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["user"]
    inlines = [ImageAnalysisInline]
    actions = ["analyse_again"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_latest_palette()

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["upload", "user", "original_name"]})]
        main = ["thumbnail_large", "original_name", "user"]
        if self.has_change_permission(request, obj):
            main.append("upload")
        return [
            (None, {"fields": main}),
            (
                _("Technical metadata"),
                {
                    "fields": [
                        ("width", "height"),
                        ("bit_depth", "color_type", "compression_method"),
                        ("file_size_display", "sha256"),
                        "file",
                        "metadata_display",
                    ]
                },
            ),
            (_("Timestamps"), {"fields": [("created_at", "updated_at")]}),
        ]

    def get_inlines(self, request, obj):
        # A new image has no analyses yet.
        return self.inlines if obj is not None else []

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("user", request.user.pk)
        return initial

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("upload")
        name = form.cleaned_data.get("original_name") or None
        if change:
            if upload:
                image_replace_file(
                    image=obj, source=upload, original_name=name, info=form.upload_info
                )
            else:
                obj.save()
            return
        ingested = image_ingest(
            source=upload,
            # The field starts filled with the uploader, so a blank one is
            # far likelier a slip than a wish for an image nobody owns.
            user=form.cleaned_data.get("user") or request.user,
            original_name=name or upload.name,
            info=form.upload_info,
        )
        # The admin goes on with ``obj`` (messages, history, redirect).
        for field in Image._meta.concrete_fields:
            setattr(obj, field.attname, getattr(ingested, field.attname))
        obj._state.adding = False
        obj._state.db = ingested._state.db

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DuplicateImage as exc:
            # Another upload of the same content won the race after this
            # form was validated; show the image that is stored.
            self.message_user(
                request, duplicate_message(exc.existing), messages.WARNING
            )
            return HttpResponseRedirect(
                reverse("admin:images_image_change", args=[exc.existing.pk])
            )

    def get_urls(self):
        return [
            path(
                "bulk-upload/",
                self.admin_site.admin_view(self.bulk_upload_view),
                name="images_image_bulk_upload",
            ),
            *super().get_urls(),
        ]

    def bulk_upload_view(self, request):
        """Upload many files at once and report a result for each."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        results = []
        form = BulkUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            results = [
                self._ingest_one(request, upload)
                for upload in form.cleaned_data["files"]
            ]
            stored = sum(1 for result in results if result["ok"])
            failed = len(results) - stored
            if stored:
                self.message_user(
                    request,
                    ngettext("%d image was added.", "%d images were added.", stored)
                    % stored,
                    messages.SUCCESS,
                )
            if failed:
                self.message_user(
                    request,
                    ngettext(
                        "%d file was not added.", "%d files were not added.", failed
                    )
                    % failed,
                    messages.WARNING,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Upload images"),
            "form": form,
            "results": results,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/images/image/bulk_upload.html", context)

    def _ingest_one(self, request, upload) -> dict:
        try:
            image = image_ingest(source=upload, user=request.user)
        except DuplicateImage as exc:
            return {
                "name": upload.name,
                "ok": False,
                "message": duplicate_message(exc.existing),
            }
        except ImageRejected as exc:
            return {"name": upload.name, "ok": False, "message": str(exc)}
        url = reverse("admin:images_image_change", args=[image.pk])
        return {
            "name": upload.name,
            "ok": True,
            "message": format_html('Added as <a href="{}">{}</a>.', url, image),
        }

    @admin.display(description=_("palette"))
    def palette_display(self, obj):
        return palette_strip(getattr(obj, "latest_palette", None))

    @admin.display(description=_("preview"))
    def thumbnail_small(self, obj):
        return _thumbnail_tag(obj, 64)

    @admin.display(description=_("preview"))
    def thumbnail_large(self, obj):
        return _thumbnail_tag(obj, 256)

    @admin.display(description=_("size"), ordering="width")
    def dimensions(self, obj):
        if obj.width is None:
            return "-"
        return f"{obj.width}\u00a0×\u00a0{obj.height}"

    @admin.display(description=_("format"), ordering="image_metadata__format")
    def format_display(self, obj):
        return obj.format or "-"

    @admin.display(description=_("file size"), ordering="file_size_bytes")
    def file_size_display(self, obj):
        from django.template.defaultfilters import filesizeformat

        return filesizeformat(obj.file_size_bytes)

    @admin.display(description=_("metadata"))
    def metadata_display(self, obj):
        return pretty_json(obj.image_metadata)

    @admin.action(description=_("Analyse again"), permissions=["change"])
    def analyse_again(self, request, queryset):
        count = 0
        for image in queryset:
            analysis_request(image=image)
            count += 1
        self.message_user(
            request,
            ngettext(
                "An analysis of %d image was queued.",
                "Analyses of %d images were queued.",
                count,
            )
            % count,
            messages.SUCCESS,
        )


STATUS_COLORS = {
    AnalysisStatus.QUEUED: "#6b7280",
    AnalysisStatus.RUNNING: "#2563eb",
    AnalysisStatus.SUCCEEDED: "#15803d",
    AnalysisStatus.FAILED: "#b91c1c",
}


@admin.register(ImageAnalysis)
class ImageAnalysisAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "image",
        "status_display",
        "palette_display",
        "duration_display",
        "created_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["image__original_name", "=image__sha256", "error_message"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    list_select_related = ["image"]
    readonly_fields = [
        "image",
        "status_display",
        "error_message",
        "started_at",
        "finished_at",
        "created_at",
        "updated_at",
        "results_display",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "image",
                    "status_display",
                    "error_message",
                    ("started_at", "finished_at"),
                    ("created_at", "updated_at"),
                ]
            },
        ),
        (_("Raw results"), {"classes": ["collapse"], "fields": ["results_display"]}),
    ]
    actions = ["retry_analyses"]

    def has_add_permission(self, request):
        # Analyses are made by Janus (after ingest, "Analyse again"), not typed.
        return False

    def has_change_permission(self, request, obj=None):
        # Results are what the analysis found; nobody edits them by hand.
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("images.change_imageanalysis")

    def get_urls(self):
        return [
            path(
                "<int:pk>/tokens.json",
                self.admin_site.admin_view(self.dtcg_view),
                name="images_imageanalysis_dtcg",
            ),
            path(
                "<int:pk>/tokens.css",
                self.admin_site.admin_view(self.css_view),
                name="images_imageanalysis_css",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        analysis = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "report": analysis_report(analysis) if analysis else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _tokens_of(self, request, pk):
        analysis = self.get_object(request, str(pk))
        if analysis is None or not self.has_view_permission(request, analysis):
            raise Http404
        tokens = (analysis.analysis_results or {}).get("tokens")
        if not tokens:
            raise Http404(_("This analysis has no design tokens."))
        return analysis, tokens

    def dtcg_view(self, request, pk):
        analysis, tokens = self._tokens_of(request, pk)
        document = to_dtcg(tokens, palette=analysis.palette)
        response = HttpResponse(
            json.dumps(document, indent=2, ensure_ascii=False) + "\n",
            content_type="application/json",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="janus-tokens-{analysis.pk}.tokens.json"'
        )
        return response

    def css_view(self, request, pk):
        analysis, tokens = self._tokens_of(request, pk)
        response = HttpResponse(to_css(tokens), content_type="text/css")
        response["Content-Disposition"] = (
            f'attachment; filename="janus-tokens-{analysis.pk}.css"'
        )
        return response

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj):
        return format_html(
            '<span style="color:{};font-weight:600">{}</span>',
            STATUS_COLORS.get(obj.status, "#6b7280"),
            obj.get_status_display(),
        )

    @admin.display(description=_("palette"))
    def palette_display(self, obj):
        return palette_strip(obj.palette)

    @admin.display(description=_("duration"))
    def duration_display(self, obj):
        algorithm = (obj.analysis_results or {}).get("algorithm") or {}
        duration = algorithm.get("duration_ms")
        return f"{duration:.0f} ms" if duration is not None else "-"

    @admin.display(description=_("results"))
    def results_display(self, obj):
        return pretty_json(obj.analysis_results)

    @admin.action(description=_("Retry failed analyses"), permissions=["retry"])
    def retry_analyses(self, request, queryset):
        """Queue failed analyses again, and those stuck queued or running.

        An analysis waiting longer than ``JANUS_ANALYSIS_STUCK_MINUTES``
        lost its worker or its task; a younger one may still finish.
        """
        stuck_before = timezone.now() - conf.analysis_stuck_after()
        retried = list(queryset.retryable(stuck_before=stuck_before))
        for analysis in retried:
            analysis_retry(analysis=analysis)
        skipped = queryset.count() - len(retried)
        self.message_user(
            request,
            ngettext(
                "%d failed or stuck analysis was queued again.",
                "%d failed or stuck analyses were queued again.",
                len(retried),
            )
            % len(retried),
            messages.SUCCESS if retried else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d selected analysis had neither failed nor got stuck and "
                    "was left alone.",
                    "%d selected analyses had neither failed nor got stuck and "
                    "were left alone.",
                    skipped,
                )
                % skipped,
                messages.INFO,
            )
