from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from images.exceptions import ImageRejected
from images.ingest import image_inspect
from images.models import Image


def validate_upload(upload, *, exclude_pk=None):
    """Inspect an uploaded file; return its metadata or raise ValidationError."""
    try:
        info = image_inspect(upload)
    except ImageRejected as exc:
        raise forms.ValidationError(
            _("%(name)s: %(reason)s"),
            code=exc.code,
            params={"name": upload.name, "reason": str(exc)},
        ) from exc
    existing = Image.objects.filter(sha256=info.sha256).exclude(pk=exclude_pk).first()
    if existing is not None:
        raise forms.ValidationError(duplicate_message(existing), code="duplicate")
    return info


def duplicate_message(existing: Image):
    url = reverse("admin:images_image_change", args=[existing.pk])
    return format_html(
        'The same image is already in Janus: <a href="{}">{}</a>.', url, existing
    )


class ImageAdminForm(forms.ModelForm):
    """Upload a new image, or replace the file of an existing one."""

    upload = forms.FileField(
        label=_("image file"),
        required=False,
        help_text=_(
            "PNG, JPEG, GIF, WebP, BMP or TIFF. The file is checked by its "
            "content, not its name."
        ),
    )

    class Meta:
        model = Image
        fields = ["upload", "user", "original_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_info = None
        if self.instance.pk is None:
            self.fields["upload"].required = True
            self.fields["original_name"].help_text = _(
                "Leave empty to keep the uploaded file's name."
            )
            self.fields["user"].help_text = _(
                "Leave empty to be the owner yourself; an owner can be removed "
                "later on the image's page."
            )
        else:
            self.fields["upload"].label = _("replace file")

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            self.upload_info = validate_upload(upload, exclude_pk=self.instance.pk)
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class BulkUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("image files"),
        help_text=_("Select any number of images; each is checked on its own."),
    )
