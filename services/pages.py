"""Pages: the one-stop desk (file an application, the queue, act on one), and the two
printable sheets — the receipt (受理回执) and the one-time notice of what is missing
(一次性告知)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from gis_core.models import AreaLevel
from gis_core.navigation import page_view
from gis_core.roles import role_allows
from gis_core.scoping import areas_for_user
from incidents.models import Department
from services import selectors
from services.models import Application
from services.serializers import ServiceItemSerializer
from services.services import materials_missing


@page_view("services-desk")
def desk_page(request):
    items = ServiceItemSerializer(selectors.service_items(in_force_only=True), many=True).data
    communities = list(areas_for_user(request.user).filter(level=AreaLevel.COMMUNITY).order_by("code")
                       .values("id", "name"))
    config = {
        "items": items, "communities": communities, "may_file": role_allows(request.user, "services.add_application"),
        "departments": list(Department.objects.filter(active=True).values("code", "name")),
        "labels": {
            "late": _("late"), "due_soon": _("due soon"), "paused": _("clock stopped"), "on_time": _("on time"),
            "closed": _("closed"), "empty": _("No applications."),
            "failed": _("The server could not be reached; try again."),
            "conflict": _("Someone else changed this application meanwhile; here is its current state."),
            "required": _("required"), "conditional": _("if"), "original": _("original"), "copy": _("copy"),
            "copies": _("copies"), "filed": _("Filed"), "receipt": _("Print the receipt"),
            "notice": _("Print the one-time notice"), "due": _("due"), "note": _("Note / reason"),
            "department": _("Department"), "timeline": _("Timeline"), "noPerson": _("No one found in your areas."),
            "chosen": _("Applicant"),
        },
    }
    return render(request, "services/desk.html", {"config": config, "may_file": config["may_file"]})


def _application(request, pk: int) -> Application:
    if not role_allows(request.user, "services.view_application"):
        raise PermissionDenied
    try:
        return selectors.application_detail(selectors.applications_for(request.user), pk)
    except Application.DoesNotExist:
        raise Http404 from None


@login_required
def receipt_page(request, pk: int):
    """受理回执: the number, the item, the promised date and how to track it."""
    application = _application(request, pk)
    return render(request, "services/receipt.html", {"application": application})


@login_required
def notice_page(request, pk: int):
    """一次性告知: everything still needed, at once — the missing required materials, then
    the conditional ones not received with their conditions."""
    application = _application(request, pk)
    missing = materials_missing(application)
    conditional = [line for line in application.checklist.all() if not line.required and not line.received]
    return render(request, "services/notice.html",
                  {"application": application, "missing": missing, "conditional": conditional})
