"""The catalogue as a file (gis_core.exporting): one row per item, its materials in one
cell, one line each — the format services/imports.py reads back (a round trip)."""
from __future__ import annotations

from django.contrib.gis.db.models import GeometryField
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Case, CharField, F, Func, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Concat

from gis_core.exporting.lists import ListExport, register_list_export
from gis_core.exporting.tables import Display
from services.models import Material

# A material's line: name | original/copy | copies | required/conditional[: condition]
MATERIAL_SEPARATOR = " | "


def _materials() -> Subquery:
    line = Concat(
        F("name"), Value(MATERIAL_SEPARATOR), F("form"), Value(MATERIAL_SEPARATOR), Cast("copies", CharField()),
        Value(MATERIAL_SEPARATOR),
        Case(When(required=True, then=Value("required")), default=Concat(Value("conditional: "), F("condition")),
             output_field=CharField()),
        output_field=CharField())
    lines = (Material.objects.filter(item=OuterRef("pk")).order_by().values("item")
             .annotate(text=StringAgg(line, delimiter="\n", order_by=("sort_order", "id"))).values("text"))
    return Subquery(lines, output_field=CharField())


COLUMNS = {
    "code": "code", "name": "name", "business_area": "business_area", "business_area_name": Display("business_area"),
    "department": "department__code", "department_name": "department__name", "accepting_level": "accepting_level",
    "deciding_level": "deciding_level", "legal_days": "legal_days", "promised_days": "promised_days", "fee": "fee",
    "channels": Func(F("channels"), Value(","), function="array_to_string", output_field=CharField()),
    "result_kind": "result_kind", "status": "status", "conditions": "conditions", "legal_basis": "legal_basis",
    "materials": _materials(),
}


# The catalogue has no place on the map: an empty geometry (the XLSX's WKT column stays
# empty). Not a Value: the geometry functions refuse a Value that holds no geometry.
NO_GEOMETRY = Func(template="NULL::geometry(Geometry, 4326)", output_field=GeometryField(srid=4326))


def register_service_exports() -> None:
    register_list_export(ListExport("service-items", "services.views.ServiceItemViewSet",
                                    geometry=NO_GEOMETRY, columns=COLUMNS))
