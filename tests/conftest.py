import pytest
from model_bakery import baker

from accounts.levels import AdminLevel
from accounts.services import admin_grant
from auditlog import handler
from images import ingest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Give every test an empty media folder of its own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def audit_records_stay_in_their_test():
    """Drop audit records a test left waiting for a commit that never came.

    A record logged inside an application transaction waits for its commit;
    the test's rollback means it never comes, and without this the record
    would be written into the next test's database, or at exit into none.
    """
    yield
    handler._local.pending = []


@pytest.fixture(autouse=True)
def held_image_files_stay_in_their_test():
    """Forget stored files a test's ingest left waiting for a commit.

    Inside a test's own transaction the commit never comes; without this a
    later request in another test would remove those names' files and log
    it there.
    """
    yield
    ingest._held.names = set()


@pytest.fixture
def make_staff(db, django_user_model):
    """Return a factory of users holding an admin level."""

    def factory(level: str, username: str | None = None, password: str = "pw"):
        username = username or f"{level}-user"
        user = django_user_model.objects.create_user(
            username=username, email=f"{username}@example.org", password=password
        )
        admin_grant(user=user, level=level)
        user.refresh_from_db()
        return user

    return factory


@pytest.fixture
def auditor(make_staff):
    return make_staff(AdminLevel.AUDITOR)


@pytest.fixture
def editor(make_staff):
    return make_staff(AdminLevel.EDITOR)


@pytest.fixture
def superadmin(make_staff):
    return make_staff(AdminLevel.SUPERADMIN)


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def superadmin_client(client, superadmin):
    client.force_login(superadmin)
    return client


@pytest.fixture
def user(db):
    return baker.make("accounts.User", username="alice", email="alice@example.org")
