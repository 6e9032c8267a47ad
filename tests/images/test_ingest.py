"""The ingest service: what it stores, what it refuses, and what it cleans up."""

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from images.exceptions import DuplicateImage, ImageRejected
from images.ingest import clean_original_name, image_ingest, image_replace_file
from images.models import Image
from tests.utils import image_bytes, stored_files, upload


@pytest.mark.django_db
class TestIngest:
    def test_ingest_records_metadata_from_content(self, user):
        image = image_ingest(
            source=upload("photo.png", image_bytes("JPEG", size=(80, 60))),
            user=user,
        )
        assert (image.width, image.height) == (80, 60)
        assert image.image_metadata["format"] == "JPEG"
        assert image.compression_method == "dct-baseline"
        assert image.file.name.endswith(".jpg")
        assert image.original_name == "photo.png"
        assert image.user == user
        assert len(image.sha256) == 64
        assert image.file_size_bytes == image.file.size

    def test_ingest_stores_file_and_thumbnail(self, user):
        image = image_ingest(source=upload(size=(600, 300)), user=user)
        assert stored_files() == {image.file.name, image.thumbnail.name}
        assert image.thumbnail.name.startswith("thumbnails/")

    def test_rejected_upload_leaves_no_file_and_no_row(self, user):
        with pytest.raises(ImageRejected):
            image_ingest(source=upload("evil.png", b"<svg></svg>"), user=user)
        assert Image.objects.count() == 0
        assert stored_files() == set()

    def test_failing_row_save_removes_stored_files(self, user, monkeypatch):
        def broken_create(*args, **kwargs):
            raise RuntimeError("database went away")

        monkeypatch.setattr(Image.objects, "create", broken_create)
        with pytest.raises(RuntimeError):
            image_ingest(source=upload(), user=user)
        assert stored_files() == set()

    def test_same_content_twice_is_refused_naming_the_first(self, user):
        content = image_bytes()
        first = image_ingest(source=upload("a.png", content), user=user)
        with pytest.raises(DuplicateImage) as caught:
            image_ingest(source=upload("b.png", content), user=user)
        assert caught.value.existing == first
        assert Image.objects.count() == 1
        assert len(stored_files()) == 2

    def test_stored_name_is_generated_not_taken_from_upload(self, user):
        image = image_ingest(
            source=upload("../../etc/passwd.png", image_bytes()), user=user
        )
        assert ".." not in image.file.name
        assert "passwd" not in image.file.name
        assert image.original_name == "passwd.png"
        assert Path(default_storage.path(image.file.name)).is_relative_to(
            Path(default_storage.location)
        )

    @pytest.mark.django_db(transaction=True)
    def test_delete_removes_files_after_commit(self, user):
        image = image_ingest(source=upload(), user=user)
        names = {image.file.name, image.thumbnail.name}
        with transaction.atomic():
            image.delete()
            assert names <= stored_files()
        assert stored_files().isdisjoint(names)

    @pytest.mark.django_db(transaction=True)
    def test_delete_rolled_back_keeps_files(self, user):
        image = image_ingest(source=upload(), user=user)
        with pytest.raises(RuntimeError), transaction.atomic():
            image.delete()
            raise RuntimeError("abort")
        assert image.file.name in stored_files()

    @pytest.mark.django_db(transaction=True)
    def test_replacing_the_file_extracts_metadata_again(self, user):
        image = image_ingest(source=upload(size=(40, 30)), user=user)
        old_name = image.file.name
        image_replace_file(
            image=image, source=upload("new.gif", image_bytes("GIF", size=(90, 70)))
        )
        image.refresh_from_db()
        assert (image.width, image.height) == (90, 70)
        assert image.compression_method == "lzw"
        assert image.color_type == "palette"
        assert old_name not in stored_files()
        assert image.file.name in stored_files()

    def test_file_like_without_name_is_accepted(self, user):
        image = image_ingest(source=io.BytesIO(image_bytes()), user=user)
        assert image.original_name == "unnamed"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("holiday.png", "holiday.png"),
        ("../../secret.png", "secret.png"),
        ("C:\\Users\\me\\shot.png", "shot.png"),
        ("evil\u202egnp.exe", "evil gnp.exe"),
        ("tab\tand\nnewline.png", "tab and newline.png"),
        ("Cafe\u0301.png", "Café.png"),
        ("", "unnamed"),
        ("...", "unnamed"),
        ("x" * 300 + ".png", "x" * 251 + ".png"),
    ],
)
def test_clean_original_name(raw, clean):
    assert clean_original_name(raw) == clean


def test_limits_come_from_settings(settings):
    from images.conf import upload_limits

    settings.JANUS_MAX_UPLOAD_MB = 2
    settings.JANUS_MAX_IMAGE_PIXELS = 1000
    limits = upload_limits()
    assert limits.max_bytes == 2 * 1024 * 1024
    assert limits.max_pixels == 1000


@pytest.mark.django_db
def test_too_many_pixels_is_rejected_by_setting(settings, user):
    settings.JANUS_MAX_IMAGE_PIXELS = 1000
    with pytest.raises(ImageRejected) as caught:
        image_ingest(source=upload(size=(100, 100)), user=user)
    assert caught.value.code == "too_many_pixels"
    assert Image.objects.count() == 0


@pytest.mark.django_db
def test_too_large_file_is_rejected_by_setting(settings, user):
    settings.JANUS_MAX_UPLOAD_MB = 0.001
    with pytest.raises(ImageRejected) as caught:
        image_ingest(source=upload(size=(400, 400), mode="RGB"), user=user)
    assert caught.value.code == "too_large"
