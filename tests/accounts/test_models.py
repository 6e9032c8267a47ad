import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection

from accounts.levels import AdminLevel, group_name
from accounts.models import Admin, User
from accounts.services import admin_grant, admin_revoke


@pytest.mark.django_db
class TestUser:
    def test_password_is_stored_in_password_hash_column(self):
        user = User.objects.create_user("carol", "carol@example.org", "s3cret-pass")
        with connection.cursor() as cursor:
            cursor.execute("SELECT password_hash FROM users WHERE id = %s", [user.pk])
            (stored,) = cursor.fetchone()
        assert stored.startswith("md5$") or "$" in stored
        assert stored != "s3cret-pass"
        assert user.check_password("s3cret-pass") is True

    def test_create_user_fails_without_email(self):
        with pytest.raises(ValueError, match="email"):
            User.objects.create_user("nomail", "", "pw")

    def test_email_is_unique(self):
        User.objects.create_user("a", "same@example.org", "pw")
        with pytest.raises(IntegrityError):
            User.objects.create_user("b", "same@example.org", "pw")

    def test_username_is_unique(self):
        User.objects.create_user("twin", "one@example.org", "pw")
        with pytest.raises(IntegrityError):
            User.objects.create_user("twin", "two@example.org", "pw")

    def test_admin_level_is_none_for_plain_user(self, user):
        assert user.admin_level is None
        assert user.is_janus_admin is False

    def test_admin_level_reports_level(self, editor):
        assert editor.admin_level == AdminLevel.EDITOR
        assert editor.is_janus_admin is True

    def test_with_action_count_counts_log_entries(self, user):
        from auditlog.models import Log

        Log.objects.create(action="one", user=user)
        Log.objects.create(action="two", user=user)
        counted = User.objects.with_action_count().get(pk=user.pk)
        assert counted.action_count == 2

    def test_admins_and_at_level_select_by_admin_row(self, user, auditor, editor):
        assert set(User.objects.admins()) == {auditor, editor}
        assert list(User.objects.at_level(AdminLevel.EDITOR)) == [editor]


@pytest.mark.django_db
class TestAdminAccess:
    def test_grant_gives_staff_and_exactly_the_level_group(self, user):
        admin_grant(user=user, level=AdminLevel.AUDITOR)
        user.refresh_from_db()
        assert user.is_staff is True
        assert list(user.groups.values_list("name", flat=True)) == [
            group_name(AdminLevel.AUDITOR)
        ]

    def test_changing_level_swaps_the_group(self, user):
        admin_grant(user=user, level=AdminLevel.AUDITOR)
        admin_grant(user=user, level=AdminLevel.EDITOR)
        assert list(user.groups.values_list("name", flat=True)) == [
            group_name(AdminLevel.EDITOR)
        ]

    def test_removing_the_row_removes_staff_and_group(self, user):
        admin_grant(user=user, level=AdminLevel.SUPERADMIN)
        admin_revoke(user=user)
        user.refresh_from_db()
        assert user.is_staff is False
        assert user.groups.count() == 0

    def test_saving_admin_row_directly_keeps_access_in_step(self, user):
        row = Admin.objects.create(user=user, admin_level=AdminLevel.EDITOR)
        user.refresh_from_db()
        assert user.is_staff is True
        row.delete()
        user.refresh_from_db()
        assert user.is_staff is False

    def test_unrelated_groups_are_kept(self, user):
        other = Group.objects.create(name="reviewers")
        user.groups.add(other)
        admin_grant(user=user, level=AdminLevel.EDITOR)
        admin_revoke(user=user)
        assert list(user.groups.all()) == [other]

    def test_level_of_answers_for_user(self, auditor, user):
        assert Admin.objects.level_of(auditor) == AdminLevel.AUDITOR
        assert Admin.objects.level_of(user) is None

    def test_admin_level_outside_the_set_is_refused(self, user):
        with pytest.raises(IntegrityError):
            Admin.objects.create(user=user, admin_level="overlord")

    def test_one_admin_row_per_user(self, auditor):
        with pytest.raises(IntegrityError):
            Admin.objects.create(user=auditor, admin_level=AdminLevel.EDITOR)


@pytest.mark.django_db
class TestLevelGroups:
    def _codenames(self, level):
        group = Group.objects.get(name=group_name(level))
        return {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }

    def test_auditor_group_only_views(self):
        codenames = self._codenames(AdminLevel.AUDITOR)
        assert codenames == {
            "images.view_image",
            "images.view_imageanalysis",
            "auditlog.view_log",
            "auditlog.view_securityevent",
            "analytics.view_analytics",
        }

    def test_editor_group_manages_images_analyses_and_analytics(self):
        codenames = self._codenames(AdminLevel.EDITOR)
        for model in ("images.image", "images.imageanalysis", "analytics.analytics"):
            app, name = model.split(".")
            for action in ("add", "change", "delete", "view"):
                assert f"{app}.{action}_{name}" in codenames
        assert "accounts.change_user" not in codenames
        assert "auditlog.delete_log" not in codenames

    def test_superadmin_group_holds_every_permission(self):
        from django.contrib.auth.models import Permission

        assert len(self._codenames(AdminLevel.SUPERADMIN)) == Permission.objects.count()

    def test_superadmin_may_manage_users(self, superadmin):
        assert superadmin.has_perm("accounts.change_user") is True
        assert superadmin.is_superuser is False
