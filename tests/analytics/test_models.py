from datetime import timedelta

import pytest
from django.utils import timezone
from model_bakery import baker

from analytics.models import Analytics


@pytest.mark.django_db
def test_recent_returns_newest_records_first_up_to_limit():
    now = timezone.now()
    records = [
        baker.make(Analytics, data={"i": i}, created_at=now - timedelta(hours=i))
        for i in range(5)
    ]
    assert list(Analytics.objects.recent(3)) == records[:3]


@pytest.mark.django_db
def test_for_topic_filters_by_research_topic():
    wanted = baker.make(Analytics, data={}, research_topic="contrast")
    baker.make(Analytics, data={}, research_topic="palette")
    assert list(Analytics.objects.for_topic("contrast")) == [wanted]
