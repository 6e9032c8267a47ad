from datetime import timedelta

import pytest
from django.utils import timezone
from model_bakery import baker

from images.models import Image, ImageAnalysis


def make_image(**fields):
    fields.setdefault("sha256", baker.random_gen.gen_string(64))
    return baker.make(Image, file=f"images/{fields['sha256'][:12]}.png", **fields)


@pytest.mark.django_db
class TestImageQuerySet:
    def test_at_least_keeps_images_large_enough_in_both_directions(self):
        big = make_image(width=1920, height=1080)
        make_image(width=1920, height=600)
        make_image(width=800, height=1080)
        assert list(Image.objects.at_least(1000, 1000)) == [big]

    def test_created_between_is_half_open(self):
        now = timezone.now()
        inside = make_image(created_at=now - timedelta(days=2))
        make_image(created_at=now - timedelta(days=10))
        make_image(created_at=now)
        found = Image.objects.created_between(now - timedelta(days=3), now)
        assert list(found) == [inside]

    def test_with_latest_analysis_uses_one_query(self, django_assert_num_queries):
        now = timezone.now()
        first = make_image()
        second = make_image()
        baker.make(
            ImageAnalysis,
            image=first,
            created_at=now - timedelta(hours=2),
            analysis_results={"n": "old"},
        )
        newest = baker.make(
            ImageAnalysis, image=first, created_at=now, analysis_results={"n": "new"}
        )
        with django_assert_num_queries(1):
            rows = {image.pk: image for image in Image.objects.with_latest_analysis()}
        assert rows[first.pk].latest_analysis_id == newest.pk
        assert rows[first.pk].latest_analysis_results == {"n": "new"}
        assert rows[second.pk].latest_analysis_id is None
        assert rows[second.pk].latest_analysis_results is None

    def test_analyses_of_an_image_newest_first(self):
        image = make_image()
        other = make_image()
        now = timezone.now()
        old = baker.make(ImageAnalysis, image=image, created_at=now - timedelta(1))
        new = baker.make(ImageAnalysis, image=image, created_at=now)
        baker.make(ImageAnalysis, image=other)
        assert list(ImageAnalysis.objects.for_image(image)) == [new, old]
        assert list(image.analyses.all()) == [new, old]

    def test_deleting_owner_keeps_image(self, user):
        image = make_image(user=user)
        user.delete()
        image.refresh_from_db()
        assert image.user is None
