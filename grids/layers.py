"""The map layer of grid cells, with their leaders and counts (tiles.layers)."""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grids.models import GridCell
from grids.selectors import cells_with_leaders_and_counts
from tiles.layers import AREA_ATTRIBUTES, AREA_ROWS, TileLayer, name_labels, outline, register_layer
from tiles.popups import Popup, Row


def _cells() -> QuerySet:
    return cells_with_leaders_and_counts(GridCell.objects.all())


def register_cell_layer() -> None:
    register_layer(TileLayer(
        name="cells", title=_("Grid cells"), queryset=_cells, geometry="boundary", minzoom=11, maxzoom=16,
        permission="grids.view_gridcell", cache_seconds=600, order=20, detail_url="/api/v1/cells/{id}/",
        attributes=[(11, {**AREA_ATTRIBUTES, "leaders": "leaders", "building_count": "building_count",
                          "house_count": "house_count", "people_count": "people_count"})],
        description=_("Grid cells with their leaders and counts of buildings, houses and residents."),
        style=[{"type": "fill", "paint": {"fill-color": "#3873b5", "fill-opacity": 0.04}},
               *outline("#3873b5", 1, [3, 2])],
        legend=[(_("Grid cells"), "#3873b5")],
        popup=Popup(title="name", link="/api/v1/cells/{id}/", rows=[
            *AREA_ROWS, Row("leaders", _("grid leaders")), Row("building_count", _("buildings")),
            Row("house_count", _("houses")), Row("people_count", _("residents"))]),
        labels=name_labels(15, size=12, color="#2c5d94")))
