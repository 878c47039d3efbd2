"""The areas list as a file (gis_core.exporting)."""
from __future__ import annotations

from gis_core.exporting.lists import ListExport, register_list_export
from gis_core.exporting.tables import Display


def register_area_export() -> None:
    register_list_export(ListExport("areas", "gis_core.views.AreaViewSet", geometry="boundary", columns={
        "id": "id", "code": "code", "name": "name", "level": "level", "level_name": Display("level"),
        "parent": "parent", "parent_code": "parent__code"}))
