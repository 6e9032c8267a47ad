"""The Janus admin site and the helpers every app's admin shares."""

import json
import logging

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from analytics.dashboard import dashboard_figures

logger = logging.getLogger(__name__)


class JanusAdminSite(admin.AdminSite):
    site_header = _("Janus administration")
    site_title = _("Janus")
    index_title = _("Janus: images, analyses and audit trail")

    def index(self, request, extra_context=None):
        """Show the dashboard above the app list (see ``analytics.dashboard``).

        A dashboard that fails is logged and left out: the index is the way
        into every other page and must keep working.
        """
        try:
            dashboard = dashboard_figures(request, site=self)
        except Exception:
            logger.exception("dashboard failed user=%s", request.user.pk)
            dashboard = None
        return super().index(
            request, extra_context={"dashboard": dashboard, **(extra_context or {})}
        )


def pretty_json(value) -> str:
    """Return ``value`` as indented JSON inside a ``<pre>`` block."""
    if value in (None, "", {}, []):
        return "-"
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return format_html('<pre class="janus-json">{}</pre>', text)
