"""Security events from sign-ins, passwords, refused pages and admin levels."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts.levels import AdminLevel
from accounts.models import Admin
from accounts.services import admin_grant, admin_revoke
from auditlog.models import Log, SecurityAction, SecurityEvent

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Test/1.0"


def sign_in(client, username, password, **headers):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="192.0.2.50",
        HTTP_USER_AGENT=BROWSER,
        **headers,
    )


def events(action):
    return SecurityEvent.objects.filter(action=action)


@pytest.mark.django_db
class TestSignIn:
    def test_sign_in_is_recorded_with_address_and_browser(self, client, make_staff):
        make_staff(AdminLevel.EDITOR, username="erin", password="pass-erin-1")
        assert sign_in(client, "erin", "pass-erin-1").status_code == 302
        event = events(SecurityAction.LOGIN).get()
        assert (event.username, event.ip_address, event.user_agent) == (
            "erin",
            "192.0.2.50",
            BROWSER,
        )
        assert event.user.username == "erin"

    def test_failed_sign_in_keeps_the_attempted_unknown_username(self, client):
        sign_in(client, "nobody-here", "guess")
        event = events(SecurityAction.LOGIN_FAILED).get()
        assert (event.username, event.user_id) == ("nobody-here", None)
        assert "guess" not in str(event.details)

    def test_sign_out_is_recorded(self, client, make_staff):
        make_staff(AdminLevel.EDITOR, username="erin", password="pass-erin-1")
        sign_in(client, "erin", "pass-erin-1")
        client.post(reverse("admin:logout"))
        assert events(SecurityAction.LOGOUT).get().username == "erin"


@pytest.mark.django_db
class TestPasswords:
    def test_own_password_change_is_recorded_as_changed(self, client, make_staff):
        user = make_staff(AdminLevel.EDITOR, username="erin", password="pass-erin-1")
        client.force_login(user)
        client.post(
            reverse("admin:password_change"),
            {
                "old_password": "pass-erin-1",
                "new_password1": "Another-pass-2024",
                "new_password2": "Another-pass-2024",
            },
        )
        event = events(SecurityAction.PASSWORD_CHANGED).get()
        assert event.username == "erin"

    def test_password_set_by_a_superadmin_is_recorded_as_reset(
        self, superadmin_client, user
    ):
        superadmin_client.post(
            reverse("admin:auth_user_password_change", args=[user.pk]),
            {
                "password1": "Brand-new-pass-99",
                "password2": "Brand-new-pass-99",
                "usable_password": "true",
            },
        )
        event = events(SecurityAction.PASSWORD_RESET).get()
        assert (event.username, event.details["by"]) == ("alice", "superadmin-user")

    def test_password_set_from_the_command_line_is_recorded(self, user):
        user.set_password("Command-line-pass-1")
        user.save()
        event = events(SecurityAction.PASSWORD_RESET).get()
        assert event.details["via"] == "command"

    def test_saving_a_user_without_a_new_password_records_nothing(self, user):
        user.first_name = "Alice"
        user.save()
        assert events(SecurityAction.PASSWORD_RESET).exists() is False


@pytest.mark.django_db
def test_refused_page_is_recorded_for_the_staff_user(auditor_client):
    response = auditor_client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 403
    event = events(SecurityAction.PERMISSION_DENIED).get()
    assert event.username == "auditor-user"
    assert event.details["request"]["path"] == reverse("admin:accounts_user_changelist")


@pytest.mark.django_db
def test_refused_page_stays_403_when_the_event_cannot_be_written(
    auditor_client, caplog
):
    # Without its table the write fails in the database itself, as a full
    # disk or a lost connection would; the test's rollback restores it.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL drops no table while key checks of rows written to
            # it in this transaction are still deferred; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DROP TABLE security")

    response = auditor_client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 403
    assert "security event not recorded action=auth.permission_denied" in caplog.text
    failure = Log.objects.get(module="auditlog.middleware")
    assert failure.level == "ERROR"
    assert failure.username == "auditor-user"


@pytest.mark.django_db
class TestAdminLevels:
    def test_granting_a_level_is_recorded(
        self, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            admin_grant(user=user, level=AdminLevel.EDITOR)
        event = events(SecurityAction.LEVEL_GRANTED).get()
        assert event.details == {"level": "editor", "previous": None, "via": "command"}

    def test_changing_a_level_records_the_previous_one(
        self, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            admin_grant(user=user, level=AdminLevel.EDITOR)
            admin_grant(user=user, level=AdminLevel.AUDITOR)
        latest = events(SecurityAction.LEVEL_GRANTED).latest("id")
        assert (latest.details["level"], latest.details["previous"]) == (
            "auditor",
            "editor",
        )

    def test_saving_the_same_level_again_records_nothing_new(
        self, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            admin_grant(user=user, level=AdminLevel.EDITOR)
            admin_grant(user=user, level=AdminLevel.EDITOR)
        assert events(SecurityAction.LEVEL_GRANTED).count() == 1

    def test_revoking_a_level_is_recorded(
        self, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            admin_grant(user=user, level=AdminLevel.EDITOR)
            admin_revoke(user=user)
        event = events(SecurityAction.LEVEL_REVOKED).get()
        assert (event.username, event.details["level"]) == ("alice", "editor")

    def test_level_granted_in_the_admin_names_who_granted_it(
        self, superadmin_client, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            superadmin_client.post(
                reverse("admin:accounts_admin_add"),
                {"user": user.pk, "admin_level": AdminLevel.AUDITOR},
            )
        assert Admin.objects.filter(user=user).exists() is True
        event = events(SecurityAction.LEVEL_GRANTED).get(username="alice")
        assert event.details["by"] == "superadmin-user"

    def test_deleting_a_user_with_a_level_records_the_revocation(
        self, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            admin_grant(user=user, level=AdminLevel.EDITOR)
            user.delete()
        event = events(SecurityAction.LEVEL_REVOKED).get()
        assert event.username == "alice"

    def test_seed_level_changes_are_recorded_as_commands(
        self, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            call_command(
                "seed",
                users=3,
                images=0,
                analyses=0,
                logs=0,
                security_events=0,
                analytics=0,
                verbosity=0,
            )
        assert events(SecurityAction.LEVEL_GRANTED).count() == 3
