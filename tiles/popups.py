"""Popup templates: what a map shows for a clicked feature of a layer.

A layer's popup is declared next to the layer (``<app>/layers.py``: ``TileLayer(popup=…)``
for a vector-tile layer, ``register_popup(layer_id, …)`` for an overlay a page draws from
the API, such as the elders' terminals). Features carry codes and raw values; the template
carries the labels, so the browser shows labels, choices' labels, 是/否, local times and
relative ages (tiles/static/tiles/map.js ``GridMap.renderPopup``, one function for every map).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _

# How a value is shown: text as is, a choice's label, 是/否, a local date and time, an age
# ("3 分钟前"; a time far off, such as a device clock in 2017, shows its date instead).
KINDS = ("text", "choice", "bool", "datetime", "age")


@dataclass(frozen=True)
class Row:
    field: str
    label: Promise | str
    kind: str = "text"
    choices: Iterable[tuple[object, Promise | str]] = ()  # for kind "choice": (code, label) pairs

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"popup row {self.field}: unknown kind {self.kind!r}")

    def as_config(self) -> dict:
        row = {"field": self.field, "label": str(self.label), "kind": self.kind}
        if self.kind == "choice":
            row["choices"] = {str(code): str(label) for code, label in self.choices}
        return row


@dataclass(frozen=True)
class Popup:
    title: str                        # the field whose value titles the popup ("": the layer's title alone)
    rows: list[Row] = field(default_factory=list)
    link: str = ""                    # the record's page, "{id}" replaced by the feature id

    def fields(self) -> set[str]:
        return {self.title, *(row.field for row in self.rows)} - {""}

    def as_config(self, title: Promise | str) -> dict:
        return {"layer": str(title), "title": self.title, "rows": [row.as_config() for row in self.rows],
                "link": self.link}


@dataclass(frozen=True)
class OverlayPopup:
    """The popup of an overlay a page draws from an API list (not a tile layer)."""

    title: Promise | str
    permission: str | None            # None: whoever sees the page (its data is checked by its own URLs)
    popup: Popup
    properties: tuple[str, ...]       # what the API's features carry (checked by the tests)


_OVERLAYS: dict[str, OverlayPopup] = {}


def register_popup(layer_id: str, *, title: Promise | str, permission: str | None, popup: Popup,
                   properties: Iterable[str]) -> None:
    _OVERLAYS[layer_id] = OverlayPopup(title, permission, popup, tuple(properties))


def overlay_popups() -> dict[str, OverlayPopup]:
    return dict(_OVERLAYS)


def popups_config(user) -> dict:
    """Every popup this user's maps may show, by layer id, in the user's language."""
    from gis_core.roles import role_allows
    from tiles.layers import all_layers

    config = {layer.name: layer.popup.as_config(layer.title) for layer in all_layers()
              if layer.popup and role_allows(user, layer.permission)}
    config.update({layer_id: overlay.popup.as_config(overlay.title) for layer_id, overlay in _OVERLAYS.items()
                   if overlay.permission is None or role_allows(user, overlay.permission)})
    return config


def popup_words() -> dict[str, str]:
    """The words renderPopup needs besides the templates."""
    return {"yes": _("yes"), "no": _("no"), "details": _("Details"), "justNow": _("just now")}


def register_heat_popups() -> None:
    """The official console's hexagons (tiles/heat/hexagons.py: ``value``, ``density``)."""
    from django.utils.translation import gettext_lazy

    register_popup("heat-hex", title=gettext_lazy("Hexagons"), permission=None, properties=("value", "density"),
                   popup=Popup(title="", rows=[Row("value", gettext_lazy("count")),
                                               Row("density", gettext_lazy("per km²"))]))
