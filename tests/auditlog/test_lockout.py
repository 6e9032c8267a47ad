"""Lockout after repeated failures, per username and per address."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from model_bakery import baker

from accounts.levels import AdminLevel
from auditlog.lockout import lockout_for, lockouts_active
from auditlog.models import SecurityAction, SecurityEvent

LOCKED_TEXT = "Too many failed sign-in attempts"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("three_failures_lock"),
]


@pytest.fixture
def three_failures_lock(settings):
    settings.JANUS_LOCKOUT_FAILURES = 3
    settings.JANUS_LOCKOUT_WINDOW = 600
    settings.JANUS_LOCKOUT_COOLOFF = 600


@pytest.fixture
def erin(make_staff):
    return make_staff(AdminLevel.EDITOR, username="erin", password="right-pass-1")


def attempt(client, username, password, ip="192.0.2.10"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def fail(client, username, times, ip="192.0.2.10"):
    for _attempt in range(times):
        attempt(client, username, "wrong", ip=ip)


def count(action):
    return SecurityEvent.objects.filter(action=action).count()


class TestUsernameLockout:
    def test_failures_below_the_limit_do_not_lock(self, client, erin):
        fail(client, "erin", 2)
        assert attempt(client, "erin", "right-pass-1").status_code == 302

    def test_limit_reached_refuses_even_the_right_password(self, client, erin):
        fail(client, "erin", 3)
        response = attempt(client, "erin", "right-pass-1", ip="198.51.100.1")
        assert response.status_code == 200
        assert LOCKED_TEXT in response.content.decode()
        assert count(SecurityAction.LOCKED_OUT) == 1
        assert count(SecurityAction.LOGIN_REFUSED) == 1

    def test_unknown_username_gets_the_same_message(self, client, erin):
        fail(client, "erin", 3, ip="192.0.2.11")
        fail(client, "nobody", 3, ip="192.0.2.12")
        known = attempt(client, "erin", "x", ip="198.51.100.1")
        unknown = attempt(client, "nobody", "x", ip="198.51.100.2")
        errors = [
            response.context["form"].errors.as_data()["__all__"][0]
            for response in (known, unknown)
        ]
        assert [error.code for error in errors] == ["locked_out", "locked_out"]
        assert errors[0].message % errors[0].params == (
            errors[1].message % errors[1].params
        )

    def test_lockout_is_recorded_once_per_burst(self, client, erin):
        fail(client, "erin", 6)
        assert count(SecurityAction.LOCKED_OUT) == 1
        assert count(SecurityAction.LOGIN_FAILED) == 3
        assert count(SecurityAction.LOGIN_REFUSED) == 3

    def test_other_spellings_are_other_usernames(self, client, erin):
        fail(client, "Erin", 3)
        assert (
            attempt(client, "erin", "right-pass-1", ip="198.51.100.1").status_code
            == 302
        )

    def test_success_resets_the_count(self, client, erin):
        fail(client, "erin", 2)
        attempt(client, "erin", "right-pass-1")
        client.logout()
        fail(client, "erin", 2)
        assert lockout_for(username="erin") is None

    def test_failures_older_than_the_window_do_not_count(self, client, erin):
        long_ago = timezone.now() - timedelta(hours=1)
        baker.make(
            SecurityEvent,
            action=SecurityAction.LOGIN_FAILED,
            username="erin",
            timestamp=long_ago,
            _quantity=2,
        )
        fail(client, "erin", 2)
        assert lockout_for(username="erin") is None

    def test_lockout_ends_after_the_cooloff(self, client, erin, settings):
        settings.JANUS_LOCKOUT_COOLOFF = 1
        fail(client, "erin", 3)
        assert lockout_for(username="erin") is not None
        time.sleep(1.1)
        assert attempt(client, "erin", "right-pass-1").status_code == 302

    def test_lockout_holds_for_authenticate_without_a_request(self, erin):
        for _attempt in range(3):
            authenticate(username="erin", password="wrong")
        assert authenticate(username="erin", password="right-pass-1") is None
        assert count(SecurityAction.LOGIN_REFUSED) == 1

    def test_zero_failures_turns_lockout_off(self, client, erin, settings):
        settings.JANUS_LOCKOUT_FAILURES = 0
        fail(client, "erin", 5)
        assert attempt(client, "erin", "right-pass-1").status_code == 302
        assert count(SecurityAction.LOCKED_OUT) == 0


class TestAddressLockout:
    def test_failures_for_many_usernames_lock_the_address(self, client, erin):
        for name in ("a", "b", "c"):
            attempt(client, name, "wrong", ip="203.0.113.66")
        response = attempt(client, "erin", "right-pass-1", ip="203.0.113.66")
        assert LOCKED_TEXT in response.content.decode()
        lock = lockouts_active()[0]
        assert (lock.scope, lock.value) == ("ip", "203.0.113.66")

    def test_other_addresses_still_sign_in(self, client, erin):
        for name in ("a", "b", "c"):
            attempt(client, name, "wrong", ip="203.0.113.66")
        assert (
            attempt(client, "erin", "right-pass-1", ip="203.0.113.67").status_code
            == 302
        )


class TestUnlock:
    def test_unlock_command_lifts_a_username_lockout(self, client, erin):
        fail(client, "erin", 3)
        call_command("unlock", "erin", verbosity=0)
        assert attempt(client, "erin", "right-pass-1").status_code == 302
        event = SecurityEvent.objects.get(action=SecurityAction.UNLOCKED)
        assert event.details["scope"] == "username"
        assert event.details["was_locked"] is True
        assert event.details["by"].startswith("command")

    def test_unlock_command_lifts_an_address_lockout(self, client, erin):
        for name in ("a", "b", "c"):
            attempt(client, name, "wrong", ip="203.0.113.66")
        call_command("unlock", ip="203.0.113.66", verbosity=0)
        assert (
            attempt(client, "erin", "right-pass-1", ip="203.0.113.66").status_code
            == 302
        )

    def test_unlock_resets_the_count(self, client, erin):
        fail(client, "erin", 2)
        call_command("unlock", "erin", verbosity=0)
        fail(client, "erin", 2)
        assert lockout_for(username="erin") is None

    def test_unlock_of_something_not_locked_is_still_recorded(self):
        call_command("unlock", "nobody", verbosity=0)
        event = SecurityEvent.objects.get(action=SecurityAction.UNLOCKED)
        assert event.details["was_locked"] is False

    @pytest.mark.parametrize(
        ("args", "options"),
        [((), {}), (("erin",), {"ip": "192.0.2.1"}), ((), {"ip": "not-an-ip"})],
    )
    def test_unlock_command_refuses_bad_arguments(self, args, options):
        with pytest.raises(CommandError):
            call_command("unlock", *args, verbosity=0, **options)


@override_settings(JANUS_LOCKOUT_FAILURES=3)
def test_lockout_message_names_no_account(client):
    fail(client, "ghost", 3)
    html = attempt(client, "ghost", "x", ip="198.51.100.9").content.decode()
    assert "does not exist" not in html
    assert "correct username and password" not in html
