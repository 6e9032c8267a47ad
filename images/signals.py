"""Keep stored files in step with image rows."""

from django.core.signals import request_finished
from django.db.models.signals import post_delete


def _image_deleted(sender, instance, **kwargs):
    from images.ingest import image_delete_files

    image_delete_files(image=instance)


def _request_finished(sender, **kwargs):
    from images.ingest import image_files_discard_uncommitted

    image_files_discard_uncommitted()


def register():
    from images.models import Image

    post_delete.connect(_image_deleted, sender=Image, dispatch_uid="image_deleted")
    request_finished.connect(
        _request_finished, dispatch_uid="image_files_discard_uncommitted"
    )
