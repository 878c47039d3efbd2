"""Pages: the grid leader's report page and "my cases" (phone-sized), the handling desk for
dispatchers and departments (on the map page), and the public tracking page."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled

from gis_core.models import Role
from gis_core.navigation import page_view
from gis_core.roles import role_allows
from incidents import selectors
from incidents.models import DONE_STATUSES, Case, CaseStatus, Department, TimeState
from incidents.serializers import CategorySerializer, public_case
from incidents.tracking import case_track
from tiles.maps import map_page_config

# A case status's badge kind (base.css .badge-*): done, paused, set aside; others plain.
STATUS_BADGES = {**{s: "badge-ok" for s in DONE_STATUSES},
                 CaseStatus.SUSPENDED: "badge-warn", CaseStatus.DEFERRED: "badge-warn",
                 CaseStatus.REJECTED: "badge-muted", CaseStatus.DUPLICATE: "badge-muted"}


def _categories() -> list[dict]:
    return CategorySerializer(selectors.categories_tree(), many=True).data


@page_view("case-report")
def case_report_page(request):
    """Report a case from the spot (grid leaders) or at the one-stop desk (staff, who also
    record the resident's name and phone)."""
    if not role_allows(request.user, "incidents.add_case"):
        raise PermissionDenied
    config = map_page_config(request, extra={
        # Opens at z16 (a street block): a spot can be tapped without zooming first.
        "inspect": False, "openZoom": 16, "casesUrl": "/api/v1/cases/", "nearbyUrl": "/api/v1/cases/nearby/",
        "categories": _categories(), "desk": request.user.role != Role.GRID_LEADER,
    })
    return render(request, "incidents/report.html", {"map_config": config})


@login_required
def my_cases_page(request):
    """The cases I reported, newest first, with where each stands."""
    if not role_allows(request.user, "incidents.view_case"):
        raise PermissionDenied
    cases = selectors.cases_queue(selectors.cases_for(request.user).filter(reporter=request.user))[:200]
    for case in cases:
        case.badge = STATUS_BADGES.get(case.status, "")
    return render(request, "incidents/my_cases.html", {"cases": cases})


@page_view("case-desk")
def case_desk(request):
    """The handling desk: queue with filters, the open cases on the map by lateness, and
    the selected case with its log, photos and the actions the user may take."""
    if not role_allows(request.user, "incidents.view_case"):
        raise PermissionDenied
    config = map_page_config(request, extra={
        "casesUrl": "/api/v1/cases/", "categories": _categories(),
        "departments": list(Department.objects.filter(active=True).values("code", "name")),
        "statuses": [[s.value, str(s.label)] for s in CaseStatus],
        "timeStates": [[s.value, str(s.label)] for s in TimeState], "statusBadges": STATUS_BADGES,
        "deskLabels": {
            "open": _("open"), "anyStatus": _("All statuses"), "anyTime": _("Any time limit"),
            "anyCategory": _("All categories"), "anyDepartment": _("All departments"), "send": _("Send"), "noCases": _("No cases."), "note": _("Note"),
            "department": _("Department"), "duplicateOf": _("Tracking number of the original"),
            "hours": _("More working hours"), "rating": _("Evaluation (1–5)"),
            "reporterRating": _("Reporter's rating (1–5)"), "timeline": _("Timeline"), "photos": _("Photos"),
            "due": _("due"), "reported": _("reported"), "reporter": _("Reporter"), "conflict": _(
                "Someone else changed this case meanwhile; here is its current state."),
            "failed": _("The server could not be reached; try again."), "pending": _("pending request"),
            "extension": _("extension"), "deferral": _("deferral"), "addPhotos": _("Add photos"),
            "count": _("cases"), "left": _("Done; the case has left your queue."),
        },
    })
    return render(request, "incidents/desk.html", {"map_config": config})


def track_page(request):
    """Public: a case's status timeline by tracking number and check (the key on the
    receipt or the reporter's phone's last four digits), with no personal data."""
    number = (request.GET.get("number") or "").strip()[:40]
    check = (request.GET.get("check") or "").strip()[:32]
    case, missing, throttled = None, False, False
    if number:
        try:
            case = public_case(case_track(request, number, check=check))
        except Case.DoesNotExist:
            missing = True
        except Throttled:
            throttled = True
    context = {"number": number, "check": check, "case": case, "missing": missing, "throttled": throttled}
    return render(request, "incidents/track.html", context, status=429 if throttled else 404 if missing else 200)
