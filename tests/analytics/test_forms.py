import pytest
from django.utils.html import escape

from analytics.forms import AnalyticsAdminForm, JSONEditorField


def test_json_editor_names_line_and_column_of_a_syntax_error():
    form = AnalyticsAdminForm(
        data={"research_topic": "t", "data": '{\n  "a": 1\n  "b": 2\n}'}
    )

    assert form.is_valid() is False
    assert form.errors["data"] == ["Line 3, column 3: Expecting ',' delimiter"]


def test_json_editor_keeps_the_text_typed_when_it_is_invalid():
    typed = '{\n  "a": 1\n  "b": 2\n}'
    form = AnalyticsAdminForm(data={"research_topic": "t", "data": typed})
    form.is_valid()

    assert escape(typed) in str(form["data"])


def test_json_editor_refuses_nan():
    form = AnalyticsAdminForm(data={"data": '{"a": NaN}'})

    assert form.is_valid() is False
    assert "NaN is not a JSON number" in form.errors["data"][0]


@pytest.mark.parametrize("text", ["{}", "null", ""])
def test_json_editor_requires_some_data(text):
    form = AnalyticsAdminForm(data={"data": text})

    assert form.is_valid() is False
    assert form.errors["data"] == ["This field is required."]


def test_json_editor_accepts_valid_json():
    form = AnalyticsAdminForm(data={"research_topic": "", "data": '{"a": [1, 2]}'})

    assert form.is_valid() is True
    assert form.cleaned_data["data"] == {"a": [1, 2]}


def test_json_editor_shows_stored_json_indented():
    assert JSONEditorField().prepare_value({"a": [1], "b": "é"}) == (
        '{\n  "a": [\n    1\n  ],\n  "b": "é"\n}'
    )


def test_json_editor_shows_nothing_for_a_new_record():
    assert JSONEditorField().prepare_value(None) == ""
