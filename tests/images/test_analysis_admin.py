"""The analysis pages of the admin: report, downloads and actions."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from auditlog.models import Log
from images.ingest import image_ingest
from images.models import AnalysisStatus, ImageAnalysis
from tests.utils import image_bytes, upload


@pytest.fixture
def analysed(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = image_ingest(
            source=upload("two.png", image_bytes(size=(90, 30))), user=user
        )
    return image.analyses.get()


def waiting(image, status, *, minutes):
    """Return an analysis of ``image`` left in ``status`` for ``minutes``."""
    analysis = ImageAnalysis.objects.create(image=image, status=status)
    # ``updated_at`` is auto_now; only an update can set it back.
    ImageAnalysis.objects.filter(pk=analysis.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes)
    )
    return analysis


@pytest.mark.django_db
class TestAnalysisPage:
    def test_page_shows_swatches_contrast_histogram_and_tokens(
        self, auditor_client, analysed
    ):
        response = auditor_client.get(
            reverse("admin:images_imageanalysis_change", args=[analysed.pk])
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="janus-swatch"' in html
        assert "#1e3a8a" in html and "#fbbf24" in html
        assert 'id="contrast-table"' in html
        assert "<svg" in html and "Relative luminance histogram" in html
        assert 'id="token-preview"' in html
        report = html.split('id="analysis-report"')[1].split("Download tokens (CSS)")[0]
        assert "<script" not in report
        assert "http" not in report.replace('xmlns="http://www.w3.org/2000/svg"', "")

    def test_page_lists_tokens_moved_in_lightness(
        self, auditor_client, user, django_capture_on_commit_callbacks
    ):
        # Mid greys: no palette grey is 4.5:1 from another, so the text
        # tokens are greys moved toward black.
        greys = image_bytes(size=(90, 30), color=(118, 118, 118), accent=(122,) * 3)
        with django_capture_on_commit_callbacks(execute=True):
            image = image_ingest(source=upload("greys.png", greys), user=user)
        analysis = image.analyses.get()
        moved = analysis.analysis_results["tokens"]["adjusted"][0]

        response = auditor_client.get(
            reverse("admin:images_imageanalysis_change", args=[analysis.pk])
        )

        html = response.content.decode()
        assert "Moved in lightness to reach 4.5:1:" in html
        assert f"{moved['token']} {moved['from']} → {moved['to']}" in html
        assert f"(ΔL* {moved['delta_l']})" in html

    def test_dtcg_download_is_valid_token_json(self, auditor_client, analysed):
        response = auditor_client.get(
            reverse("admin:images_imageanalysis_dtcg", args=[analysed.pk])
        )
        assert response["Content-Disposition"].startswith("attachment;")
        document = json.loads(response.content)
        colours = document["color"]
        assert colours["$type"] == "color"
        background = colours["background"]["$value"]
        assert background["colorSpace"] == "srgb"
        assert background["hex"].startswith("#")
        assert len(background["components"]) == 3

    def test_css_download_has_custom_properties(self, auditor_client, analysed):
        response = auditor_client.get(
            reverse("admin:images_imageanalysis_css", args=[analysed.pk])
        )
        css = response.content.decode()
        assert response["Content-Type"] == "text/css"
        assert css.startswith(":root {")
        assert "--janus-primary:" in css
        assert "--janus-on-primary:" in css

    def test_downloads_need_view_permission(self, client, user, analysed):
        client.force_login(user)
        url = reverse("admin:images_imageanalysis_css", args=[analysed.pk])
        assert client.get(url).status_code in (302, 403)

    def test_failed_analysis_page_shows_error(self, auditor_client, user):
        image = image_ingest(source=upload(), user=user, analyse=False)
        analysis = ImageAnalysis.objects.create(
            image=image, status=AnalysisStatus.FAILED, error_message="OSError: boom"
        )
        response = auditor_client.get(
            reverse("admin:images_imageanalysis_change", args=[analysis.pk])
        )
        assert "OSError: boom" in response.content.decode()
        download = reverse("admin:images_imageanalysis_css", args=[analysis.pk])
        assert auditor_client.get(download).status_code == 404


@pytest.mark.django_db
class TestActions:
    def test_analyse_again_queues_a_new_analysis(
        self, editor_client, analysed, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(
                reverse("admin:images_image_changelist"),
                {"action": "analyse_again", "_selected_action": [analysed.image_id]},
                follow=True,
            )
        assert "queued" in response.content.decode()
        statuses = list(
            ImageAnalysis.objects.filter(image=analysed.image).values_list(
                "status", flat=True
            )
        )
        assert statuses == [AnalysisStatus.SUCCEEDED, AnalysisStatus.SUCCEEDED]

    def test_auditor_has_no_analyse_action(self, auditor_client, analysed):
        response = auditor_client.get(reverse("admin:images_image_changelist"))
        assert "analyse_again" not in response.content.decode()

    def test_retry_requeues_only_failed(
        self, editor_client, analysed, django_capture_on_commit_callbacks
    ):
        failed = ImageAnalysis.objects.create(
            image=analysed.image, status=AnalysisStatus.FAILED, error_message="x"
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(
                reverse("admin:images_imageanalysis_changelist"),
                {
                    "action": "retry_analyses",
                    "_selected_action": [failed.pk, analysed.pk],
                },
                follow=True,
            )
        failed.refresh_from_db()
        assert failed.status == AnalysisStatus.SUCCEEDED
        html = response.content.decode()
        assert "1 failed or stuck analysis was queued again." in html
        assert "1 selected analysis had neither failed nor got stuck" in html

    @pytest.mark.parametrize("status", [AnalysisStatus.QUEUED, AnalysisStatus.RUNNING])
    def test_retry_requeues_analyses_stuck_past_15_minutes(
        self, editor_client, analysed, status, django_capture_on_commit_callbacks
    ):
        stuck = waiting(analysed.image, status, minutes=16)
        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(
                reverse("admin:images_imageanalysis_changelist"),
                {"action": "retry_analyses", "_selected_action": [stuck.pk]},
                follow=True,
            )
        stuck.refresh_from_db()
        assert stuck.status == AnalysisStatus.SUCCEEDED
        assert "1 failed or stuck analysis was queued again." in (
            response.content.decode()
        )

    def test_retry_leaves_analyses_waiting_less_than_15_minutes_alone(
        self, editor_client, analysed, django_capture_on_commit_callbacks
    ):
        young = waiting(analysed.image, AnalysisStatus.RUNNING, minutes=14)
        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(
                reverse("admin:images_imageanalysis_changelist"),
                {"action": "retry_analyses", "_selected_action": [young.pk]},
                follow=True,
            )
        young.refresh_from_db()
        assert young.status == AnalysisStatus.RUNNING
        html = response.content.decode()
        assert "0 failed or stuck analyses were queued again." in html
        assert "1 selected analysis had neither failed nor got stuck" in html

    def test_retry_stuck_threshold_follows_the_setting(
        self, editor_client, analysed, settings, django_capture_on_commit_callbacks
    ):
        settings.JANUS_ANALYSIS_STUCK_MINUTES = 1
        stuck = waiting(analysed.image, AnalysisStatus.QUEUED, minutes=2)
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(
                reverse("admin:images_imageanalysis_changelist"),
                {"action": "retry_analyses", "_selected_action": [stuck.pk]},
            )
        stuck.refresh_from_db()
        assert stuck.status == AnalysisStatus.SUCCEEDED

    def test_analyse_again_leaves_a_log_entry(
        self, editor_client, editor, analysed, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(
                reverse("admin:images_image_changelist"),
                {"action": "analyse_again", "_selected_action": [analysed.image_id]},
            )
        newest = ImageAnalysis.objects.for_image(analysed.image).first()
        entry = Log.objects.get(
            action__startswith="analysis requested", username=editor.username
        )
        assert entry.level == "INFO"
        assert entry.action == (
            f"analysis requested analysis_id={newest.pk} image_id={analysed.image_id}"
        )

    def test_retry_leaves_a_log_entry(
        self, editor_client, editor, analysed, django_capture_on_commit_callbacks
    ):
        failed = ImageAnalysis.objects.create(
            image=analysed.image, status=AnalysisStatus.FAILED, error_message="x"
        )
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(
                reverse("admin:images_imageanalysis_changelist"),
                {"action": "retry_analyses", "_selected_action": [failed.pk]},
            )
        entry = Log.objects.get(action__startswith="analysis retried")
        assert entry.level == "INFO"
        assert entry.username == editor.username
        assert entry.log_metadata["object"] == f"images.imageanalysis:{failed.pk}"
        assert entry.log_metadata["previous_status"] == AnalysisStatus.FAILED

    def test_image_list_shows_palette_strip(self, editor_client, analysed):
        response = editor_client.get(reverse("admin:images_image_changelist"))
        html = response.content.decode()
        assert 'class="janus-palette"' in html
        assert "background:#1e3a8a" in html
