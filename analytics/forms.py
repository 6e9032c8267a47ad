"""Forms of the analytics admin: the JSON editor and the import upload."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput
from django.utils.translation import gettext_lazy as _

from analytics import conf
from analytics.exceptions import RecordsRejected
from analytics.exchange import json_error, json_parse, json_refusal, records_parse
from analytics.models import Analytics


class JSONEditor(forms.Textarea):
    """A monospaced text area sized to the JSON it holds."""

    def __init__(self, attrs=None):
        defaults = {
            "class": "janus-json-editor",
            "spellcheck": "false",
            "autocapitalize": "off",
            "autocomplete": "off",
            "rows": 12,
        }
        super().__init__({**defaults, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        lines = (context["widget"]["value"] or "").count("\n") + 2
        context["widget"]["attrs"]["rows"] = max(12, min(lines, 40))
        return context


class JSONEditorField(forms.JSONField):
    """A JSON field that says where the JSON is broken and shows it indented.

    Django's own field rejects bad JSON with "Enter a valid JSON." and keeps
    the text; this one also names the line and column of the first error,
    and refuses what the database could not store or the page not show:
    NaN, Infinity and numbers too large for a float, the NUL character,
    unpaired surrogates and nesting deeper than ``exchange.MAX_DEPTH``.
    """

    widget = JSONEditor

    def to_python(self, value):
        if not self.disabled and isinstance(value, str) and value.strip():
            try:
                parsed = json_parse(value)
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    "%(position)s",
                    code="invalid",
                    params={"position": json_error(exc)},
                ) from exc
            except ValueError as exc:
                raise ValidationError(
                    "%(problem)s", code="invalid", params={"problem": str(exc)}
                ) from exc
            if problem := json_refusal(parsed):
                raise ValidationError(
                    _("The JSON %(problem)s"),
                    code="invalid",
                    params={"problem": problem},
                )
        return super().to_python(value)

    def bound_data(self, data, initial):
        """Show the text as typed whenever the form comes back.

        Django's field shows it again only when it is not JSON at all, and
        otherwise re-encodes what it parsed: a value refused here would come
        back rewritten, or not render at all (an unpaired surrogate), and a
        form refused for another field would reformat the JSON.
        ``InvalidJSONInput`` is Django's mark for text to show unchanged.
        """
        if self.disabled:
            return initial
        if data is None:
            return None
        return InvalidJSONInput(data)

    def prepare_value(self, value):
        if isinstance(value, InvalidJSONInput):
            return value
        if value is None:
            return ""
        return json.dumps(value, indent=2, ensure_ascii=False, cls=self.encoder)


class AnalyticsAdminForm(forms.ModelForm):
    class Meta:
        model = Analytics
        fields = ["research_topic", "data"]
        field_classes = {"data": JSONEditorField}
        help_texts = {
            "data": _(
                "Any JSON value: an object, a list, a number or a string. It is "
                "checked when you save, and shown indented."
            ),
        }


class AnalyticsImportForm(forms.Form):
    file = forms.FileField(
        label=_("JSON file"),
        help_text=_(
            'A JSON array of records: [{"data": {...}, "research_topic": "...", '
            '"created_at": "2026-11-30T09:12:00+00:00"}, ...]. Only "data" is '
            "required. If any record is wrong, nothing is imported."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = conf.import_max_bytes()
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit).1f MB."),
                code="too_large",
                params={"size": upload.size / 2**20, "limit": limit / 2**20},
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("The file is not UTF-8 text."), code="encoding"
            ) from exc
        try:
            self.records = records_parse(text)
        except RecordsRejected as exc:
            raise ValidationError(
                [ValidationError(message, code="record") for message in exc.errors]
            ) from exc
        return upload
