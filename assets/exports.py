"""The lists of buildings, houses, people, organizations and key sites as files
(gis_core.exporting). Houses and people, which have no geometry of their own, are placed
at their building's anchor (a point on its footprint): 以房管人."""
from __future__ import annotations

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, Exists, FilteredRelation, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from assets.models import PersonTagging, Residence
from gis_core.exporting.lists import Columns, ListExport, register_list_export
from gis_core.exporting.tables import Display
from gis_core.personal_data import may_see_personal_data


class Age(Func):
    template = "date_part('year', age(%(expressions)s))::int"
    output_field = IntegerField()


def _current_residents() -> Coalesce:
    residents = (Residence.objects.filter(house=OuterRef("pk"), moved_out__isnull=True).order_by()
                 .values("house").annotate(n=Count("*")).values("n"))
    return Coalesce(Subquery(residents, output_field=IntegerField()), 0)


def _with_home(qs: QuerySet) -> QuerySet:
    """Join each person's current primary residence (at most one: a unique index)."""
    return qs.annotate(home=FilteredRelation(
        "residences", condition=Q(residences__is_primary=True, residences__moved_out__isnull=True)))


def _tag_codes(sees: bool) -> Subquery:
    """A person's tag codes; sensitive ones only for roles that see personal data."""
    tags = PersonTagging.objects.filter(person=OuterRef("pk"))
    if not sees:
        tags = tags.filter(tag__sensitive=False)
    return Subquery(tags.order_by().values("person").annotate(
        codes=StringAgg("tag__code", ",", order_by=("tag__sort_order", "tag__code"))).values("codes"))


def _people_columns(user) -> Columns:
    return {
        "id": "id", "name": "name", "id_number": "id_number", "id_verified": "id_verified", "gender": "gender",
        "birth_date": "birth_date", "age": Age("birth_date"), "phone": "phone", "ethnicity": "ethnicity",
        "residence_type": "residence_type", "nationality": "nationality",
        "tags": _tag_codes(may_see_personal_data(user)),
        "house": "home__house", "building": "home__house__building__name",
        "address": "home__house__building__address", "unit": "home__house__unit", "floor": "home__house__floor",
        "room": "home__house__room", "relation": "home__relation", "moved_in": "home__moved_in",
        "area_code": "home__house__building__area__code", "area_name": "home__house__building__area__name",
    }


def _people_audits(user) -> dict:
    return {"tags": Exists(PersonTagging.objects.filter(person=OuterRef("pk"), tag__sensitive=True))}


AREA_COLUMNS: Columns = {"area_code": "area__code", "area_name": "area__name"}


def register_asset_exports() -> None:
    for spec in (
        ListExport("buildings", "assets.views.BuildingViewSet", geometry="footprint", columns={
            "id": "id", "name": "name", "address": "address", "floors": "floors", "category": "category",
            "category_name": Display("category"), "is_key": "is_key", **AREA_COLUMNS,
            "house_count": "house_count", "resident_count": "resident_count", "updated_at": "updated_at"}),
        ListExport("houses", "assets.views.HouseViewSet", geometry="building__anchor", columns={
            "id": "id", "building": "building", "building_name": "building__name", "address": "building__address",
            "unit": "unit", "floor": "floor", "room": "room", "floor_area": "floor_area", "use": "use",
            "use_name": Display("use"), "residents": _current_residents(),
            "area_code": "building__area__code", "area_name": "building__area__name"}),
        ListExport("people", "assets.views.PersonViewSet", geometry="home__house__building__anchor",
                   columns=_people_columns, prepare=_with_home, audits=_people_audits),
        ListExport("organizations", "assets.views.OrganizationViewSet", geometry="location", columns={
            "id": "id", "name": "name", "kind": "kind", "kind_name": Display("kind"), "credit_code": "credit_code",
            "address": "address", "building": "building", "contact_name": "contact_name",
            "contact_phone": "contact_phone", **AREA_COLUMNS}),
        ListExport("key-sites", "assets.views.KeySiteViewSet", geometry="geometry", columns={
            "id": "id", "name": "name", "category": "category__code", "category_name": "category__name",
            "kind": "category__kind", "risk_level": "risk_level", "responsible_name": "responsible_name",
            "responsible_phone": "responsible_phone", "building": "building", **AREA_COLUMNS}),
    ):
        register_list_export(spec)
