"""System checks of the audit trail's settings."""

import pytest

from auditlog.checks import BACKEND, MIDDLEWARE, check_settings

AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def ids() -> list[str]:
    return [message.id for message in check_settings()]


def test_project_settings_pass_every_check():
    assert ids() == []


@pytest.mark.parametrize(
    "name", ["JANUS_LOCKOUT_FAILURES", "JANUS_LOCKOUT_WINDOW", "JANUS_LOCKOUT_COOLOFF"]
)
@pytest.mark.parametrize("value", [-1, "soon"])
def test_negative_or_unreadable_lockout_setting_is_an_error(settings, name, value):
    setattr(settings, name, value)
    assert "auditlog.E002" in ids()


def test_lockout_without_its_backend_is_a_warning(settings):
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert ids() == ["auditlog.W001"]


def test_no_backend_warning_when_lockout_is_off(settings):
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    settings.JANUS_LOCKOUT_FAILURES = 0
    assert ids() == []


def test_missing_middleware_is_a_warning(settings):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
    assert ids() == ["auditlog.W002"]


def test_middleware_before_authentication_is_a_warning(settings):
    others = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
    settings.MIDDLEWARE = [MIDDLEWARE, *others]
    assert AUTH in settings.MIDDLEWARE
    assert ids() == ["auditlog.W002"]


def test_the_backend_the_checks_expect_is_the_one_configured(settings):
    assert BACKEND in settings.AUTHENTICATION_BACKENDS
