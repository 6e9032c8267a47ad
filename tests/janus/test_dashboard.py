"""The dashboard on the admin index: figures, permissions, links, cost."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from auditlog.models import Log, SecurityAction, SecurityEvent
from images.models import AnalysisStatus, Image, ImageAnalysis
from janus.charts import bar_chart
from tests.analytics.helpers import make_analysis, make_image, palette

INDEX = reverse("admin:index")
ALL_TOTALS = ["images", "analyses", "users", "logs-today", "failed-today"]


def dashboard_html(response) -> str:
    html = response.content.decode()
    match = re.search(r'<section id="janus-dashboard".*?</section>', html, re.S)
    return match.group(0) if match else ""


def totals(response) -> dict[str, str]:
    figures = response.context["dashboard"]["totals"] if response.context else []
    return {total["key"]: total["value"] for total in figures}


def total_url(response, key: str) -> str:
    return next(
        t["url"] for t in response.context["dashboard"]["totals"] if t["key"] == key
    )


def chart(response, key: str) -> dict:
    return next(c for c in response.context["dashboard"]["charts"] if c["key"] == key)


def today_start():
    return timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time())
    )


def fail_sign_in(when, username="mallory"):
    return SecurityEvent.objects.create(
        action=SecurityAction.LOGIN_FAILED, timestamp=when, username=username
    )


@pytest.fixture
def data(db):
    """Activity today, yesterday and earlier in the month."""
    now = timezone.now()
    yesterday = now - timedelta(days=1)
    images = [make_image(created_at=now), make_image(created_at=yesterday)]
    make_image(created_at=now - timedelta(days=45))
    make_analysis(
        images[0],
        created_at=now,
        results={"palette": palette(("#ff0000", 0.7), ("#ffffff", 0.3))},
    )
    make_analysis(
        images[1],
        created_at=now,
        results={"palette": palette(("#fa0505", 0.5), ("#000080", 0.5))},
    )
    make_analysis(images[1], created_at=now, status=AnalysisStatus.FAILED, results={})
    Log.objects.create(action="today", level="INFO", module="images", timestamp=now)
    Log.objects.create(action="old", level="INFO", module="images", timestamp=yesterday)
    today_failures = [fail_sign_in(now), fail_sign_in(now, "root")]
    fail_sign_in(yesterday)
    fail_sign_in(now - timedelta(days=3))
    SecurityEvent.objects.create(
        action=SecurityAction.LOGIN, timestamp=now, username="a"
    )
    return {"images": images, "today_failures": today_failures}


@pytest.mark.django_db
class TestFigures:
    def test_superadmin_sees_every_figure(
        self, superadmin_client, django_user_model, data
    ):
        # Counted before the request: records logged inside a transaction
        # reach the table only when the request ends.
        logs_today = Log.objects.filter(timestamp__gte=today_start()).count()

        response = superadmin_client.get(INDEX)

        assert response.status_code == 200
        figures = totals(response)
        assert list(figures) == ALL_TOTALS
        assert figures["images"] == str(Image.objects.count())
        assert figures["analyses"] == "3"
        assert figures["users"] == str(django_user_model.objects.count())
        assert figures["logs-today"] == str(logs_today)
        assert figures["failed-today"] == "2"
        keys = [c["key"] for c in response.context["dashboard"]["charts"]]
        assert keys == ["uploads", "failed-sign-ins"]
        assert response.context["dashboard"]["colors"] is not None

    def test_dashboard_sits_above_the_app_list(self, superadmin_client, data):
        html = superadmin_client.get(INDEX).content.decode()

        assert 0 < html.index('id="janus-dashboard"') < html.index('id="content-main"')

    def test_charts_count_per_day_for_thirty_days(self, superadmin_client, data):
        response = superadmin_client.get(INDEX)

        uploads = chart(response, "uploads")
        assert len(uploads["rows"]) == 30
        assert [row["value"] for row in uploads["rows"][-2:]] == ["1", "1"]
        failures = chart(response, "failed-sign-ins")
        assert [row["value"] for row in failures["rows"][-2:]] == ["1", "2"]
        assert "4 failed sign-ins in the last 30 days" in failures["summary"]

    def test_logs_today_counts_only_todays_entries(self, superadmin_client, data):
        tomorrow = today_start() + timedelta(days=1)
        Log.objects.create(action="next", level="INFO", module="m", timestamp=tomorrow)
        expected = Log.objects.filter(
            timestamp__gte=today_start(), timestamp__lt=tomorrow
        ).count()

        assert totals(superadmin_client.get(INDEX))["logs-today"] == str(expected)

    def test_charts_cover_the_configured_days(self, superadmin_client, data, settings):
        settings.JANUS_ANALYTICS_DASHBOARD_DAYS = 7

        response = superadmin_client.get(INDEX)

        uploads = chart(response, "uploads")
        assert len(uploads["rows"]) == 7
        assert uploads["svg"].count("<a href=") == 7
        assert "in the last 7 days" in uploads["summary"]

    def test_chart_text_states_the_figures_in_words(self, superadmin_client, data):
        failures = chart(superadmin_client.get(INDEX), "failed-sign-ins")
        today = date_format(timezone.localdate(), "M j")
        yesterday = date_format(timezone.localdate() - timedelta(days=1), "M j")

        assert failures["summary"] == (
            f"4 failed sign-ins in the last 30 days, the most on {today} (2)."
        )
        description = re.search(r"<desc [^>]*>(.*?)</desc>", failures["svg"]).group(1)
        assert description.startswith(failures["summary"])
        assert f"{yesterday}: 1; {today}: 2" in description
        assert f'aria-label="{today}: 2"' in failures["svg"]

    def test_charts_are_accessible_svg_without_outside_resources(
        self, superadmin_client, data
    ):
        html = dashboard_html(superadmin_client.get(INDEX))

        assert html.count("<svg") == 2
        assert "<title id=" in html and "<desc id=" in html
        assert "Uploads per day" in html
        assert "aria-labelledby=" in html
        assert "<script" not in html
        assert not re.search(r'(src|href)="(https?:)?//', html)
        assert "var(--link-fg" in html
        assert "Figures as a table" in html

    def test_colour_strip_merges_recent_palettes(self, superadmin_client, data):
        colors = superadmin_client.get(INDEX).context["dashboard"]["colors"]

        assert colors["items"][0]["caption"] == "in 2 of 2 images"
        assert colors["items"][0]["hex"].startswith("#f")
        assert {item["hex"] for item in colors["items"][1:]} == {"#ffffff", "#000080"}
        assert 'class="janus-palette"' in colors["strip"]

    def test_colour_strip_names_its_colours_for_screen_readers(
        self, superadmin_client, data
    ):
        colors = superadmin_client.get(INDEX).context["dashboard"]["colors"]

        hexes = ", ".join(item["hex"] for item in colors["items"])
        assert f'role="img" aria-label="Palette: {hexes}"' in colors["strip"]

    def test_colour_trend_takes_the_newest_analysis_of_each_image(
        self, superadmin_client, db
    ):
        image = make_image()
        now = timezone.now()
        make_analysis(
            image,
            created_at=now - timedelta(hours=2),
            results={"palette": palette(("#00ff00", 1.0))},
        )
        make_analysis(
            image, created_at=now, results={"palette": palette(("#0000ff", 1.0))}
        )

        colors = superadmin_client.get(INDEX).context["dashboard"]["colors"]

        assert [item["hex"] for item in colors["items"]] == ["#0000ff"]
        assert colors["items"][0]["caption"] == "in 1 of 1 images"

    def test_colour_trend_reads_at_most_the_configured_analyses(
        self, superadmin_client, data, settings
    ):
        settings.JANUS_ANALYTICS_DASHBOARD_ANALYSES = 1

        colors = superadmin_client.get(INDEX).context["dashboard"]["colors"]

        assert {item["caption"] for item in colors["items"]} == {"in 1 of 1 images"}

    def test_dashboard_without_data_says_so(self, superadmin_client):
        response = superadmin_client.get(INDEX)

        assert totals(response)["images"] == "0"
        assert "No image uploaded in the last 30 days." in dashboard_html(response)
        assert "No image was analysed in the last 30 days." in dashboard_html(response)


@pytest.mark.django_db
class TestPermissions:
    def test_auditor_sees_everything_but_users(self, auditor_client, data):
        response = auditor_client.get(INDEX)

        assert list(totals(response)) == [
            "images",
            "analyses",
            "logs-today",
            "failed-today",
        ]

    def test_editor_sees_what_its_level_may_view(self, editor_client, data):
        assert list(totals(editor_client.get(INDEX))) == ALL_TOTALS

    def test_staff_without_permissions_sees_no_dashboard(
        self, client, django_user_model, data
    ):
        user = django_user_model.objects.create_user(
            username="staff", email="staff@example.org", password="pw", is_staff=True
        )
        client.force_login(user)

        response = client.get(INDEX)

        assert response.status_code == 200
        assert response.context["dashboard"] is None
        assert 'id="janus-dashboard"' not in response.content.decode()

    @pytest.mark.parametrize(
        ("app_label", "codename", "shown_totals", "shown_charts", "colours"),
        [
            ("images", "view_image", ["images"], ["uploads"], False),
            ("images", "view_imageanalysis", ["analyses"], [], True),
            ("accounts", "view_user", ["users"], [], False),
            ("auditlog", "view_log", ["logs-today"], [], False),
            (
                "auditlog",
                "view_securityevent",
                ["failed-today"],
                ["failed-sign-ins"],
                False,
            ),
        ],
        ids=["image", "imageanalysis", "user", "log", "securityevent"],
    )
    def test_one_permission_shows_only_its_figures(
        self,
        client,
        django_user_model,
        data,
        app_label,
        codename,
        shown_totals,
        shown_charts,
        colours,
    ):
        user = django_user_model.objects.create_user(
            username="watcher", email="w@example.org", password="pw", is_staff=True
        )
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
        client.force_login(user)

        response = client.get(INDEX)

        html = dashboard_html(response)
        assert list(totals(response)) == shown_totals
        assert [c["key"] for c in response.context["dashboard"]["charts"]] == (
            shown_charts
        )
        assert (response.context["dashboard"]["colors"] is not None) is colours
        shown_ids = re.findall(r'id="((?:total|chart)-[\w-]+)"', html)
        assert shown_ids == [
            *(f"total-{key}" for key in shown_totals),
            *(f"chart-{key}" for key in shown_charts),
            *(["chart-colors"] if colours else []),
        ]


@pytest.mark.django_db
class TestLinks:
    def follow(self, client, url):
        response = client.get(url)
        assert response.status_code == 200, url
        return response.context["cl"]

    def test_images_total_opens_the_image_list(self, auditor_client, data):
        url = total_url(auditor_client.get(INDEX), "images")

        assert self.follow(auditor_client, url).result_count == Image.objects.count()

    def test_analyses_total_opens_the_analysis_list(self, auditor_client, data):
        url = total_url(auditor_client.get(INDEX), "analyses")

        changelist = self.follow(auditor_client, url)

        assert changelist.result_count == ImageAnalysis.objects.count() == 3

    def test_users_total_opens_the_user_list(
        self, superadmin_client, django_user_model, data
    ):
        url = total_url(superadmin_client.get(INDEX), "users")

        changelist = self.follow(superadmin_client, url)

        assert changelist.result_count == django_user_model.objects.count()

    def test_uploads_chart_title_opens_the_images_of_the_period(
        self, auditor_client, data
    ):
        url = chart(auditor_client.get(INDEX), "uploads")["url"]

        listed = self.follow(auditor_client, url).result_list

        assert set(listed) == set(data["images"])

    def test_upload_bar_opens_the_images_of_that_day(self, auditor_client, data):
        today_row = chart(auditor_client.get(INDEX), "uploads")["rows"][-1]

        listed = self.follow(auditor_client, today_row["url"]).result_list

        assert list(listed) == [data["images"][0]]

    def test_failed_today_opens_todays_failed_sign_ins(self, auditor_client, data):
        url = total_url(auditor_client.get(INDEX), "failed-today")

        changelist = self.follow(auditor_client, url)

        assert set(changelist.result_list) == set(data["today_failures"])

    def test_failure_bar_opens_the_failures_of_that_day(self, auditor_client, data):
        yesterday_row = chart(auditor_client.get(INDEX), "failed-sign-ins")["rows"][-2]

        listed = self.follow(auditor_client, yesterday_row["url"]).result_list

        assert [event.action for event in listed] == [SecurityAction.LOGIN_FAILED]
        assert timezone.localdate(listed[0].timestamp) == timezone.localdate() - (
            timedelta(days=1)
        )

    def test_failure_chart_title_opens_the_month_of_failures(
        self, auditor_client, data
    ):
        url = chart(auditor_client.get(INDEX), "failed-sign-ins")["url"]

        assert self.follow(auditor_client, url).result_count == 4

    def test_logs_today_opens_todays_log_entries(self, auditor_client, data):
        url = total_url(auditor_client.get(INDEX), "logs-today")

        listed = self.follow(auditor_client, url).result_list

        assert "today" in [entry.action for entry in listed]
        assert "old" not in [entry.action for entry in listed]

    def test_colour_trend_opens_the_recent_successful_analyses(
        self, auditor_client, data
    ):
        url = auditor_client.get(INDEX).context["dashboard"]["colors"]["url"]

        listed = self.follow(auditor_client, url).result_list

        assert len(listed) == 2
        assert {analysis.status for analysis in listed} == {AnalysisStatus.SUCCEEDED}

    def test_links_in_the_page_open_the_filtered_lists(self, auditor_client, data):
        response = auditor_client.get(INDEX)
        html = dashboard_html(response)
        url = total_url(response, "failed-today")

        assert f'href="{escape(url)}"' in html
        assert self.follow(auditor_client, unescape(escape(url))).result_count == 2


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_rows(superadmin, client):
    client.force_login(superadmin)
    now = timezone.now()

    def add_rows(count):
        for index in range(count):
            image = make_image(created_at=now - timedelta(days=index % 40))
            make_analysis(
                image, created_at=now, results={"palette": palette(("#123456", 1.0))}
            )
            Log.objects.create(action="a", level="INFO", module="m", timestamp=now)
            fail_sign_in(now - timedelta(days=index % 40))

    add_rows(1)
    client.get(INDEX)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(INDEX).status_code == 200
    add_rows(49)
    with CaptureQueriesContext(connection) as fifty_rows:
        assert client.get(INDEX).status_code == 200

    assert len(fifty_rows) == len(one_row), [q["sql"] for q in fifty_rows]
    assert len(one_row) <= 15, [q["sql"] for q in one_row]


class TestBarChart:
    def test_bar_chart_without_links_is_one_image(self):
        svg = bar_chart([1, 2], ["a", "b"], title="T", description="D")

        assert 'role="img"' in svg
        assert "<a " not in svg

    def test_bar_chart_with_links_makes_each_bar_a_named_link(self):
        svg = bar_chart([1, 2], ["a", "b"], title="T", links=["/x?d=1", "/x?d=2&e=3"])

        assert 'role="group"' in svg
        assert '<a href="/x?d=1" aria-label="a: 1">' in svg
        assert '<a href="/x?d=2&amp;e=3" aria-label="b: 2">' in svg

    def test_bar_chart_refuses_links_that_do_not_match_the_bars(self):
        with pytest.raises(ValueError, match="links"):
            bar_chart([1, 2], ["a", "b"], title="T", links=["/x"])


@pytest.mark.django_db
def test_index_still_opens_when_the_dashboard_fails(
    superadmin_client, monkeypatch, caplog
):
    def broken(site, period):
        raise RuntimeError("boom")

    monkeypatch.setattr("analytics.dashboard.uploads_chart", broken)

    response = superadmin_client.get(INDEX)

    assert response.status_code == 200
    assert response.context["dashboard"] is None
    assert 'id="content-main"' in response.content.decode()
    assert "dashboard failed" in caplog.text
