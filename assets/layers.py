"""The map layers of buildings, key sites and organizations (tiles.layers)."""
from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from assets.models import BuildingCategory, KeySiteKind
from tiles.layers import TileLayer, match_expression, model_queryset, register_layer

BUILDING_COLORS = {
    "residential": "#f2c57c", "office": "#8fb9e8", "school": "#66c2a5", "hospital": "#e41a1c",
    "shop": "#fdb462", "factory": "#b3b3b3", "government": "#9e7ec0", "religious": "#d9b28c", "other": "#cccccc",
}
KEY_SITE_COLORS = {
    "key_place": "#2e86c1", "special_trade": "#7d3c98", "key_part": "#616a6b", "key_facility": "#7b7d7d",
    "hazardous_goods": "#d68910", "prevention": "#28b463",
}


def register_asset_layers() -> None:
    register_layer(TileLayer(
        name="buildings", title=_("Buildings"), queryset=model_queryset("assets.Building"), geometry="footprint",
        minzoom=13, maxzoom=16, permission="assets.view_building", order=30,
        detail_url="/api/v1/buildings/{id}/",
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
        name="key-sites", title=_("Key sites and facilities"), queryset=model_queryset("assets.KeySite"),
        geometry="geometry", minzoom=12, maxzoom=16, permission="assets.view_keysite", order=40,
        detail_url="/api/v1/key-sites/{id}/",
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
        name="organizations", title=_("Organizations"), queryset=model_queryset("assets.Organization"),
        geometry="location", minzoom=14, maxzoom=16, permission="assets.view_organization", order=45,
        detail_url="/api/v1/organizations/{id}/",
        attributes=[(14, {"kind": "kind", "name": "name"})],
        description=_("Government bodies, institutions, enterprises and social organizations."),
        style=[{"type": "circle", "paint": {"circle-color": "#1abc9c", "circle-radius": 3.5,
                                            "circle-stroke-color": "#0e6655", "circle-stroke-width": 1}}],
        legend=[(_("Organizations"), "#1abc9c")], visible=False))
