"""The pages of the grids app. The grid leader's workspace: my cell on the map with my
tasks and lists, a building's rooms (楼栋-单元-楼层-房间) with who lives where, a person's
page. The street official's console (heatmaps, statistics, drill-down) and the printable
area report. Writes go through the API (assets and grids services); these views only
select and render."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assets.models import Building, HouseUse, Person, ResidenceRelation
from gis_core.models import Area
from gis_core.navigation import page_view
from gis_core.personal_data import reveal
from gis_core.replicas import replica_view
from gis_core.roles import require_permission, role_allows
from gis_core.scoping import scope_queryset
from gis_core.security_headers import html_with_nonce
from grids.console import console_panels
from grids.models import VisitKind
from grids.reports import area_report_html
from grids.selectors import building_rooms, person_profile
from tiles.heat import all_metrics
from tiles.maps import map_page_config


@page_view("my-cell")
def my_cell(request):
    """Home of a grid leader: the cell's map (buildings, key sites, elders' terminals,
    open cases), my tasks, buildings and people search."""
    require_permission(request.user, "assets.view_building")
    config = map_page_config(request, extra={
        "tasksUrl": "/api/v1/my-tasks/", "buildingsUrl": "/api/v1/buildings/", "peopleUrl": "/api/v1/people/",
        "terminalsUrl": "/api/v1/terminals/" if role_allows(request.user, "iot.view_terminal") else None,
        "buildingPage": "/my-cell/buildings/{id}/", "personPage": "/my-cell/people/{id}/",
        "detailUrls": {"buildings": "/my-cell/buildings/{id}/"},
        "workspaceLabels": {
            "tasks": _("My tasks"), "unvisitedAlone": _("Elders living alone not visited for %(days)s days"),
            "emptyHouses": _("Houses with no resident recorded"), "unverified": _("ID numbers not verified"),
            "buildings": _("Buildings"), "people": _("People"), "search": _("Name or ID number"),
            "noResults": _("Nothing found"), "terminals": _("Elders' terminals"), "never": _("never visited"),
            "residents": _("residents"), "places": _("Key sites and organizations"),
            "note": _("Public-sentiment note (民情日志)"), "notePlaceholder": _("What did you see or hear?"),
            "noteWhere": _("Where: your GPS position, or tap the map."), "save": _("Save"),
            "saved": _("Saved."), "failed": _("The server could not be reached; try again."),
        },
        "keySitesUrl": "/api/v1/key-sites/", "organizationsUrl": "/api/v1/organizations/",
        "visitsUrl": "/api/v1/visits/",
    })
    return render(request, "grids/my_cell.html", {"map_config": config})


@login_required
def building_page(request, pk: int):
    """A building's rooms by unit and floor with who lives in each; move a person in."""
    require_permission(request.user, "assets.view_building")
    building = get_object_or_404(scope_queryset(Building.objects.select_related("area"), request.user), pk=pk)
    return render(request, "grids/building.html", {
        "building": building, "units": building_rooms(building), "relations": ResidenceRelation.choices,
        "uses": HouseUse.choices,
        "today": timezone.localdate(), "may_edit": role_allows(request.user, "assets.add_residence"),
    })


@login_required
def person_page(request, pk: int):
    """A person: details (personal data masked unless the role needs it, reads logged),
    tags, home and residence history, family in the same house, terminals, visits."""
    require_permission(request.user, "assets.view_person")
    person = get_object_or_404(scope_queryset(Person.objects.all(), request.user), pk=pk)
    shown = {field: reveal(request, person, field, str(getattr(person, field) or ""), kind=kind)
             for field, kind in person.personal_fields.items()}
    return render(request, "grids/person.html", {
        "person": person, "shown": shown, **person_profile(person), "kinds": VisitKind.choices,
        "today": timezone.localdate(), "may_edit": role_allows(request.user, "assets.change_residence"),
        "may_visit": role_allows(request.user, "grids.add_visit"),
    })


@page_view("official-console")
def official_console(request):
    """The street official's console: heatmaps, statistics and drill-down on the map."""
    top = scope_queryset(Area.objects.all(), request.user).order_by("level", "code").first()
    config = map_page_config(request, extra={
        "statsUrl": "/api/v1/area-stats/", "startArea": top.pk if top else None,
        # Heat metrics besides residents and key groups (incidents, alerts: other apps').
        "heatMetrics": [{"code": m.code, "title": str(m.title)} for m in all_metrics()
                        if m.code not in ("people", "tag") and role_allows(request.user, m.permission)],
        # Case metrics per sub-area this month (the incidents API), when the role reads cases.
        "caseMetricsUrl": "/api/v1/cases/metrics/" if role_allows(request.user, "incidents.view_case") else None,
        "consoleLabels": {
            "residents": _("residents"), "keyGroup": _("key group"), "buildings": _("buildings"),
            "houses": _("houses"), "keySites": _("key sites"), "heat": _("Heatmap"), "hexagons": _("Hexagons"),
            "total": _("total"), "subAreas": _("Sub-areas"), "noSubAreas": _("No sub-areas"),
            "noHeat": _("No heatmap for this choice."), "noCases": _("No cases this month."),
        },
    })
    return render(request, "grids/official_console.html", {"map_config": config, "start_area": top,
                                                           "console_panels": console_panels(request)})


@require_GET
@login_required
@replica_view  # statistics, heat and places of a whole area: a read replica when one is usable
def area_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A standalone, printable map of an area (grids/reports.py); ``?download=1`` saves it."""
    area = get_object_or_404(scope_queryset(Area.objects.all(), request.user), pk=pk)
    # Leaflet and folium's map code are inline: allowed by this response's CSP nonce.
    html = html_with_nonce(area_report_html(area=area, user=request.user), str(request.csp_nonce))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="report-{area.code}.html"'
    return response
