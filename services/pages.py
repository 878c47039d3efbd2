"""Pages: the one-stop desk (file an application, the queue with its late ones, act on
one, record the applicant's rating, poor ratings' follow-ups), the two printable sheets —
the receipt (受理回执) and the one-time notice of what is missing (一次性告知) —, the
metrics page (tables, CSV) and the public rating form (the portal's, minimal)."""
from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import Throttled

from gis_core.models import AreaLevel
from gis_core.navigation import page_view
from gis_core.replicas import replica_reads
from gis_core.roles import role_allows
from gis_core.scoping import areas_for_user
from incidents.models import Department
from services import selectors
from services.metrics import GROUP_LABELS, application_metrics
from services.models import Application, Satisfaction
from services.serializers import ApplicationMetricsQuerySerializer, PublicRatingSerializer, ServiceItemSerializer
from services.services import materials_missing
from services.tracking import public_rate


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
            "rating": _("Rating"), "rate": _("Record the rating"), "rated": _("Rated"), "comment": _("Comment"),
            "followup": _("Follow-up"), "close": _("Close the follow-up"), "outcome": _("What was done"),
            "noFollowups": _("No open follow-ups."),
        },
        "levels": [{"value": value, "label": str(label)} for value, label in Satisfaction.choices],
        "followupsUrl": ("/api/v1/application-followups/?state=open"
                         if role_allows(request.user, "services.view_followup") else None),
    }
    late_count = selectors.applications_late(selectors.applications_for(request.user)).count()
    return render(request, "services/desk.html", {"config": config, "may_file": config["may_file"],
                                                  "late_count": late_count})


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


# lazy: translated in the language of each request, not of the process's first import
METRIC_COLUMNS = [
    ("applications", gettext_lazy("applications")), ("accepted", gettext_lazy("accepted")),
    ("due", gettext_lazy("due")), ("on_time", gettext_lazy("decided on time")),
    ("on_time_rate", gettext_lazy("on-time completion rate (%)")), ("decided", gettext_lazy("decided")),
    ("mean_working_days", gettext_lazy("average working days")), ("rated", gettext_lazy("ratings")),
    ("poor", gettext_lazy("poor ratings")), ("satisfaction_rate", gettext_lazy("satisfaction rate (%)")),
]


@page_view("services-metrics")
def metrics_page(request):
    """Application metrics by item, department, community, street or month over a range of
    months within an area (the API's filter serializer); ``?download=csv`` the same table."""
    query = ApplicationMetricsQuerySerializer(data=request.GET, context={"request": request})
    rows, errors = [], {}
    if query.is_valid():
        data = query.validated_data
        with replica_reads():  # the table only: the page's frame reads from the primary
            rows = application_metrics(selectors.applications_for(request.user, within=data["area"]),
                                       group_by=data["group_by"], since=data["since"], until=data["until"])
    else:
        errors = {field: " ".join(str(m) for m in messages) for field, messages in query.errors.items()}
        data = {"group_by": "community", "area": None, "first_month": None, "last_month": None}
    columns = [(key, str(label)) for key, label in METRIC_COLUMNS]
    group_label = str(GROUP_LABELS.get(data["group_by"], ""))
    table = [{"key": r.key, "name": r.name, "cells": [r.as_dict()[key] for key, _label in columns]} for r in rows]
    if request.GET.get("download") == "csv" and not errors:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (f'attachment; filename="applications-{data["group_by"]}-'
                                           f'{data["first_month"]:%Y-%m}-{data["last_month"]:%Y-%m}.csv"')
        response.write("\ufeff")  # Excel reads UTF-8 with the mark
        writer = csv.writer(response)
        writer.writerow([group_label, *[label for _key, label in columns]])
        for row in table:
            writer.writerow([row["name"], *["" if v is None else v for v in row["cells"]]])
        return response
    areas = list(areas_for_user(request.user).filter(level__in=[AreaLevel.DISTRICT, AreaLevel.STREET,
                                                                AreaLevel.COMMUNITY])
                 .order_by("code").values("id", "name", "level"))
    return render(request, "services/metrics.html", {
        "table": table, "columns": columns, "errors": errors, "group_label": group_label,
        "groups": [(key, str(label)) for key, label in GROUP_LABELS.items()], "areas": areas,
        "chosen": {"group_by": data["group_by"], "area": data["area"].pk if data["area"] else None,
                   "since": f"{data['first_month']:%Y-%m}" if data["first_month"] else request.GET.get("since", ""),
                   "until": f"{data['last_month']:%Y-%m}" if data["last_month"] else request.GET.get("until", "")},
        "query": request.GET.urlencode(),
    })


@require_http_methods(["GET", "POST"])
def rate_page(request):
    """The applicant rates a collected application (no sign-in): number, query code or the
    phone's last four digits, one of the five levels. A plain form (no script needed);
    the portal has its own page on the same API (POST /api/v1/service-ratings/)."""
    result, errors, status = None, {}, 200
    form = PublicRatingSerializer(data=request.POST) if request.method == "POST" else None
    if form is not None:
        if form.is_valid():
            try:
                result = public_rate(request, **form.validated_data)
            except Http404:
                errors, status = {"number": _("No application with this number and query code.")}, 404
            except Throttled:
                errors, status = {"number": _("Too many tries; try again later.")}, 429
            except DjangoValidationError as exc:
                errors, status = {"number": " ".join(exc.messages)}, 400
        else:
            errors = {field: " ".join(str(m) for m in messages) for field, messages in form.errors.items()}
            status = 400
    return render(request, "services/rate.html", {
        "levels": Satisfaction.choices, "result": result, "errors": errors,
        "values": request.POST if request.method == "POST" else {}, "tab": "track"}, status=status)
