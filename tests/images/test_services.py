"""Colour analyses: queued after ingest, run by either task backend, failures
recorded and retried."""

import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import DatabaseError, connection
from django.db.models.signals import pre_save
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from auditlog.models import Log
from images.ingest import image_ingest
from images.models import AnalysisStatus, Image, ImageAnalysis
from images.services import analysis_request, analysis_retry, analysis_run
from images.tasks import analyse_image
from tests.images.helpers import stripes_png
from tests.utils import image_bytes, upload

ROOT = Path(__file__).resolve().parents[2]
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A real backend set up to serve another queue only: it refuses every task
# Janus enqueues, as a misconfigured deployment would.
REFUSING_BACKEND = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["elsewhere"],
    }
}


def two_colour_upload():
    return upload(
        "two.png",
        image_bytes(size=(90, 30), color=(30, 58, 138), accent=(251, 191, 36)),
    )


@pytest.mark.django_db
class TestImmediateBackend:
    def test_ingest_queues_an_analysis_that_runs_after_commit(
        self, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            image = image_ingest(source=two_colour_upload(), user=user)
        analysis = image.analyses.get()
        assert analysis.status == AnalysisStatus.SUCCEEDED
        hexes = {colour["hex"] for colour in analysis.palette}
        assert hexes == {"#1e3a8a", "#fbbf24"}
        assert analysis.started_at <= analysis.finished_at

    def test_nothing_runs_before_commit(self, user, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            image = image_ingest(source=two_colour_upload(), user=user)
        assert image.analyses.get().status == AnalysisStatus.QUEUED
        # Ingest has commit callbacks of its own; running them all stands in
        # for the commit.
        for callback in callbacks:
            callback()
        assert image.analyses.get().status == AnalysisStatus.SUCCEEDED

    def test_failed_analysis_is_recorded_and_keeps_the_image(
        self, user, django_capture_on_commit_callbacks
    ):
        image = image_ingest(source=two_colour_upload(), user=user, analyse=False)
        Path(image.file.path).write_bytes(b"garbage now")
        with django_capture_on_commit_callbacks(execute=True):
            analysis = analysis_request(image=image)
        analysis.refresh_from_db()
        assert analysis.status == AnalysisStatus.FAILED
        assert analysis.error_message
        assert analysis.analysis_results == {}
        image.refresh_from_db()
        assert Path(image.file.path).exists()

    def test_missing_file_is_a_recorded_failure(
        self, user, django_capture_on_commit_callbacks
    ):
        image = image_ingest(source=two_colour_upload(), user=user, analyse=False)
        Path(image.file.path).unlink()
        with django_capture_on_commit_callbacks(execute=True):
            analysis = analysis_request(image=image)
        analysis.refresh_from_db()
        assert analysis.status == AnalysisStatus.FAILED
        assert "FileNotFoundError" in analysis.error_message

    def test_retry_runs_the_same_row_again(
        self, user, django_capture_on_commit_callbacks
    ):
        content = two_colour_upload().read()
        image = image_ingest(source=upload("x.png", content), user=user, analyse=False)
        Path(image.file.path).write_bytes(b"broken")
        with django_capture_on_commit_callbacks(execute=True):
            analysis = analysis_request(image=image)
        Path(image.file.path).write_bytes(content)
        with django_capture_on_commit_callbacks(execute=True):
            analysis_retry(analysis=ImageAnalysis.objects.get(pk=analysis.pk))
        analysis.refresh_from_db()
        assert analysis.status == AnalysisStatus.SUCCEEDED
        assert analysis.error_message == ""
        assert image.analyses.count() == 1

    def test_run_of_a_deleted_analysis_does_nothing(self):
        assert analysis_run(analysis_id=987654) is None


@contextmanager
def saves_refused(*statuses):
    """Make saving an analysis in one of ``statuses`` fail, like a full disk.

    A ``pre_save`` receiver raises before the row reaches the database, so
    the test's transaction stays usable.
    """

    def refuse(sender, instance, **kwargs):
        if instance.status in statuses:
            raise DatabaseError("could not extend file: No space left on device")

    pre_save.connect(refuse, sender=ImageAnalysis, dispatch_uid="saves_refused")
    try:
        yield
    finally:
        pre_save.disconnect(sender=ImageAnalysis, dispatch_uid="saves_refused")


@pytest.fixture
def queued(user):
    image = image_ingest(source=two_colour_upload(), user=user, analyse=False)
    return ImageAnalysis.objects.create(image=image, status=AnalysisStatus.QUEUED)


@pytest.mark.django_db
class TestRunFailures:
    def test_analysis_run_records_a_failure_when_saving_the_results_fails(self, queued):
        with saves_refused(AnalysisStatus.SUCCEEDED):
            outcome = analyse_image.call(queued.pk)
        assert outcome == AnalysisStatus.FAILED
        queued.refresh_from_db()
        assert queued.status == AnalysisStatus.FAILED
        assert queued.error_message == (
            "DatabaseError: could not extend file: No space left on device"
        )
        assert queued.analysis_results == {}

    def test_analysis_run_does_not_raise_when_the_failure_cannot_be_recorded(
        self, queued, caplog
    ):
        with saves_refused(AnalysisStatus.SUCCEEDED, AnalysisStatus.FAILED):
            analysis = analysis_run(analysis_id=queued.pk)
        assert analysis.pk == queued.pk
        assert "analysis failure not recorded" in caplog.text
        # Left running, where the retry of stuck analyses finds it later.
        queued.refresh_from_db()
        assert queued.status == AnalysisStatus.RUNNING

    def test_analysis_run_uses_the_palette_size_setting(self, user, settings):
        settings.JANUS_ANALYSIS_COLORS = 3
        image = image_ingest(
            source=upload("stripes.png", stripes_png()), user=user, analyse=False
        )
        analysis = ImageAnalysis.objects.create(
            image=image, status=AnalysisStatus.QUEUED
        )
        analysis = analysis_run(analysis_id=analysis.pk)
        assert analysis.status == AnalysisStatus.SUCCEEDED
        assert len(analysis.palette) == 3

    def test_analysis_run_with_default_setting_extracts_8_colours(self, user):
        image = image_ingest(
            source=upload("stripes.png", stripes_png()), user=user, analyse=False
        )
        analysis = ImageAnalysis.objects.create(
            image=image, status=AnalysisStatus.QUEUED
        )
        assert len(analysis_run(analysis_id=analysis.pk).palette) == 8


@pytest.mark.django_db(transaction=True)
class TestEnqueueFailureOnUpload:
    def test_admin_upload_succeeds_when_the_backend_refuses_the_task(
        self, editor_client, editor, settings
    ):
        settings.TASKS = REFUSING_BACKEND
        response = editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": two_colour_upload(), "user": editor.pk},
        )
        assert response.status_code == 302
        image = Image.objects.get()
        assert response.url == reverse("admin:images_image_changelist")
        assert Path(image.file.path).exists() is True
        analysis = image.analyses.get()
        assert analysis.status == AnalysisStatus.FAILED
        assert analysis.error_message.startswith(
            "Could not queue the analysis: InvalidTask: "
        )
        assert DBTaskResult.objects.exists() is False


@pytest.mark.django_db
class TestEnqueueFailureOnRetry:
    def test_retry_fails_the_analysis_when_the_backend_refuses_the_task(
        self, queued, settings, caplog, django_capture_on_commit_callbacks
    ):
        queued.status = AnalysisStatus.FAILED
        queued.save()
        settings.TASKS = REFUSING_BACKEND
        with django_capture_on_commit_callbacks(execute=True):
            analysis_retry(analysis=queued)
        queued.refresh_from_db()
        assert queued.status == AnalysisStatus.FAILED
        assert "Queue 'default' is not valid for backend." in queued.error_message
        failed = [r for r in caplog.records if r.msg.startswith("analysis enqueue")]
        assert failed[0].levelno == logging.ERROR
        assert failed[0].exc_info is not None


@pytest.mark.django_db
class TestLogsTable:
    def test_analysis_request_reaches_the_logs_table(self, queued):
        analysis = analysis_request(image=queued.image)
        entry = Log.objects.get(action__startswith="analysis requested")
        assert entry.level == "INFO"
        assert entry.module == "images.services"
        assert entry.log_metadata["object"] == f"images.imageanalysis:{analysis.pk}"

    def test_image_analysed_reaches_the_logs_table(self, queued):
        analysis_run(analysis_id=queued.pk)
        entry = Log.objects.get(action__startswith="image analysed")
        assert entry.level == "INFO"
        assert entry.log_metadata["object"] == f"images.imageanalysis:{queued.pk}"

    def test_image_analysis_failed_reaches_the_logs_table(self, queued):
        Path(queued.image.file.path).write_bytes(b"garbage now")
        analysis_run(analysis_id=queued.pk)
        entry = Log.objects.get(action__startswith="image analysis failed")
        assert entry.level == "ERROR"
        assert entry.log_metadata["object"] == f"images.imageanalysis:{queued.pk}"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_BACKEND


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
class TestDatabaseBackend:
    def test_ingest_stores_a_task_that_db_worker_runs(self, user):
        from django.core.management import call_command

        image = image_ingest(source=two_colour_upload(), user=user)
        analysis = image.analyses.get()
        assert analysis.status == AnalysisStatus.QUEUED
        assert DBTaskResult.objects.ready().count() == 1

        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

        analysis.refresh_from_db()
        assert analysis.status == AnalysisStatus.SUCCEEDED
        assert DBTaskResult.objects.successful().count() == 1


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_worker_in_another_process_runs_queued_analysis(user, settings):
    image = image_ingest(source=two_colour_upload(), user=user)
    analysis = image.analyses.get()
    assert analysis.status == AnalysisStatus.QUEUED

    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "janus.settings",
        "SECRET_KEY": "worker-process-in-a-test",
        "DEBUG": "false",
        "DATABASE_URL": _database_url(),
        "JANUS_TASKS_BACKEND": "database",
        "MEDIA_ROOT": settings.MEDIA_ROOT,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.SUCCEEDED
    assert {colour["hex"] for colour in analysis.palette} == {"#1e3a8a", "#fbbf24"}


def test_analysis_code_imports_no_django():
    environment = dict(os.environ)
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    code = (
        "import images.analysis, images.analysis.palette; import sys; "
        "assert not any(m == 'django' or m.startswith('django.') "
        "for m in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
