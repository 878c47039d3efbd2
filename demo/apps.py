from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The synthetic demo district and the commands that load and announce it. The top of
    the layers: it may import every app, and no app imports it."""

    name = "demo"
    verbose_name = _("Demo district")
