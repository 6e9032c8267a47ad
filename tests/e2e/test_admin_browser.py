"""Sign in as each kind of admin and walk the admin site in Chromium."""

import pytest
from django.urls import reverse
from model_bakery import baker

from accounts.levels import AdminLevel
from auditlog.models import Log, SecurityAction, SecurityEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUDITOR_LISTS = [
    ("images", "image"),
    ("images", "imageanalysis"),
    ("auditlog", "log"),
    ("auditlog", "securityevent"),
    ("analytics", "analytics"),
]
SUPERADMIN_ONLY_LISTS = [("accounts", "user"), ("accounts", "admin")]


def index_links(page, live_server) -> list[str]:
    """Return the address of every model page the admin index lists."""
    page.goto(live_server.url + reverse("admin:index"))
    return page.eval_on_selector_all(
        "#content-main th[scope=row] a", "links => links.map(a => a.pathname)"
    )


@pytest.fixture
def trail(db):
    baker.make(Log, action="image ingested", level="INFO", module="images.ingest")
    baker.make(SecurityEvent, action=SecurityAction.LOGIN_FAILED, username="ghost")


def test_auditor_views_every_list_and_changes_nothing(
    make_staff, sign_in, live_server, trail
):
    make_staff(AdminLevel.AUDITOR, username="ada", password="auditor-pass-1")
    page = sign_in("ada", "auditor-pass-1")
    assert "Janus" in page.title()

    links = index_links(page, live_server)
    assert {
        reverse(f"admin:{app}_{model}_changelist") for app, model in AUDITOR_LISTS
    } <= set(links)
    for link in links:
        response = page.goto(live_server.url + link)
        assert response.status == 200, link
        # No add button anywhere for an auditor.
        assert page.locator(".object-tools a.addlink").count() == 0, link

    for app, model in SUPERADMIN_ONLY_LISTS:
        response = page.goto(
            live_server.url + reverse(f"admin:{app}_{model}_changelist")
        )
        assert response.status == 403, (app, model)

    page.goto(live_server.url + reverse("admin:auditlog_log_changelist"))
    page.click("#result_list tbody tr a")
    assert page.locator("input[name=_save]").count() == 0
    assert page.locator("a.deletelink").count() == 0


def test_superadmin_views_every_list_and_may_change(
    make_staff, sign_in, live_server, trail
):
    make_staff(AdminLevel.SUPERADMIN, username="grace", password="super-pass-1")
    page = sign_in("grace", "super-pass-1")

    links = index_links(page, live_server)
    assert {
        reverse(f"admin:{app}_{model}_changelist")
        for app, model in [*AUDITOR_LISTS, *SUPERADMIN_ONLY_LISTS]
    } <= set(links)
    for link in links:
        response = page.goto(live_server.url + link)
        assert response.status == 200, link

    # Images and analytics can be added; logs and security events never.
    page.goto(live_server.url + reverse("admin:images_image_changelist"))
    assert page.locator(".object-tools a.addlink").count() >= 1
    page.goto(live_server.url + reverse("admin:accounts_user_add"))
    assert page.locator("input[name=_save]").count() == 1
    page.goto(live_server.url + reverse("admin:auditlog_log_changelist"))
    assert page.locator(".object-tools a.addlink").count() == 0

    # The audit trail is append-only for everyone, superadmins included.
    page.goto(live_server.url + reverse("admin:auditlog_securityevent_changelist"))
    page.click("#result_list tbody tr a")
    assert page.locator("input[name=_save]").count() == 0
    assert page.locator("a.deletelink").count() == 0
