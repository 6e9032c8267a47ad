"""Parallel uploads against the real database (SQLite file or PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.levels import AdminLevel
from images.models import Image
from tests.utils import image_bytes, stored_files, upload

WORKERS = 6


@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_with_the_same_name_all_succeed(make_staff):
    editors = [
        make_staff(AdminLevel.EDITOR, username=f"editor{i}") for i in range(WORKERS)
    ]
    contents = [image_bytes(color=(i * 30, 80, 200 - i * 20)) for i in range(WORKERS)]

    def post(index: int) -> int:
        client = Client()
        client.force_login(editors[index])
        try:
            response = client.post(
                reverse("admin:images_image_add"),
                {
                    "upload": upload("logo.png", contents[index]),
                    "user": editors[index].pk,
                },
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(post, range(WORKERS)))

    assert statuses == [302] * WORKERS
    images = list(Image.objects.all())
    assert len(images) == WORKERS
    assert {image.original_name for image in images} == {"logo.png"}
    assert len({image.file.name for image in images}) == WORKERS
    assert {image.user.username for image in images} == {
        editor.username for editor in editors
    }
    for image in images:
        assert image.file.storage.exists(image.file.name)


@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_of_the_same_content_keep_exactly_one(make_staff):
    editors = [
        make_staff(AdminLevel.EDITOR, username=f"twin{i}") for i in range(WORKERS)
    ]
    content = image_bytes(color=(10, 20, 30))

    def post(index: int) -> int:
        client = Client()
        client.force_login(editors[index])
        try:
            return client.post(
                reverse("admin:images_image_add"),
                {"upload": upload("same.png", content)},
            ).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(post, range(WORKERS)))

    # One upload wins; each other one is shown the stored image, either as a
    # form error (200) or, when it lost the race after validation, by a
    # redirect to that image with a message (302).
    assert set(statuses) <= {200, 302}
    image = Image.objects.get()
    assert image.file.storage.exists(image.file.name)
    assert stored_files() == {image.file.name, image.thumbnail.name}
