"""Records made outside a request say which account and command made them."""

import getpass
import logging
import os

import pytest
from django.test import RequestFactory

from auditlog import context, handler
from auditlog.context import current_request
from auditlog.models import Log

app_logger = logging.getLogger("janus.tests")


@pytest.fixture(autouse=True)
def command_line(monkeypatch):
    monkeypatch.setattr(
        "sys.argv", ["/srv/janus/manage.py", "seed", "--password", "s3cret"]
    )
    context._process_identity.cache_clear()
    yield
    context._process_identity.cache_clear()
    handler._local.pending = []


@pytest.mark.django_db
def test_record_outside_a_request_names_account_and_command():
    app_logger.info("seed run finished")

    process = Log.objects.get().log_metadata["process"]

    assert process == {
        "os_user": getpass.getuser(),
        "command": "manage.py seed",
        "pid": os.getpid(),
    }


@pytest.mark.django_db
def test_record_outside_a_request_never_keeps_command_options():
    app_logger.info("seed run finished")

    assert "s3cret" not in str(Log.objects.get().log_metadata)


@pytest.mark.django_db
def test_record_inside_a_request_has_request_and_no_process():
    token = current_request.set(RequestFactory().get("/admin/"))
    try:
        app_logger.info("page shown")
        handler.flush_pending()
    finally:
        current_request.reset(token)

    metadata = Log.objects.get().log_metadata

    assert "process" not in metadata
    assert metadata["request"]["path"] == "/admin/"
