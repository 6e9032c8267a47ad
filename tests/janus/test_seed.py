import pytest
from django.core.management import CommandError, call_command

from accounts.models import Admin, User
from accounts.services import admin_revoke
from analytics.models import Analytics
from auditlog.chain import chain_verify
from auditlog.models import Log, SecurityEvent
from images.models import Image, ImageAnalysis

SMALL = {
    "users": 3,
    "images": 12,
    "analyses": 2,
    "logs": 40,
    "security_events": 20,
    "analytics": 5,
    "verbosity": 0,
}


def counts():
    return {
        "users": User.objects.count(),
        "admins": Admin.objects.count(),
        "images": Image.objects.count(),
        "analyses": ImageAnalysis.objects.count(),
        "logs": Log.objects.filter(log_metadata__demo=True).count(),
        "security": SecurityEvent.objects.filter(details__demo=True).count(),
        "analytics": Analytics.objects.count(),
    }


@pytest.mark.django_db
class TestSeed:
    def test_seed_fills_every_table(self):
        call_command("seed", **SMALL)
        assert counts() == {
            "users": 3,
            "admins": 3,
            "images": 12,
            "analyses": 2,
            "logs": 40,
            "security": 20,
            "analytics": 5,
        }
        assert set(Admin.objects.values_list("admin_level", flat=True)) == {
            "auditor",
            "editor",
            "superadmin",
        }

    def test_seed_images_are_real_files_of_varied_formats(self):
        call_command("seed", **SMALL)
        formats = set()
        color_types = set()
        for image in Image.objects.all():
            assert image.file.storage.exists(image.file.name)
            formats.add(image.image_metadata["format"])
            color_types.add(image.color_type)
        assert {"PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"} <= formats
        assert len(color_types) >= 4

    def test_seed_twice_does_not_duplicate(self):
        call_command("seed", **SMALL)
        first = counts()
        call_command("seed", **SMALL)
        assert counts() == first

    def test_flush_removes_demo_data_but_not_real_data(self, user):
        call_command("seed", **SMALL)
        Analytics.objects.create(data={"real": True}, research_topic="study")
        call_command(
            "seed",
            flush=True,
            **{
                **SMALL,
                "images": 0,
                "users": 0,
                "logs": 0,
                "security_events": 0,
                "analytics": 0,
                "analyses": 0,
            },
        )
        assert Image.objects.count() == 0
        assert list(Analytics.objects.values_list("research_topic", flat=True)) == [
            "study"
        ]
        assert list(User.objects.values_list("username", flat=True)) == ["alice"]

    def test_flush_keeps_the_audit_trail_whole(self):
        call_command("seed", **SMALL)
        demo_logs = Log.objects.filter(log_metadata__demo=True).count()
        demo_events = SecurityEvent.objects.filter(details__demo=True).count()

        call_command("seed", flush=True, **{**SMALL, "logs": 0, "security_events": 0})

        assert Log.objects.filter(log_metadata__demo=True).count() == demo_logs > 0
        assert SecurityEvent.objects.filter(details__demo=True).count() == demo_events
        assert chain_verify(Log).is_intact is True
        assert chain_verify(SecurityEvent).is_intact is True

    def test_same_seed_gives_same_data(self):
        call_command("seed", **SMALL)
        first = sorted(Image.objects.values_list("sha256", flat=True))
        call_command("seed", flush=True, **SMALL)
        assert sorted(Image.objects.values_list("sha256", flat=True)) == first

    def test_seed_option_chooses_the_data(self):
        def snapshot():
            return (
                sorted(Image.objects.values_list("sha256", flat=True)),
                sorted(User.objects.values_list("username", flat=True)),
                sorted(str(data) for data in Analytics.objects.values_list("data")),
            )

        call_command("seed", seed=7, **SMALL)
        seven = snapshot()
        call_command("seed", flush=True, seed=7, **SMALL)
        again = snapshot()
        call_command("seed", flush=True, seed=8, **SMALL)
        eight = snapshot()

        assert again == seven
        assert set(eight[0]).isdisjoint(seven[0])
        assert eight[2] != seven[2]

    def test_seed_creates_no_superuser_and_no_usable_password(self):
        call_command("seed", **SMALL)
        assert not User.objects.filter(is_superuser=True).exists()
        assert not any(user.has_usable_password() for user in User.objects.all())

    def test_negative_count_is_refused(self):
        with pytest.raises(CommandError, match="--logs"):
            call_command("seed", logs=-1, verbosity=0)

    def test_summary_is_printed(self, capsys):
        call_command("seed", **{**SMALL, "verbosity": 1})
        assert "Demo data ready" in capsys.readouterr().out


@pytest.mark.django_db
class TestEnsureAdmin:
    def test_creates_superadmin_with_generated_password_printed_once(self, capsys):
        call_command("ensure_admin")
        out = capsys.readouterr().out
        password = out.split("generated password:")[1].split()[0]
        admin = User.objects.get(username="admin")
        assert admin.is_staff is True
        assert admin.check_password(password) is True
        assert admin.admin_level == "superadmin"

        call_command("ensure_admin")
        assert password not in capsys.readouterr().out

    def test_created_account_loses_access_with_its_level(self):
        call_command("ensure_admin", verbosity=0)
        admin = User.objects.get(username="admin")
        assert admin.has_perm("accounts.change_user") is True

        admin_revoke(user=admin)

        admin = User.objects.get(username="admin")
        assert (admin.is_staff, admin.is_superuser) == (False, False)
        assert admin.has_perm("accounts.change_user") is False

    def test_uses_password_from_settings(self, settings):
        settings.JANUS_ADMIN_PASSWORD = "chosen-password-42"
        call_command("ensure_admin", verbosity=0)
        assert User.objects.get(username="admin").check_password("chosen-password-42")

    def test_existing_account_is_left_alone(self, settings):
        User.objects.create_user("admin", "a@example.org", "original-password")
        settings.JANUS_ADMIN_PASSWORD = "other"
        call_command("ensure_admin", verbosity=0)
        assert User.objects.get(username="admin").check_password("original-password")
