"""The grid cells list as a file (gis_core.exporting)."""
from __future__ import annotations

from gis_core.exporting.lists import ListExport, register_list_export


def register_cell_export() -> None:
    register_list_export(ListExport("cells", "grids.views.GridCellViewSet", geometry="boundary", columns={
        "id": "id", "code": "code", "name": "name", "community": "parent__name", "leaders": "leaders",
        "building_count": "building_count", "house_count": "house_count", "people_count": "people_count"}))
