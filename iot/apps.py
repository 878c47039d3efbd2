from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IotConfig(AppConfig):
    """Elderly-care GPS terminals over MQTT: registry, ingest, alerts, the dispatcher's
    console."""

    name = "iot"
    verbose_name = _("Elderly-care terminals")

    def ready(self):
        from gis_core.demo import DemoPart, register_demo_part
        from gis_core.navigation import Page, register_page
        from iot.demo import demo_terminals_load
        from iot.roles import grant_iot

        grant_iot()
        register_page(Page("dispatch-console", _("Dispatch console"), _("Live alerts from elderly-care terminals"),
                           order=40))
        register_demo_part(DemoPart("terminals", lambda *, seed, log: demo_terminals_load(log=log)))
