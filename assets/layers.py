"""The map layers of buildings, key sites and organizations (tiles.layers)."""
from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from assets.models import BuildingCategory, KeySiteKind, OrganizationKind, RiskLevel, RoadKind
from tiles.layers import TileLayer, line_labels, match_expression, model_queryset, name_labels, register_layer
from tiles.popups import Popup, Row

BUILDING_COLORS = {
    "residential": "#f2c57c", "office": "#8fb9e8", "school": "#66c2a5", "hospital": "#f4a6a6",
    "shop": "#fdb462", "factory": "#b3b3b3", "government": "#9e7ec0", "religious": "#d9b28c", "other": "#cccccc",
}
# Key buildings are outlined in a dark red of their own: the alert colour (--alert) is SOS/fall only.
KEY_BUILDING_COLOR = "#8e2c1f"
KEY_SITE_COLORS = {
    "key_place": "#2e86c1", "special_trade": "#7d3c98", "key_part": "#616a6b", "key_facility": "#7b7d7d",
    "hazardous_goods": "#d68910", "prevention": "#28b463",
}

# Roads as on a printed town plan: main roads wide and yellow, others white, footways
# dashed; each cased in grey so white roads stand out from the plain background.
ROAD_COLORS = {"trunk": "#fcd581", "secondary": "#ffffff", "branch": "#ffffff", "footway": "#b8a88a"}
ROAD_CASING = "#bdb3a3"
ROAD_WIDTHS = {  # zoom → line width (px) per kind; interpolated exponentially between
    12: {"trunk": 2.0, "secondary": 1.2, "branch": 0.6, "footway": 0.4},
    16: {"trunk": 10.0, "secondary": 7.0, "branch": 4.0, "footway": 1.5},
    19: {"trunk": 36.0, "secondary": 26.0, "branch": 16.0, "footway": 3.0},
}


def _road_width(extra: float = 0) -> list:
    stops = [v for z, widths in ROAD_WIDTHS.items()
             for v in (z, ["+", match_expression("kind", widths, widths["branch"]), extra])]
    return ["interpolate", ["exponential", 1.5], ["zoom"], *stops]


# Side roads from z14, footways from z15: below that they are noise.
ROAD_SHOWN = ["any", ["==", ["get", "kind"], "trunk"], ["==", ["get", "kind"], "secondary"],
              ["all", ["==", ["get", "kind"], "branch"], [">=", ["zoom"], 14]], [">=", ["zoom"], 15]]


def _road_style() -> list[dict]:
    shown = ROAD_SHOWN
    cased = ["all", shown, ["!=", ["get", "kind"], "footway"]]  # footways: a dashed line, no casing
    return [
        {"type": "line", "filter": cased, "layout": {"line-cap": "round", "line-join": "round"},
         "paint": {"line-color": ROAD_CASING, "line-width": _road_width(1.5)}},
        {"type": "line", "filter": cased, "layout": {"line-cap": "round", "line-join": "round"},
         "paint": {"line-color": match_expression("kind", ROAD_COLORS, "#ffffff"), "line-width": _road_width()}},
        {"type": "line", "filter": ["all", shown, ["==", ["get", "kind"], "footway"]],
         "paint": {"line-color": ROAD_COLORS["footway"], "line-width": _road_width(), "line-dasharray": [2, 1.5]}},
    ]


def register_asset_layers() -> None:
    register_layer(TileLayer(
        name="roads", title=_("Roads"), queryset=model_queryset("assets.Road"), geometry="centreline",
        minzoom=10, maxzoom=16, permission="assets.view_road", order=5,
        attributes=[(10, {"kind": "kind", "name": "name"})],
        description=_("Road centre lines by class, with their names: the basemap drawn from our own data."),
        style=_road_style(), labels=line_labels(14, when=ROAD_SHOWN),
        popup=Popup(title="name", rows=[Row("kind", _("road class"), "choice", RoadKind.choices)]),
        legend=[(RoadKind(k).label, ROAD_CASING if color == "#ffffff" else color) for k, color in ROAD_COLORS.items()]))
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
                "paint": {"line-color": KEY_BUILDING_COLOR, "line-width": 2.5}}],
        legend=[(BuildingCategory(c).label, color) for c, color in BUILDING_COLORS.items()]
        + [(_("key building"), KEY_BUILDING_COLOR)],
        popup=Popup(title="name", link="/my-cell/buildings/{id}/", rows=[
            Row("category", _("use category"), "choice", BuildingCategory.choices),
            Row("is_key", _("key building"), "bool"), Row("address", _("address")),
            Row("floors", _("floors above ground")), Row("resident_count", _("residents"))]),
        labels=name_labels(16, size=11, color="#5a4a2a")))
    register_layer(TileLayer(
        name="key-sites", title=_("Key sites and facilities"), queryset=model_queryset("assets.KeySite"),
        geometry="geometry", minzoom=15, maxzoom=16, permission="assets.view_keysite", order=40,
        detail_url="/api/v1/key-sites/{id}/",
        # From z15 only: the district's ~2,000 sites would drown everything else further out.
        attributes=[(15, {"category": F("category__code"), "kind": F("category__kind"), "risk_level": "risk_level",
                          "name": "name", "category_name": F("category__name")})],
        description=_("Key places, special trades, key facilities and prevention facilities."),
        style=[{"type": "fill", "filter": ["==", ["geometry-type"], "Polygon"],
                "paint": {"fill-color": match_expression("kind", KEY_SITE_COLORS, "#999999"), "fill-opacity": 0.35}},
               {"type": "circle", "filter": ["==", ["geometry-type"], "Point"],
                "paint": {"circle-color": match_expression("kind", KEY_SITE_COLORS, "#999999"), "circle-radius": 4,
                          "circle-stroke-color": "#ffffff", "circle-stroke-width": 1}}],
        legend=[(KeySiteKind(k).label, color) for k, color in KEY_SITE_COLORS.items()],
        popup=Popup(title="name", link="/api/v1/key-sites/{id}/", rows=[
            Row("kind", _("kind"), "choice", KeySiteKind.choices), Row("category_name", _("category")),
            Row("risk_level", _("risk level"), "choice", RiskLevel.choices)])))
    register_layer(TileLayer(
        name="organizations", title=_("Organizations"), queryset=model_queryset("assets.Organization"),
        geometry="location", minzoom=14, maxzoom=16, permission="assets.view_organization", order=45,
        detail_url="/api/v1/organizations/{id}/",
        attributes=[(14, {"kind": "kind", "name": "name"})],
        description=_("Government bodies, institutions, enterprises and social organizations."),
        style=[{"type": "circle", "paint": {"circle-color": "#1abc9c", "circle-radius": 3.5,
                                            "circle-stroke-color": "#0e6655", "circle-stroke-width": 1}}],
        legend=[(_("Organizations"), "#1abc9c")], visible=False,
        popup=Popup(title="name", link="/api/v1/organizations/{id}/", rows=[
            Row("kind", _("kind"), "choice", OrganizationKind.choices)])))
