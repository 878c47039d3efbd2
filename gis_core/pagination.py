from rest_framework.pagination import PageNumberPagination
from rest_framework_gis.pagination import GeoJsonPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


class GeoPagination(GeoJsonPagination):
    """A GeoJSON FeatureCollection with count, next and previous."""

    page_size_query_param = "page_size"
    max_page_size = 1000
