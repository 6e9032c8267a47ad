"""Uploading through the admin: single, bulk, replace, and refusals."""

import pytest
from django.urls import reverse

from images.models import Image
from tests.utils import image_bytes, upload


@pytest.mark.django_db
class TestImageAdd:
    def test_owner_defaults_to_current_user(self, editor_client, editor):
        response = editor_client.get(reverse("admin:images_image_add"))
        assert response.context["adminform"].form.initial["user"] == editor.pk

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
