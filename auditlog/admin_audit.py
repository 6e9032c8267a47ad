"""Log every add, change and delete made through the admin, for any model.

``install`` gives each ModelAdmin registered on the site (Janus's own,
auth's Group admin, the accounts UserAdmin alike) a subclass with
:class:`AuditedAdminMixin`, whose hooks run where Django writes its own
``LogEntry`` rows. Django 5.1+ writes deletions with ``bulk_create``, so a
``post_save`` receiver on ``LogEntry`` would miss them; these hooks do not.
"""

import logging

from django.db import router
from django.db.models.deletion import Collector
from django.forms.formsets import DELETION_FIELD_NAME

logger = logging.getLogger(__name__)


def changed_fields(form, formsets) -> dict:
    """Return the names of the fields a change form and its inlines changed."""
    changes = {"fields": list(form.changed_data) if form else []}
    inlines = []
    for formset in formsets or []:
        for inline_form in formset.forms:
            if not inline_form.has_changed():
                continue
            deleted = bool(inline_form.cleaned_data.get(DELETION_FIELD_NAME))
            inlines.append(
                {
                    "model": formset.model._meta.label_lower,
                    "object": str(inline_form.instance)[:200],
                    "change": "deleted"
                    if deleted
                    else ("added" if inline_form.instance._state.adding else "changed"),
                    "fields": [
                        name
                        for name in inline_form.changed_data
                        if name != DELETION_FIELD_NAME
                    ],
                }
            )
    if inlines:
        changes["inlines"] = inlines
    return changes


def cascade_counts(obj) -> dict[str, int]:
    """Return how many rows of each other model deleting ``obj`` removes.

    Django's delete collector answers it as the deletion itself will, rows
    it removes without loading them (``fast_deletes``) included.
    """
    collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
    collector.collect([obj])
    counts: dict[str, int] = {}
    for model, instances in collector.data.items():
        if model is not type(obj) and instances:
            label = model._meta.label_lower
            counts[label] = counts.get(label, 0) + len(instances)
    for queryset in collector.fast_deletes:
        if (found := queryset.count()) > 0:
            label = queryset.model._meta.label_lower
            counts[label] = counts.get(label, 0) + found
    return dict(sorted(counts.items()))


def _log(request, verb: str, obj, changes: dict | None = None) -> None:
    label = obj._meta.label_lower
    fields = (changes or {}).get("fields", [])
    logger.info(
        "admin object %s model=%s object_id=%s fields=%s",
        verb,
        label,
        obj.pk,
        ",".join(fields) or "-",
        extra={
            "janus": {
                "object": f"{label}:{obj.pk}",
                "object_repr": str(obj)[:200],
                "admin_action": verb,
                **(changes or {}),
            }
        },
    )


class AuditedAdminMixin:
    """Log the admin's additions, changes and deletions with changed fields."""

    def construct_change_message(self, request, form, formsets, add=False):
        request._janus_changes = changed_fields(form, formsets)
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        _log(request, "added", obj, getattr(request, "_janus_changes", None))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        _log(request, "changed", obj, getattr(request, "_janus_changes", None))
        return entry

    def log_deletions(self, request, queryset):
        objects = list(queryset)
        entries = super().log_deletions(request, objects)
        for obj in objects:
            # Called before the delete, while the related rows still exist.
            cascade = cascade_counts(obj)
            _log(request, "deleted", obj, {"cascade": cascade} if cascade else None)
        return entries


_audited_classes: dict[type, type] = {}


def audited(admin_class: type) -> type:
    """Return ``admin_class`` with :class:`AuditedAdminMixin` mixed in."""
    if issubclass(admin_class, AuditedAdminMixin):
        return admin_class
    if admin_class not in _audited_classes:
        _audited_classes[admin_class] = type(
            admin_class.__name__,
            (AuditedAdminMixin, admin_class),
            {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
        )
    return _audited_classes[admin_class]


def install(site) -> None:
    """Audit every ModelAdmin registered on ``site`` so far."""
    for model_admin in site._registry.values():
        model_admin.__class__ = audited(type(model_admin))
