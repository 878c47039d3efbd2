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
    """Vector tiles of every map layer, and heatmaps."""

    name = "tiles"
    verbose_name = _("Map tiles")

    def ready(self):
        from tiles.layers import register_base_layers

        register_base_layers()
        post_migrate.connect(_sync_layer_zooms, sender=self, dispatch_uid="tiles.layer_zooms")
