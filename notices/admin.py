"""Notices in the admin: read-only (they are written through the flow: the API and the
pages), scoped, with their log; and the upload of a CAP 1.2 alert as a draft warning."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from gis_core.admin_base import ReadOnlyAdminMixin, ReadOnlyInline, ScopedAdmin
from gis_core.roles import role_allows
from notices.models import Notice, NoticeStep
from notices.services import notice_import_cap


class NoticeStepInline(ReadOnlyInline):
    model = NoticeStep
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]


class CapUploadForm(forms.Form):
    file = forms.FileField(label=_("CAP 1.2 alert (XML)"))


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["title", "kind", "status", "area", "valid_from", "valid_until", "phone_count", "staff_count"]
    list_filter = ["kind", "status", "severity"]
    search_fields = ["title", "source_identifier"]
    list_select_related = ["area"]
    exclude = ["shape", "target"]
    inlines = [NoticeStepInline]
    change_list_template = "admin/notices/notice/change_list.html"

    def get_urls(self):
        return [path("import-cap/", self.admin_site.admin_view(self.import_cap_view), name="notices_notice_import_cap"),
                *super().get_urls()]

    def import_cap_view(self, request):
        """Upload an upstream CAP alert: it becomes a draft warning targeted by its areas."""
        if not role_allows(request.user, "notices.add_notice"):
            raise PermissionDenied
        form = CapUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                notice, created = notice_import_cap(actor=request.user, document=form.cleaned_data["file"].read())
            except ValidationError as exc:
                form.add_error("file", "; ".join(exc.messages))
            else:
                messages.success(request, (_("Draft warning made: %(title)s") if created
                                           else _("Already imported: %(title)s")) % {"title": notice.title})
                return redirect(reverse("admin:notices_notice_changelist"))
        context = {**self.admin_site.each_context(request), "title": _("Import a CAP alert"), "form": form,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/notices/notice/import_cap.html", context)
