"""The Janus admin site and the helpers every app's admin shares."""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from analytics.dashboard import dashboard_figures


class JanusAdminSite(admin.AdminSite):
    site_header = _("Janus administration")
    site_title = _("Janus")
    index_title = _("Janus: images, analyses and audit trail")

    def index(self, request, extra_context=None):
        """Show the dashboard above the app list, with the figures the user
        may see (see ``analytics.dashboard``)."""
        context = {
            "dashboard": dashboard_figures(request, site=self),
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)


def pretty_json(value) -> str:
    """Return ``value`` as indented JSON inside a ``<pre>`` block."""
    if value in (None, "", {}, []):
        return "-"
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return format_html('<pre class="janus-json">{}</pre>', text)
