"""Stored files follow their rows when an enclosing transaction rolls back."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from images.admin import ImageAdmin
from images.ingest import image_files_discard_uncommitted, image_ingest
from images.models import Image
from tests.utils import image_bytes, stored_files, upload

pytestmark = pytest.mark.django_db(transaction=True)


class Failure(Exception):
    pass


def test_rolled_back_ingest_leaves_no_files_once_discarded(user):
    with pytest.raises(Failure), transaction.atomic():
        image_ingest(source=upload("a.png"), user=user, analyse=False)
        assert len(stored_files()) == 2
        raise Failure

    image_files_discard_uncommitted()

    assert Image.objects.count() == 0
    assert stored_files() == set()


def test_committed_ingest_keeps_its_files_when_discarding(user):
    with transaction.atomic():
        image = image_ingest(source=upload("a.png"), user=user, analyse=False)

    image_files_discard_uncommitted()

    assert stored_files() == {image.file.name, image.thumbnail.name}


def test_discarding_waits_while_the_transaction_is_open(user):
    with pytest.raises(Failure), transaction.atomic():
        image_ingest(source=upload("a.png"), user=user, analyse=False)
        image_files_discard_uncommitted()
        assert len(stored_files()) == 2
        raise Failure


def test_admin_upload_failing_after_ingest_leaves_no_file(
    editor, monkeypatch, settings
):
    settings.JANUS_TASKS_BACKEND = "immediate"

    def fail(*args, **kwargs):
        raise Failure("the inline rows could not be saved")

    # A failure after ingest, inside the admin's transaction for the form.
    monkeypatch.setattr(ImageAdmin, "save_related", fail)
    client = Client(raise_request_exception=False)
    client.force_login(editor)

    response = client.post(
        reverse("admin:images_image_add"),
        {"upload": upload("brand.png", image_bytes()), "user": editor.pk},
    )

    assert response.status_code == 500
    assert Image.objects.count() == 0
    assert stored_files() == set()


def test_files_of_a_committed_row_survive_a_failing_commit_callback(user):
    def fail():
        raise Failure("an earlier commit callback failed")

    with pytest.raises(Failure), transaction.atomic():
        transaction.on_commit(fail)
        image = image_ingest(source=upload("a.png"), user=user, analyse=False)

    image_files_discard_uncommitted()

    assert Image.objects.filter(pk=image.pk).exists() is True
    assert stored_files() == {image.file.name, image.thumbnail.name}
