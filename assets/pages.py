"""The assets app's pages: data quality (/quality/) — rates per street, community and
cell, drill-down, duplicate candidates, cells not visited."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets.quality import LEVELS, RATES, VISIT_DAYS, quality_report
from assets.serializers import QualityQuerySerializer, duplicate_groups_data
from gis_core.models import Area
from gis_core.navigation import page_view
from gis_core.roles import role_allows
from gis_core.scoping import code_in_scope, user_area_prefixes

BANDS = ((90, "good"), (60, "fair"), (0, "poor"))  # rate ≥ … → colour; 60 %: the pilots' entry rate


def _band(rate: float | None) -> str:
    if rate is None:
        return "none"
    return next(name for floor, name in BANDS if rate >= floor)


# gettext_lazy by its name: makemessages finds only the names it knows (not an alias).
RATE_TITLES = {"houses_with_residents": gettext_lazy("Houses with residents"),
               "people_id_verified": gettext_lazy("People with a verified ID number"),
               "buildings_categorised": gettext_lazy("Buildings with a category"),
               "elders_with_contacts": gettext_lazy("Elders with an emergency contact")}


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


@page_view("quality")
def quality_page(request):
    """Rates per street, community and cell (worst first), drill-down by area, duplicate
    candidates and cells not visited, on one page that fits a tablet."""
    if not role_allows(request.user, "assets.view_person"):
        raise PermissionDenied
    query = QualityQuerySerializer(data=request.GET, context={"request": request})
    params = query.validated_data if query.is_valid() else {"days": VISIT_DAYS}  # a bad parameter: the defaults
    area, days = params.get("area"), params["days"]
    levels = [level for level in LEVELS.values() if area is None or level > area.level]
    report = quality_report(user=request.user, area=area, levels=levels, days=days)
    titles = {LEVELS["street"]: _("Streets"), LEVELS["community"]: _("Communities"), LEVELS["cell"]: _("Grid cells")}
    tables = [{"title": titles[level], "rows": sorted((_decorate(r) for r in report.rows[level]),
                                                      key=lambda r: (r["score"] is None, r["score"] or 0, r["code"]))}
              for level in levels if report.rows[level]]
    return render(request, "assets/quality.html", {
        "area": area, "crumbs": _crumbs(area, request.user), "days": days, "tables": tables,
        "total": _decorate(report.total), "visits_recorded": report.visits_recorded,
        "duplicates": duplicate_groups_data(request, report.duplicates[:50]), "more_duplicates": len(report.duplicates) > 50,
        "rate_titles": RATE_TITLES.values(),
    })
