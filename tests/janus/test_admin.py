"""The admin site: pages per model, permissions per level, query counts."""

import itertools

import pytest
from django.apps import apps
from django.contrib.admin import site
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from model_bakery import baker

from accounts.models import Admin, User
from analytics.models import Analytics
from auditlog.models import Log, SecurityAction, SecurityEvent
from images.models import Image, ImageAnalysis

AUDITOR_VISIBLE = [
    "images.image",
    "images.imageanalysis",
    "auditlog.log",
    "auditlog.securityevent",
    "analytics.analytics",
]
ALL_MODELS = [*AUDITOR_VISIBLE, "accounts.user", "accounts.admin", "auth.group"]
# The models whose admin Janus writes (groups keep Django's own).
JANUS_MODELS = [model for model in ALL_MODELS if model != "auth.group"]


def changelist(model: str) -> str:
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_changelist")


_serial = itertools.count()


def make_image(owner) -> Image:
    number = next(_serial)
    return baker.make(
        Image,
        user=owner,
        file=f"images/{number}.png",
        sha256=f"{number:064x}",
        image_metadata={"format": "PNG"},
    )


def make_rows(model: str, count: int):
    """Create ``count`` rows of ``model`` with the relations a list shows."""
    users = baker.make(User, _quantity=count, _fill_optional=["email"])
    if model == "images.image":
        return [make_image(owner) for owner in users]
    if model == "images.imageanalysis":
        return [
            baker.make(
                ImageAnalysis,
                image=make_image(owner),
                analysis_results={"palette": []},
            )
            for owner in users
        ]
    if model == "auditlog.log":
        return [baker.make(Log, user=owner, level="INFO") for owner in users]
    if model == "auditlog.securityevent":
        return [
            baker.make(SecurityEvent, user=owner, action=SecurityAction.LOGIN)
            for owner in users
        ]
    if model == "analytics.analytics":
        return baker.make(Analytics, data={"a": 1}, _quantity=count)
    if model == "accounts.admin":
        return [
            Admin.objects.create(user=owner, admin_level="editor") for owner in users
        ]
    if model == "accounts.user":
        return users
    return baker.make("auth.Group", _quantity=count)


@pytest.mark.django_db
class TestSite:
    def test_header_title_and_index_say_janus(self, superadmin_client):
        response = superadmin_client.get(reverse("admin:index"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Janus administration" in html
        assert "<title>" in html and "Janus" in html.split("<title>")[1]

    @pytest.mark.parametrize("model", ALL_MODELS)
    def test_superadmin_opens_every_list_page(self, superadmin_client, model):
        make_rows(model, 2)
        response = superadmin_client.get(changelist(model))
        assert response.status_code == 200

    @pytest.mark.parametrize("model", ALL_MODELS)
    def test_list_search_and_filters_answer(self, superadmin_client, model):
        make_rows(model, 2)
        response = superadmin_client.get(changelist(model), {"q": "x"})
        assert response.status_code == 200
        assert "search" in response.content.decode()

    @pytest.mark.parametrize("model", JANUS_MODELS)
    def test_list_has_filters_search_and_date_drill_down(self, model):
        model_admin = site._registry[apps.get_model(model)]
        timestamps = [
            field.name
            for field in model_admin.model._meta.concrete_fields
            if isinstance(field, models.DateTimeField) and not field.null
        ]

        assert model_admin.list_filter
        assert model_admin.search_fields
        if timestamps:
            assert model_admin.date_hierarchy in timestamps

    @pytest.mark.parametrize("model", JANUS_MODELS)
    def test_foreign_keys_never_render_a_select_of_every_row(
        self, rf, superadmin, model
    ):
        model_admin = site._registry[apps.get_model(model)]
        request = rf.get("/")
        request.user = superadmin
        editable = model_admin.has_add_permission(
            request
        ) or model_admin.has_change_permission(request)
        widgets = {
            *model_admin.autocomplete_fields,
            *model_admin.raw_id_fields,
            *model_admin.get_readonly_fields(request),
        }
        keys = [
            field.name
            for field in model_admin.model._meta.concrete_fields
            if field.is_relation and field.editable
        ]

        # A page nobody may edit shows every field as text.
        assert not editable or set(keys) <= widgets

    @pytest.mark.parametrize(
        "model",
        [m for m in JANUS_MODELS if site._registry[apps.get_model(m)].date_hierarchy],
    )
    def test_date_drill_down_finds_the_rows_of_their_year(
        self, superadmin_client, model
    ):
        rows = make_rows(model, 2)
        field = site._registry[apps.get_model(model)].date_hierarchy
        year = getattr(rows[0], field).year

        found = superadmin_client.get(changelist(model), {f"{field}__year": year})
        empty = superadmin_client.get(changelist(model), {f"{field}__year": year - 5})

        assert {row.pk for row in found.context["cl"].result_list} >= {
            row.pk for row in rows
        }
        assert list(empty.context["cl"].result_list) == []

    @pytest.mark.parametrize("model", ALL_MODELS)
    def test_list_query_count_does_not_grow_with_rows(self, superadmin, client, model):
        client.force_login(superadmin)
        url = changelist(model)
        make_rows(model, 1)
        client.get(url)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as one_row:
            assert client.get(url).status_code == 200
        make_rows(model, 49)
        with CaptureQueriesContext(connection) as fifty_rows:
            assert client.get(url).status_code == 200
        assert len(fifty_rows) == len(one_row), [q["sql"] for q in fifty_rows]


@pytest.mark.django_db
class TestAuditor:
    @pytest.mark.parametrize("model", AUDITOR_VISIBLE)
    def test_auditor_opens_list_and_detail_pages(self, auditor_client, model):
        row = make_rows(model, 1)[0]
        assert auditor_client.get(changelist(model)).status_code == 200
        app, name = model.split(".")
        detail = reverse(f"admin:{app}_{name}_change", args=[row.pk])
        response = auditor_client.get(detail)
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()

    @pytest.mark.parametrize("model", AUDITOR_VISIBLE)
    def test_auditor_is_refused_every_change(self, auditor_client, model):
        row = make_rows(model, 1)[0]
        app, name = model.split(".")
        change = reverse(f"admin:{app}_{name}_change", args=[row.pk])
        delete = reverse(f"admin:{app}_{name}_delete", args=[row.pk])
        add = reverse(f"admin:{app}_{name}_add")
        assert auditor_client.post(change, {}).status_code == 403
        assert auditor_client.post(delete, {"post": "yes"}).status_code == 403
        assert auditor_client.get(add).status_code == 403
        assert auditor_client.post(add, {}).status_code == 403
        bulk = auditor_client.post(
            changelist(model),
            {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
        )
        assert type(row).objects.filter(pk=row.pk).exists()
        assert bulk.status_code in (200, 302, 403)

    @pytest.mark.parametrize("model", ["accounts.user", "accounts.admin", "auth.group"])
    def test_auditor_cannot_see_accounts(self, auditor_client, model):
        assert auditor_client.get(changelist(model)).status_code == 403


@pytest.mark.django_db
class TestAppendOnlyTables:
    @pytest.mark.parametrize("model", ["auditlog.log", "auditlog.securityevent"])
    def test_nobody_adds_or_changes(self, superadmin_client, model):
        row = make_rows(model, 1)[0]
        app, name = model.split(".")
        assert (
            superadmin_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 403
        )
        change = reverse(f"admin:{app}_{name}_change", args=[row.pk])
        assert superadmin_client.post(change, {"action": "edited"}).status_code == 403

    @pytest.mark.parametrize("model", ["auditlog.log", "auditlog.securityevent"])
    def test_nobody_deletes_not_even_a_superadmin(self, editor, superadmin, model):
        row = make_rows(model, 1)[0]
        app, name = model.split(".")
        delete = reverse(f"admin:{app}_{name}_delete", args=[row.pk])
        editor_client, superadmin_client = Client(), Client()
        editor_client.force_login(editor)
        superadmin_client.force_login(superadmin)
        assert editor_client.post(delete, {"post": "yes"}).status_code == 403
        assert superadmin_client.post(delete, {"post": "yes"}).status_code == 403
        superadmin_client.post(
            changelist(model),
            {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
        )
        assert type(row).objects.filter(pk=row.pk).exists()

    def test_log_detail_shows_pretty_json(self, superadmin_client):
        entry = baker.make(Log, action="x", log_metadata={"b": 1, "a": [1, 2]})
        response = superadmin_client.get(
            reverse("admin:auditlog_log_change", args=[entry.pk])
        )
        assert (
            '<pre class="janus-json">{\n  &quot;a&quot;: [' in response.content.decode()
        )

    @pytest.mark.parametrize(
        ("model", "field"),
        [
            ("images.image", "image_metadata"),
            ("images.imageanalysis", "analysis_results"),
            ("auditlog.securityevent", "details"),
        ],
    )
    def test_json_columns_are_shown_indented_and_read_only(
        self, auditor_client, model, field
    ):
        document = {"b": 1, "a": [1, 2]}
        if model == "auditlog.securityevent":
            # Audit rows are append-only, so the row is made with its JSON.
            row = baker.make(
                SecurityEvent, action=SecurityAction.LOGIN, details=document
            )
        else:
            row = make_rows(model, 1)[0]
            setattr(row, field, document)
            row.save()
        app, name = model.split(".")

        response = auditor_client.get(
            reverse(f"admin:{app}_{name}_change", args=[row.pk])
        )

        html = response.content.decode()
        assert '<pre class="janus-json">{\n  &quot;a&quot;: [\n    1,' in html
        assert f'name="{field}"' not in html


@pytest.mark.django_db
def test_editor_user_field_uses_autocomplete(editor_client):
    response = editor_client.get(reverse("admin:images_image_add"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "admin-autocomplete" in html


@pytest.mark.django_db
@pytest.mark.parametrize("model", ALL_MODELS)
def test_list_columns_fetch_nothing_lazily(rf, superadmin, model):
    """Render every list column with lazy fetching blocked (FETCH_RAISE).

    A column that reads a relation or a deferred field the changelist did
    not load raises FieldFetchBlocked here, naming the field, where the
    query count test above would only see a number grow.
    """
    make_rows(model, 3)
    model_admin = site._registry[apps.get_model(model)]
    request = rf.get(changelist(model))
    request.user = superadmin
    changelist_page = model_admin.get_changelist_instance(request)
    rows = list(changelist_page.get_queryset(request).fetch_mode(models.FETCH_RAISE))

    rendered = [list(items_for_result(changelist_page, row, None)) for row in rows]

    assert len(rendered) == len(rows) >= 3
    assert all(len(cells) == len(changelist_page.list_display) for cells in rendered)
