"""Grid cells (网格): the finest level of the area hierarchy, each kept by grid leaders,
and the leaders' visits (走访记录) and public-sentiment notes (民情日志).

Grid cells are rows of gis_core.Area (level GRID), so scoping, containment rules and
derived areas treat them like any other area. A cell's leaders are the users with the
grid-leader role who have the cell among their areas (one datum, one source).
"""
from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.db import models
from django.utils.translation import gettext_lazy as _

from gis_core.models import Area, AreaLevel
from gis_core.photos import private_storage


class GridCellManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(level=AreaLevel.GRID)


class GridCell(Area):
    objects = GridCellManager()

    class Meta:
        proxy = True
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")


class VisitKind(models.TextChoices):
    VISIT = "visit", _("visit")                      # 走访记录
    SENTIMENT = "sentiment", _("public-sentiment note")  # 民情日志


class Visit(gis_models.Model):
    """A grid leader's visit (走访记录) to a household or a person, or a public-sentiment
    note (民情日志): when, where (the GPS fix, when the device gave one), whom, notes and
    photos. ``cell`` is derived at recording (the house's, else the location's)."""

    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices, default=VisitKind.VISIT)
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    cell = models.ForeignKey(Area, verbose_name=_("grid cell"), on_delete=models.PROTECT, related_name="+")
    location = gis_models.PointField(_("location"), srid=4326, null=True, blank=True)
    house = models.ForeignKey("assets.House", verbose_name=_("house"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="visits")
    person = models.ForeignKey("assets.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visited by"), on_delete=models.PROTECT,
                                related_name="visits")
    notes = models.TextField(_("notes"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope_lookup = "cell"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["cell", "-visited_at"], name="visit_cell_idx"),
                   models.Index(fields=["person", "-visited_at"], name="visit_person_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_at:%Y-%m-%d}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="visits/%Y/%m/", storage=private_storage)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
