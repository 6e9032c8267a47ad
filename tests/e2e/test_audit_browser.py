"""An auditor finds a failed sign-in the test made, and exports it."""

import csv
import io
import json

import pytest
from django.urls import reverse

from accounts.levels import AdminLevel
from auditlog.models import Log

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTRUDER = "intruder-7f3a"


def download_text(page, selector: str) -> tuple[str, str]:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    with open(download.path(), encoding="utf-8") as handle:
        return download.suggested_filename, handle.read()


def test_auditor_finds_and_exports_a_failed_sign_in(
    make_staff, sign_in, live_server, page
):
    make_staff(AdminLevel.AUDITOR, username="ada", password="auditor-pass-1")

    # The failed sign-in the auditor will look for, made in this browser.
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", INTRUDER)
    page.fill("#id_password", "not-the-password")
    page.click("input[type=submit]")
    assert page.locator(".errornote").count() == 1

    sign_in("ada", "auditor-pass-1")
    page.goto(live_server.url + reverse("admin:auditlog_securityevent_changelist"))
    page.fill("#searchbar", INTRUDER)
    page.press("#searchbar", "Enter")
    page.wait_for_load_state()
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "sign-in failed" in rows.first.inner_text()
    assert "127.0.0.1" in rows.first.inner_text()
    # An auditor reads; nothing here offers a change.
    assert page.locator(".object-tools a.addlink").count() == 0
    assert page.locator("select[name=action]").count() == 0

    name, text = download_text(page, "a.janus-export-csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert name.startswith("security-") and name.endswith(".csv")
    assert [(row["username"], row["action"]) for row in table] == [
        (INTRUDER, "auth.login_failed")
    ]

    name, text = download_text(page, "a.janus-export-json")
    data = json.loads(text)
    assert name.endswith(".json")
    assert [(item["username"], item["ip_address"]) for item in data] == [
        (INTRUDER, "127.0.0.1")
    ]
    assert Log.objects.filter(module="auditlog.admin", username="ada").count() == 2
