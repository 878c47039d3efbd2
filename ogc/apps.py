from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OgcConfig(AppConfig):
    """OGC API – Features over every map layer (tiles.layers), for QGIS, GDAL/OGR, ArcGIS
    and other clients that already exist."""

    name = "ogc"
    verbose_name = _("OGC API – Features")

    def ready(self):
        from gis_core.navigation import Page, register_page

        register_page(Page("ogc-landing", _("OGC API – Features"),
                           _("Every map layer for QGIS, GDAL and other GIS software, limited to your areas"),
                           order=93, in_topbar=False))
