"""The ingest service: what it stores, what it refuses, and what it cleans up."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from PIL import Image as PILImage

from images.conf import upload_limits
from images.exceptions import DuplicateImage, ImageRejected
from images.ingest import clean_original_name, image_ingest, image_replace_file
from images.models import Image
from tests.utils import image_bytes, stored_files, upload

PNGSUITE = Path(__file__).resolve().parents[2].parent / "shared/corpora/pngsuite"
with open(PNGSUITE / "manifest.csv", newline="") as _manifest:
    PNGSUITE_ROWS = list(csv.DictReader(_manifest))


def _stored_size(name: str) -> tuple[int, int]:
    with default_storage.open(name) as handle, PILImage.open(handle) as im:
        return im.size


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
        ("nul\x00byte.png", "nul byte.png"),
        ("lone\ud800surrogate.png", "lone surrogate.png"),
        ("\u200b\u200b", "unnamed"),
        ("تصميم 🎨.png", "تصميم 🎨.png"),
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


def test_upload_limits_fall_back_to_defaults_when_settings_are_unset(settings):
    del settings.JANUS_MAX_UPLOAD_MB
    del settings.JANUS_MAX_IMAGE_PIXELS

    limits = upload_limits()

    assert limits.max_bytes == 25 * 1024 * 1024
    assert limits.max_pixels == 50_000_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "row",
    [row for row in PNGSUITE_ROWS if row["valid"] == "true"],
    ids=lambda row: row["filename"],
)
def test_image_ingest_records_manifest_values_when_pngsuite_file_is_valid(row, user):
    path = PNGSUITE / row["filename"]

    with path.open("rb") as handle:
        image = image_ingest(source=handle, user=user, original_name=path.name)

    image.refresh_from_db()
    assert (image.width, image.height) == (int(row["width"]), int(row["height"]))
    assert image.bit_depth == int(row["bit_depth"])
    assert image.color_type == row["color_type"]
    assert image.image_metadata["interlace"] == row["interlace"]
    assert stored_files() == {image.file.name, image.thumbnail.name}
    assert max(_stored_size(image.thumbnail.name)) <= 256


@pytest.mark.django_db
@pytest.mark.parametrize(
    "row",
    [row for row in PNGSUITE_ROWS if row["valid"] == "false"],
    ids=lambda row: row["filename"],
)
def test_image_ingest_rejects_pngsuite_file_when_invalid(row, user):
    path = PNGSUITE / row["filename"]

    with path.open("rb") as handle, pytest.raises(ImageRejected) as caught:
        image_ingest(source=handle, user=user, original_name=path.name)

    assert caught.value.message.startswith("The image is corrupt: ")
    assert Image.objects.count() == 0
    assert stored_files() == set()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["shell.php", "x.svg", "../../up.png", "a/b\\c.png"])
def test_image_ingest_stores_under_a_generated_name_whatever_the_upload_name(
    user, name
):
    image = image_ingest(source=upload(name, image_bytes("PNG")), user=user)

    assert re.fullmatch(r"images/\d{4}/\d{2}/[0-9a-f]{32}\.png", image.file.name)
    assert re.fullmatch(
        r"thumbnails/\d{4}/\d{2}/[0-9a-f]{32}\.(webp|png)", image.thumbnail.name
    )


@pytest.mark.django_db
def test_image_ingest_saves_odd_unicode_name_cleaned(user):
    name = "r\u00e9sum\u00e9\x00\ud800\u202eevil.png"

    image = image_ingest(source=upload(name, image_bytes()), user=user)

    image.refresh_from_db()
    assert image.original_name == "résumé evil.png"


@pytest.mark.django_db(transaction=True)
def test_image_ingest_removes_stored_files_when_database_refuses_the_row(user):
    # The owner disappears between the request and the write, so the
    # foreign key check fails (at the latest when the row is committed).
    type(user).objects.filter(pk=user.pk).delete()

    with pytest.raises(IntegrityError):
        image_ingest(source=upload(), user=user)

    assert Image.objects.count() == 0
    assert stored_files() == set()


@pytest.mark.django_db
def test_image_ingest_stores_thumbnail_turned_upright_by_exif_orientation(user):
    exif = PILImage.Exif()
    exif[0x0112] = 6  # stored turned left
    content = image_bytes("JPEG", size=(400, 200), exif=exif)

    image = image_ingest(source=upload("turned.jpg", content), user=user)

    assert (image.width, image.height) == (400, 200)
    assert _stored_size(image.thumbnail.name) == (128, 256)


@pytest.mark.django_db
def test_image_ingest_accepts_16_bit_big_endian_grayscale_tiff(user):
    buffer = io.BytesIO()
    PILImage.new("I;16B", (64, 48), 40000).save(buffer, "TIFF")

    image = image_ingest(source=upload("scan.tif", buffer.getvalue()), user=user)

    assert (image.bit_depth, image.color_type) == (16, "grayscale")
    assert _stored_size(image.thumbnail.name) == (64, 48)


@pytest.mark.django_db
class TestReplaceFile:
    def test_replace_file_refuses_content_of_another_image_and_keeps_files(self, user):
        first = image_ingest(
            source=upload("a.png", image_bytes(color=(1, 2, 3))), user=user
        )
        second = image_ingest(
            source=upload("b.png", image_bytes(color=(4, 5, 6))), user=user
        )
        sha256, before = second.sha256, stored_files()

        with pytest.raises(DuplicateImage) as caught:
            image_replace_file(
                image=second, source=upload("c.png", image_bytes(color=(1, 2, 3)))
            )

        second.refresh_from_db()
        assert caught.value.existing == first
        assert second.sha256 == sha256
        assert stored_files() == before

    def test_replace_file_keeps_row_and_files_when_new_file_is_rejected(self, user):
        image = image_ingest(source=upload(size=(40, 30)), user=user)
        before = stored_files()

        with pytest.raises(ImageRejected):
            image_replace_file(image=image, source=upload("x.png", b"%PDF-1.7\n"))

        image.refresh_from_db()
        assert (image.width, image.height) == (40, 30)
        assert stored_files() == before


@pytest.mark.django_db(transaction=True)
def test_deleting_images_in_bulk_removes_every_file_after_commit(user):
    for index in range(3):
        image_ingest(
            source=upload(f"{index}.png", image_bytes(color=(index, 9, 9))),
            user=user,
            analyse=False,
        )
    assert len(stored_files()) == 6

    Image.objects.all().delete()

    assert stored_files() == set()
