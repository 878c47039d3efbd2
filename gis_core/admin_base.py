"""What every ModelAdmin of the project shares:

- ``ScopedAdmin``: lists, details, foreign-key choices and autocompletes limited to the
  user's areas (gis_core.scoping), maps that need no internet (``OfflineMapWidget``),
  personal fields masked by role, and an object history read from the trace tables.
- ``ServiceAdmin``: writes go through the app's services. The form runs the service in a
  savepoint that is rolled back, so its errors appear on the form, next to the field;
  ``save_model`` then runs it for real.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.contrib.gis.forms import OSMWidget
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from gis_core.models import AreaLevel
from gis_core.personal_data import MASKS, lookup_is_personal, may_see_personal_data, record_area_id, record_read
from gis_core.scoping import scope_queryset


class OfflineMapWidget(OSMWidget):
    """GeoDjango's OpenLayers widget with OpenLayers served locally (npm package) and,
    instead of OSM tiles from the internet, the configured basemap (if any) under the
    grid cells of the visible extent."""

    template_name = "gis/offline-openlayers.html"
    default_lon, default_lat, default_zoom = 102.72, 25.04, 13

    class Media:
        extend = False  # drop the parent's CDN links
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "gis_core/map_widget.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # What GeoDjango's template writes into its inline script, for gis_core/map_widget.js.
        context["options_id"] = f"{context['id']}_options"
        context["widget_options"] = {
            "geom_name": context["geom_type"], "id": context["id"], "map_id": f"{context['id']}_map",
            "map_srid": context["map_srid"], "name": context["name"], "module": context["module"],
            "default_lon": context["default_lon"], "default_lat": context["default_lat"],
            "default_zoom": context["default_zoom"],
            "basemap_url": settings.BASEMAP_URL, "basemap_attribution": settings.BASEMAP_ATTRIBUTION,
            "cells_url": reverse("area-list"), "grid_level": AreaLevel.GRID,
        }
        return context


class ScopedAdmin(GISModelAdmin):
    gis_widget = OfflineMapWidget
    object_history_template = "admin/gis_core/object_history.html"

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related, "scope_lookup"):
            kwargs["queryset"] = scope_queryset(
                kwargs.get("queryset", related._default_manager.all()), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        from gis_core.selectors import record_history

        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_or_change_permission(request, obj):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        context = {
            **self.admin_site.each_context(request), "title": _("Change history: %s") % obj,
            "object": obj, "opts": self.opts, "entries": record_history(obj=obj, request=request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)


class ReadOnlyAdminMixin:
    """Records written only by the platform (logs, outboxes): listed and opened, never
    added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """An append-only log shown under its record (a case's events, a notice's steps):
    every field read-only, nothing added or deleted. Subclasses set ``model`` and ``fields``."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class PersonalFieldsAdminMixin:
    """Personal fields (the model's ``personal_fields``) are left out of forms and shown
    masked, in one read-only line, for roles that may not see them; for the others every
    opened record is logged."""

    def get_list_filter(self, request):
        """No side filter on a personal field for roles that see it masked (and so no
        such lookup in the URL either: the admin refuses lookups it does not offer)."""
        filters = super().get_list_filter(request)
        if may_see_personal_data(request.user):
            return filters
        return [f for f in filters if not (isinstance(f, str) and lookup_is_personal(self.model, f))]

    def lookup_allowed(self, lookup, value, request):
        # The admin allows any lookup on the model's own fields (?birth_date__lt=…).
        if lookup_is_personal(self.model, lookup) and not may_see_personal_data(request.user):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_sortable_by(self, request):
        if may_see_personal_data(request.user):
            return super().get_sortable_by(request)
        model, shown = self.model, self.get_list_display(request)
        return [name for name in shown if not lookup_is_personal(model, self._order_field(name) or "")]

    def _order_field(self, name) -> str | None:
        if callable(name) or hasattr(self, name):
            field = getattr(getattr(self, name, name), "admin_order_field", None)
            return field if isinstance(field, str) else None
        return name if isinstance(name, str) else None

    def get_changelist(self, request, **kwargs):
        """Ordering by a personal field (``?o=``, a column's admin_order_field) is
        ignored for roles that see it masked: the order would rank the hidden values."""
        changelist = super().get_changelist(request, **kwargs)
        if may_see_personal_data(request.user):
            return changelist
        model = self.model

        class MaskedOrderingChangeList(changelist):
            def get_ordering_field(self, field_name):
                field = super().get_ordering_field(field_name)
                return None if isinstance(field, str) and lookup_is_personal(model, field) else field

        return MaskedOrderingChangeList

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not may_see_personal_data(request.user):
            excluded += list(self.model.personal_fields)
        return excluded

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not may_see_personal_data(request.user):
            fields.append("masked_personal_data")
        return fields

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "masked_personal_data"]
        if not may_see_personal_data(request.user):
            fields = [f for f in fields if f not in self.model.personal_fields] + ["masked_personal_data"]
        return fields

    @admin.display(description=_("personal data (masked)"))
    def masked_personal_data(self, obj):
        return format_html_join("", "<div>{}: {}</div>", (
            (self.model._meta.get_field(field).verbose_name, MASKS[kind](str(value)))
            for field, kind in self.model.personal_fields.items() if (value := getattr(obj, field, None))
        )) or "-"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and may_see_personal_data(request.user):
            for field in self.model.personal_fields:
                if getattr(obj, field, None):
                    record_read(request, obj, field, area_id=record_area_id(obj))
        return super().change_view(request, object_id, form_url, extra_context)


class ServiceAdmin(ScopedAdmin):
    """Subclasses implement ``service_save(request, obj, data, change)``: call the app's
    create/update service with ``data`` (the form's cleaned model fields) and return the
    saved object; and ``service_delete(request, obj)`` where records may be deleted."""

    def service_save(self, request, obj: models.Model, data: dict, change: bool) -> models.Model:
        raise NotImplementedError

    def service_delete(self, request, obj: models.Model) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.service_delete(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceValidatedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                try:
                    with transaction.atomic():  # a dry run: errors land on the form
                        model_admin.service_save(request, self.instance, model_admin.form_data(self),
                                                 change=self.instance.pk is not None)
                        transaction.set_rollback(True)
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        self.add_error(field if field in self.fields else None, messages)
                return cleaned

        return ServiceValidatedForm

    @staticmethod
    def form_data(form) -> dict:
        model_fields = {f.name for f in form._meta.model._meta.get_fields()}
        return {k: v for k, v in form.cleaned_data.items() if k in model_fields}

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request, obj, self.form_data(form), change=change)
        obj.pk, obj._state.adding = saved.pk, False


admin.site.site_header = _("Grid management platform")
admin.site.site_title = _("Grid management")
admin.site.index_title = _("Administration")
# The login page also offers single sign-on (gis_core.identity_oidc) when configured.
admin.site.login_template = "gis_core/login.html"
