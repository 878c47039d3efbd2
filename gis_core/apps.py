from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, **kwargs):
    """post_migrate comes once per app (after a migrate and after every flush of the test
    database): sync after the last app's, when every model's permissions exist."""
    from django.apps import apps

    from gis_core.services import role_groups_sync

    if sender is [config for config in apps.get_app_configs() if config.models_module is not None][-1]:
        role_groups_sync()


class GisCoreConfig(AppConfig):
    """The core: areas, users and roles, scoping, personal data, history, and the engines
    (import, export) with their registries. It imports no other app of the project."""

    name = "gis_core"
    verbose_name = _("Areas and access")

    def ready(self):
        from gis_core.exports import register_area_export
        from gis_core.importing.layers import register_area_import_layer
        from gis_core.importing.uploads import layers_for
        from gis_core.models import Role
        from gis_core.navigation import Page, register_page
        from gis_core.roles import grant_core

        grant_core()
        register_area_export()
        register_area_import_layer()
        register_page(Page("imports", _("Import data"),
                           _("Buildings, areas, places and people from GIS files and spreadsheets"), order=70,
                           may_open=lambda user: bool(layers_for(user))))
        # Base data are kept in the administration by the district and the one-stop desk.
        register_page(Page("admin:index", _("Administration"),
                           _("Areas, grid cells, buildings, houses, people, places; change history and the "
                             "personal-data access log"), order=90,
                           may_open={Role.DISTRICT_ADMIN, Role.COMMUNITY_WORKER}))
        register_page(Page("api-docs", _("API documentation"), _("OpenAPI schema with an interactive console"),
                           order=91, in_topbar=False))
        post_migrate.connect(_sync_role_groups, dispatch_uid="gis_core.role_groups")

