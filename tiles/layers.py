"""The vector-tile layers: what each draws, at which zooms, with which attributes.

A layer is a queryset of a model with a geometry, scoped to the user like every other
read (gis_core.scoping), filtered to the tile by an index-backed ``&&`` and turned into
MVT by PostGIS (tiles/mvt.py). This module holds the engine's registry and the layers
of the core's areas; every app registers its own layers (``<app>/layers.py``, called
from its AppConfig.ready()): buildings and places in assets, cells in grids, open cases
in incidents. A live layer sets ``cache_seconds=0``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gis_core.models import Area, AreaLevel
from tiles.popups import Popup, Row

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
    # Drawing order on map pages, bottom first (areas 10–20, buildings 30, places 40–50,
    # live layers 60+); the index lists layers in this order.
    order: int = 50
    # The record's API detail, "{id}" replaced by the feature id (popups link to it).
    detail_url: str = ""
    # What a click on a feature shows (tiles/popups.py): labels, not the attributes' names.
    popup: Popup | None = None
    # Text drawn over every layer's shapes (MapLibre "symbol" style layers, as ``style``;
    # ``name_labels``/``line_labels`` below): names of areas, roads and buildings.
    labels: list[dict] = field(default_factory=list)

    @property
    def model(self) -> type:
        return self.queryset().model

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
    """Every registered layer, bottom first."""
    return sorted(_REGISTRY.values(), key=lambda layer: layer.order)


# --------------------------------------------------------------------------- helpers for layers

def model_queryset(label: str) -> Callable[[], QuerySet]:
    """The layer queryset of every row of a model ("app.Model"), resolved when drawn."""
    def queryset() -> QuerySet:
        return apps.get_model(label).objects.all()
    return queryset


def outline(color: str, width: float, dash: list | None = None) -> list[dict]:
    """A MapLibre line style: boundaries."""
    paint = {"line-color": color, "line-width": width}
    if dash:
        paint["line-dasharray"] = dash
    return [{"type": "line", "paint": paint}]


def match_expression(attribute: str, colors: dict[str, str], default: str) -> list:
    """A MapLibre ``match`` expression: attribute value → colour."""
    return ["match", ["get", attribute], *[v for pair in colors.items() for v in pair], default]


# Label fonts: SDF glyph ranges built at set-up from Debian's DejaVu fonts
# (gis_core/frontend/vendor.py → var/vendor/glyphs/<font>/); Chinese is drawn by the
# browser's own CJK fonts (MapLibre's localIdeographFontFamily, tiles/static/tiles/basemap.js).
FONT = ["DejaVuSans"]
FONT_BOLD = ["DejaVuSans-Bold"]
HALO = {"text-halo-color": "rgba(255,255,255,0.9)", "text-halo-width": 1.5}


def name_labels(minzoom: int, *, maxzoom: int | None = None, size: float = 12, color: str = "#333333",
                font: list[str] = FONT, text: object = None, **layout: object) -> list[dict]:
    """A label at each polygon's (or point's) inside from ``minzoom`` (and below
    ``maxzoom``): by default the feature's ``name``."""
    label = {"type": "symbol", "minzoom": minzoom,
             "layout": {"text-field": text if text is not None else ["get", "name"], "text-font": font,
                        "text-size": size, "text-max-width": 8, "text-padding": 4, **layout},
             "paint": {"text-color": color, **HALO}}
    if maxzoom is not None:
        label["maxzoom"] = maxzoom
    return [label]


def line_labels(minzoom: int, *, size: float = 12, color: str = "#4a4036", when: list | None = None) -> list[dict]:
    """Names along lines (roads), repeated along long lines; ``when`` a further filter."""
    named = ["!=", ["get", "name"], ""]
    return [{"type": "symbol", "minzoom": minzoom, "filter": ["all", named, when] if when else named,
             "layout": {"symbol-placement": "line", "text-field": ["get", "name"], "text-font": FONT,
                        "text-size": size, "symbol-spacing": 320, "text-max-angle": 35, "text-padding": 2},
             "paint": {"text-color": color, **HALO}}]


# --------------------------------------------------------------------------- the core's layers

AREA_ATTRIBUTES: Attributes = {"code": "code", "name": "name", "level": "level"}
AREA_ROWS = [Row("level", _("level"), "choice", AreaLevel.choices), Row("code", _("code"))]
AREA_POPUP = Popup(title="name", rows=AREA_ROWS)


def _areas(level: int) -> Callable[[], QuerySet]:
    def queryset() -> QuerySet:
        return Area.objects.filter(level=level)
    return queryset


def register_area_layers() -> None:
    """Districts, streets and communities (grid cells are the grids app's layer)."""
    # Names at the zooms where the level is what one looks at: a district's name
    # while the district fills the screen, a community's once its streets are seen.
    for order, (level, name, title, minzoom, color, width, shown, size) in enumerate((
        (AreaLevel.DISTRICT, "districts", _("Districts"), 6, "#5b2c6f", 3, (6, 12), 16),
        (AreaLevel.STREET, "streets", _("Streets"), 8, "#7d3c98", 2, (11, 14), 15),
        (AreaLevel.COMMUNITY, "communities", _("Communities"), 10, "#a569bd", 1.5, (13, 16), 13),
    )):
        register_layer(TileLayer(
            name=name, title=title, queryset=_areas(level), geometry="boundary", minzoom=minzoom, maxzoom=16,
            permission="gis_core.view_area", attributes=[(minzoom, AREA_ATTRIBUTES)],
            description=_("Boundaries of the %(level)s level.") % {"level": AreaLevel(level).label},
            style=outline(color, width), legend=[(title, color)], order=10 + order, popup=AREA_POPUP,
            labels=name_labels(shown[0], maxzoom=shown[1], size=size, color=color, font=FONT_BOLD)))
