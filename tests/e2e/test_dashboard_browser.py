"""Open the dashboard on the admin index in Chromium and follow its figures."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.levels import AdminLevel
from auditlog.models import SecurityAction, SecurityEvent
from tests.analytics.helpers import make_analysis, make_image, palette

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK_BLUE = {"light": "rgb(65, 120, 147)", "dark": "rgb(129, 212, 250)"}


def fail_sign_in(page, live_server, username: str):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "not-the-password")
    page.click("input[type=submit]")
    page.wait_for_selector(".errornote")


def test_auditor_follows_failed_sign_ins_from_the_dashboard(
    make_staff, sign_in, live_server, page
):
    make_staff(AdminLevel.AUDITOR, username="ada", password="auditor-pass-1")
    fail_sign_in(page, live_server, "mallory")
    assert SecurityEvent.objects.filter(
        action=SecurityAction.LOGIN_FAILED, username="mallory"
    ).exists()
    page = sign_in("ada", "auditor-pass-1")

    total = page.locator("#total-failed-today")
    assert total.locator(".janus-total-value").inner_text() == "1"
    chart = page.locator("#chart-failed-sign-ins svg")
    assert chart.is_visible()
    assert chart.locator("title").first.text_content() == "Failed sign-ins per day"
    total.locator("a").click()

    page.wait_for_selector("#result_list")
    assert "action__exact=auth.login_failed" in page.url
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "mallory" in rows.first.inner_text()


def test_editor_follows_an_upload_bar_into_the_image_list(
    make_staff, sign_in, live_server, page
):
    make_staff(AdminLevel.EDITOR, username="eve", password="editor-pass-1")
    image = make_image(original_name="today.png", created_at=timezone.now())
    make_image(original_name="old.png", created_at=timezone.now() - timedelta(days=3))
    make_analysis(
        image, results={"palette": palette(("#1e3a8a", 0.7), ("#fbbf24", 0.3))}
    )
    page = sign_in("eve", "editor-pass-1")

    strip = page.locator("#chart-colors .janus-color-list")
    assert "#1e3a8a" in strip.inner_text()
    bars = page.locator("#chart-uploads svg a")
    assert bars.count() == 30
    bars.last.click()

    page.wait_for_selector("#result_list")
    assert "created_at__gte=" in page.url
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "today.png" in rows.first.inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chart_bars_take_the_link_colour_of_each_theme(
    make_staff, sign_in, live_server, page, scheme
):
    make_staff(AdminLevel.AUDITOR, username="ada", password="auditor-pass-1")
    page.emulate_media(color_scheme=scheme)
    page = sign_in("ada", "auditor-pass-1")

    fill = page.locator("#chart-uploads svg rect.bar").first.evaluate(
        "bar => getComputedStyle(bar).fill"
    )

    assert fill == LINK_BLUE[scheme]
