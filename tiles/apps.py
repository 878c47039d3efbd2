from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TilesConfig(AppConfig):
    """Vector and heatmap tiles (arrive with the map-layers issue)."""

    name = "tiles"
    verbose_name = _("Map tiles")
