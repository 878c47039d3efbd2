from rest_framework.pagination import PageNumberPagination
from rest_framework_gis.pagination import GeoJsonPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


class GeoPagination(GeoJsonPagination):
    """A GeoJSON FeatureCollection with count, next and previous."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response_schema(self, schema):
        # ``schema`` is already the page's FeatureCollection (drf-spectacular's GeoJSON
        # list); rest_framework_gis would nest it as ``features`` and require ``results``.
        page = super(GeoJsonPagination, self).get_paginated_response_schema(schema)
        page["properties"].pop("results")
        return {"allOf": [schema, {**page, "required": ["count"]}]}
