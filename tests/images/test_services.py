"""Colour analyses: queued after ingest, run by either task backend, failures
recorded and retried."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from images.ingest import image_ingest
from images.models import AnalysisStatus, ImageAnalysis
from images.services import analysis_request, analysis_retry, analysis_run
from tests.utils import image_bytes, upload

ROOT = Path(__file__).resolve().parents[2]
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


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
        assert len(callbacks) == 1

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
