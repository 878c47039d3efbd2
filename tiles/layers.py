"""The vector-tile layers: what each draws, at which zooms, with which attributes.

A layer is a queryset of a model with a geometry, scoped to the user like every other
read (gis_core.scoping), filtered to the tile by an index-backed ``&&`` and turned into
MVT by PostGIS (tiles/mvt.py). Other apps add their layers — live ones such as device
positions, open incidents and active alerts — with ``register_layer`` from their
AppConfig.ready(); a live layer sets ``cache_seconds=0``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Attributes = dict[str, object]  # output name -> model field name or query expression


@dataclass(frozen=True)
class TileLayer:
    name: str                               # URL segment and MVT layer name
    title: Promise | str
    queryset: Callable[[], QuerySet]        # unscoped; the renderer scopes it
    geometry: str                           # geometry field of the queryset's model
    minzoom: int
    maxzoom: int
    permission: str                         # "app.view_model" the user needs
    attributes: list[tuple[int, Attributes]] = field(default_factory=list)  # (from zoom, attributes)
    description: Promise | str = ""
    # None: cached until an edit invalidates the tile (tiles/sql); 0: live, never cached;
    # n > 0: cached, and also refreshed after n seconds (for attributes no trigger watches).
    cache_seconds: int | None = None
    # How map pages draw it: MapLibre style layers without id/source (filled in by the
    # page), and the legend entries (label, colour).
    style: list[dict] = field(default_factory=list)
    legend: list[tuple[Promise | str, str]] = field(default_factory=list)
    visible: bool = True  # shown when a map page opens
    # A further per-user narrowing after area scoping (a department handler sees only
    # their department's cases). Only for live layers: cached tiles are shared by scope.
    restrict: Callable[[QuerySet, object], QuerySet] | None = None

    def __post_init__(self):
        assert self.restrict is None or not self.cached, f"{self.name}: a restricted layer must be live"

    @property
    def cached(self) -> bool:
        return self.cache_seconds != 0

    def attributes_at(self, z: int) -> Attributes:
        """Every attribute set whose zoom is reached, merged (more detail further in)."""
        merged: Attributes = {}
        for from_zoom, attrs in self.attributes:
            if z >= from_zoom:
                merged.update(attrs)
        return merged

    def fields(self) -> dict[str, str]:
        """Attribute names and their types as TileJSON "vector_layers" lists them."""
        names: dict[str, str] = {}
        for from_zoom, attrs in self.attributes:
            for name in attrs:
                names.setdefault(name, f"from z{from_zoom}" if from_zoom > self.minzoom else "")
        return names


_REGISTRY: dict[str, TileLayer] = {}


def register_layer(layer: TileLayer) -> TileLayer:
    _REGISTRY[layer.name] = layer
    return layer


def layer_for(name: str) -> TileLayer | None:
    return _REGISTRY.get(name)


def all_layers() -> list[TileLayer]:
    return list(_REGISTRY.values())


# --------------------------------------------------------------------------- base layers

def _areas(level: int) -> Callable[[], QuerySet]:
    def queryset() -> QuerySet:
        from gis_core.models import Area

        return Area.objects.filter(level=level)
    return queryset


def _cells() -> QuerySet:
    from grids.models import GridCell
    from grids.selectors import cells_with_leaders_and_counts

    return cells_with_leaders_and_counts(GridCell.objects.all())


def _model(label: str) -> Callable[[], QuerySet]:
    def queryset() -> QuerySet:
        from django.apps import apps

        return apps.get_model(label).objects.all()
    return queryset


AREA_ATTRIBUTES: Attributes = {"code": "code", "name": "name", "level": "level"}


def _outline(color: str, width: float, dash: list | None = None) -> list[dict]:
    paint = {"line-color": color, "line-width": width}
    if dash:
        paint["line-dasharray"] = dash
    return [{"type": "line", "paint": paint}]


def match_expression(attribute: str, colors: dict[str, str], default: str) -> list:
    """A MapLibre ``match`` expression: attribute value → colour."""
    return ["match", ["get", attribute], *[v for pair in colors.items() for v in pair], default]


BUILDING_COLORS = {
    "residential": "#f2c57c", "office": "#8fb9e8", "school": "#66c2a5", "hospital": "#e41a1c",
    "shop": "#fdb462", "factory": "#b3b3b3", "government": "#9e7ec0", "religious": "#d9b28c", "other": "#cccccc",
}
KEY_SITE_COLORS = {
    "key_place": "#2e86c1", "special_trade": "#7d3c98", "key_part": "#616a6b", "key_facility": "#7b7d7d",
    "hazardous_goods": "#d68910", "prevention": "#28b463",
}


def register_base_layers() -> None:
    from assets.models import BuildingCategory, KeySiteKind
    from gis_core.models import AreaLevel

    for level, name, title, minzoom, color, width in (
        (AreaLevel.DISTRICT, "districts", _("Districts"), 6, "#5b2c6f", 3),
        (AreaLevel.STREET, "streets", _("Streets"), 8, "#7d3c98", 2),
        (AreaLevel.COMMUNITY, "communities", _("Communities"), 10, "#a569bd", 1.5),
    ):
        register_layer(TileLayer(
            name=name, title=title, queryset=_areas(level), geometry="boundary", minzoom=minzoom, maxzoom=16,
            permission="gis_core.view_area", attributes=[(minzoom, AREA_ATTRIBUTES)],
            description=_("Boundaries of the %(level)s level.") % {"level": AreaLevel(level).label},
            style=_outline(color, width), legend=[(title, color)]))
    register_layer(TileLayer(
        name="cells", title=_("Grid cells"), queryset=_cells, geometry="boundary", minzoom=11, maxzoom=16,
        permission="grids.view_gridcell", cache_seconds=600,
        attributes=[(11, {**AREA_ATTRIBUTES, "leaders": "leaders", "building_count": "building_count",
                          "house_count": "house_count", "people_count": "people_count"})],
        description=_("Grid cells with their leaders and counts of buildings, houses and residents."),
        style=[{"type": "fill", "paint": {"fill-color": "#3873b5", "fill-opacity": 0.04}},
               *_outline("#3873b5", 1, [3, 2])],
        legend=[(_("Grid cells"), "#3873b5")]))
    register_layer(TileLayer(
        name="buildings", title=_("Buildings"), queryset=_model("assets.Building"), geometry="footprint",
        minzoom=13, maxzoom=16, permission="assets.view_building",
        attributes=[(13, {"category": "category", "is_key": "is_key", "resident_count": "resident_count"}),
                    (15, {"name": "name", "floors": "floors", "address": "address"})],
        description=_("Building footprints by use category; key buildings flagged."),
        style=[{"type": "fill", "paint": {"fill-color": match_expression("category", BUILDING_COLORS, "#cccccc"),
                                          "fill-opacity": 0.85, "fill-outline-color": "#8a7a5a"}},
               {"type": "line", "filter": ["==", ["get", "is_key"], True],
                "paint": {"line-color": "#c0392b", "line-width": 2.5}}],
        legend=[(BuildingCategory(c).label, color) for c, color in BUILDING_COLORS.items()]
        + [(_("key building"), "#c0392b")]))
    register_layer(TileLayer(
        name="key-sites", title=_("Key sites and facilities"), queryset=_model("assets.KeySite"),
        geometry="geometry", minzoom=12, maxzoom=16, permission="assets.view_keysite",
        attributes=[(12, {"category": F("category__code"), "kind": F("category__kind"),
                          "risk_level": "risk_level"}),
                    (14, {"name": "name", "category_name": F("category__name")})],
        description=_("Key places, special trades, key facilities and prevention facilities."),
        style=[{"type": "fill", "filter": ["==", ["geometry-type"], "Polygon"],
                "paint": {"fill-color": match_expression("kind", KEY_SITE_COLORS, "#999999"), "fill-opacity": 0.35}},
               {"type": "circle", "filter": ["==", ["geometry-type"], "Point"],
                "paint": {"circle-color": match_expression("kind", KEY_SITE_COLORS, "#999999"), "circle-radius": 4,
                          "circle-stroke-color": "#ffffff", "circle-stroke-width": 1}}],
        legend=[(KeySiteKind(k).label, color) for k, color in KEY_SITE_COLORS.items()]))
    register_layer(TileLayer(
        name="organizations", title=_("Organizations"), queryset=_model("assets.Organization"),
        geometry="location", minzoom=14, maxzoom=16, permission="assets.view_organization",
        attributes=[(14, {"kind": "kind", "name": "name"})],
        description=_("Government bodies, institutions, enterprises and social organizations."),
        style=[{"type": "circle", "paint": {"circle-color": "#1abc9c", "circle-radius": 3.5,
                                            "circle-stroke-color": "#0e6655", "circle-stroke-width": 1}}],
        legend=[(_("Organizations"), "#1abc9c")], visible=False))
