"""Admin actions in the trail, the review pages, exports and the overview."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from model_bakery import baker

from accounts.levels import AdminLevel
from analytics.models import Analytics
from auditlog import paginator
from auditlog.admin_audit import AuditedAdminMixin
from auditlog.models import ChainHead, Log, SecurityAction, SecurityEvent
from images.models import Image, ImageAnalysis
from tests.utils import upload

pytestmark = pytest.mark.django_db

LOGS = reverse("admin:auditlog_log_changelist")
EVENTS = reverse("admin:auditlog_securityevent_changelist")
OVERVIEW = reverse("admin:auditlog_securityoverview_changelist")
HEADS = reverse("admin:auditlog_chainhead_changelist")
UNLOCK = reverse("admin:auditlog_securityoverview_unlock")


def admin_entries(verb: str, model: str) -> list[Log]:
    return list(
        Log.objects.filter(
            module="auditlog.admin_audit",
            log_metadata__admin_action=verb,
            log_metadata__object__startswith=f"{model}:",
        )
    )


def rows(response) -> list:
    return list(response.context["cl"].result_list)


class TestAdminActionsAreLogged:
    def test_every_registered_admin_is_audited(self):
        for model_admin in admin.site._registry.values():
            assert isinstance(model_admin, AuditedAdminMixin), model_admin

    def test_adding_an_image_logs_who_and_which_fields(self, editor_client, editor):
        editor_client.post(
            reverse("admin:images_image_add"),
            {"upload": upload("logo.png"), "user": editor.pk},
        )
        entry = admin_entries("added", "images.image")[0]
        assert entry.username == "editor-user"
        assert "upload" in entry.log_metadata["fields"]

    def test_changing_a_user_logs_the_changed_field_names(
        self, superadmin_client, user
    ):
        url = reverse("admin:accounts_user_change", args=[user.pk])
        form = superadmin_client.get(url).context["adminform"].form
        data = {
            name: value
            for name, value in form.initial.items()
            if value is not None
            and name not in ("password", "groups", "user_permissions")
        }
        data.update(
            {
                "email": "alice@new.example.org",
                "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
                "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
                "admin_profile-TOTAL_FORMS": "0",
                "admin_profile-INITIAL_FORMS": "0",
                "admin_profile-MIN_NUM_FORMS": "0",
                "admin_profile-MAX_NUM_FORMS": "1",
            }
        )
        response = superadmin_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].errors
        entry = admin_entries("changed", "accounts.user")[0]
        assert entry.log_metadata["fields"] == ["email"]
        assert entry.username == "superadmin-user"
        assert entry.action == (
            f"admin object changed model=accounts.user object_id={user.pk} fields=email"
        )

    def test_adding_a_group_through_auths_admin_is_logged(self, superadmin_client):
        superadmin_client.post(reverse("admin:auth_group_add"), {"name": "reviewers"})
        group = Group.objects.get(name="reviewers")
        entry = admin_entries("added", "auth.group")[0]
        assert entry.log_metadata["object"] == f"auth.group:{group.pk}"

    def test_deleting_one_object_is_logged(self, superadmin_client):
        record = baker.make(Analytics, data={"a": 1})
        superadmin_client.post(
            reverse("admin:analytics_analytics_delete", args=[record.pk]),
            {"post": "yes"},
        )
        assert len(admin_entries("deleted", "analytics.analytics")) == 1

    def test_deleting_an_image_logs_the_analyses_deleted_with_it(
        self, superadmin_client
    ):
        image = baker.make(Image, file="images/x.png", sha256="a" * 64)
        baker.make(ImageAnalysis, image=image, _quantity=2)

        superadmin_client.post(
            reverse("admin:images_image_delete", args=[image.pk]), {"post": "yes"}
        )

        entry = admin_entries("deleted", "images.image")[0]
        assert ImageAnalysis.objects.exists() is False
        assert entry.log_metadata["cascade"] == {"images.imageanalysis": 2}

    def test_deleting_an_object_without_dependents_logs_no_cascade(
        self, superadmin_client
    ):
        record = baker.make(Analytics, data={"a": 1})

        superadmin_client.post(
            reverse("admin:analytics_analytics_delete", args=[record.pk]),
            {"post": "yes"},
        )

        entry = admin_entries("deleted", "analytics.analytics")[0]
        assert "cascade" not in entry.log_metadata

    def test_deleting_several_objects_logs_each(self, superadmin_client):
        records = baker.make(Analytics, data={"a": 1}, _quantity=3)
        superadmin_client.post(
            reverse("admin:analytics_analytics_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [record.pk for record in records],
                "post": "yes",
            },
        )
        assert Analytics.objects.count() == 0
        logged = {
            entry.log_metadata["object"]
            for entry in admin_entries("deleted", "analytics.analytics")
        }
        assert logged == {f"analytics.analytics:{record.pk}" for record in records}


@pytest.fixture
def trail():
    now = timezone.now()
    Log.objects.create(
        action="image ingested image_id=1",
        module="images.ingest",
        level="INFO",
        username="erin",
        ip_address="192.0.2.1",
        timestamp=now - timedelta(hours=3),
    )
    Log.objects.create(
        action="analysis failed",
        module="images.tasks",
        level="ERROR",
        username="frank",
        ip_address="192.0.2.2",
        timestamp=now - timedelta(hours=2),
    )
    Log.objects.create(
        action="seed run finished",
        module="janus.seed",
        level="INFO",
        timestamp=now - timedelta(hours=1),
    )


class TestLogList:
    def test_levels_are_colour_marked(self, auditor_client, trail):
        html = auditor_client.get(LOGS).content.decode()
        assert 'class="janus-level janus-level-error"' in html
        assert "#b91c1c" in html

    def test_module_filter_offers_every_module_and_filters(self, auditor_client, trail):
        response = auditor_client.get(LOGS)
        html = response.content.decode()
        for module in ("images.ingest", "images.tasks", "janus.seed"):
            assert f"?module={module}" in html
        filtered = auditor_client.get(LOGS, {"module": "images.tasks"})
        assert [entry.action for entry in rows(filtered)] == ["analysis failed"]

    def test_level_filter(self, auditor_client, trail):
        response = auditor_client.get(LOGS, {"level__exact": "ERROR"})
        assert [entry.module for entry in rows(response)] == ["images.tasks"]

    def test_user_and_address_filters(self, auditor_client, trail):
        by_user = auditor_client.get(LOGS, {"user": "erin"})
        by_ip = auditor_client.get(LOGS, {"ip": "192.0.2.2"})
        assert [entry.username for entry in rows(by_user)] == ["erin"]
        assert [entry.username for entry in rows(by_ip)] == ["frank"]
        assert rows(auditor_client.get(LOGS, {"ip": "nonsense"})) == []

    def test_action_filter_keeps_entries_whose_action_starts_with_it(
        self, auditor_client, trail
    ):
        response = auditor_client.get(LOGS, {"action": "Image Ingested"})

        assert [entry.username for entry in rows(response)] == ["erin"]
        assert 'name="action"' in response.content.decode()
        assert rows(auditor_client.get(LOGS, {"action": "ingested"})) == []

    @pytest.mark.parametrize(
        ("term", "expected"),
        [
            ("192.0.2.1", ["erin"]),
            ("FRA", ["frank"]),
            ("image ingested", ["erin"]),
            ("ingested", []),
        ],
    )
    def test_search_by_shape(self, auditor_client, trail, term, expected):
        response = auditor_client.get(LOGS, {"q": term})
        assert [entry.username for entry in rows(response)] == expected

    def test_detail_page_shows_pretty_json_and_the_hashes(self, auditor_client):
        entry = Log.objects.create(action="x", log_metadata={"b": 1, "a": [1, 2]})
        html = auditor_client.get(
            reverse("admin:auditlog_log_change", args=[entry.pk])
        ).content.decode()
        assert '<pre class="janus-json">' in html
        assert entry.row_hash in html

    def test_only_the_timestamp_column_sorts(self):
        assert admin.site._registry[Log].sortable_by == ["timestamp"]


class TestSecurityEventList:
    @pytest.mark.parametrize(
        ("action", "color"),
        [
            (SecurityAction.LOGIN_FAILED, "#92400e"),
            (SecurityAction.PERMISSION_DENIED, "#92400e"),
            (SecurityAction.LOGIN_REFUSED, "#b91c1c"),
            (SecurityAction.LOCKED_OUT, "#b91c1c"),
            (SecurityAction.UNLOCKED, "#15803d"),
            (SecurityAction.LOGIN, "inherit"),
        ],
    )
    def test_action_is_colour_marked(self, auditor_client, action, color):
        baker.make(SecurityEvent, action=action)
        html = auditor_client.get(EVENTS).content.decode()
        mark = f'<span style="color:{color};font-weight:600">{action.label}</span>'
        assert mark in html

    def test_detail_page_shows_pretty_json_and_the_hashes(self, auditor_client):
        event = baker.make(
            SecurityEvent,
            action=SecurityAction.LOCKED_OUT,
            details={"scope": "ip", "failures": 5},
        )
        html = auditor_client.get(
            reverse("admin:auditlog_securityevent_change", args=[event.pk])
        ).content.decode()
        # Indented two spaces, keys sorted, quotes escaped by format_html.
        assert (
            '<pre class="janus-json">{\n'
            "  &quot;failures&quot;: 5,\n"
            "  &quot;scope&quot;: &quot;ip&quot;\n"
            "}</pre>"
        ) in html
        assert event.previous_hash in html
        assert event.row_hash in html


class TestDateHierarchy:
    @pytest.fixture
    def two_years(self):
        for when in (
            datetime(2025, 11, 3, tzinfo=UTC),
            datetime(2026, 2, 3, tzinfo=UTC),
            datetime(2026, 2, 9, tzinfo=UTC),
        ):
            Log.objects.create(action="dated", timestamp=when)

    def links(self, response):
        html = response.content.decode()
        return html[html.index('class="toplinks"') :].split("</nav>")[0]

    def test_drill_down_never_lists_dates_row_by_row(self, auditor_client, two_years):
        with (
            mock.patch.object(QuerySet, "dates", side_effect=AssertionError),
            mock.patch.object(QuerySet, "datetimes", side_effect=AssertionError),
        ):
            years = self.links(auditor_client.get(LOGS))
            months = self.links(auditor_client.get(LOGS, {"timestamp__year": 2025}))
            days = self.links(
                auditor_client.get(
                    LOGS, {"timestamp__year": 2026, "timestamp__month": 2}
                )
            )
        assert "timestamp__year=2025" in years and "timestamp__year=2026" in years
        assert "timestamp__month=11" in months
        assert "timestamp__month=10" not in months
        # Every day from the first to the last row, found by two index reads.
        assert [f"timestamp__day={day}&" in days for day in (2, 3, 5, 9, 10)] == [
            False,
            True,
            True,
            True,
            False,
        ]

    def test_drill_down_to_a_day_filters_the_rows(self, auditor_client, two_years):
        response = auditor_client.get(
            LOGS,
            {"timestamp__year": 2026, "timestamp__month": 2, "timestamp__day": 9},
        )
        assert len(rows(response)) == 1


class TestCounting:
    def test_filtered_count_is_capped(self, auditor_client, monkeypatch):
        monkeypatch.setattr(paginator, "COUNT_CAP", 5)
        for number in range(8):
            Log.objects.create(action=f"n{number}", level="INFO")
        response = auditor_client.get(LOGS, {"level__exact": "INFO"})
        assert "more than 5 log entries" in response.content.decode()

    def test_page_past_the_capped_count_still_answers(
        self, auditor_client, monkeypatch
    ):
        monkeypatch.setattr(paginator, "COUNT_CAP", 120)
        Log.objects.bulk_create([Log(action=f"n{n}", level="INFO") for n in range(250)])
        response = auditor_client.get(LOGS, {"level__exact": "INFO", "p": 3})
        assert response.status_code == 200
        assert len(rows(response)) == 50

    def test_deep_pages_fetch_the_right_rows_in_order(
        self, auditor_client, monkeypatch
    ):
        monkeypatch.setattr(paginator, "DEEP_OFFSET", 0)
        start = timezone.now() - timedelta(days=1)
        Log.objects.bulk_create(
            [
                Log(action=f"n{n}", timestamp=start + timedelta(minutes=n))
                for n in range(150)
            ]
        )
        response = auditor_client.get(LOGS, {"p": 2})
        assert [entry.action for entry in rows(response)] == [
            f"n{n}" for n in range(49, -1, -1)
        ]

    def test_unfiltered_list_shows_the_exact_count_of_a_small_table(
        self, auditor_client, trail
    ):
        assert "3 log entries" in auditor_client.get(LOGS).content.decode()


class TestExport:
    @pytest.fixture
    def failures(self):
        baker.make(
            SecurityEvent,
            action=SecurityAction.LOGIN_FAILED,
            username="mallory",
            ip_address="203.0.113.5",
            details={"n": 1},
        )
        baker.make(
            SecurityEvent,
            action=SecurityAction.LOGIN_FAILED,
            username="=HYPERLINK(1)",
            ip_address="203.0.113.6",
        )
        baker.make(SecurityEvent, action=SecurityAction.LOGIN, username="erin")

    def export(self, client, fmt, **query):
        url = reverse("admin:auditlog_securityevent_export", args=[fmt])
        response = client.get(url, query)
        assert isinstance(response, StreamingHttpResponse)
        return response, b"".join(response.streaming_content).decode()

    def test_csv_export_holds_the_filtered_rows(self, auditor_client, failures):
        response, text = self.export(
            auditor_client, "csv", action__exact=SecurityAction.LOGIN_FAILED
        )
        table = list(csv.DictReader(io.StringIO(text)))
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment;" in response["Content-Disposition"]
        assert sorted(row["username"] for row in table) == ["'=HYPERLINK(1)", "mallory"]
        assert {row["action"] for row in table} == {"auth.login_failed"}

    def test_json_export_keeps_values_as_stored(self, auditor_client, failures):
        _response, text = self.export(auditor_client, "json", q="mallory")
        data = json.loads(text)
        assert len(data) == 1
        assert data[0]["details"] == {"n": 1}
        assert data[0]["ip_address"] == "203.0.113.5"
        assert len(data[0]["row_hash"]) == 64

    def test_export_is_logged(self, auditor_client, failures):
        self.export(auditor_client, "json", user="erin")
        entry = Log.objects.get(module="auditlog.admin")
        assert entry.username == "auditor-user"
        assert entry.log_metadata["query"] == "user=erin"

    def test_export_reads_rows_in_chunks(self, auditor_client, failures):
        with mock.patch.object(
            QuerySet, "iterator", autospec=True, side_effect=QuerySet.iterator
        ) as iterator:
            self.export(auditor_client, "csv")
        assert iterator.call_args.kwargs["chunk_size"] == 2000

    def test_export_of_logs_links_from_the_list(self, auditor_client, trail):
        html = auditor_client.get(LOGS, {"level__exact": "ERROR"}).content.decode()
        assert 'href="/admin/auditlog/log/export/csv/?level__exact=ERROR"' in html
        _response, text = self.export_logs(auditor_client)
        assert "analysis failed" in text

    def export_logs(self, client):
        response = client.get(
            reverse("admin:auditlog_log_export", args=["csv"]),
            {"level__exact": "ERROR"},
        )
        return response, b"".join(response.streaming_content).decode()

    def test_staff_without_view_permission_cannot_export(
        self, client, django_user_model
    ):
        staff = django_user_model.objects.create_user(
            username="bare", email="bare@example.org", password="pw", is_staff=True
        )
        client.force_login(staff)
        url = reverse("admin:auditlog_securityevent_export", args=["csv"])
        assert client.get(url).status_code == 403

    def test_unknown_format_is_refused(self, auditor_client):
        url = reverse("admin:auditlog_securityevent_export", args=["xml"])
        assert auditor_client.get(url).status_code == 403


@pytest.fixture
def locked_out(settings):
    settings.JANUS_LOCKOUT_FAILURES = 2
    from auditlog.services import sign_in_failure_record

    for _attempt in range(2):
        sign_in_failure_record(request=None, username="mallory")


class TestOverview:
    def test_auditor_sees_the_chart_and_tables_without_unlock(
        self, auditor_client, locked_out
    ):
        response = auditor_client.get(OVERVIEW)
        html = response.content.decode()
        assert response.status_code == 200
        assert '<svg class="janus-chart" role="group"' in html
        assert '-title">Failed sign-ins per day</title>' in html
        assert "<desc" in html and "2 failed sign-ins over 30 days" in html
        assert html.count('<rect class="bar"') == 30
        assert "<script" not in html.split('id="content-main"')[1]
        assert "mallory" in html
        assert 'name="scope"' not in html

    def test_period_choice_changes_the_chart(self, auditor_client):
        html = auditor_client.get(OVERVIEW, {"days": 7}).content.decode()
        assert html.count('<rect class="bar"') == 7

    def test_a_bar_links_to_the_failed_sign_ins_of_its_day(self, auditor_client):
        today = baker.make(SecurityEvent, action=SecurityAction.LOGIN_FAILED)
        baker.make(
            SecurityEvent,
            action=SecurityAction.LOGIN_FAILED,
            timestamp=today.timestamp - timedelta(days=2),
        )
        html = auditor_client.get(OVERVIEW, {"days": 7}).content.decode()
        links = re.findall(
            r'<a href="([^"]+)" aria-label="[^"]+"><rect class="hit"', html
        )

        assert len(links) == 7
        response = auditor_client.get(unescape(links[-1]))
        assert list(response.context["cl"].result_list) == [today]

    def test_top_links_keep_to_the_period(self, auditor_client):
        baker.make(
            SecurityEvent,
            action=SecurityAction.LOGIN_FAILED,
            username="old",
            timestamp=timezone.now() - timedelta(days=20),
        )
        new = baker.make(
            SecurityEvent, action=SecurityAction.LOGIN_FAILED, username="old"
        )
        html = auditor_client.get(OVERVIEW, {"days": 7}).content.decode()
        link = re.search(r'<a href="([^"]+)">old</a>', html).group(1)

        response = auditor_client.get(unescape(link))
        assert list(response.context["cl"].result_list) == [new]

    def test_top_usernames_and_addresses_are_listed(self, auditor_client):
        for name, ip in (
            ("root", "203.0.113.1"),
            ("root", "203.0.113.1"),
            ("x", "203.0.113.2"),
        ):
            baker.make(
                SecurityEvent,
                action=SecurityAction.LOGIN_FAILED,
                username=name,
                ip_address=ip,
            )
        overview = auditor_client.get(OVERVIEW).context["overview"]
        assert overview.top_usernames[0] == ("root", 2)
        assert overview.top_ips[0] == ("203.0.113.1", 2)

    def test_superadmin_unlocks_from_the_overview(self, superadmin_client, locked_out):
        html = superadmin_client.get(OVERVIEW).content.decode()
        assert 'name="value" value="mallory"' in html
        response = superadmin_client.post(
            UNLOCK, {"scope": "username", "value": "mallory"}, follow=True
        )
        assert "Unlocked mallory" in response.content.decode()
        event = SecurityEvent.objects.get(action=SecurityAction.UNLOCKED)
        assert event.details["by"] == "superadmin-user"
        assert response.context["overview"].lockouts == []

    def test_auditor_cannot_unlock(self, auditor_client, locked_out):
        assert (
            auditor_client.post(
                UNLOCK, {"scope": "username", "value": "mallory"}
            ).status_code
            == 403
        )
        assert (
            SecurityEvent.objects.filter(action=SecurityAction.UNLOCKED).exists()
            is False
        )

    def test_unlock_answers_only_posts(self, superadmin_client):
        assert superadmin_client.get(UNLOCK).status_code == 405

    def test_overview_is_linked_from_the_index_and_the_security_list(
        self, auditor_client
    ):
        assert OVERVIEW in auditor_client.get(reverse("admin:index")).content.decode()
        assert OVERVIEW in auditor_client.get(EVENTS).content.decode()

    def test_staff_without_view_permission_is_refused(self, client, django_user_model):
        staff = django_user_model.objects.create_user(
            username="bare", email="bare@example.org", password="pw", is_staff=True
        )
        client.force_login(staff)
        assert client.get(OVERVIEW).status_code == 403


@override_settings(JANUS_LOCKOUT_FAILURES=5)
def test_auditor_changes_nothing_anywhere_in_the_trail(auditor_client, make_staff):
    entry = Log.objects.create(action="x")
    event = baker.make(SecurityEvent, action=SecurityAction.LOGIN)
    for url in (
        reverse("admin:auditlog_log_change", args=[entry.pk]),
        reverse("admin:auditlog_securityevent_change", args=[event.pk]),
    ):
        assert auditor_client.post(url, {"action": "edited"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "x"
    make_staff(AdminLevel.EDITOR)


@pytest.fixture
def heads():
    Log.objects.create(action="x")
    baker.make(SecurityEvent, action=SecurityAction.LOGIN)
    return ChainHead.objects.order_by("chain")


class TestChainHeads:
    def test_auditor_sees_every_head(self, auditor_client, heads):
        response = auditor_client.get(HEADS)
        assert response.status_code == 200
        assert rows(response) == list(heads)

    def test_auditor_sees_a_head_read_only(self, auditor_client, heads):
        head = heads.get(chain="logs")
        response = auditor_client.get(
            reverse("admin:auditlog_chainhead_change", args=["logs"])
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert head.head_hash in html
        assert 'name="head_hash"' not in html

    def test_nobody_adds_changes_or_deletes_a_head(self, superadmin_client, heads):
        change = reverse("admin:auditlog_chainhead_change", args=["logs"])
        delete = reverse("admin:auditlog_chainhead_delete", args=["logs"])
        add = reverse("admin:auditlog_chainhead_add")
        assert superadmin_client.get(add).status_code == 403
        assert superadmin_client.post(change, {"head_id": 1}).status_code == 403
        assert superadmin_client.post(delete, {"post": "yes"}).status_code == 403
        assert heads.filter(chain="logs").exists() is True

    def test_staff_without_view_permission_is_refused(self, client, django_user_model):
        staff = django_user_model.objects.create_user(
            username="bare", email="bare@example.org", password="pw", is_staff=True
        )
        client.force_login(staff)
        assert client.get(HEADS).status_code == 403

    def test_rebuilt_head_is_marked(self, auditor_client, heads):
        heads.filter(chain="logs").update(rebuilt_at=timezone.now(), rebuilt_from_id=7)
        html = auditor_client.get(HEADS).content.decode()
        assert (
            '<span class="janus-rebuilt" style="color:#b91c1c;font-weight:600">'
            "rebuilt from row 7</span>"
        ) in html

    def test_rebuilt_filter_separates_rebuilt_heads(self, auditor_client, heads):
        heads.filter(chain="logs").update(rebuilt_at=timezone.now(), rebuilt_from_id=7)
        rebuilt = auditor_client.get(HEADS, {"rebuilt": "yes"})
        intact = auditor_client.get(HEADS, {"rebuilt": "no"})
        assert [head.chain for head in rows(rebuilt)] == ["logs"]
        assert [head.chain for head in rows(intact)] == ["security"]

    def test_search_finds_a_head_by_the_start_of_its_hash(self, auditor_client, heads):
        head = heads.get(chain="security")
        response = auditor_client.get(HEADS, {"q": head.head_hash[:10]})
        assert [found.chain for found in rows(response)] == ["security"]

    def test_heads_are_listed_in_the_audit_trail_app_on_the_index(self, auditor_client):
        response = auditor_client.get(reverse("admin:index"))
        trail = next(
            app
            for app in response.context["app_list"]
            if app["app_label"] == "auditlog"
        )
        assert "ChainHead" in [model["object_name"] for model in trail["models"]]
        assert HEADS in response.content.decode()
