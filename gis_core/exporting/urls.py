"""``/api/v1/<list>/export.<fmt>`` for every list the apps registered (lists.py)."""
from django.urls import path

from gis_core.exporting.lists import list_exports

urlpatterns = [
    path(f"{spec.name}/export.<str:fmt>", spec.view(), name=f"{spec.name}-export") for spec in list_exports()
]
