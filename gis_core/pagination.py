from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import BigIntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable, ValuesIterable
from rest_framework.pagination import PageNumberPagination
from rest_framework_gis.pagination import GeoJsonPagination

from gis_core.planner import planner_settings

FULL_COUNT = "_page_full_count"


class OneQueryPaginator(DjangoPaginator):
    """A page of a queryset and the count of all its rows in one query: the count rides on
    each row as an uncorrelated scalar subquery (computed once; the page keeps its LIMIT and
    its index), instead of Django's separate ``count()`` before the page. An empty page
    beyond the first still asks the count, to tell "no such page" from "no rows"."""

    def page(self, number):
        qs = self.object_list
        if (not isinstance(qs, QuerySet) or self.orphans or qs.query.combinator or qs.query.distinct
                or qs.query.is_sliced or "count" in self.__dict__
                or qs._iterable_class not in (ModelIterable, ValuesIterable)):
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # its validation says why
        if number < 1:
            return super().page(number)
        try:
            counted, count_params = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # qs.none(), ``__in=[]``: nothing to ask the database
            return super().page(number)
        full_count = RawSQL(f"SELECT count(*) FROM ({counted}) AS page_count", count_params,
                            output_field=BigIntegerField())
        bottom = (number - 1) * self.per_page
        # Planned without Memoize: a page joins a handful of rows to their labels, where
        # a cache of lookups saves nothing, but costing Memoize for every join order of a
        # list with six related tables took 25–30 ms of planning (the cases' desk queue,
        # 200,000 cases: 29 → 9 ms; executing unchanged, ≈5 ms).
        with planner_settings(using=qs.db, enable_memoize="off"):
            rows = list(qs.annotate(**{FULL_COUNT: full_count})[bottom:bottom + self.per_page])
        if rows:
            first = rows[0]
            self.__dict__["count"] = first.pop(FULL_COUNT) if isinstance(first, dict) else getattr(first, FULL_COUNT)
            for row in rows[1:]:
                if isinstance(row, dict):
                    row.pop(FULL_COUNT, None)
        elif number == 1 and self.allow_empty_first_page:
            self.__dict__["count"] = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
    django_paginator_class = OneQueryPaginator


class GeoPagination(GeoJsonPagination):
    """A GeoJSON FeatureCollection with count, next and previous."""

    page_size_query_param = "page_size"
    max_page_size = 1000
    django_paginator_class = OneQueryPaginator

    def get_paginated_response_schema(self, schema):
        # ``schema`` is already the page's FeatureCollection (drf-spectacular's GeoJSON
        # list); rest_framework_gis would nest it as ``features`` and require ``results``.
        page = super(GeoJsonPagination, self).get_paginated_response_schema(schema)
        page["properties"].pop("results")
        return {"allOf": [schema, {**page, "required": ["count"]}]}
