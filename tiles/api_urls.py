"""tiles' endpoints under /api/v1/: place search and whole-layer exports."""
from django.urls import path, re_path

from tiles.views import LayerExportView, SearchView

urlpatterns = [
    path("search/", SearchView.as_view(), name="api-search"),
    re_path(r"^export/(?P<layer>[\w-]+)\.(?P<fmt>\w+)$", LayerExportView.as_view(), name="layer-export"),
]
