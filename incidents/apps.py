from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """Incident reporting and case handling (arrives with the incidents issue)."""

    name = "incidents"
    verbose_name = _("Incidents and cases")
