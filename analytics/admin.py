import logging

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from analytics.exchange import export_csv, export_json
from analytics.forms import AnalyticsAdminForm, AnalyticsImportForm
from analytics.models import Analytics
from analytics.services import analytics_import
from janus.admin import pretty_json

logger = logging.getLogger(__name__)

EXPORT_FORMATS = {
    "json": (export_json, "application/json"),
    "csv": (export_csv, "text/csv; charset=utf-8"),
}


def export_response(queryset, export_format: str) -> StreamingHttpResponse:
    """Return the records of ``queryset`` as a streamed download."""
    export, content_type = EXPORT_FORMATS[export_format]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(export(queryset), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="analytics-{stamp}.{export_format}"'
    )
    return response


@admin.register(Analytics)
class AnalyticsAdmin(admin.ModelAdmin):
    form = AnalyticsAdminForm
    list_display = ["__str__", "research_topic", "data_summary", "created_at"]
    list_filter = ["research_topic", "created_at"]
    search_fields = ["research_topic"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    readonly_fields = ["created_at", "updated_at", "data_pretty"]
    actions = ["export_selected_json", "export_selected_csv"]

    class Media:
        css = {"all": ["analytics/analytics.css"]}

    def get_fieldsets(self, request, obj=None):
        """Edit the JSON where it may change; elsewhere show it indented."""
        if self.has_change_permission(request, obj) or obj is None:
            main = ["research_topic", "data"]
        else:
            main = ["research_topic", "data_pretty"]
        fieldsets = [(None, {"fields": main})]
        if obj is not None:
            fieldsets.append(
                (_("Timestamps"), {"fields": ["created_at", "updated_at"]})
            )
        return fieldsets

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "export/<str:export_format>/",
                self.admin_site.admin_view(self.export_view),
                name=f"{prefix}_export",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{prefix}_import",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, export_format):
        """Stream the records the list shows, with its filters and order."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if export_format not in EXPORT_FORMATS:
            raise Http404(f"No export format {export_format!r}.")
        changelist_url = reverse(
            "admin:analytics_analytics_changelist", current_app=self.admin_site.name
        )
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(f"{changelist_url}?{ERROR_FLAG}=1")

        logger.info(
            "analytics records exported format=%s filters=%r user=%s",
            export_format,
            request.GET.urlencode(),
            request.user.pk,
            extra={
                "janus": {"format": export_format, "filters": dict(request.GET.items())}
            },
        )
        return export_response(changelist.queryset, export_format)

    def import_view(self, request):
        """Import a JSON file of records: every record or none of them."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AnalyticsImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            created = analytics_import(
                records=form.records,
                user=request.user,
                source=form.cleaned_data["file"].name,
            )
            self.message_user(
                request,
                ngettext(
                    "Imported %(count)d analytics record.",
                    "Imported %(count)d analytics records.",
                    len(created),
                )
                % {"count": len(created)},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse(
                    "admin:analytics_analytics_changelist",
                    current_app=self.admin_site.name,
                )
            )
        if request.method == "POST":
            logger.warning(
                "analytics import refused file=%r user=%s problems=%d",
                getattr(request.FILES.get("file"), "name", ""),
                request.user.pk,
                len(form.errors.get("file", [])),
            )

        context = {
            **self.admin_site.each_context(request),
            "title": _("Import analytics records"),
            "opts": self.opts,
            "form": form,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(
            request, "admin/analytics/analytics/import.html", context
        )

    @admin.display(description=_("data"))
    def data_summary(self, obj):
        keys = ", ".join(sorted(obj.data)) if isinstance(obj.data, dict) else ""
        return Truncator(keys or type(obj.data).__name__).chars(60)

    @admin.display(description=_("data (formatted)"))
    def data_pretty(self, obj):
        return pretty_json(obj.data)

    @admin.action(
        description=_("Export selected records as JSON"), permissions=["view"]
    )
    def export_selected_json(self, request, queryset):
        return self.export_selected(request, queryset, "json")

    @admin.action(description=_("Export selected records as CSV"), permissions=["view"])
    def export_selected_csv(self, request, queryset):
        return self.export_selected(request, queryset, "csv")

    def export_selected(self, request, queryset, export_format):
        logger.info(
            "analytics records exported format=%s selected=%d user=%s",
            export_format,
            queryset.count(),
            request.user.pk,
            extra={"janus": {"format": export_format}},
        )
        return export_response(queryset, export_format)
