from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """Incident reporting and case handling: intake, the workflow, time limits, metrics,
    public tracking and Open311."""

    name = "incidents"
    verbose_name = _("Incidents and cases")

    def ready(self):
        from incidents.heat import register_case_heat
        from incidents.layers import register_case_layer

        register_case_layer()
        register_case_heat()
