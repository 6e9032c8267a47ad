import pytest
from model_bakery import baker

from auditlog.exceptions import AppendOnlyError
from auditlog.models import Log, SecurityAction, SecurityEvent


@pytest.mark.django_db
class TestLog:
    def test_for_user_returns_only_that_users_entries(self, user, auditor):
        mine = baker.make(Log, user=user, _quantity=2)
        baker.make(Log, user=auditor)
        assert set(Log.objects.for_user(user)) == set(mine)

    def test_action_count_counts_a_users_entries(self, user):
        baker.make(Log, user=user, _quantity=3)
        baker.make(Log, user=None)
        assert Log.objects.action_count(user) == 3

    def test_deleting_the_user_keeps_the_entry(self, user):
        entry = baker.make(Log, user=user, username=user.username, action="x")
        user.delete()
        entry.refresh_from_db()
        assert entry.user_id is None
        assert entry.username == "alice"


@pytest.mark.django_db
class TestSecurityEvent:
    def test_for_user_returns_that_users_events(self, user, auditor):
        mine = baker.make(SecurityEvent, user=user, action=SecurityAction.LOGIN)
        baker.make(SecurityEvent, user=auditor, action=SecurityAction.LOGIN)
        assert list(SecurityEvent.objects.for_user(user)) == [mine]

    def test_failed_logins_filters_by_action(self):
        failed = baker.make(SecurityEvent, action=SecurityAction.LOGIN_FAILED)
        baker.make(SecurityEvent, action=SecurityAction.LOGIN)
        assert list(SecurityEvent.objects.failed_logins()) == [failed]

    def test_deleting_the_user_keeps_the_event(self, user):
        event = baker.make(SecurityEvent, user=user, action=SecurityAction.LOGIN)
        user.delete()
        event.refresh_from_db()
        assert event.user_id is None


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Log, SecurityEvent])
def test_queryset_update_and_delete_are_refused(model):
    baker.make(model)

    with pytest.raises(AppendOnlyError):
        model.objects.all().update(username="someone-else")
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()

    assert model.objects.count() == 1
    assert model.objects.get().username != "someone-else"
