"""``/api/v1/<list>/export.<fmt>`` for every list in lists.py, and
``/api/v1/export/<layer>.<fmt>`` for every map layer."""
from django.urls import path, re_path

from gis_core.exporting.api import LayerExportView
from gis_core.exporting.lists import LIST_EXPORTS

urlpatterns = [
    *(path(f"{spec.name}/export.<str:fmt>", spec.view(), name=f"{spec.name}-export") for spec in LIST_EXPORTS),
    re_path(r"^export/(?P<layer>[\w-]+)\.(?P<fmt>\w+)$", LayerExportView.as_view(), name="layer-export"),
]
