"""Uploading through the admin: single, bulk, replace, and refusals."""

import struct
import zlib
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.levels import AdminLevel
from images.models import Image
from tests.utils import image_bytes, stored_files, upload


def _png_declaring(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(64)))
        + chunk(b"IEND", b"")
    )


@pytest.mark.django_db
class TestImageAdd:
    def test_owner_defaults_to_current_user(self, editor_client, editor):
        response = editor_client.get(reverse("admin:images_image_add"))
        assert response.context["adminform"].form.initial["user"] == editor.pk

    def test_owner_left_blank_falls_back_to_current_user(self, editor_client, editor):
        response = editor_client.post(
            reverse("admin:images_image_add"), {"upload": upload(), "user": ""}
        )
        assert response.status_code == 302
        assert Image.objects.get().user == editor

    def test_owner_help_text_says_blank_means_current_user(self, editor_client):
        response = editor_client.get(reverse("admin:images_image_add"))
        assert "Leave empty to be the owner yourself" in response.content.decode()

    def test_upload_creates_image_with_metadata(self, editor_client, editor):
        response = editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": upload("brand.webp", image_bytes("WEBP")), "user": editor.pk},
        )
        assert response.status_code == 302
        image = Image.objects.get()
        assert image.original_name == "brand.webp"
        assert image.image_metadata["format"] == "WEBP"
        assert image.user == editor

    def test_bad_file_shows_error_and_stores_nothing(self, editor_client, editor):
        response = editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": upload("doc.png", b"%PDF-1.7\n..."), "user": editor.pk},
        )
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors["upload"]
        assert "doc.png" in errors[0]
        assert "not an image Janus accepts (found: a PDF document)" in errors[0]
        assert Image.objects.count() == 0
        assert stored_files() == set()

    def test_decompression_bomb_is_a_form_error_and_stores_nothing(
        self, editor_client, editor
    ):
        response = editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": upload("bomb.png", _png_declaring(100_000, 100_000))},
        )

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors["upload"]
        assert "too many pixels" in errors[0]
        assert Image.objects.count() == 0
        assert stored_files() == set()

    def test_file_over_the_size_setting_is_a_form_error(self, editor_client, settings):
        settings.JANUS_MAX_UPLOAD_MB = 0.001

        response = editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": upload("big.png", image_bytes(size=(400, 400)))},
        )

        errors = response.context["adminform"].form.errors["upload"]
        assert "The file is too large" in errors[0]
        assert Image.objects.count() == 0

    def test_duplicate_upload_links_to_existing_image(self, editor_client, editor):
        content = image_bytes()
        editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": upload("one.png", content), "user": editor.pk},
        )
        existing = Image.objects.get()
        response = editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": upload("two.png", content), "user": editor.pk},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert reverse("admin:images_image_change", args=[existing.pk]) in html
        assert Image.objects.count() == 1

    def test_replacing_file_on_change_page_updates_metadata(self, editor_client):
        editor_client.post(
            reverse("admin:images_image_add"), {"upload": upload(size=(20, 20))}
        )
        image = Image.objects.get()
        response = editor_client.post(
            reverse("admin:images_image_change", args=[image.pk]),
            {
                "upload": upload("bigger.png", image_bytes(size=(120, 90))),
                "original_name": "bigger.png",
                "analyses-TOTAL_FORMS": "0",
                "analyses-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        image.refresh_from_db()
        assert (image.width, image.height) == (120, 90)


@pytest.mark.django_db
class TestBulkUpload:
    url = "admin:images_image_bulk_upload"

    def test_each_file_gets_its_own_result(self, editor_client):
        response = editor_client.post(
            reverse(self.url),
            {
                "files": [
                    upload("one.png", image_bytes(color=(1, 2, 3))),
                    upload("two.jpg", image_bytes("JPEG")),
                    upload("three.png", b"not an image at all"),
                ]
            },
        )
        assert response.status_code == 200
        results = {row["name"]: row["ok"] for row in response.context["results"]}
        assert results == {"one.png": True, "two.jpg": True, "three.png": False}
        assert Image.objects.count() == 2

    def test_owner_of_each_image_is_the_current_user(self, editor_client, editor):
        editor_client.post(
            reverse(self.url),
            {
                "files": [
                    upload("one.png", image_bytes(color=(1, 2, 3))),
                    upload("two.png", image_bytes(color=(4, 5, 6))),
                ]
            },
        )

        assert list(Image.objects.values_list("user", flat=True)) == [editor.pk] * 2

    def test_duplicate_file_is_reported_with_a_link_to_the_stored_image(
        self, editor_client
    ):
        content = image_bytes(color=(7, 8, 9))
        editor_client.post(reverse(self.url), {"files": [upload("a.png", content)]})
        existing = Image.objects.get()

        response = editor_client.post(
            reverse(self.url), {"files": [upload("again.png", content)]}
        )

        [result] = response.context["results"]
        assert result["ok"] is False
        assert reverse("admin:images_image_change", args=[existing.pk]) in str(
            result["message"]
        )
        assert Image.objects.count() == 1

    def test_auditor_is_refused(self, auditor_client):
        assert auditor_client.get(reverse(self.url)).status_code == 403


@pytest.mark.django_db
class TestImageList:
    def test_list_shows_cached_thumbnail(self, editor_client):
        editor_client.post(reverse("admin:images_image_add"), {"upload": upload()})
        image = Image.objects.get()
        response = editor_client.get(reverse("admin:images_image_changelist"))
        assert image.thumbnail.url in response.content.decode()

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"format": "GIF"}, {"g.gif"}),
            ({"color_type__exact": "palette"}, {"g.gif"}),
            ({"size": "tiny"}, {"p.png"}),
            ({"size": "small"}, {"j.jpg", "g.gif"}),
            ({"bit_depth__exact": "8"}, {"p.png", "j.jpg"}),
        ],
    )
    def test_filters(self, editor_client, query, expected):
        for name, content in [
            ("p.png", image_bytes("PNG", size=(50, 50))),
            ("j.jpg", image_bytes("JPEG", size=(500, 400))),
            ("g.gif", image_bytes("GIF", size=(600, 500))),
        ]:
            editor_client.post(
                reverse("admin:images_image_add"), {"upload": upload(name, content)}
            )
        response = editor_client.get(reverse("admin:images_image_changelist"), query)
        shown = {image.original_name for image in response.context["cl"].result_list}
        assert shown == expected

    def test_search_by_hash(self, editor_client):
        editor_client.post(reverse("admin:images_image_add"), {"upload": upload()})
        image = Image.objects.get()
        response = editor_client.get(
            reverse("admin:images_image_changelist"), {"q": image.sha256}
        )
        assert list(response.context["cl"].result_list) == [image]

    def test_owner_filter_shows_only_that_owners_images(
        self, editor_client, make_staff
    ):
        other = make_staff(AdminLevel.EDITOR, username="other-editor")
        editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": upload("mine.png", image_bytes(color=(1, 1, 1)))},
        )
        editor_client.post(
            reverse("admin:images_image_add"),
            {
                "upload": upload("theirs.png", image_bytes(color=(2, 2, 2))),
                "user": other.pk,
            },
        )

        response = editor_client.get(
            reverse("admin:images_image_changelist"), {"user__id__exact": other.pk}
        )

        shown = [image.original_name for image in response.context["cl"].result_list]
        assert shown == ["theirs.png"]

    def test_search_by_original_name(self, editor_client):
        for name, color in [("harbour.png", (1, 1, 1)), ("forest.png", (2, 2, 2))]:
            editor_client.post(
                reverse("admin:images_image_add"),
                {"upload": upload(name, image_bytes(color=color))},
            )

        response = editor_client.get(
            reverse("admin:images_image_changelist"), {"q": "harb"}
        )

        shown = [image.original_name for image in response.context["cl"].result_list]
        assert shown == ["harbour.png"]

    def test_change_page_shows_cached_thumbnail(self, editor_client):
        editor_client.post(reverse("admin:images_image_add"), {"upload": upload()})
        image = Image.objects.get()

        response = editor_client.get(
            reverse("admin:images_image_change", args=[image.pk])
        )

        assert image.thumbnail.url in response.content.decode()

    def test_pages_show_thumbnail_without_reading_the_original(self, editor_client):
        editor_client.post(reverse("admin:images_image_add"), {"upload": upload()})
        image = Image.objects.get()
        # An undecodable original: a page that decoded it would fail or
        # write a new thumbnail.
        Path(image.file.path).write_bytes(b"no longer an image")
        before = stored_files()

        pages = [
            editor_client.get(reverse("admin:images_image_changelist")),
            editor_client.get(reverse("admin:images_image_change", args=[image.pk])),
        ]

        for response in pages:
            assert response.status_code == 200
            assert image.thumbnail.url in response.content.decode()
        assert stored_files() == before

    def test_list_escapes_markup_in_original_name(self, editor_client):
        editor_client.post(
            reverse("admin:images_image_add"),
            {
                "upload": upload("pic.png"),
                "original_name": '<img src=x onerror="alert(1)">.png',
            },
        )

        html = editor_client.get(reverse("admin:images_image_changelist")).content

        assert b"<img src=x onerror" not in html
        assert b"&lt;img src=x onerror" in html


@pytest.mark.django_db(transaction=True)
def test_delete_selected_action_removes_the_files(editor_client):
    for name, color in [("a.png", (1, 1, 1)), ("b.png", (2, 2, 2))]:
        editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": upload(name, image_bytes(color=color))},
        )
    assert len(stored_files()) == 4

    response = editor_client.post(
        reverse("admin:images_image_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(Image.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert Image.objects.count() == 0
    assert stored_files() == set()
