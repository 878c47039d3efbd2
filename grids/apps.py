from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    """Grid cells and their leaders: the grid leader's workspace (visits, my tasks,
    building and person pages), the street official's console and area reports."""

    name = "grids"
    verbose_name = _("Grid cells")

    def ready(self):
        from gis_core.models import Role
        from gis_core.navigation import Page, register_page
        from grids.exports import register_cell_export
        from grids.layers import register_cell_layer
        from grids.roles import grant_grids

        grant_grids()
        register_cell_layer()
        register_cell_export()
        # Dispatchers and handlers work district-wide: a "my cell" of theirs would be the district.
        register_page(Page("my-cell", _("My cell"),
                           _("Grid leaders: the cell on the map, buildings and rooms, people, visits, my tasks"),
                           order=10, may_open={Role.GRID_LEADER, Role.COMMUNITY_WORKER, Role.DISTRICT_ADMIN},
                           workspace_of={Role.GRID_LEADER}))
        # Its heat tiles need people's records: not for department handlers.
        register_page(Page("official-console", _("Street official's console"),
                           _("Heatmaps and statistics across communities and cells"), order=50,
                           may_open={Role.STREET_OFFICIAL, Role.DISTRICT_ADMIN}, workspace_of={Role.STREET_OFFICIAL}))
