import pytest
from django.utils.html import escape

from analytics.exchange import MAX_DEPTH
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


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"rate": 1e400}', "1e400 is too large a number; write it as a string."),
        (
            '{"note": "a\\u0000b"}',
            'The JSON holds "\\u0000", the NUL character, which cannot be stored; '
            "remove it.",
        ),
        (
            '{"k\\u0000": 1}',
            'The JSON holds "\\u0000", the NUL character, which cannot be stored; '
            "remove it.",
        ),
        (
            '{"emoji": "\\ud83d"}',
            'The JSON holds "\\ud83d", half of a surrogate pair without its other '
            "half, which cannot be stored; write the character itself.",
        ),
    ],
    ids=["huge-number", "nul", "nul-in-key", "lone-surrogate"],
)
def test_json_editor_refuses_what_the_database_cannot_store(text, problem):
    form = AnalyticsAdminForm(data={"data": text})

    assert form.is_valid() is False
    assert form.errors["data"] == [problem]


def test_json_editor_accepts_a_surrogate_pair():
    form = AnalyticsAdminForm(data={"data": '{"emoji": "\\ud83d\\ude00"}'})

    assert form.is_valid() is True
    assert form.cleaned_data["data"] == {"emoji": "😀"}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_json_editor_refuses_nesting_deeper_than_the_limit(depth):
    form = AnalyticsAdminForm(data={"data": "[" * depth + "1" + "]" * depth})

    assert form.is_valid() is False
    assert form.errors["data"] == [
        f"The JSON is nested more than {MAX_DEPTH} levels deep."
    ]


def test_json_editor_accepts_nesting_up_to_the_limit():
    text = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    form = AnalyticsAdminForm(data={"data": text})

    assert form.is_valid() is True


@pytest.mark.parametrize(
    ("keys", "rows"), [(1, 12), (20, 23), (100, 40)], ids=["short", "mid", "long"]
)
def test_json_editor_sizes_the_text_area_to_the_json(keys, rows):
    # Twenty keys indent to 22 lines; the editor leaves one line spare.
    value = {f"key{index:03}": index for index in range(keys)}

    html = str(AnalyticsAdminForm(initial={"data": value})["data"])

    assert f'rows="{rows}"' in html
    assert 'class="janus-json-editor"' in html
