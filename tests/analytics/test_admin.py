import csv
import io
import json
import logging
import re
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils.html import escape
from model_bakery import baker

from analytics import services
from analytics.models import Analytics
from analytics.services import analytics_import

CHANGELIST = "admin:analytics_analytics_changelist"
BROKEN = '{\n  "sample": 12,\n  "rate" 0.5\n}'


def changelist():
    return reverse(CHANGELIST)


def export_url(export_format: str) -> str:
    return reverse("admin:analytics_analytics_export", args=[export_format])


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def section(html: str, pattern: str) -> str:
    """Return the first part of ``html`` matching ``pattern``, or ""."""
    match = re.search(pattern, html, re.S)
    return match.group(0) if match else ""


def json_file(payload, name="records.json"):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return SimpleUploadedFile(name, text.encode(), content_type="application/json")


@pytest.fixture
def records(db):
    return [
        baker.make(
            Analytics,
            research_topic="contrast",
            data={"n": 1},
            created_at=datetime(2026, 3, 1, tzinfo=UTC),
        ),
        baker.make(
            Analytics,
            research_topic="contrast",
            data={"n": 2},
            created_at=datetime(2026, 3, 2, tzinfo=UTC),
        ),
        baker.make(
            Analytics,
            research_topic="palette",
            data={"n": 3},
            created_at=datetime(2025, 5, 1, tzinfo=UTC),
        ),
    ]


@pytest.mark.django_db
class TestJSONEditor:
    def test_add_with_broken_json_says_where_and_keeps_the_text(self, editor_client):
        response = editor_client.post(
            reverse("admin:analytics_analytics_add"),
            {"research_topic": "contrast", "data": BROKEN},
        )

        assert response.status_code == 200
        form = response.context["adminform"].form
        assert form.errors["data"] == ["Line 3, column 10: Expecting ':' delimiter"]
        html = response.content.decode()
        assert escape("Line 3, column 10: Expecting ':' delimiter") in html
        assert escape(BROKEN) in html
        assert Analytics.objects.exists() is False

    def test_add_saves_a_new_record(self, editor_client):
        response = editor_client.post(
            reverse("admin:analytics_analytics_add"),
            {"research_topic": "contrast", "data": '{\n  "sample": 12\n}'},
        )

        assert response.status_code == 302
        record = Analytics.objects.get()
        assert (record.research_topic, record.data) == ("contrast", {"sample": 12})

    @pytest.mark.parametrize(
        ("typed", "problem"),
        [
            ('{"rate": 1e400}', "1e400 is too large a number"),
            ('{"note": "\\u0000"}', "the NUL character"),
            ('{"note": "\\ud800"}', "half of a surrogate pair"),
        ],
        ids=["huge-number", "nul", "lone-surrogate"],
    )
    def test_add_refuses_json_the_database_cannot_store(
        self, editor_client, typed, problem
    ):
        response = editor_client.post(
            reverse("admin:analytics_analytics_add"),
            {"research_topic": "contrast", "data": typed},
        )

        assert response.status_code == 200
        assert problem in response.context["adminform"].form.errors["data"][0]
        assert escape(typed) in response.content.decode()
        assert Analytics.objects.exists() is False

    def test_add_refused_for_the_topic_keeps_the_json_as_typed(self, editor_client):
        typed = '{"sample":12,  "rate":0.5}'

        response = editor_client.post(
            reverse("admin:analytics_analytics_add"),
            {"research_topic": "t" * 256, "data": typed},
        )

        assert list(response.context["adminform"].form.errors) == ["research_topic"]
        assert f"\n{escape(typed)}</textarea>" in response.content.decode()

    def test_change_saves_valid_json(self, editor_client, records):
        record = records[0]

        response = editor_client.post(
            reverse("admin:analytics_analytics_change", args=[record.pk]),
            {"research_topic": "contrast", "data": '{"n": 10, "ok": true}'},
        )

        assert response.status_code == 302
        record.refresh_from_db()
        assert record.data == {"n": 10, "ok": True}

    def test_change_form_shows_the_json_indented(self, editor_client, records):
        response = editor_client.get(
            reverse("admin:analytics_analytics_change", args=[records[0].pk])
        )

        assert escape('{\n  "n": 1\n}') in response.content.decode()
        assert "janus-json-editor" in response.content.decode()

    def test_auditor_sees_the_json_indented_and_read_only(
        self, auditor_client, records
    ):
        response = auditor_client.get(
            reverse("admin:analytics_analytics_change", args=[records[0].pk])
        )

        html = response.content.decode()
        assert f'<pre class="janus-json">{escape(chr(123) + chr(10))}' in html
        assert escape('{\n  "n": 1\n}') in html
        assert "<textarea" not in html

    def test_auditor_may_not_change_a_record(self, auditor_client, records):
        response = auditor_client.post(
            reverse("admin:analytics_analytics_change", args=[records[0].pk]),
            {"research_topic": "changed", "data": '{"n": 99}'},
        )

        assert response.status_code == 403
        records[0].refresh_from_db()
        assert records[0].data == {"n": 1}

    def test_delete_removes_the_record(self, editor_client, records):
        response = editor_client.post(
            reverse("admin:analytics_analytics_delete", args=[records[0].pk]),
            {"post": "yes"},
        )

        assert response.status_code == 302
        assert set(Analytics.objects.all()) == set(records[1:])


@pytest.mark.django_db
class TestChangeList:
    def test_search_finds_records_by_research_topic(self, auditor_client, records):
        response = auditor_client.get(changelist(), {"q": "palet"})

        assert list(response.context["cl"].result_list) == [records[2]]

    def test_filter_by_research_topic(self, auditor_client, records):
        response = auditor_client.get(changelist(), {"research_topic": "contrast"})

        assert set(response.context["cl"].result_list) == set(records[:2])

    def test_topic_filter_offers_each_topic_and_marks_the_chosen_one(
        self, auditor_client, records
    ):
        response = auditor_client.get(changelist(), {"research_topic": "contrast"})

        html = section(
            response.content.decode(),
            r'<details data-filter-title="research topic".*?</details>',
        )
        choices = re.findall(r"<li( class=\"selected\")?>\s*<a [^>]*>([^<]*)</a>", html)
        assert choices == [
            ("", "All"),
            (' class="selected"', "contrast"),
            ("", "palette"),
        ]

    def test_list_shows_the_top_level_keys_of_the_data(self, auditor_client):
        baker.make(Analytics, data={"sample": 12, "rate": 0.5})
        baker.make(Analytics, data=[1, 2])

        response = auditor_client.get(changelist())

        html = section(response.content.decode(), r'<table id="result_list".*?</table>')
        assert '<td class="field-data_summary">rate, sample</td>' in html
        assert '<td class="field-data_summary">list</td>' in html

    def test_date_drill_down_by_year(self, auditor_client, records):
        response = auditor_client.get(changelist(), {"created_at__year": "2025"})

        assert list(response.context["cl"].result_list) == [records[2]]

    def test_date_drill_down_offers_years_then_months(self, auditor_client, records):
        years = section(
            auditor_client.get(changelist()).content.decode(),
            r'<nav class="toplinks".*?</nav>',
        )
        months = section(
            auditor_client.get(
                changelist(), {"created_at__year": "2026"}
            ).content.decode(),
            r'<nav class="toplinks".*?</nav>',
        )

        assert re.findall(r">(\d{4})</a>", years) == ["2025", "2026"]
        assert "created_at__month=3" in months
        assert re.findall(r'<a href="\?[^"]*">([^<]*)</a>', months) == ["March 2026"]

    def test_export_links_keep_the_filters(self, auditor_client, records):
        response = auditor_client.get(
            changelist(), {"research_topic": "contrast", "q": "con", "p": "1"}
        )

        html = response.content.decode()
        query = escape("?q=con&research_topic=contrast")
        assert f'href="{export_url("json")}{query}"' in html
        assert f'href="{export_url("csv")}{query}"' in html

    def test_import_link_only_for_users_who_may_add(
        self, auditor_client, editor, client
    ):
        assert (
            "analytics-import-link"
            not in auditor_client.get(changelist()).content.decode()
        )
        client.force_login(editor)
        assert "analytics-import-link" in client.get(changelist()).content.decode()


@pytest.mark.django_db
class TestExport:
    def test_export_selected_as_json(self, auditor_client, records):
        response = auditor_client.post(
            changelist(),
            {
                "action": "export_selected_json",
                "_selected_action": [records[0].pk, records[2].pk],
            },
        )

        assert response.status_code == 200
        assert response.streaming is True
        assert response["Content-Type"] == "application/json"
        assert "attachment;" in response["Content-Disposition"]
        exported = json.loads(body(response))
        assert sorted(row["id"] for row in exported) == [records[0].pk, records[2].pk]
        assert {row["research_topic"] for row in exported} == {"contrast", "palette"}

    def test_export_selected_as_csv(self, auditor_client, records):
        response = auditor_client.post(
            changelist(),
            {"action": "export_selected_csv", "_selected_action": [records[1].pk]},
        )

        rows = list(csv.DictReader(io.StringIO(body(response))))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert [(row["id"], row["data"]) for row in rows] == [
            (str(records[1].pk), '{"n": 2}')
        ]

    def test_export_filtered_list_as_json(self, auditor_client, records):
        response = auditor_client.get(
            export_url("json"), {"research_topic": "contrast", "o": "-4"}
        )

        exported = json.loads(body(response))
        assert [row["data"] for row in exported] == [{"n": 2}, {"n": 1}]

    def test_export_filtered_list_as_csv_follows_search_and_drill_down(
        self, auditor_client, records
    ):
        response = auditor_client.get(
            export_url("csv"), {"q": "contrast", "created_at__month": "3"}
        )

        rows = list(csv.DictReader(io.StringIO(body(response))))
        assert sorted(row["id"] for row in rows) == sorted(
            str(record.pk) for record in records[:2]
        )

    def test_export_of_the_whole_list_ignores_the_page(self, auditor_client, records):
        response = auditor_client.get(export_url("json"), {"p": "2"})

        assert len(json.loads(body(response))) == 3

    def test_export_with_a_bad_filter_returns_to_the_list(
        self, auditor_client, records
    ):
        response = auditor_client.get(export_url("json"), {"created_at__gte": "soon"})

        assert response.status_code == 302
        assert response["Location"] == changelist() + "?e=1"

    def test_export_is_logged_with_format_and_filters(
        self, auditor_client, auditor, records, caplog
    ):
        caplog.set_level(logging.INFO, logger="analytics")

        body(auditor_client.get(export_url("csv"), {"research_topic": "palette"}))

        assert (
            "analytics records exported format=csv filters='research_topic=palette' "
            f"user={auditor.pk}"
        ) in caplog.text

    def test_export_refuses_unknown_formats(self, auditor_client):
        assert auditor_client.get(export_url("xml")).status_code == 404

    def test_export_refuses_users_who_may_not_view(self, client, make_staff):
        user = make_staff("auditor", username="nobody")
        user.admin_profile.delete()
        user.is_staff = True
        user.save()
        client.force_login(user)

        assert client.get(export_url("json")).status_code == 403


@pytest.mark.django_db
class TestImportPage:
    def url(self):
        return reverse("admin:analytics_analytics_import")

    def test_import_creates_every_record(self, editor_client):
        payload = [
            {"data": {"a": 1}, "research_topic": "imported"},
            {"data": [1, 2], "created_at": "2026-01-02T03:04:05+00:00"},
        ]

        response = editor_client.post(self.url(), {"file": json_file(payload)})

        assert response.status_code == 302
        assert response["Location"] == changelist()
        assert Analytics.objects.count() == 2
        assert Analytics.objects.get(research_topic="imported").data == {"a": 1}
        dated = Analytics.objects.get(research_topic=None)
        assert dated.created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        messages = [str(m) for m in response.wsgi_request._messages]
        assert messages == ["Imported 2 analytics records."]

    def test_import_with_one_bad_record_imports_nothing(self, editor_client):
        payload = [{"data": {"a": 1}}, {"research_topic": "x"}, {"data": 3}]

        response = editor_client.post(self.url(), {"file": json_file(payload)})

        assert response.status_code == 200
        assert Analytics.objects.exists() is False
        html = response.content.decode()
        assert "Nothing was imported" in html
        assert escape('Record 2: "data" is missing.') in html

    def test_import_points_at_broken_json(self, editor_client):
        response = editor_client.post(
            self.url(), {"file": json_file('[{"data": 1},\n {"data": }]')}
        )

        assert response.context["form"].errors["file"] == [
            "Line 2, column 11: Expecting value"
        ]

    def test_import_refuses_a_file_over_the_limit(self, editor_client, settings):
        settings.JANUS_ANALYTICS_IMPORT_MAX_MB = 0.00001

        response = editor_client.post(
            self.url(), {"file": json_file([{"data": "x" * 100}])}
        )

        assert "the limit is" in response.context["form"].errors["file"][0]
        assert Analytics.objects.exists() is False

    def test_import_refuses_a_file_that_is_not_utf8(self, editor_client):
        upload = SimpleUploadedFile(
            "records.json", '[{"data": "café"}]'.encode("latin-1")
        )

        response = editor_client.post(self.url(), {"file": upload})

        assert response.context["form"].errors["file"] == [
            "The file is not UTF-8 text."
        ]
        assert Analytics.objects.exists() is False

    def test_import_of_text_the_database_cannot_store_imports_nothing(
        self, editor_client
    ):
        payload = [{"data": {"a": 1}}, {"data": {"note": "\x00"}}]

        response = editor_client.post(self.url(), {"file": json_file(payload)})

        assert response.status_code == 200
        assert response.context["form"].errors["file"] == [
            'Record 2: "data" holds "\\u0000", the NUL character, which cannot be '
            "stored; remove it."
        ]
        assert Analytics.objects.exists() is False

    def test_import_is_logged_with_count_and_file_name(self, editor_client, caplog):
        caplog.set_level(logging.INFO, logger="analytics")

        editor_client.post(
            self.url(), {"file": json_file([{"data": 1}, {"data": 2}], "found.json")}
        )

        assert "analytics records imported count=2 source='found.json'" in caplog.text

    def test_import_refuses_auditors(self, auditor_client):
        response = auditor_client.post(self.url(), {"file": json_file([{"data": 1}])})

        assert response.status_code == 403
        assert Analytics.objects.exists() is False

    def test_import_page_shows_the_form(self, editor_client):
        response = editor_client.get(self.url())

        assert response.status_code == 200
        assert 'id="analytics-import-form"' in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_analytics_import_rolls_back_when_the_database_refuses_a_batch(monkeypatch):
    original = Analytics.objects.bulk_create
    calls = []

    def first_batch_then_fail(rows, batch_size=None, **kwargs):
        calls.append(len(rows))
        original(rows[:1])
        raise IntegrityError("refused")

    monkeypatch.setattr(services, "IMPORT_BATCH_SIZE", 1)
    monkeypatch.setattr(Analytics.objects, "bulk_create", first_batch_then_fail)

    with pytest.raises(IntegrityError):
        analytics_import(records=[{"data": 1}, {"data": 2}])

    assert calls == [2]
    assert Analytics.objects.count() == 0
