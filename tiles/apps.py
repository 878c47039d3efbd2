from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_layer_zooms(sender, **kwargs):
    from tiles.layers import all_layers
    from tiles.models import TileLayerZoom

    cached = {layer.name: layer for layer in all_layers() if layer.cached}
    for layer in cached.values():
        TileLayerZoom.objects.update_or_create(
            layer=layer.name, defaults={"minzoom": layer.minzoom, "maxzoom": layer.maxzoom})
    TileLayerZoom.objects.exclude(layer__in=cached).delete()


class TilesConfig(AppConfig):
    """The map engine: vector tiles of every registered layer and their cache, heatmaps,
    place search, the map page. Imports only the core; apps register their layers,
    metrics and search kinds."""

    name = "tiles"
    verbose_name = _("Map tiles")

    def ready(self):
        from tiles.layers import register_area_layers
        from tiles.popups import register_heat_popups
        from tiles.search import register_area_search

        register_area_layers()
        register_area_search()
        register_heat_popups()
        post_migrate.connect(_sync_layer_zooms, sender=self, dispatch_uid="tiles.layer_zooms")
