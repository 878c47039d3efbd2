from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    """Buildings, houses, people and where they live, organizations and key sites — with
    their map layers, heat metrics, search, imports, exports and data quality."""

    name = "assets"
    verbose_name = _("Buildings, people and places")

    def ready(self):
        from assets.exports import register_asset_exports
        from assets.heat import register_people_heat
        from assets.imports import register_asset_imports
        from assets.layers import register_asset_layers
        from assets.roles import grant_assets
        from assets.search import register_asset_search
        from gis_core.models import Role
        from gis_core.navigation import Page, register_page

        grant_assets()
        register_asset_layers()
        register_people_heat()
        register_asset_search()
        register_asset_exports()
        register_asset_imports()
        register_page(Page("quality", _("Data quality"),
                           _("Entry rates per street, community and cell; duplicates; cells not visited"), order=60,
                           may_open={Role.STREET_OFFICIAL, Role.COMMUNITY_WORKER, Role.GRID_LEADER,
                                     Role.DISTRICT_ADMIN}))
        register_page(Page("building-list", _("REST API"), _("GeoJSON for every spatial record, limited to your areas"),
                           order=92, in_topbar=False))
