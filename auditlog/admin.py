import logging

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_superadmin
from auditlog.export import FORMATS, export_response
from auditlog.filters import (
    ActionFilter,
    IPAddressFilter,
    ModuleFilter,
    RebuiltFilter,
    UsernameFilter,
    parse_ip,
)
from auditlog.lockout import IP, USERNAME
from auditlog.models import (
    ChainHead,
    Log,
    SecurityAction,
    SecurityEvent,
    SecurityOverview,
)
from auditlog.overview import DEFAULT_PERIOD, PERIODS, overview_build
from auditlog.paginator import TrailPaginator
from auditlog.services import lockout_lift
from janus.admin import pretty_json

logger = logging.getLogger(__name__)

LEVEL_COLORS = {
    "DEBUG": "#4b5563",
    "INFO": "#1d4ed8",
    "WARNING": "#92400e",
    "ERROR": "#b91c1c",
    "CRITICAL": "#7f1d1d",
}
ACTION_COLORS = {
    "auth.login_failed": "#92400e",
    "auth.login_refused": "#b91c1c",
    "auth.locked_out": "#b91c1c",
    "auth.permission_denied": "#92400e",
    "auth.unlocked": "#15803d",
}


ACTION_LABELS = dict(SecurityAction.choices)


class ReadOnlyAdminMixin:
    """Refuse adding, changing and deleting to everyone, superadmins included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AppendOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Review pages for a table that Janus writes and nobody edits.

    Nobody adds, changes or deletes rows here, superadmins included: the
    rows are links of a hash chain, and only ``manage.py prune_logs``
    removes old ones. The list avoids every full-table read Django's
    default changelist makes (see ``TrailPaginator``, the date hierarchy
    tag and the filters), and the filtered rows can be exported.
    """

    change_list_template = "admin/auditlog/change_list.html"
    paginator = TrailPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    sortable_by = ["timestamp"]
    list_per_page = 100
    export_columns: list[str] = []

    def get_search_results(self, request, queryset, search_term):
        """Search by the shape of the term, so that an index answers.

        An IP address matches the address exactly; anything else matches
        the start of the columns in ``prefix_search_fields``, compared
        without case. Prefix searches use indexes that a "contains" search
        could not.
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        address = parse_ip(term)
        if address is not None:
            return queryset.filter(ip_address=address), False
        condition = Q()
        for name in self.prefix_search_fields:
            condition |= Q(**{f"{name}__istartswith": term})
        return queryset.filter(condition), False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "trail_links": self.trail_links()}
        return super().changelist_view(request, extra_context)

    def trail_links(self) -> list[dict]:
        """Return the links above the list: one export per format."""
        info = self.opts.app_label, self.opts.model_name
        return [
            {
                "url": reverse("admin:{}_{}_export".format(*info), args=[fmt]),
                "label": _("Export %(format)s") % {"format": fmt.upper()},
                "class": f"janus-export-{fmt}",
                "keep_query": True,
            }
            for fmt in FORMATS
        ]

    def export_view(self, request, fmt):
        """Stream every row the list shows, with its filters and search."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if fmt not in FORMATS:
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            info = self.opts.app_label, self.opts.model_name
            return HttpResponseRedirect(
                reverse("admin:{}_{}_changelist".format(*info)) + "?e=1"
            )
        logger.info(
            "audit rows exported table=%s format=%s query=%r",
            self.opts.db_table,
            fmt,
            request.GET.urlencode(),
            extra={
                "janus": {
                    "table": self.opts.db_table,
                    "format": fmt,
                    "query": request.GET.urlencode(),
                }
            },
        )
        return export_response(
            changelist.queryset,
            self.export_columns,
            fmt=fmt,
            name=self.opts.db_table,
        )

    @admin.display(description=_("user"), ordering="username")
    def user_link(self, obj):
        if not obj.username:
            return "-"
        return format_html(
            '<a href="?{}={}" title="{}">{}</a>',
            UsernameFilter.parameter_name,
            obj.username,
            _("Show only this user"),
            obj.username,
        )

    @admin.display(description=_("IP address"), ordering="ip_address")
    def ip_link(self, obj):
        if not obj.ip_address:
            return "-"
        return format_html(
            '<a href="?{}={}" title="{}">{}</a>',
            IPAddressFilter.parameter_name,
            obj.ip_address,
            _("Show only this address"),
            obj.ip_address,
        )


@admin.register(Log)
class LogAdmin(AppendOnlyAdmin):
    list_display = [
        "timestamp",
        "level_mark",
        "module",
        "action",
        "user_link",
        "ip_link",
    ]
    list_filter = [
        "level",
        ModuleFilter,
        ActionFilter,
        UsernameFilter,
        IPAddressFilter,
        "timestamp",
    ]
    search_fields = ["username", "action"]
    search_help_text = _(
        "An IP address finds that address; any other text finds entries whose "
        "username or action starts with it."
    )
    date_hierarchy = "timestamp"
    ordering = ["-timestamp", "-id"]
    readonly_fields = ["metadata_display"]
    fields = [
        "timestamp",
        "level",
        "module",
        "action",
        "user",
        "username",
        "ip_address",
        "metadata_display",
        "previous_hash",
        "row_hash",
        "updated_at",
    ]
    prefix_search_fields = ["username", "action"]
    export_columns = [
        "id",
        "timestamp",
        "level",
        "module",
        "action",
        "user_id",
        "username",
        "ip_address",
        "log_metadata",
        "previous_hash",
        "row_hash",
    ]

    @admin.display(description=_("level"), ordering="level")
    def level_mark(self, obj):
        color = LEVEL_COLORS.get(obj.level or "", LEVEL_COLORS["DEBUG"])
        return format_html(
            '<span class="janus-level janus-level-{}" style="color:{}">{}</span>',
            (obj.level or "none").lower(),
            color,
            obj.level or "-",
        )

    @admin.display(description=_("metadata"))
    def metadata_display(self, obj):
        return pretty_json(obj.log_metadata)


@admin.register(SecurityEvent)
class SecurityEventAdmin(AppendOnlyAdmin):
    list_display = [
        "timestamp",
        "action_mark",
        "user_link",
        "ip_link",
        "user_agent_short",
    ]
    list_filter = ["action", UsernameFilter, IPAddressFilter, "timestamp"]
    search_fields = ["username", "ip_address"]
    search_help_text = _(
        "An IP address finds that address; any other text finds events whose "
        "username starts with it."
    )
    date_hierarchy = "timestamp"
    ordering = ["-timestamp", "-id"]
    readonly_fields = ["details_display"]
    fields = [
        "timestamp",
        "action",
        "user",
        "username",
        "ip_address",
        "user_agent",
        "details_display",
        "previous_hash",
        "row_hash",
        "updated_at",
    ]
    prefix_search_fields = ["username"]
    export_columns = [
        "id",
        "timestamp",
        "action",
        "user_id",
        "username",
        "ip_address",
        "user_agent",
        "details",
        "previous_hash",
        "row_hash",
    ]

    def trail_links(self) -> list[dict]:
        overview = {
            "url": reverse("admin:auditlog_securityoverview_changelist"),
            "label": _("Security overview"),
            "class": "janus-overview",
            "keep_query": False,
        }
        return [overview, *super().trail_links()]

    @admin.display(description=_("action"), ordering="action")
    def action_mark(self, obj):
        # A dict lookup: get_action_display() hashes the choices on every
        # call, a quarter of the list's rendering time.
        return format_html(
            '<span style="color:{};font-weight:600">{}</span>',
            ACTION_COLORS.get(obj.action, "inherit"),
            ACTION_LABELS.get(obj.action, obj.action),
        )

    @admin.display(description=_("user agent"))
    def user_agent_short(self, obj):
        return Truncator(obj.user_agent).chars(60) or "-"

    @admin.display(description=_("details"))
    def details_display(self, obj):
        return pretty_json(obj.details)


@admin.register(SecurityOverview)
class SecurityOverviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The security overview: failures per day, top sources, lockouts.

    Whoever may view security events sees the page; only superadmins get
    the unlock buttons, and only they may post an unlock.
    """

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("auditlog.view_securityevent")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        return [
            path(
                "",
                self.admin_site.admin_view(self.overview_view),
                name="auditlog_securityoverview_changelist",
            ),
            path(
                "unlock/",
                self.admin_site.admin_view(self.unlock_view),
                name="auditlog_securityoverview_unlock",
            ),
        ]

    def overview_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", DEFAULT_PERIOD))
        except ValueError:
            days = DEFAULT_PERIOD
        if days not in PERIODS:
            days = DEFAULT_PERIOD
        events_url = reverse("admin:auditlog_securityevent_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Security overview"),
            "opts": self.opts,
            "overview": overview_build(days, events_url=events_url),
            "periods": PERIODS,
            "can_unlock": is_superadmin(request.user),
            "events_url": events_url,
        }
        return TemplateResponse(
            request, "admin/auditlog/securityoverview/overview.html", context
        )

    def unlock_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not is_superadmin(request.user):
            raise PermissionDenied
        scope = request.POST.get("scope")
        value = (request.POST.get("value") or "").strip()
        if scope not in (USERNAME, IP) or not value:
            self.message_user(request, _("Nothing to unlock."), messages.ERROR)
        else:
            if scope == IP:
                value = parse_ip(value)
            if value is None:
                self.message_user(
                    request, _("That is not an IP address."), messages.ERROR
                )
            else:
                lockout_lift(
                    username=value if scope == USERNAME else None,
                    ip=value if scope == IP else None,
                    by=request.user.get_username(),
                    request=request,
                )
                self.message_user(
                    request,
                    _("Unlocked %(value)s; the unlock is recorded.") % {"value": value},
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(
            reverse("admin:auditlog_securityoverview_changelist")
        )


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The newest link and the checkpoint of each hash chain, read-only.

    Writers move a head as they append and ``prune_logs`` moves the
    checkpoint; a head edited by hand would break the chain it describes,
    so nobody adds, changes or deletes one here, superadmins included.
    Whoever may view log entries may view the heads: the level groups grant
    no permission on this model of its own.
    """

    list_display = [
        "chain",
        "head_id",
        "head_hash",
        "anchor_id",
        "anchor_hash",
        "pruned_rows",
        "pruned_at",
        "rebuilt_mark",
    ]
    list_filter = [RebuiltFilter]
    search_fields = ["^chain", "^head_hash", "^anchor_hash"]
    search_help_text = _(
        "Finds the table whose name, newest hash or checkpoint hash starts "
        "with the text."
    )
    ordering = ["chain"]
    fields = [
        "chain",
        "head_id",
        "head_hash",
        "anchor_id",
        "anchor_hash",
        "pruned_rows",
        "pruned_at",
        "rebuilt_at",
        "rebuilt_from_id",
        "updated_at",
    ]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("auditlog.view_log") or (
            super().has_view_permission(request, obj)
        )

    @admin.display(description=_("head rebuilt"), ordering="rebuilt_at")
    def rebuilt_mark(self, obj):
        # Until someone accepts it, a rebuilt head means rows past it may
        # have gone unseen, so it wears the colour of an error.
        if obj.rebuilt_at is None:
            return "-"
        return format_html(
            '<span class="janus-rebuilt" style="color:{};font-weight:600">{}</span>',
            LEVEL_COLORS["ERROR"],
            _("rebuilt from row %(id)s") % {"id": obj.rebuilt_from_id},
        )
