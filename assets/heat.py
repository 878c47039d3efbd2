"""Heat metrics of the people (tiles.heat): "people" — current residents per building —
and "tag" — residents with a key-group tag; both with a time window count the residences
overlapping it."""
from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets.models import Building, PersonTag, Residence
from gis_core.personal_data import may_see_personal_data
from tiles.heat.metrics import HeatMetric, HeatWindow, PointsSQL, points_sql, queryset_points, register_metric, scoped


def residences_during(window: HeatWindow) -> QuerySet[Residence]:
    """Current residences, or with a time window those overlapping it (moved in by
    ``until``, not moved out before ``since``)."""
    if not window.timed:
        return Residence.objects.filter(moved_out__isnull=True)
    qs = Residence.objects.all()
    if window.until is not None:
        qs = qs.filter(moved_in__lte=window.until)
    if window.since is not None:
        qs = qs.filter(Q(moved_out__isnull=True) | Q(moved_out__gte=window.since))
    return qs


def residence_points(residences: QuerySet[Residence], user, window: HeatWindow) -> PointsSQL:
    """Residences counted per building, at the building's anchor. Counting by building
    id first and joining the anchor afterwards keeps geometries out of the GROUP BY."""
    per_building = (scoped(residences, user, window, geometry="house__building__anchor")
                    .order_by().values("house__building_id").annotate(weight=Count("pk")))
    sql, params = per_building.query.sql_with_params()
    table = connection.ops.quote_name(Building._meta.db_table)
    joined = (f"SELECT b.anchor AS geom, c.weight FROM ({sql}) c(building_id, weight) "
              f"JOIN {table} b ON b.id = c.building_id")
    return points_sql(joined, params, window)


def people_points(user, window: HeatWindow, params: dict) -> PointsSQL:
    """Residents per building. Now: the ``resident_count`` column the database keeps
    (one row per inhabited building, no join). In a time window: residences overlapping
    it, counted per building."""
    if window.timed:
        return residence_points(residences_during(window), user, window)
    buildings = scoped(Building.objects.filter(resident_count__gt=0), user, window, geometry="anchor")
    return queryset_points(buildings.values(geom=F("anchor"), weight=F("resident_count")), window)


def tag_parse(user, query: Mapping[str, str]) -> dict[str, str]:
    """``tag=<PersonTag.code>``; a sensitive tag (health, key management) only for roles
    that see personal data: its density is personal data at building level."""
    code = (query.get("tag") or "").strip()
    if not code:
        raise ValidationError({"tag": [_("This parameter is required: tag=<tag code>.")]})
    tag = PersonTag.objects.filter(code=code).first()
    if tag is None:
        raise ValidationError({"tag": [_("Unknown tag “%(code)s”.") % {"code": code}]})
    if tag.sensitive and not may_see_personal_data(user):
        raise PermissionDenied(_("Your role may not see where people tagged “%(tag)s” live.") % {"tag": tag.name})
    return {"tag": tag.code}


def tag_points(user, window: HeatWindow, params: dict) -> PointsSQL:
    """Residents with the tag, per building (tagging → person → residence → house →
    building)."""
    tagged = residences_during(window).filter(person__taggings__tag__code=params["tag"])
    return residence_points(tagged, user, window)


def register_people_heat() -> None:
    per_km2 = gettext_lazy("people per km²")
    register_metric(HeatMetric("people", gettext_lazy("Residents"), "assets.view_person", people_points, unit=per_km2))
    register_metric(HeatMetric("tag", gettext_lazy("Key groups"), "assets.view_person", tag_points, parse=tag_parse,
                               unit=per_km2))
