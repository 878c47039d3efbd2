"""Data quality: ``/api/v1/quality/``, ``/api/v1/quality/duplicates/`` and the ``/quality/``
page. Thin: parameters, scope, assets.quality, and personal data through ``reveal``."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from assets.models import Residence
from assets.quality import LEVELS, RATES, VISIT_DAYS, duplicate_groups, quality_report
from gis_core.models import Area
from gis_core.pagination import Pagination
from gis_core.personal_data import reveal
from gis_core.roles import role_allows
from gis_core.scoping import code_in_scope, scope_queryset, user_area_prefixes

PERMISSION = "assets.view_person"  # the rates count people: roles that read the people list
BANDS = ((90, "good"), (60, "fair"), (0, "poor"))  # rate ≥ … → colour; 60 %: the pilots' entry rate


class ReadsPeople(permissions.BasePermission):
    def has_permission(self, request, view):
        return role_allows(request.user, PERMISSION)


def _area(request) -> Area | None:
    """``?area=<id>``: an area in the user's scope (404 otherwise), or None."""
    value = request.GET.get("area")
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError({"area": [_("An area id is a number.")]})
    area = scope_queryset(Area.objects.select_related("parent__parent__parent"), request.user).filter(
        pk=int(value)).first()
    if area is None:
        raise Http404(_("No such area in your areas."))
    return area


def _days(request) -> int:
    value = request.GET.get("days", str(VISIT_DAYS))
    if not value.isdigit() or not 1 <= int(value) <= 3660:
        raise ValidationError({"days": [_("Days from 1 to 3660.")]})
    return int(value)


def _brief(area: Area | None) -> dict | None:
    return area and {"id": area.pk, "code": area.code, "name": area.name, "level": area.level}


AREA_PARAMETER = OpenApiParameter("area", int, description="limit to this area's subtree")
DAYS_PARAMETER = OpenApiParameter("days", int, description=f"cells not visited for this many days "
                                                            f"(default {VISIT_DAYS})")


class QualityView(APIView):
    """Entry rates (录入率), duplicate candidates and cells not visited, per street,
    community or grid cell of your areas, with the total (definitions: assets.quality)."""

    permission_classes = [ReadsPeople]

    @extend_schema(parameters=[OpenApiParameter("by", str, enum=list(LEVELS), description="default cell"),
                               AREA_PARAMETER, DAYS_PARAMETER], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        by = request.query_params.get("by", "cell")
        if by not in LEVELS:
            raise ValidationError({"by": [_("Choose street, community or cell.")]})
        area, days = _area(request), _days(request)
        report = quality_report(user=request.user, area=area, levels=[LEVELS[by]], days=days)
        return Response({"by": by, "area": _brief(area), "days": days, "visits_recorded": report.visits_recorded,
                         "rows": report.rows[LEVELS[by]], "total": report.total})


def duplicates_page(request, groups: list[dict]) -> list[dict]:
    """The groups with their people and building: ID numbers, phones and birth dates
    through ``reveal`` (masked, or shown and recorded). One query for all of them."""
    ids = {pk for group in groups for pk in group["people"]}
    homes = {r.person_id: r for r in Residence.objects.filter(person__in=ids, moved_out__isnull=True, is_primary=True)
             .select_related("person", "house__building__area")}
    out = []
    for group in groups:
        people = []
        for pk in sorted(group["people"]):
            person, house = homes[pk].person, homes[pk].house
            shown = {field: reveal(request, person, field, str(getattr(person, field) or ""), kind=kind,
                                   area_id=group["area_id"])
                     for field, kind in person.personal_fields.items()}
            people.append({"id": person.pk, "name": person.name, **shown, "gender": person.gender,
                           "id_verified": person.id_verified, "house": house.pk, "unit": house.unit,
                           "floor": house.floor, "room": house.room})
        building = homes[group["people"][0]].house.building
        out.append({"kind": "same_name_birth_date", "name": people[0]["name"],
                    "birth_date": people[0]["birth_date"], "size": group["size"],
                    "building": {"id": building.pk, "name": building.name, "address": building.address},
                    "area": building.area and {"id": building.area_id, "code": building.area.code,
                                               "name": building.area.name},
                    "people": people})
    return out


class DuplicatesView(APIView):
    """Duplicate candidates: people whose home is in the same building, with the same name
    and birth date (an ID number cannot occur twice: it is unique). Personal data masked
    unless your role needs it; reads recorded."""

    permission_classes = [ReadsPeople]
    pagination_class = Pagination

    @extend_schema(parameters=[AREA_PARAMETER], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        # Candidates are few: one pass (a COUNT would run the grouping twice), paged here.
        groups = list(duplicate_groups(user=request.user, area=_area(request)))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(groups, request, view=self)
        return paginator.get_paginated_response(duplicates_page(request, page))


# --------------------------------------------------------------------------- the page

def _band(rate: float | None) -> str:
    if rate is None:
        return "none"
    return next(name for floor, name in BANDS if rate >= floor)


RATE_TITLES = {"houses_with_residents": _lazy("Houses with residents"),
               "people_id_verified": _lazy("People with a verified ID number"),
               "buildings_categorised": _lazy("Buildings with a category"),
               "elders_with_contacts": _lazy("Elders with an emergency contact")}


def _decorate(row: dict) -> dict:
    row["rates"] = [{"name": name, "title": RATE_TITLES[name], **row[name], "band": _band(row[name]["rate"])}
                    for name in RATES]
    return row


def _crumbs(area: Area | None, user) -> list[Area]:
    """The selected area and its ancestors within the user's areas, top first."""
    chain, prefixes = [], user_area_prefixes(user)
    while area is not None:
        if code_in_scope(area.code, prefixes):
            chain.insert(0, area)
        area = area.parent
    return chain


@login_required
def quality_page(request):
    """Rates per street, community and cell (worst first), drill-down by area, duplicate
    candidates and cells not visited, on one page that fits a tablet."""
    if not role_allows(request.user, PERMISSION):
        raise PermissionDenied
    try:
        area, days = _area(request), _days(request)
    except ValidationError:
        area, days = None, VISIT_DAYS
    levels = [level for level in LEVELS.values() if area is None or level > area.level]
    report = quality_report(user=request.user, area=area, levels=levels, days=days)
    titles = {LEVELS["street"]: _("Streets"), LEVELS["community"]: _("Communities"), LEVELS["cell"]: _("Grid cells")}
    tables = [{"title": titles[level], "rows": sorted((_decorate(r) for r in report.rows[level]),
                                                      key=lambda r: (r["score"] is None, r["score"] or 0, r["code"]))}
              for level in levels if report.rows[level]]
    return render(request, "assets/quality.html", {
        "area": area, "crumbs": _crumbs(area, request.user), "days": days, "tables": tables,
        "total": _decorate(report.total), "visits_recorded": report.visits_recorded,
        "duplicates": duplicates_page(request, report.duplicates[:50]), "more_duplicates": len(report.duplicates) > 50,
        "rate_titles": RATE_TITLES.values(),
    })
