"""The vector-tile cache.

A cached tile is valid only while its ``version`` equals the tile's current version in
``TileVersion``. Database triggers on the source tables bump the versions of exactly the
tiles an insert, update or delete touches (tiles/sql/), in the same transaction as the
change. A tile rendered from a snapshot taken before a change carries the old version, so
it is never served afterwards, whatever the timing.
"""
from django.db import models


class TileLayerZoom(models.Model):
    """Zoom range of each cached layer, for the invalidation triggers (synced from the
    Python layer registry after every migrate)."""

    layer = models.CharField(max_length=50, primary_key=True)
    minzoom = models.PositiveSmallIntegerField()
    maxzoom = models.PositiveSmallIntegerField()


class TileVersion(models.Model):
    pk = models.CompositePrimaryKey("layer", "z", "x", "y")
    layer = models.CharField(max_length=50)
    z = models.PositiveSmallIntegerField()
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    version = models.BigIntegerField(default=1)


class TileCache(models.Model):
    """One rendered tile for one access scope (users with the same areas share it)."""

    replica_readable = False  # an unlogged table (0003_unlogged_cache): not on read replicas

    pk = models.CompositePrimaryKey("layer", "z", "x", "y", "scope")
    layer = models.CharField(max_length=50)
    z = models.PositiveSmallIntegerField()
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    scope = models.CharField(max_length=200)
    version = models.BigIntegerField()
    etag = models.CharField(max_length=40)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
