"""Grid cells (网格): the finest level of the area hierarchy, each kept by grid leaders.

Grid cells are rows of gis_core.Area (level GRID), so scoping, containment rules and
derived areas treat them like any other area. A cell's leaders are the users with the
grid-leader role who have the cell among their areas (one datum, one source).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from gis_core.models import Area, AreaLevel
from gis_core.scoping import ScopedQuerySet


class GridCellQuerySet(ScopedQuerySet):
    pass


class GridCellManager(models.Manager.from_queryset(GridCellQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(level=AreaLevel.GRID)


class GridCell(Area):
    objects = GridCellManager()

    class Meta:
        proxy = True
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")
