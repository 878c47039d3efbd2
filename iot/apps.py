from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IotConfig(AppConfig):
    """Elderly-care GPS terminals over MQTT: registry, ingest, alerts, the dispatcher's
    console."""

    name = "iot"
    verbose_name = _("Elderly-care terminals")

    def ready(self):
        from gis_core.demo import DemoPart, register_demo_part
        from gis_core.models import Role
        from gis_core.navigation import Page, register_page
        from iot.demo import demo_terminals_load
        from iot.layers import register_terminal_popups
        from iot.roles import grant_iot

        grant_iot()
        register_terminal_popups()
        register_page(Page("dispatch-console", _("Dispatch console"), _("Live alerts from elderly-care terminals"),
                           # Grid leaders and community workers answer their own areas' alerts.
                           order=40, may_open={Role.DISPATCHER, Role.GRID_LEADER, Role.COMMUNITY_WORKER,
                                               Role.DISTRICT_ADMIN},
                           workspace_of={Role.DISPATCHER}))
        register_demo_part(DemoPart("terminals", lambda *, seed, log: demo_terminals_load(log=log)))
