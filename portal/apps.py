from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The residents' portal (/portal/): the service guide, tracking by number, reporting a
    problem, "my applications" after an SMS code, notices. A front only: the catalogue and
    applications are services', the cases incidents', the SMS notify's."""

    name = "portal"
    verbose_name = _("Residents' portal")
