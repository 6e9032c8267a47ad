"""Upload images through the admin in Chromium."""

from pathlib import Path

import pytest
from django.urls import reverse

from accounts.levels import AdminLevel
from images.models import Image
from tests.utils import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_uploads_one_image_and_sees_its_metadata(
    make_staff, sign_in, live_server, tmp_path
):
    make_staff(AdminLevel.EDITOR, username="eve", password="editor-pass-1")
    picture = tmp_path / "hero.jpg"
    picture.write_bytes(image_bytes("JPEG", size=(320, 200)))
    page = sign_in("eve", "editor-pass-1")

    page.goto(live_server.url + reverse("admin:images_image_add"))
    page.set_input_files("#id_upload", str(picture))
    page.click("input[name=_save]")

    page.wait_for_selector(".messagelist .success")
    image = Image.objects.get()
    assert image.original_name == "hero.jpg"
    assert image.user.username == "eve"
    row = page.locator("#result_list tbody tr").first
    assert "hero.jpg" in row.inner_text()
    assert "320\u00a0×\u00a0200" in row.inner_text()
    page.wait_for_function(
        "() => { const img = document.querySelector('#result_list tbody tr img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )

    row.locator("a", has_text="hero.jpg").click()
    assert "dct-baseline" in page.locator("#content-main").inner_text()


def test_bulk_upload_reports_each_file(make_staff, sign_in, live_server, tmp_path):
    make_staff(AdminLevel.EDITOR, username="eve", password="editor-pass-1")
    files = {
        "one.png": image_bytes("PNG", color=(200, 10, 10)),
        "two.webp": image_bytes("WEBP", color=(10, 200, 10)),
        "broken.png": image_bytes("PNG")[:60],
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    page = sign_in("eve", "editor-pass-1")

    page.goto(live_server.url + reverse("admin:images_image_changelist"))
    page.click("text=Upload several images")
    page.set_input_files("#id_files", [str(tmp_path / name) for name in files])
    page.click("#bulk-upload-form input[type=submit]")

    table = page.locator("#bulk-upload-results")
    table.wait_for()
    assert table.locator("tr.bulk-ok").count() == 2
    failed = table.locator("tr.bulk-failed")
    assert failed.count() == 1
    assert "broken.png" in failed.inner_text()
    assert "truncated" in failed.inner_text().lower() or "corrupt" in (
        failed.inner_text().lower()
    )
    assert Image.objects.count() == 2


def test_analysis_page_renders_palette_chart_and_tokens(
    make_staff, sign_in, live_server, tmp_path
):
    make_staff(AdminLevel.AUDITOR, username="ada", password="auditor-pass-1")
    editor = make_staff(AdminLevel.EDITOR, username="eve", password="editor-pass-1")
    from images.ingest import image_ingest
    from tests.utils import upload

    image = image_ingest(
        source=upload("two.png", image_bytes(size=(90, 30))), user=editor
    )
    page = sign_in("ada", "auditor-pass-1")

    page.goto(live_server.url + reverse("admin:images_image_change", args=[image.pk]))
    page.click("#analyses-group a.inlineviewlink")
    page.wait_for_selector("#analysis-report")
    swatches = page.locator(".janus-swatch")
    assert swatches.count() == 2
    chart = page.locator("#analysis-report svg[role=img]")
    assert chart.is_visible()
    assert "luminance" in chart.locator("title").first.text_content().lower()
    assert page.locator("#contrast-table tbody tr").count() == 2
    assert page.locator("#token-preview div").count() >= 5

    with page.expect_download() as download_info:
        page.click("text=Download tokens (CSS)")
    css = Path(download_info.value.path()).read_text()
    assert "--janus-background" in css
