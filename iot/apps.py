from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IotConfig(AppConfig):
    """Elderly-care GPS terminals over MQTT (arrives with the terminals issue)."""

    name = "iot"
    verbose_name = _("Elderly-care terminals")
